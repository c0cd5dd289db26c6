// Memory soak of the exchange layer (issue 6, "long-run memory"): ccxt + drydock's client facade +
// StreamWatcher (raw tap on) at ≥ 100 operations/s against a mock in another process, with chaos:
// every 30 s a fault from the mock's controls (dropped WebSockets, a 5xx burst, latency, a stream
// stall, a 429 storm). Prints RSS and heap samples and their least-squares slope after warm-up,
// against DESIGN.md's budget (RSS slope ≤ 5 MB/h).
//
//   npm run build && node bench/memory.bench.js                 # 10 minutes, 150 operations/s
//   MEMORY_DURATION=2h MEMORY_RATE=150 node bench/memory.bench.js
//   node --expose-gc bench/memory.bench.js                       # also samples after a forced GC
//
// The engine's own soak (store, histograms, reports) is measured by bench/soak.bench.js.
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {StreamWatcher, createExchange} from '../dist/exchange/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function seconds(text) {
	const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(String(text).trim());
	if (!match) throw new Error(`MEMORY_DURATION: "${text}" is not like 600, 10m or 2h`);
	return Number(match[1]) * {s: 1, m: 60, h: 3600}[match[2] ?? 's'];
}

const duration = seconds(process.env.MEMORY_DURATION ?? '10m');
const rate = Number(process.env.MEMORY_RATE ?? 150);
const warmup = Math.min(120, Math.max(20, duration / 6));
const sampleEvery = duration >= 1800 ? 30 : 5;
const budgetMbPerHour = 5;

const mock = spawn(process.execPath, ['bench/soak-mock.js'], {cwd: root, stdio: ['ignore', 'pipe', 'inherit']});
const urls = await new Promise((resolve, reject) => {
	let out = '';
	mock.stdout.on('data', chunk => {
		out += chunk;
		const line = out.split('\n').find(l => l.startsWith('{'));
		if (line) resolve(JSON.parse(line));
	});
	mock.on('exit', code => reject(new Error(`mock exited ${code}`)));
});

const client = await createExchange({
	environment: 'mock',
	restUrl: urls.rest,
	wsUrl: urls.ws,
	apiKey: 'drydockMockApiKey00000000000000000000000000000000000000000000001',
	secret: 'drydockMockApiSecret00000000000000000000000000000000000000000001',
	enableRateLimit: false,
	timeoutMs: 5000,
	wsReconnectBaseMs: 100,
});
await client.loadMarkets();
const counts = {ok: 0, failed: 0, frames: 0, streamErrors: 0, reconnects: 0, faults: 0};
const watcher = new StreamWatcher(client, {
	includeRaw: true,
	retryDelayMs: 100,
	onEvent: event => {
		if (event.type === 'message') counts.frames++;
		else if (event.type === 'reconnect') counts.reconnects++;
	},
	onError: () => counts.streamErrors++,
});
watcher.start(['btcusdt@trade', 'btcusdt@depth@100ms', 'btcusdt@bookTicker', 'ethusdt@trade', 'ethusdt@kline_1m']);

let price = (await client.fetchTicker('BTC/USDT')).last ?? 50_000;
let seq = 0;
const operations = [
	async () => {
		price = (await client.fetchTicker('BTC/USDT')).last ?? price;
	},
	() => client.fetchOrderBook('BTC/USDT', 20),
	() => client.fetchBalance(),
	async () => {
		// A resting order far from the market, then its cancel: two operations, no fills, no drift.
		const order = await client.createOrder({
			symbol: 'BTC/USDT',
			side: 'buy',
			type: 'limit',
			amount: 0.001,
			price: Math.round(price * 0.5),
			clientOrderId: `mem${seq++}`,
		});
		counts.ok++;
		await client.cancelOrder('BTC/USDT', {id: order.id});
	},
];

const chaos = [
	{fault: 'drop-websockets', params: {}},
	{fault: 'error-rate', params: {probability: 0.3, status: 503}, durationMs: 5000},
	{fault: 'latency', params: {ms: 50, jitterMs: 50}, durationMs: 5000},
	{fault: 'stall-streams', params: {}, durationMs: 5000},
	{fault: 'rate-limit-storm', params: {retryAfterSec: 1, probability: 0.5}, durationMs: 3000},
];

async function inject(spec) {
	try {
		const response = await fetch(`${urls.admin}/faults`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify(spec),
		});
		await response.text();
		if (response.ok) counts.faults++;
	} catch {
		// The bench goes on; the count shows it.
	}
}

const samples = [];
const started = Date.now();
const end = started + duration * 1000;
let inFlight = 0;
const tickMs = 10;
let credit = 0;
console.log(
	`memory bench: ${rate} operations/s for ${duration} s (warm-up ${warmup} s, a sample every ${sampleEvery} s), 5 streams, a fault every 30 s; mock at ${urls.rest}`,
);

const ticker = setInterval(() => {
	credit += (rate * tickMs) / 1000;
	while (credit >= 1 && inFlight < 200) {
		credit--;
		inFlight++;
		const op = operations[Math.floor(Math.random() * operations.length)];
		op()
			.then(
				() => counts.ok++,
				() => counts.failed++,
			)
			.finally(() => inFlight--);
	}
}, tickMs);
let chaosIndex = 0;
const chaosTimer = setInterval(() => void inject(chaos[chaosIndex++ % chaos.length]), 30_000);
const sampler = setInterval(() => {
	if (globalThis.gc) globalThis.gc();
	const at = (Date.now() - started) / 1000;
	const {rss, heapUsed} = process.memoryUsage();
	samples.push({at, rss: rss / 1048576, heap: heapUsed / 1048576});
	if (samples.length % Math.max(1, Math.round(60 / sampleEvery)) === 0) {
		console.log(
			`  t=${Math.round(at)}s rss=${(rss / 1048576).toFixed(1)} MB heap=${(heapUsed / 1048576).toFixed(1)} MB ops ok=${counts.ok} failed=${counts.failed} frames=${counts.frames} stream errors=${counts.streamErrors} reconnects=${counts.reconnects} faults=${counts.faults}`,
		);
	}
}, sampleEvery * 1000);

await new Promise(resolve => setTimeout(resolve, end - Date.now()));
clearInterval(ticker);
clearInterval(chaosTimer);
clearInterval(sampler);
while (inFlight > 0) await new Promise(resolve => setTimeout(resolve, 50));
await watcher.close();
await client.close();
mock.kill('SIGTERM');

function slopePerHour(points, key) {
	const n = points.length;
	if (n < 3) return NaN;
	const mx = points.reduce((s, p) => s + p.at, 0) / n;
	const my = points.reduce((s, p) => s + p[key], 0) / n;
	let num = 0;
	let den = 0;
	for (const p of points) {
		num += (p.at - mx) * (p[key] - my);
		den += (p.at - mx) ** 2;
	}
	return (num / den) * 3600;
}

const steady = samples.filter(s => s.at >= warmup);
const wall = (Date.now() - started) / 1000;
const achieved = (counts.ok + counts.failed) / wall;
const rssSlope = slopePerHour(steady, 'rss');
const heapSlope = slopePerHour(steady, 'heap');
const rssValues = steady.map(s => s.rss);
console.log(
	`\nresult: ${wall.toFixed(0)} s, ${achieved.toFixed(0)} operations/s achieved (${counts.ok} ok, ${counts.failed} failed), ${counts.frames} stream frames, ${counts.reconnects} reconnects, ${counts.faults} faults injected`,
);
console.log(
	`RSS after warm-up: ${Math.min(...rssValues).toFixed(1)}–${Math.max(...rssValues).toFixed(1)} MB; slope ${rssSlope.toFixed(2)} MB/h (budget ≤ ${budgetMbPerHour} MB/h); heap slope ${heapSlope.toFixed(2)} MB/h${globalThis.gc ? ' (after forced GC)' : ''}`,
);
if (duration < 1800)
	console.log(
		'note: under 30 minutes a slope is noisy (GC and ccxt caches still settling); run MEMORY_DURATION=2h for a conclusive figure',
	);
process.exitCode = achieved >= 100 && rssSlope <= budgetMbPerHour ? 0 : 1;
