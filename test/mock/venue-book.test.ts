/**
 * One book seen the same from every endpoint (issue 14): Binance's documented local order book procedure
 * over the real wire (diff stream + 5000-level REST snapshot) while our own orders rest in the book and
 * trade through it — no sequence break, never crossed, equal to a fresh snapshot at the end; resting
 * orders visible in the public depth; the trade stream's maker flag; depth limits and their weights.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {TestClient, adminCall, publicGet, signed, sleep, startMock} from './helpers.js';

type Depth = {lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]>};
type Diff = {e: string; U: number; u: number; b: Array<[string, string]>; a: Array<[string, string]>};

describe('local order book procedure with orders trading through', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		// 20 ms steps: five times Binance's pace, so 6 s of wall time is 30 s of market.
		mock = await startMock({seed: 31, stepMs: 20, weightLimitPerMinute: 1_000_000, ordersPer10s: 10_000});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('stays gap-free and uncrossed, and ends equal to a fresh snapshot', async () => {
		const client = await TestClient.open(`${mock.ws}/stream?streams=btcusdt@depth@100ms/btcusdt@trade`);
		await client.next(m => (m['data'] as {e?: string} | undefined)?.e === 'depthUpdate');
		const snapshot = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5000')).body as Depth;
		expect(snapshot.bids).toHaveLength(5000);
		const bids = new Map(snapshot.bids);
		const asks = new Map(snapshot.asks);
		let last = snapshot.lastUpdateId;
		let started = false;
		let applied = 0;
		let crossed = 0;
		let index = 0;
		const problems: string[] = [];
		const apply = () => {
			for (; index < client.messages.length; index++) {
				const d = (client.messages[index] as {data: Diff}).data;
				if (d.e !== 'depthUpdate' || d.u <= snapshot.lastUpdateId) continue;
				if (!started) {
					if (!(d.U <= snapshot.lastUpdateId + 1 && d.u >= snapshot.lastUpdateId + 1))
						problems.push(`first diff ${d.U}..${d.u} does not cover ${snapshot.lastUpdateId + 1}`);
					started = true;
				} else if (d.U !== last + 1) problems.push(`gap: ${last} → ${d.U}`);
				for (const [p, q] of d.b) {
					if (Number(q) === 0) bids.delete(p);
					else bids.set(p, q);
				}
				for (const [p, q] of d.a) {
					if (Number(q) === 0) asks.delete(p);
					else asks.set(p, q);
				}
				last = d.u;
				applied++;
				let bestBid = 0;
				let bestAsk = Infinity;
				for (const p of bids.keys()) bestBid = Math.max(bestBid, Number(p));
				for (const p of asks.keys()) bestAsk = Math.min(bestAsk, Number(p));
				if (bestBid >= bestAsk) crossed++;
			}
		};
		const ourTrades: Array<{id: number; side: string}> = [];
		const deadline = Date.now() + 6_000;
		while (Date.now() < deadline) {
			const top = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as Depth;
			const bid = Number(top.bids[0]![0]);
			const ask = Number(top.asks[0]![0]);
			// Resting orders at the touch (the flow trades them) and takers that walk the book.
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.01',
				price: bid.toFixed(2),
			});
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'SELL',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.01',
				price: ask.toFixed(2),
			});
			for (const side of ['BUY', 'SELL']) {
				const r = await signed(mock, 'POST', '/api/v3/order', {
					symbol: 'BTCUSDT',
					side,
					type: 'MARKET',
					quantity: '0.05',
					newOrderRespType: 'FULL',
				});
				for (const f of (r.body as {fills?: Array<{tradeId: number}>}).fills ?? [])
					ourTrades.push({id: f.tradeId, side});
			}
			apply();
			await sleep(100);
		}
		// Quiet the book: no more orders, let pending changes flush, pause the market, then compare.
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
		await sleep(200);
		await adminCall(mock, 'POST', '/faults', {fault: 'pause-market', params: {}});
		await sleep(300);
		apply();
		const fresh = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5000')).body as Depth;
		await adminCall(mock, 'DELETE', '/faults');
		expect(problems).toEqual([]);
		expect(applied).toBeGreaterThan(50);
		expect(crossed).toBe(0);
		expect(fresh.lastUpdateId).toBe(last);
		const sorted = (m: Map<string, string>, desc: boolean) =>
			[...m.entries()]
				.sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])))
				.slice(0, 5000);
		expect(sorted(bids, true)).toEqual(fresh.bids);
		expect(sorted(asks, false)).toEqual(fresh.asks);
		// Our takers' trades on the trade stream: a BUY taker is not the maker (m false), a SELL's buyer is.
		const trades = new Map<number, boolean>();
		for (const m of client.messages) {
			const d = (m as {data: {e: string; t: number; m: boolean}}).data;
			if (d.e === 'trade') trades.set(d.t, d.m);
		}
		expect(ourTrades.length).toBeGreaterThan(10);
		const wrong = ourTrades.filter(t => trades.get(t.id) !== (t.side === 'SELL'));
		expect(wrong).toEqual([]);
		client.close();
	});

	it('shows a resting order in the public depth at its price, and takes it off when cancelled', async () => {
		const top = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as Depth;
		const price = (Number(top.bids[0]![0]) - 40).toFixed(2);
		const qtyAt = async () => {
			const d = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5000')).body as Depth;
			return Number(d.bids.find(([p]) => Number(p) === Number(price))?.[1] ?? 0);
		};
		await adminCall(mock, 'POST', '/faults', {fault: 'pause-market', params: {}});
		try {
			const before = await qtyAt();
			const placed = await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.37',
				price,
			});
			expect(placed.status).toBe(200);
			expect((await qtyAt()) - before).toBeCloseTo(0.37, 8);
			await signed(mock, 'DELETE', '/api/v3/order', {
				symbol: 'BTCUSDT',
				orderId: (placed.body as {orderId: number}).orderId,
			});
			expect(await qtyAt()).toBeCloseTo(before, 8);
		} finally {
			await adminCall(mock, 'DELETE', '/faults');
		}
	});
});

describe('depth limits and weights', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 32});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('answers every limit 1..5000 in full and charges 5/25/50/250 (Binance: ≤100, ≤500, ≤1000, ≤5000)', async () => {
		const cases: Array<[number, number]> = [
			[1, 5],
			[5, 5],
			[20, 5],
			[100, 5],
			[101, 25],
			[500, 25],
			[501, 50],
			[1000, 50],
			[1001, 250],
			[5000, 250],
		];
		let used = Number((await publicGet(mock, '/api/v3/ping')).headers.get('x-mbx-used-weight-1m'));
		for (const [limit, weight] of cases) {
			const r = await publicGet(mock, `/api/v3/depth?symbol=BTCUSDT&limit=${limit}`);
			const d = r.body as Depth;
			expect([limit, d.bids.length, d.asks.length]).toEqual([limit, limit, limit]);
			const now = Number(r.headers.get('x-mbx-used-weight-1m'));
			expect([limit, now - used]).toEqual([limit, weight]);
			used = now;
		}
		const r = await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT');
		expect((r.body as Depth).bids).toHaveLength(100);
		expect((await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5001')).status).toBe(400);
	});

	it('a limit=20 snapshot has 20 levels a side every time (and 5000 has 5000), while trades empty levels', async () => {
		const short: number[] = [];
		for (let i = 0; i < 150; i++) {
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: i % 2 ? 'BUY' : 'SELL',
				type: 'MARKET',
				quantity: '0.2',
			});
			const d = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=20')).body as Depth;
			if (d.bids.length !== 20 || d.asks.length !== 20) short.push(i);
			if (!(Number(d.bids[0]![0]) < Number(d.asks[0]![0]))) short.push(-i);
			if (i % 25 === 24) {
				// Emptied levels are replaced at the far end at once, not at the next book step.
				const deep = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5000')).body as Depth;
				if (deep.bids.length !== 5000 || deep.asks.length !== 5000) short.push(10_000 + i);
			}
		}
		expect(short).toEqual([]);
	});
});
