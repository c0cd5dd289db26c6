import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {WireDepthUpdate} from '../../source/mock/contracts.js';
import type {MockExchange} from '../../source/mock/index.js';
import {MarketSimulator} from '../../source/mock/market/simulator.js';
import {publicGet, startMock} from './helpers.js';

const T0 = Date.UTC(2026, 0, 15, 12, 34, 56, 789);

function simulate(seed: number, steps: number) {
	let now = T0;
	const market = new MarketSimulator({seed, symbols: ['BTCUSDT', 'ETHUSDT'], clock: () => now});
	const prices: string[] = [];
	for (let i = 0; i < steps; i++) {
		now += 100;
		market.step();
		prices.push(market.lastPriceString('BTCUSDT'), market.lastPriceString('ETHUSDT'));
	}
	return {market, prices};
}

describe('market simulator', () => {
	it('same seed → same prices, book and candles; another seed → different ones', () => {
		const a = simulate(42, 300);
		const b = simulate(42, 300);
		const c = simulate(43, 300);
		expect(a.prices).toEqual(b.prices);
		expect(a.market.depth('BTCUSDT', 20)).toEqual(b.market.depth('BTCUSDT', 20));
		expect(a.market.klines('ETHUSDT', '1h', 1000)).toEqual(b.market.klines('ETHUSDT', '1h', 1000));
		expect(c.prices).not.toEqual(a.prices);
		// Prices actually move, and stay on the tick.
		expect(new Set(a.prices.filter((_, i) => i % 2 === 0)).size).toBeGreaterThan(20);
		for (const p of a.prices) expect(Math.abs(Number(p) * 100 - Math.round(Number(p) * 100))).toBeLessThan(1e-6);
	});

	it('survives a clock skewed a day back or forward: candles, tickers and klines still answer', () => {
		let now = T0;
		const market = new MarketSimulator({seed: 4, symbols: ['BTCUSDT'], clock: () => now});
		for (const shift of [-86_400_000, 86_400_000]) {
			now = T0 + shift;
			market.step();
			for (const interval of ['1s', '1m', '1h', '1d', '1w', '1M']) {
				const k = market.currentKline('BTCUSDT', interval);
				expect(Number(k.h)).toBeGreaterThanOrEqual(Number(k.l));
			}
			expect(Number(market.ticker('BTCUSDT').c)).toBeGreaterThan(0);
			expect(Array.isArray(market.klines('BTCUSDT', '1s', 10))).toBe(true);
		}
	});

	it('prints 1–10 trades per second per symbol', () => {
		let now = T0;
		const market = new MarketSimulator({seed: 5, symbols: ['BTCUSDT'], clock: () => now});
		let trades = 0;
		market.onTrade(() => trades++);
		for (let i = 0; i < 600; i++) {
			now += 100;
			market.step();
		}
		// 60 simulated seconds.
		expect(trades).toBeGreaterThanOrEqual(60);
		expect(trades).toBeLessThanOrEqual(600);
	});

	it('keeps 5000 levels a side and diff updates gap-free: a client synced from a snapshot ends equal to the book', () => {
		let now = T0;
		const market = new MarketSimulator({seed: 9, symbols: ['BTCUSDT'], clock: () => now});
		const updates: WireDepthUpdate[] = [];
		market.onDepthUpdate(u => updates.push(u));
		for (let i = 0; i < 20; i++) {
			now += 100;
			market.step();
		}
		const snapshot = market.depth('BTCUSDT', 5000);
		expect(snapshot.bids).toHaveLength(5000);
		expect(snapshot.asks).toHaveLength(5000);
		// User taker fills between steps change the book too; they must land in the diffs.
		market.take('BTCUSDT', 'ask', Number(snapshot.asks[0]![0]), Number(snapshot.asks[0]![1]));
		for (let i = 0; i < 300; i++) {
			now += 100;
			market.step();
		}
		const bids = new Map(snapshot.bids);
		const asks = new Map(snapshot.asks);
		let last = snapshot.lastUpdateId;
		let first = true;
		let previousU = updates[0]!.u;
		for (const [i, u] of updates.entries()) {
			if (i > 0) expect(u.U).toBe(previousU + 1);
			previousU = u.u;
			if (u.u <= snapshot.lastUpdateId) continue;
			if (first) {
				expect(u.U).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
				expect(u.u).toBeGreaterThanOrEqual(snapshot.lastUpdateId + 1);
				first = false;
			} else {
				expect(u.U).toBe(last + 1);
			}
			for (const [p, q] of u.b) {
				if (Number(q) === 0) bids.delete(p);
				else bids.set(p, q);
			}
			for (const [p, q] of u.a) {
				if (Number(q) === 0) asks.delete(p);
				else asks.set(p, q);
			}
			last = u.u;
		}
		const final = market.depth('BTCUSDT', 5000);
		expect(final.lastUpdateId).toBe(last);
		const sorted = (m: Map<string, string>, desc: boolean) =>
			[...m.entries()].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
		expect(sorted(bids, true)).toEqual(final.bids);
		expect(sorted(asks, false)).toEqual(final.asks);
		expect(Number(final.bids[0]![0])).toBeLessThan(Number(final.asks[0]![0]));
	});
});

describe('klines over REST', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 21});
	});
	afterAll(async () => {
		await mock.close();
	});

	type Row = [number, string, string, string, string, string, number, string, number, string, string, string];
	const get = async (q: string) => (await publicGet(mock, `/api/v3/klines?symbol=BTCUSDT&${q}`)).body as Row[];

	it('serves 1000 candles for every interval from 1s to 3d, and 1w/1M back to the listing day (2017-08-17), each with consistent OHLC', async () => {
		const intervals = [
			'1s',
			'1m',
			'3m',
			'5m',
			'15m',
			'30m',
			'1h',
			'2h',
			'4h',
			'6h',
			'8h',
			'12h',
			'1d',
			'3d',
			'1w',
			'1M',
		];
		const all = await Promise.all(intervals.map(interval => get(`interval=${interval}&limit=1000`)));
		for (const [n, interval] of intervals.entries()) {
			const rows = all[n]!;
			const listed = Date.UTC(2017, 7, 17);
			if (interval === '1w' || interval === '1M') {
				expect(rows.length, interval).toBeLessThan(1000);
				expect(rows[0]![0], interval).toBeLessThanOrEqual(listed);
				expect(rows[0]![6], interval).toBeGreaterThanOrEqual(listed);
			} else expect(rows.length, interval).toBe(1000);
			// Plain checks in the loop (16 000 rows), one assertion on what went wrong.
			const problems: string[] = [];
			for (const [i, r] of rows.entries()) {
				const [open, o, h, l, c, v, close] = r;
				if (!(Number(h) >= Math.max(Number(o), Number(c), Number(l))))
					problems.push(`${interval}@${open} high ${h} < o/c/l`);
				if (!(Number(l) <= Math.min(Number(o), Number(c)) && Number(l) > 0))
					problems.push(`${interval}@${open} low ${l}`);
				if (!(Number(v) >= 0) || !(close > open)) problems.push(`${interval}@${open} volume/close`);
				if (i > 0 && open !== rows[i - 1]![6] + 1) problems.push(`${interval}@${open} not contiguous`);
			}
			expect(problems.slice(0, 5)).toEqual([]);
			expect(rows.at(-1)![6]).toBeGreaterThanOrEqual(Date.now() - 5000);
		}
	});

	it('an hour candle is the aggregate of its 60 minute candles', async () => {
		const hours = await get('interval=1h&limit=5');
		const hour = hours[1]!;
		const minutes = await get(`interval=1m&startTime=${hour[0]}&endTime=${hour[6]}&limit=1000`);
		expect(minutes).toHaveLength(60);
		expect(minutes[0]![1]).toBe(hour[1]);
		expect(minutes.at(-1)![4]).toBe(hour[4]);
		expect(Math.max(...minutes.map(m => Number(m[2])))).toBe(Number(hour[2]));
		expect(Math.min(...minutes.map(m => Number(m[3])))).toBe(Number(hour[3]));
		expect(minutes.reduce((s, m) => s + Number(m[5]), 0)).toBeCloseTo(Number(hour[5]), 4);
		expect(minutes.reduce((s, m) => s + m[8], 0)).toBe(hour[8]);
	});

	it('paginates with startTime: consecutive pages join without gaps or overlaps', async () => {
		const first = await get('interval=1m&startTime=0&limit=1000');
		const second = await get(`interval=1m&startTime=${first.at(-1)![6] + 1}&limit=1000`);
		expect(second[0]![0]).toBe(first.at(-1)![6] + 1);
		const endOnly = await get(`interval=1m&endTime=${first.at(-1)![0]}&limit=10`);
		expect(endOnly.at(-1)![0]).toBe(first.at(-1)![0]);
		expect(endOnly).toHaveLength(10);
	});

	it('the forming candle follows live trades', async () => {
		const price = (await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string};
		const [current] = (await get('interval=1m&limit=1')) as [Row];
		expect(Number(current[4])).toBeCloseTo(Number(price.price), -1);
		const ticker = (await publicGet(mock, '/api/v3/ticker/24hr?symbol=BTCUSDT')).body as Record<
			string,
			string | number
		>;
		expect(Number(ticker.highPrice)).toBeGreaterThanOrEqual(Number(ticker.lowPrice));
		expect(ticker.count).toBeGreaterThan(0);
	});
});
