/**
 * Fan-out throughput of the mock's WebSocket layer: N loopback clients on one trade stream (half raw,
 * half combined), trades pushed in batches of 20 as fast as every client keeps up (closed loop).
 * The clients run in a worker thread so the server thread's cost is what limits the figure.
 * Prints messages delivered per second per N. Run: npx tsx bench/ws-fanout.bench.ts [seconds]
 * (or `npm run bench -- ws`). Exits 1 below the budget: 10 000 messages/s to 100 clients.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {Worker} from 'node:worker_threads';
import type {MarketFeed, Unsubscribe, WireTrade} from '../source/mock/contracts.js';
import {attachWebSocketLayer} from '../source/mock/ws/index.js';

const BATCH = 20;

/**
 * Worker side, as plain JavaScript (worker threads do not inherit tsx's loader on Node 20): open the
 * clients, say when all are open, then post the received count after every full batch.
 */
const CLIENT_WORKER = `
const {parentPort, workerData} = require('node:worker_threads');
const WebSocket = require('ws');
const {port, clients, batch} = workerData;
let received = 0;
const sockets = [];
let open = 0;
for (let index = 0; index < clients; index++) {
	const path = index % 2 === 0 ? '/ws/btcusdt@trade' : '/stream?streams=btcusdt@trade';
	const ws = new WebSocket('ws://127.0.0.1:' + port + path, {perMessageDeflate: false});
	ws.on('message', () => {
		received++;
		if (received % (clients * batch) === 0) parentPort.postMessage({received});
	});
	ws.once('open', () => {
		if (++open === clients) parentPort.postMessage({ready: true});
	});
	sockets.push(ws);
}
parentPort.once('message', () => {
	for (const ws of sockets) ws.terminate();
	parentPort.postMessage({done: true});
});
`;

function benchMarket(): MarketFeed & {emit(trade: WireTrade): void} {
	const listeners = new Set<(trade: WireTrade) => void>();
	const unused = (): never => {
		throw new Error('not used by this bench');
	};
	return {
		symbols: () => ['BTCUSDT'],
		hasSymbol: symbol => symbol === 'BTCUSDT',
		now: () => Date.now(),
		depth: unused,
		bookTicker: unused,
		miniTicker: unused,
		ticker: unused,
		currentKline: unused,
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

async function run(
	clientCount: number,
	seconds: number,
): Promise<{clients: number; events: number; delivered: number; perSecond: number}> {
	const market = benchMarket();
	const server = http.createServer();
	const layer = attachWebSocketLayer(server, {
		market,
		users: {onUserEvent: () => () => undefined},
		credentials: {secretFor: () => undefined},
		faults: {streamsStalled: () => false, onDropWebSockets: () => () => undefined},
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	const worker = new Worker(CLIENT_WORKER, {eval: true, workerData: {port, clients: clientCount, batch: BATCH}});
	let received = 0;
	let wake: (() => void) | undefined;
	await new Promise<void>((resolve, reject) => {
		worker.on('message', (message: {ready?: boolean; received?: number}) => {
			if (message.ready) resolve();
			if (message.received !== undefined) {
				received = message.received;
				wake?.();
			}
		});
		worker.once('error', reject);
	});
	let tradeId = 0;
	let events = 0;
	const started = process.hrtime.bigint();
	const deadline = Date.now() + seconds * 1000;
	while (Date.now() < deadline) {
		const target = received + clientCount * BATCH;
		const done = new Promise<void>(resolve => {
			wake = () => {
				if (received >= target) resolve();
			};
		});
		for (let index = 0; index < BATCH; index++) {
			const now = Date.now();
			market.emit({
				e: 'trade',
				E: now,
				s: 'BTCUSDT',
				t: ++tradeId,
				p: '92351.80000000',
				q: '0.01200000',
				T: now,
				m: tradeId % 2 === 0,
				M: true,
			});
		}
		events += BATCH;
		await done;
	}
	const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
	worker.postMessage('stop');
	await new Promise<void>(resolve => worker.once('message', () => resolve()));
	await worker.terminate();
	await layer.close();
	await new Promise<void>(resolve => server.close(() => resolve()));
	return {clients: clientCount, events, delivered: received, perSecond: Math.round(received / elapsed)};
}

const BUDGET_CLIENTS = 100;
const BUDGET_PER_SECOND = 10_000;
const seconds = Number(process.argv[2] ?? 3);
const rows = [];
for (const clientCount of [10, 100, 500]) rows.push(await run(clientCount, seconds));
console.log('clients  events  delivered  messages/s');
for (const row of rows) {
	console.log(
		`${String(row.clients).padStart(7)}  ${String(row.events).padStart(6)}  ${String(row.delivered).padStart(9)}  ${String(row.perSecond).padStart(10)}`,
	);
}
const measured = rows.find(row => row.clients === BUDGET_CLIENTS)?.perSecond ?? 0;
const met = measured >= BUDGET_PER_SECOND;
console.log(
	`budget: >= ${BUDGET_PER_SECOND} messages/s to ${BUDGET_CLIENTS} clients: ${met ? 'met' : 'NOT met'} (${measured})`,
);
process.exitCode = met ? 0 : 1;
