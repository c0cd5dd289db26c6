#!/usr/bin/env node
// Deep public reads on the embedded mock (issue 14): GET /api/v3/depth?limit=5000 and
// GET /api/v3/klines?limit=1000 (1m live-and-history, 1h history paging), measured with autocannon
// against the mock in its own process. Run after `npm run build`:
//   node bench/mock-depth-klines.bench.js [--seconds N] [--connections N]
// Asked: ≥ 5 000 requests/s each. CPU µs per request is printed too (the machine is shared).
import {spawn} from 'node:child_process';
import {createInterface} from 'node:readline';
import {parseArgs} from 'node:util';
import autocannon from 'autocannon';

const {values} = parseArgs({
	options: {seconds: {type: 'string', default: '6'}, connections: {type: 'string', default: '50'}},
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const mockModule = new URL('../dist/mock/index.js', import.meta.url).href;
const mockOptions = {port: 0, host: '127.0.0.1', weightLimitPerMinute: 1e12, rawRequestsPer5m: 1e15};

async function startChildMock() {
	const script = `const {startMockExchange} = await import(${JSON.stringify(mockModule)});
const m = await startMockExchange(${JSON.stringify(mockOptions)});
console.log(JSON.stringify({rest: m.rest}));
process.on('SIGTERM', async () => { await m.close(); process.exit(0); });
const {createInterface} = await import('node:readline');
createInterface({input: process.stdin}).on('line', () => { const u = process.cpuUsage(); console.log(JSON.stringify({cpuUs: u.user + u.system})); });`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['pipe', 'pipe', 'inherit']});
	const lines = createInterface({input: child.stdout});
	const line = await new Promise((resolve, reject) => {
		child.once('exit', code => reject(new Error(`mock exited with ${code}`)));
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

/** The floor: bare node:http answering as many bytes from a constant Buffer, in its own process. */
async function startBareServer(size) {
	const script = `const http = await import('node:http');
const body = Buffer.alloc(${size}, 48);
const server = http.createServer((req, res) => { res.writeHead(200, {'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': body.length}); res.end(body); });
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({rest: 'http://127.0.0.1:' + server.address().port})));
process.on('SIGTERM', () => process.exit(0));`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['pipe', 'pipe', 'inherit']});
	const line = await new Promise(resolve => createInterface({input: child.stdout}).once('line', resolve));
	return {
		...JSON.parse(line),
		close: () =>
			new Promise(resolve => {
				child.once('exit', resolve);
				child.kill('SIGTERM');
			}),
	};
}

const mock = await startChildMock();
const hourPage = Date.UTC(2023, 0, 1);
const targets = [
	['depth limit=5000', '/api/v3/depth?symbol=BTCUSDT&limit=5000'],
	['klines 1m limit=1000 (latest)', '/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1000'],
	['klines 1h limit=1000 (2023 page)', `/api/v3/klines?symbol=BTCUSDT&interval=1h&limit=1000&startTime=${hourPage}`],
];
const results = [];
try {
	for (const [name, path] of targets) {
		// Warm-up, then the measured run.
		await autocannon({url: mock.rest + path, connections, duration: 1});
		const before = await mock.cpu();
		const r = await autocannon({url: mock.rest + path, connections, duration: seconds});
		const cpuUs = (await mock.cpu()) - before;
		const requests = r.requests.total;
		const body = await (await fetch(mock.rest + path)).text();
		const bare = await startBareServer(Buffer.byteLength(body));
		let floor;
		try {
			floor = await autocannon({url: bare.rest, connections, duration: seconds});
		} finally {
			await bare.close();
		}
		results.push({
			name,
			requestsPerSec: Math.round(r.requests.average),
			p50ms: r.latency.p50,
			p99ms: r.latency.p99,
			bytesPerReq: Math.round(r.throughput.total / Math.max(1, requests)),
			cpuUsPerReq: Math.round(cpuUs / Math.max(1, requests)),
			errors: r.errors + r.non2xx,
			bareSameBytesPerSec: Math.round(floor.requests.average),
		});
	}
} finally {
	await mock.close();
}
for (const r of results) {
	const verdict = r.requestsPerSec >= 5_000 ? 'meets' : 'BELOW';
	console.log(
		`${r.name.padEnd(34)} ${String(r.requestsPerSec).padStart(7)} req/s  p50 ${r.p50ms} ms  p99 ${r.p99ms} ms  ${r.bytesPerReq} B/req  ${r.cpuUsPerReq} µs CPU/req  errors ${r.errors}  (${verdict} 5 000/s; bare node:http, same bytes: ${r.bareSameBytesPerSec} req/s)`,
	);
}
console.log(JSON.stringify({bench: 'mock-depth-klines', seconds, connections, results}));
