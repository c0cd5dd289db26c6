#!/usr/bin/env node
// Deep public reads on the embedded mock (issue 14): GET /api/v3/depth?limit=5000 and
// GET /api/v3/klines?limit=1000 (1m live-and-history, 1h history paging), each asked plain and with
// `Accept-Encoding: gzip` (as ccxt and browsers ask), against the mock in its own process, beside a bare
// node:http server in its own process answering the very same bytes (the floor on this machine).
// Load generator: wrk with one thread when installed (apt-get install -y wrk: C, so the client is not
// what is measured), autocannon otherwise. Run after `npm run build`:
//   node bench/mock-depth-klines.bench.js [--seconds N] [--reps N] [--connections N] [--autocannon]
// Each case runs `reps` times, mock and bare floor interleaved; the medians are printed.
// Asked: ≥ 5 000 requests/s each. Besides wall-clock req/s, each server's CPU µs per request
// (process.cpuUsage() read in the server before and after the run ÷ requests served): on a shared
// machine req/s measures the neighbours too, CPU per request much less so (1e6 ÷ µs = req/s per free
// core). The load average is printed with the figures.
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import {loadavg, tmpdir} from 'node:os';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {parseArgs} from 'node:util';
import autocannon from 'autocannon';

const {values} = parseArgs({
	options: {
		seconds: {type: 'string', default: '6'},
		reps: {type: 'string', default: '3'},
		connections: {type: 'string', default: '50'},
		autocannon: {type: 'boolean', default: false},
	},
});
const seconds = Number(values.seconds);
const reps = Number(values.reps);
const connections = Number(values.connections);
const mockModule = new URL('../dist/mock/index.js', import.meta.url).href;
// The weight limit is lifted: this measures the request path, not the limiter (which still charges).
const mockOptions = {port: 0, host: '127.0.0.1', weightLimitPerMinute: 1e12, rawRequestsPer5m: 1e15};
const wrk = values.autocannon ? undefined : ['/usr/bin/wrk', '/usr/local/bin/wrk'].find(p => existsSync(p));

// Each server answers a line on stdin with its own CPU time so far.
const CPU_PROBE = `const {createInterface} = await import('node:readline');
createInterface({input: process.stdin}).on('line', () => { const u = process.cpuUsage(); console.log(JSON.stringify({cpuUs: u.user + u.system})); });`;

async function startChild(script) {
	const child = spawn(process.execPath, ['--input-type=module', '-e', `${script}\n${CPU_PROBE}`], {
		stdio: ['pipe', 'pipe', 'inherit'],
	});
	const lines = createInterface({input: child.stdout});
	const line = await new Promise((resolve, reject) => {
		child.once('exit', code => reject(new Error(`server exited with ${code}`)));
		lines.once('line', resolve);
	});
	const cpu = () =>
		new Promise(resolve => {
			lines.once('line', l => resolve(JSON.parse(l).cpuUs));
			child.stdin.write('cpu\n');
		});
	const close = () =>
		new Promise(resolve => {
			child.removeAllListeners('exit');
			child.once('exit', resolve);
			child.kill('SIGTERM');
		});
	return {...JSON.parse(line), cpu, close};
}

function startChildMock() {
	return startChild(`const {startMockExchange} = await import(${JSON.stringify(mockModule)});
const m = await startMockExchange(${JSON.stringify(mockOptions)});
console.log(JSON.stringify({rest: m.rest}));
process.on('SIGTERM', async () => { await m.close(); process.exit(0); });`);
}

/** The floor: bare node:http answering the file's bytes (with the mock's encoding header), in its own process. */
function startBareServer(file, gzip) {
	return startChild(`const http = await import('node:http');
const body = (await import('node:fs')).readFileSync(${JSON.stringify(file)});
const headers = {'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': body.length${gzip ? ", 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding'" : ''}};
const server = http.createServer((req, res) => { res.writeHead(200, headers); res.end(body); });
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({rest: 'http://127.0.0.1:' + server.address().port})));
process.on('SIGTERM', () => process.exit(0));`);
}

/** One GET, its raw (possibly compressed) body bytes and headers. */
function rawGet(url, gzip) {
	return new Promise((resolve, reject) => {
		http
			.get(url, {headers: gzip ? {'Accept-Encoding': 'gzip'} : {}}, res => {
				const chunks = [];
				res.on('data', c => chunks.push(c));
				res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks)}));
			})
			.on('error', reject);
	});
}

function runProcess(command, args) {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		let err = '';
		child.stdout.on('data', d => (out += d));
		child.stderr.on('data', d => (err += d));
		child.once('error', reject);
		child.once('exit', code => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err}`))));
	});
}

/** wrk's latency unit → ms. */
function ms(value, unit) {
	return Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
}

/** Runs the load generator for `duration` s: requests/s, requests, p50/p99 ms, non-2xx + socket errors. */
async function load(url, gzip, duration) {
	if (wrk) {
		const out = await runProcess(wrk, [
			'-t1',
			`-c${connections}`,
			`-d${duration}s`,
			'--latency',
			...(gzip ? ['-H', 'Accept-Encoding: gzip'] : []),
			url,
		]);
		const num = re => out.match(re);
		const p50 = num(/50%\s+([\d.]+)(us|ms|s)/);
		const p99 = num(/99%\s+([\d.]+)(us|ms|s)/);
		const errs = num(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
		const non2xx = num(/Non-2xx or 3xx responses: (\d+)/);
		return {
			rps: Number(num(/Requests\/sec:\s+([\d.]+)/)[1]),
			requests: Number(num(/(\d+) requests in/)[1]),
			p50ms: p50 ? ms(p50[1], p50[2]) : NaN,
			p99ms: p99 ? ms(p99[1], p99[2]) : NaN,
			errors: (errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0),
		};
	}
	const r = await autocannon({
		url,
		connections,
		duration,
		headers: gzip ? {'accept-encoding': 'gzip'} : {},
	});
	return {
		rps: r.requests.average,
		requests: r.requests.total,
		p50ms: r.latency.p50,
		p99ms: r.latency.p99,
		errors: r.errors + r.non2xx,
	};
}

/** A warm-up second, then the measured run with the server's CPU time read around it. */
async function measure(server, url, gzip) {
	await load(url, gzip, 1);
	const before = await server.cpu();
	const r = await load(url, gzip, seconds);
	const cpuUs = (await server.cpu()) - before;
	return {...r, cpuUsPerReq: cpuUs / Math.max(1, r.requests)};
}

function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const hourPage = Date.UTC(2023, 0, 1);
const targets = [
	['depth limit=5000', '/api/v3/depth?symbol=BTCUSDT&limit=5000'],
	['klines 1m limit=1000 (latest)', '/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1000'],
	['klines 1h limit=1000 (2023 page)', `/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1000&startTime=${hourPage}`],
];
const loadBefore = loadavg();
const started = new Date().toISOString();
const dir = mkdtempSync(join(tmpdir(), 'drydock-depth-klines-'));
const mock = await startChildMock();
const results = [];
try {
	for (const [name, path] of targets) {
		for (const gzip of [false, true]) {
			const url = mock.rest + path;
			const sample = await rawGet(url, gzip);
			if (sample.status !== 200) throw new Error(`${path}: status ${sample.status}`);
			const sent = sample.headers['content-encoding'] === 'gzip';
			if (sent !== gzip)
				throw new Error(`${path}: asked gzip=${gzip}, got content-encoding ${sample.headers['content-encoding']}`);
			const file = join(dir, 'body');
			writeFileSync(file, sample.body);
			const runs = [];
			const floors = [];
			for (let rep = 0; rep < reps; rep++) {
				runs.push(await measure(mock, url, gzip));
				const bare = await startBareServer(file, gzip);
				try {
					floors.push(await measure(bare, bare.rest, gzip));
				} finally {
					await bare.close();
				}
			}
			const m = {
				rps: median(runs.map(r => r.rps)),
				p50ms: median(runs.map(r => r.p50ms)),
				p99ms: median(runs.map(r => r.p99ms)),
				cpuUsPerReq: median(runs.map(r => r.cpuUsPerReq)),
				errors: runs.reduce((a, r) => a + r.errors, 0),
			};
			const floor = {rps: median(floors.map(r => r.rps)), cpuUsPerReq: median(floors.map(r => r.cpuUsPerReq))};
			results.push({
				name: `${name}${gzip ? ' gzip' : ''}`,
				bytesPerReq: sample.body.length,
				requestsPerSec: Math.round(m.rps),
				perRep: runs.map(r => Math.round(r.rps)),
				p50ms: m.p50ms,
				p99ms: m.p99ms,
				cpuUsPerReq: Math.round(m.cpuUsPerReq),
				reqPerSecPerFreeCore: Math.round(1e6 / m.cpuUsPerReq),
				errors: m.errors,
				bareRequestsPerSec: Math.round(floor.rps),
				bareCpuUsPerReq: Math.round(floor.cpuUsPerReq),
			});
		}
	}
} finally {
	await mock.close();
	rmSync(dir, {recursive: true, force: true});
}
const loadAfter = loadavg();
const fmt = a => a.map(x => x.toFixed(2)).join(' ');
console.log(
	`${started}, ${wrk ? 'wrk -t1' : 'autocannon'} -c${connections} ${seconds}s per run, median of ${reps}; load average before ${fmt(loadBefore)}, after ${fmt(loadAfter)}`,
);
let met = true;
for (const r of results) {
	const ok = r.requestsPerSec >= 5_000;
	met &&= ok && r.errors === 0;
	console.log(
		`${r.name.padEnd(38)} ${String(r.requestsPerSec).padStart(6)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms  ${r.bytesPerReq} B  ${r.cpuUsPerReq} µs CPU/req (${r.reqPerSecPerFreeCore} req/s per free core)  errors ${r.errors}  ${ok ? 'meets' : 'BELOW'} 5 000/s; bare node:http, same bytes: ${r.bareRequestsPerSec} req/s, ${r.bareCpuUsPerReq} µs CPU/req`,
	);
}
console.log(
	JSON.stringify({
		bench: 'mock-depth-klines',
		started,
		tool: wrk ? 'wrk -t1' : 'autocannon',
		seconds,
		reps,
		connections,
		loadavg: {before: loadBefore, after: loadAfter},
		results,
	}),
);
const below = results.filter(r => r.requestsPerSec < 5_000);
if (below.length > 0)
	console.log(
		`below 5 000/s: ${below.map(r => `${r.name} (${r.bareRequestsPerSec < 5_000 ? 'the bare floor too' : 'the bare floor meets it'})`).join('; ')}`,
	);
process.exit(met ? 0 : 1);
