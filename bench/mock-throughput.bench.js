#!/usr/bin/env node
// Public-endpoint throughput of the embedded mock, measured with autocannon (programmatic) against
// the mock in its own process, so load generator and server do not share an event loop.
// Run after `npm run build`: node bench/mock-throughput.bench.js [--seconds N] [--reps N] [--connections N]
// Budget (DESIGN.md): ≥ 20 000 requests/s on GET /api/v3/ticker/price.
import {spawn} from 'node:child_process';
import {loadavg, cpus} from 'node:os';
import {createInterface} from 'node:readline';
import {parseArgs} from 'node:util';
import autocannon from 'autocannon';

const {values} = parseArgs({
	options: {
		seconds: {type: 'string', default: '8'},
		reps: {type: 'string', default: '3'},
		connections: {type: 'string', default: '50'},
	},
});
const seconds = Number(values.seconds);
const reps = Number(values.reps);
const connections = Number(values.connections);

// Lift the venue's weight limit: this measures the request path, not the limiter.
const mockOptions = {port: 0, host: '127.0.0.1', weightLimitPerMinute: 1e12, rawRequestsPer5m: 1e15};
const mockModule = new URL('../dist/mock/index.js', import.meta.url).href;

// Each server reports its own CPU time on request, so the cost per request can be computed even when
// the machine is shared and wall-clock requests/s mostly measure the neighbours.
const CPU_PROBE = `const {createInterface} = await import('node:readline');
createInterface({input: process.stdin}).on('line', () => { const u = process.cpuUsage(); console.log(JSON.stringify({cpuUs: u.user + u.system})); });`;

function cpuReader(child, lines) {
	return () =>
		new Promise(resolve => {
			lines.once('line', l => resolve(JSON.parse(l).cpuUs));
			child.stdin.write('cpu\n');
		});
}

async function startChildMock() {
	const script = `const {startMockExchange} = await import(${JSON.stringify(mockModule)});
const m = await startMockExchange(${JSON.stringify(mockOptions)});
console.log(JSON.stringify({rest: m.rest}));
process.on('SIGTERM', async () => { await m.close(); process.exit(0); });
${CPU_PROBE}`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['pipe', 'pipe', 'inherit']});
	const lines = createInterface({input: child.stdout});
	const line = await new Promise((resolve, reject) => {
		child.once('exit', code => reject(new Error(`mock exited with ${code}`)));
		lines.once('line', resolve);
	});
	return {
		...JSON.parse(line),
		cpu: cpuReader(child, lines),
		close: () =>
			new Promise(resolve => {
				child.removeAllListeners('exit');
				child.once('exit', resolve);
				child.kill('SIGTERM');
			}),
	};
}

/** The floor to compare with: node:http answering a constant ticker body, also in its own process. */
async function startBareServer() {
	const script = `const http = await import('node:http');
const body = '{"symbol":"BTCUSDT","price":"92000.00000000"}';
const server = http.createServer((req, res) => { res.writeHead(200, {'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': body.length}); res.end(body); });
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({rest: 'http://127.0.0.1:' + server.address().port})));
process.on('SIGTERM', () => process.exit(0));
${CPU_PROBE}`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['pipe', 'pipe', 'inherit']});
	const lines = createInterface({input: child.stdout});
	const line = await new Promise(resolve => lines.once('line', resolve));
	return {
		...JSON.parse(line),
		cpu: cpuReader(child, lines),
		close: () =>
			new Promise(resolve => {
				child.once('exit', resolve);
				child.kill('SIGTERM');
			}),
	};
}

const median = xs => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
};

async function run(url, server) {
	const before = await server.cpu();
	const result = await autocannon({url, connections, duration: seconds, pipelining: 1});
	const cpuUs = (await server.cpu()) - before;
	const total = result.requests.total || 1;
	return {
		rps: result.requests.average,
		p50: result.latency.p50,
		p99: result.latency.p99,
		non2xx: result.non2xx,
		errors: result.errors,
		usPerReq: cpuUs / total,
	};
}

const bare = await startBareServer();
const mock = await startChildMock();
const targets = [
	['bare node:http, constant body (floor)', `${bare.rest}/api/v3/ticker/price?symbol=BTCUSDT`, bare],
	['GET /api/v3/ticker/price?symbol=BTCUSDT', `${mock.rest}/api/v3/ticker/price?symbol=BTCUSDT`, mock],
	['GET /api/v3/ticker/price (all)', `${mock.rest}/api/v3/ticker/price`, mock],
	['GET /api/v3/ticker/24hr?symbol=BTCUSDT', `${mock.rest}/api/v3/ticker/24hr?symbol=BTCUSDT`, mock],
	['GET /api/v3/depth?symbol=BTCUSDT&limit=20', `${mock.rest}/api/v3/depth?symbol=BTCUSDT&limit=20`, mock],
	['GET /api/v3/time', `${mock.rest}/api/v3/time`, mock],
];
// Warm the JIT on the path under test before timing.
await autocannon({url: targets[1][1], connections, duration: 2});
const rows = [];
for (const [name, url, server] of targets) {
	const runs = [];
	for (let i = 0; i < reps; i++) runs.push(await run(url, server));
	rows.push({
		name,
		us: median(runs.map(r => r.usPerReq)),
		rps: median(runs.map(r => r.rps)),
		p50: median(runs.map(r => r.p50)),
		p99: median(runs.map(r => r.p99)),
		bad: runs.reduce((s, r) => s + r.non2xx + r.errors, 0),
		all: runs.map(r => Math.round(r.rps)),
	});
}
await mock.close();
await bare.close();

console.log(
	`\nmock exchange public-endpoint throughput (autocannon ${connections} connections, ${seconds} s × ${reps} runs, medians; mock in a child process; node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)})\n`,
);
console.log(
	`${'endpoint'.padEnd(44)}${'req/s'.padStart(9)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'non-2xx'.padStart(9)}${'server CPU µs/req'.padStart(19)}${'→ req/s per core'.padStart(18)}   runs`,
);
for (const r of rows)
	console.log(
		`${r.name.padEnd(44)}${String(Math.round(r.rps)).padStart(9)}${String(r.p50).padStart(8)}${String(r.p99).padStart(8)}${String(r.bad).padStart(9)}${r.us.toFixed(1).padStart(19)}${String(Math.round(1e6 / r.us)).padStart(18)}   ${r.all.join(' / ')}`,
	);
const price = rows[1];
console.log(
	`\nserver CPU per request, mock /ticker/price ÷ bare node:http: ${(price.us / rows[0].us).toFixed(2)}× (${(1e6 / price.us).toFixed(0)} req/s per fully available core)`,
);
const ok = price.rps >= 20_000 && price.bad === 0;
console.log(
	`budget (/api/v3/ticker/price ≥ 20 000 req/s): ${ok ? 'met' : 'MISSED'}${ok ? '' : ' (check the load average above: on a shared machine compare the ratio to the floor)'}`,
);
process.exitCode = ok ? 0 : 1;
