/**
 * The documented local-order-book procedure, run by a real ws client against the WebSocket layer fed by
 * the real MarketSimulator (stepped fast on a virtual clock): diff depth U/u stays gap-free over more
 * than 1000 updates on both the 100 ms and the merged 1000 ms stream, and the book rebuilt from the
 * snapshot plus diffs equals the simulator's book.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {WireDepthSnapshot, WireDepthUpdate} from '../../source/mock/contracts.js';
import {MarketSimulator} from '../../source/mock/market/simulator.js';
import {attachWebSocketLayer} from '../../source/mock/ws/index.js';
import type {WebSocketLayer} from '../../source/mock/contracts.js';
import {TestClient} from './helpers.js';
import {FakeFaults, FakeUsers, credentials} from './helpers.js';

let virtualNow = Date.now();
const market = new MarketSimulator({seed: 42, symbols: ['BTCUSDT', 'ETHUSDT'], clock: () => virtualNow});
let server: http.Server;
let layer: WebSocketLayer;
let wsUrl: string;

beforeAll(async () => {
	server = http.createServer();
	layer = attachWebSocketLayer(server, {market, users: new FakeUsers(), credentials, faults: new FakeFaults()});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await layer.close();
	await new Promise<void>(resolve => server.close(() => resolve()));
});

/** Runs `steps` simulation steps of 100 ms virtual time, yielding to the event loop so frames go out. */
async function runSteps(steps: number): Promise<void> {
	for (let index = 0; index < steps; index++) {
		virtualNow += 100;
		market.step();
		if (index % 10 === 9) await new Promise(resolve => setTimeout(resolve, 1));
	}
}

class LocalBook {
	readonly bids = new Map<string, string>();
	readonly asks = new Map<string, string>();
	lastUpdateId = 0;
	applied = 0;

	constructor(snapshot: WireDepthSnapshot) {
		for (const [price, quantity] of snapshot.bids) this.bids.set(price, quantity);
		for (const [price, quantity] of snapshot.asks) this.asks.set(price, quantity);
		this.lastUpdateId = snapshot.lastUpdateId;
	}

	/** Step 3/4 of the procedure: drop old events, first one must straddle, then strictly contiguous. */
	apply(event: WireDepthUpdate): void {
		if (event.u <= this.lastUpdateId) return;
		if (this.applied === 0) {
			if (!(event.U <= this.lastUpdateId + 1 && this.lastUpdateId + 1 <= event.u)) {
				throw new Error(`first event ${event.U}..${event.u} does not straddle snapshot ${this.lastUpdateId}`);
			}
		} else if (event.U !== this.lastUpdateId + 1) {
			throw new Error(`gap: expected U=${this.lastUpdateId + 1}, got ${event.U}`);
		}
		for (const [price, quantity] of event.b) {
			if (quantity === '0' || Number(quantity) === 0) this.bids.delete(price);
			else this.bids.set(price, quantity);
		}
		for (const [price, quantity] of event.a) {
			if (quantity === '0' || Number(quantity) === 0) this.asks.delete(price);
			else this.asks.set(price, quantity);
		}
		this.lastUpdateId = event.u;
		this.applied++;
	}

	top(limit: number): WireDepthSnapshot {
		const sorted = (side: Map<string, string>, descending: boolean) =>
			[...side]
				.sort((a, b) => (descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])))
				.slice(0, limit);
		return {lastUpdateId: this.lastUpdateId, bids: sorted(this.bids, true), asks: sorted(this.asks, false)};
	}
}

describe('diff depth against the market simulator', () => {
	it('syncs a local book from the snapshot plus > 1000 gap-free diffs (100 ms and merged 1000 ms streams)', async () => {
		const fast = await TestClient.open(`${wsUrl}/ws/0`);
		const slow = await TestClient.open(`${wsUrl}/stream?streams=btcusdt@depth`);
		expect(await fast.request({method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 1})).toEqual({
			result: null,
			id: 1,
		});
		// 1. buffer events; 2. take the snapshot (what GET /api/v3/depth?limit=1000 returns) after some are buffered.
		await runSteps(5);
		await fast.next(m => m['e'] === 'depthUpdate');
		const snapshot = market.depth('BTCUSDT', 1000);
		const book = new LocalBook(snapshot);
		await runSteps(1200);
		const final = market.depth('BTCUSDT', 1000);
		await fast.next(m => m['e'] === 'depthUpdate' && m['u'] === final.lastUpdateId, 5000);
		for (const message of fast.messages) {
			if ((message as {e?: string}).e === 'depthUpdate') book.apply(message as WireDepthUpdate);
		}
		expect(book.applied).toBeGreaterThanOrEqual(1000);
		expect(book.top(20)).toEqual(market.depth('BTCUSDT', 20));

		// The merged 1000 ms stream: consecutive batches are contiguous too.
		await slow.next(m => (m['data'] as WireDepthUpdate).u === final.lastUpdateId, 3000);
		const batches = slow.messages.map(message => (message as {data: WireDepthUpdate}).data);
		expect(batches.length).toBeGreaterThan(1);
		for (let index = 1; index < batches.length; index++) {
			expect(batches[index]?.U).toBe((batches[index - 1]?.u ?? 0) + 1);
		}
		fast.close();
		slow.close();
	});

	it('pushes real trades, aggTrades and klines from the simulator', async () => {
		const client = await TestClient.open(`${wsUrl}/stream?streams=ethusdt@trade/ethusdt@aggTrade/ethusdt@kline_1m`);
		await runSteps(50);
		const trade = await client.next(m => m['stream'] === 'ethusdt@trade');
		const agg = await client.next(m => m['stream'] === 'ethusdt@aggTrade');
		expect(trade['data']).toMatchObject({e: 'trade', s: 'ETHUSDT'});
		expect(agg['data']).toMatchObject({e: 'aggTrade', s: 'ETHUSDT'});
		// Virtual time runs 100x fast, so a minute candle closes within a few real ticks.
		await runSteps(700);
		const closed = await client.next(
			m => m['stream'] === 'ethusdt@kline_1m' && (m['data'] as {k: {x: boolean}}).k.x,
			5000,
		);
		const k = (closed['data'] as {k: {t: number; T: number; n: number}}).k;
		expect(k.T - k.t).toBe(59_999);
		client.close();
	});
});
