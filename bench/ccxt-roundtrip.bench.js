#!/usr/bin/env node
// ccxt round trips to the embedded mock on loopback, beside a raw HTTP GET to the same server.
// Run after `npm run build`: node bench/ccxt-roundtrip.bench.js [--iterations N] [--warmup N] [--in-process]
// The mock runs in its own process by default (as for a real venue, client and server do not share an
// event loop); --in-process starts it inside the bench instead.
// Budget (DESIGN.md): ccxt order round trip p50 ≤ 1 ms, p99 ≤ 5 ms (rate limiter off).
import {spawn} from 'node:child_process';
import http from 'node:http';
import {createInterface} from 'node:readline';
import {parseArgs} from 'node:util';
import {createExchange} from '../dist/exchange/index.js';

const {values} = parseArgs({
	options: {
		iterations: {type: 'string', default: '2000'},
		warmup: {type: 'string', default: '300'},
		'in-process': {type: 'boolean', default: false},
	},
});
const iterations = Number(values.iterations);
const warmup = Number(values.warmup);

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function measure(name, fn) {
	for (let i = 0; i < warmup; i++) await fn(i);
	const samples = new Float64Array(iterations);
	const started = performance.now();
	for (let i = 0; i < iterations; i++) {
		const t0 = performance.now();
		await fn(i);
		samples[i] = performance.now() - t0;
	}
	const elapsed = performance.now() - started;
	const sorted = Array.from(samples).sort((a, b) => a - b);
	return {
		name,
		p50: percentile(sorted, 50),
		p99: percentile(sorted, 99),
		max: sorted.at(-1),
		perSec: iterations / (elapsed / 1000),
	};
}

const agent = new http.Agent({keepAlive: true, maxSockets: 1});
function rawGet(url) {
	return new Promise((resolve, reject) => {
		http
			.get(url, {agent}, res => {
				res.resume();
				res.on('end', resolve);
				res.on('error', reject);
			})
			.on('error', reject);
	});
}

// Lift the venue's weight and order-rate limits: this measures round trips, not the limiter.
const mockOptions = {port: 0, host: '127.0.0.1', weightLimitPerMinute: 1e9, ordersPer10s: 1e9, ordersPerDay: 1e9};
const mockModule = new URL('../dist/mock/index.js', import.meta.url).href;

/** The mock in a child process; resolves with its URLs and credentials once it prints them. */
async function startChildMock() {
	const script = `const {startMockExchange} = await import(${JSON.stringify(mockModule)});
const m = await startMockExchange(${JSON.stringify(mockOptions)});
console.log(JSON.stringify({rest: m.rest, ws: m.ws, apiKey: m.apiKey, apiSecret: m.apiSecret}));
process.on('SIGTERM', async () => { await m.close(); process.exit(0); });`;
	const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'pipe', 'inherit']});
	const line = await new Promise((resolve, reject) => {
		child.once('exit', code => reject(new Error(`mock exited with ${code}`)));
		createInterface({input: child.stdout}).once('line', resolve);
	});
	return {
		...JSON.parse(line),
		close: () =>
			new Promise(resolve => {
				child.once('exit', resolve);
				child.kill('SIGTERM');
			}),
	};
}

const mock = values['in-process']
	? await (await import(mockModule)).startMockExchange(mockOptions)
	: await startChildMock();
const client = await createExchange({
	environment: 'mock',
	restUrl: mock.rest,
	wsUrl: mock.ws,
	apiKey: mock.apiKey,
	secret: mock.apiSecret,
	enableRateLimit: false,
	timeoutMs: 10_000,
});
await client.loadMarkets();
const book = await client.fetchOrderBook('BTC/USDT', 5);
const restingPrice = Math.round(book.bids[0][0] * 0.5);

const results = [];
results.push(
	await measure('raw HTTP GET /api/v3/ticker/price', () => rawGet(`${mock.rest}/api/v3/ticker/price?symbol=BTCUSDT`)),
);
results.push(
	await measure('raw HTTP GET /api/v3/ticker/24hr', () => rawGet(`${mock.rest}/api/v3/ticker/24hr?symbol=BTCUSDT`)),
);
results.push(await measure('ccxt fetchTicker', () => client.fetchTicker('BTC/USDT')));
// Alternate buy and sell so balances never run out; market orders fill at once.
results.push(
	await measure('ccxt createOrder (market)', i =>
		client.createOrder({symbol: 'BTC/USDT', side: i % 2 === 0 ? 'buy' : 'sell', type: 'market', amount: 0.0001}),
	),
);
// A resting limit order: the round trip without a book walk. Cancel them in bulk afterwards.
results.push(
	await measure('ccxt createOrder (limit, resting)', async i => {
		await client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.0002, price: restingPrice});
		if (i % 100 === 99) await client.cancelAllOrders('BTC/USDT');
	}),
);
await client.cancelAllOrders('BTC/USDT').catch(() => {});

await client.close();
await mock.close();
agent.destroy();

const pad = (s, n) => String(s).padEnd(n);
const ms = v => v.toFixed(3).padStart(8);
const [load1] = (await import('node:os')).loadavg();
console.log(
	`\nccxt round trips to the mock on loopback (${iterations} iterations after ${warmup} warm-up, enableRateLimit off, mock ${values['in-process'] ? 'in process' : 'in a child process'}, node ${process.version}, load average ${load1.toFixed(1)})\n`,
);
console.log(
	`${pad('operation', 36)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'max ms'.padStart(8)}${'ops/s'.padStart(9)}`,
);
for (const r of results)
	console.log(`${pad(r.name, 36)}${ms(r.p50)}${ms(r.p99)}${ms(r.max)}${Math.round(r.perSec).toString().padStart(9)}`);
const order = results.find(r => r.name === 'ccxt createOrder (market)');
const raw = results[0];
console.log(`\nccxt createOrder / raw GET (p50): ${(order.p50 / raw.p50).toFixed(1)}×`);
const ok = order.p50 <= 1 && order.p99 <= 5;
console.log(`budget (order p50 ≤ 1 ms, p99 ≤ 5 ms): ${ok ? 'met' : 'MISSED'}`);
process.exitCode = ok ? 0 : 1;
