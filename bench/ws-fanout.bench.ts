/**
 * Fan-out throughput of the mock's WebSocket layer: N loopback clients on one trade stream (half raw,
 * half combined), trades pushed in batches of 20 as fast as every client keeps up (closed loop).
 * Prints messages delivered per second per N. Run: npx tsx bench/ws-fanout.bench.ts [seconds]
 * Clients live in the same process, so the figure includes their receive cost: a lower bound.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import WebSocket from 'ws';
import type {MarketFeed, Unsubscribe, WireKline, WireTrade} from '../source/mock/contracts.js';
import {attachWebSocketLayer} from '../source/mock/ws/index.js';

const seconds = Number(process.argv[2] ?? 3);
const BATCH = 20;

function benchMarket(): MarketFeed & {emit(trade: WireTrade): void} {
	const listeners = new Set<(trade: WireTrade) => void>();
	const unsupported = (): never => {
		throw new Error('not used by this bench');
	};
	return {
		symbols: () => ['BTCUSDT'],
		hasSymbol: (symbol) => symbol === 'BTCUSDT',
		now: () => Date.now(),
		depth: unsupported,
		bookTicker: unsupported,
		miniTicker: unsupported,
		ticker: unsupported,
		currentKline: unsupported as (symbol: string, interval: string) => WireKline,
		klineAt: () => undefined,
		onTrade(listener): Unsubscribe {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		onDepthUpdate: () => () => undefined,
		emit(trade) {
			for (const listener of listeners) listener(trade);
		},
	};
}

async function run(clientCount: number): Promise<{clients: number; events: number; delivered: number; perSecond: number}> {
	const market = benchMarket();
	const server = http.createServer();
	const layer = attachWebSocketLayer(server, {
		market,
		users: {onUserEvent: () => () => undefined},
		credentials: {secretFor: () => undefined},
		faults: {streamsStalled: () => false, onDropWebSockets: () => () => undefined},
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	let received = 0;
	let wake: (() => void) | undefined;
	const clients = await Promise.all(Array.from({length: clientCount}, (_, index) => new Promise<WebSocket>((resolve, reject) => {
		const path = index % 2 === 0 ? '/ws/btcusdt@trade' : '/stream?streams=btcusdt@trade';
		const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {perMessageDeflate: false});
		ws.on('message', () => {
			received++;
			if (wake && received % (clientCount * BATCH) === 0) wake();
		});
		ws.once('open', () => resolve(ws));
		ws.once('error', reject);
	})));
	let tradeId = 0;
	let events = 0;
	const started = process.hrtime.bigint();
	const deadline = Date.now() + seconds * 1000;
	while (Date.now() < deadline) {
		const target = received + clientCount * BATCH;
		const done = new Promise<void>((resolve) => {
			wake = resolve;
		});
		for (let index = 0; index < BATCH; index++) {
			const now = Date.now();
			market.emit({e: 'trade', E: now, s: 'BTCUSDT', t: ++tradeId, p: '92351.80000000', q: '0.01200000', T: now, m: tradeId % 2 === 0, M: true});
		}
		events += BATCH;
		if (received < target) await done;
	}
	const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
	for (const ws of clients) ws.terminate();
	await layer.close();
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return {clients: clientCount, events, delivered: received, perSecond: Math.round(received / elapsed)};
}

const rows = [];
for (const clientCount of [10, 100, 500]) rows.push(await run(clientCount));
console.log('clients  events  delivered  messages/s');
for (const row of rows) {
	console.log(`${String(row.clients).padStart(7)}  ${String(row.events).padStart(6)}  ${String(row.delivered).padStart(9)}  ${String(row.perSecond).padStart(10)}`);
}
