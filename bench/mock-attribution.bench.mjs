#!/usr/bin/env node
// The cost of client attribution on the mock: the same requests on drydock's own port (no observer) and on a
// client's port (every request counted into its activity), autocannon against the mock in a child process,
// runs interleaved so a shared machine's drift hits both alike. Reports requests/s and server CPU per request.
// Run after `npm run build`: node test/mock/attribution-throughput.bench.mjs [--seconds N] [--reps N] [--connections N]
import {spawn} from 'node:child_process';
import {createHmac} from 'node:crypto';
import {cpus, loadavg} from 'node:os';
import {createInterface} from 'node:readline';
import {parseArgs} from 'node:util';
import autocannon from 'autocannon';

const {values} = parseArgs({
	options: {
		seconds: {type: 'string', default: '5'},
		reps: {type: 'string', default: '3'},
		connections: {type: 'string', default: '50'},
	},
});
const seconds = Number(values.seconds);
const reps = Number(values.reps);
const connections = Number(values.connections);
const mockModule = new URL('../dist/mock/index.js', import.meta.url).href;

const script = `const {startMockExchange} = await import(${JSON.stringify(mockModule)});
const m = await startMockExchange({port: 0, host: '127.0.0.1', weightLimitPerMinute: 1e12, rawRequestsPer5m: 1e15});
const c = await m.createClient({label: 'bench'});
console.log(JSON.stringify({main: {rest: m.rest, apiKey: m.apiKey, apiSecret: m.apiSecret}, client: {rest: c.rest, apiKey: c.apiKey, apiSecret: c.apiSecret, id: c.id}}));
const {createInterface} = await import('node:readline');
createInterface({input: process.stdin}).on('line', (line) => {
	const u = process.cpuUsage();
	const a = line === 'activity' ? m.clients.activity(c.id, 1e15) : undefined;
	console.log(JSON.stringify({cpuUs: u.user + u.system, requests: a?.rest.requests}));
});
process.on('SIGTERM', async () => { await m.close(); process.exit(0); });`;
const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['pipe', 'pipe', 'inherit']});
const lines = createInterface({input: child.stdout});
const ask = what =>
	new Promise(resolve => {
		lines.once('line', l => resolve(JSON.parse(l)));
		child.stdin.write(`${what}\n`);
	});
const venues = await new Promise(resolve => lines.once('line', l => resolve(JSON.parse(l))));

const signedUrl = venue => {
	const query = `symbol=BTCUSDT&recvWindow=60000&timestamp=${Date.now()}`;
	return {
		url: `${venue.rest}/api/v3/openOrders?${query}&signature=${createHmac('sha256', venue.apiSecret).update(query).digest('hex')}`,
		headers: {'X-MBX-APIKEY': venue.apiKey},
	};
};
const cases = [
	['public GET /api/v3/ticker/price', venue => ({url: `${venue.rest}/api/v3/ticker/price?symbol=BTCUSDT`})],
	['signed GET /api/v3/openOrders', signedUrl],
];

async function run(target) {
	const before = (await ask('cpu')).cpuUs;
	const result = await autocannon({...target, connections, duration: seconds, pipelining: 1});
	const after = (await ask('cpu')).cpuUs;
	return {
		rps: result.requests.average,
		bad: result.non2xx + result.errors,
		usPerReq: (after - before) / (result.requests.total || 1),
	};
}

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await autocannon({url: `${venues.main.rest}/api/v3/ticker/price?symbol=BTCUSDT`, connections, duration: 2});
await autocannon({url: `${venues.client.rest}/api/v3/ticker/price?symbol=BTCUSDT`, connections, duration: 2});
console.log(
	`attribution cost (autocannon ${connections} connections, ${seconds} s × ${reps} interleaved runs, medians; node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)})`,
);
for (const [name, target] of cases) {
	const off = [];
	const on = [];
	for (let i = 0; i < reps; i++) {
		off.push(await run(target(venues.main)));
		on.push(await run(target(venues.client)));
	}
	const row = (label, runs) =>
		`  ${label.padEnd(34)}${String(Math.round(median(runs.map(r => r.rps)))).padStart(8)} req/s${median(
			runs.map(r => r.usPerReq),
		)
			.toFixed(1)
			.padStart(
				8,
			)} µs CPU/req   runs ${runs.map(r => Math.round(r.rps)).join(' / ')}   non-2xx ${runs.reduce((s, r) => s + r.bad, 0)}`;
	console.log(`${name}\n${row("drydock's port (attribution off)", off)}\n${row("client's port (attribution on)", on)}`);
	const rpsDrop = 1 - median(on.map(r => r.rps)) / median(off.map(r => r.rps));
	const cpuRise = median(on.map(r => r.usPerReq)) / median(off.map(r => r.usPerReq)) - 1;
	console.log(
		`  → ${(rpsDrop * 100).toFixed(1)} % fewer requests/s, ${(cpuRise * 100).toFixed(1)} % more server CPU per request (budget: ≤ 10 % fewer requests/s)`,
	);
}
console.log(`client activity counted ${(await ask('activity')).requests} requests`);
child.kill('SIGTERM');
