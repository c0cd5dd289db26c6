/**
 * History and tickers (issue 14): candles back to the listing date, generated on demand from the seed,
 * consistent across intervals (history and live), paging 1000 back for every interval; the rolling
 * window and trading-day tickers as Binance documents them.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {MarketSimulator} from '../../source/mock/market/simulator.js';
import {expectError, publicGet, startMock} from './helpers.js';

type Row = [number, string, string, string, string, string, number, string, number, string, string, string];
const MIN = 60_000;
const HOUR = 3_600_000;

/** OHLCV of consecutive rows, as Binance's coarser candle would be. */
function aggregate(rows: Row[]) {
	return {
		o: Number(rows[0]![1]),
		h: Math.max(...rows.map(r => Number(r[2]))),
		l: Math.min(...rows.map(r => Number(r[3]))),
		c: Number(rows[rows.length - 1]![4]),
		v: rows.reduce((s, r) => s + Number(r[5]), 0),
		n: rows.reduce((s, r) => s + r[8], 0),
	};
}

describe('candle history', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 41});
	});
	afterAll(async () => {
		await mock.close();
	});
	const get = async (q: string) => (await publicGet(mock, `/api/v3/klines?symbol=BTCUSDT&${q}`)).body as Row[];

	it('a 1h candle is its sixty 1m candles, a 1d its 24 hours, years back and across the live start', async () => {
		const now = Date.now();
		const hours = [
			Date.UTC(2019, 4, 3, 13),
			Date.UTC(2024, 1, 29, 0),
			Math.floor(now / HOUR) * HOUR - HOUR,
			Math.floor(now / HOUR) * HOUR,
		];
		for (const t of hours) {
			const [hour] = await get(`interval=1h&startTime=${t}&limit=1`);
			const minutes = await get(`interval=1m&startTime=${t}&endTime=${t + HOUR - 1}&limit=60`);
			const a = aggregate(minutes);
			expect([t, Number(hour![1]), Number(hour![2]), Number(hour![3]), Number(hour![4]), hour![8]]).toEqual([
				t,
				a.o,
				a.h,
				a.l,
				a.c,
				a.n,
			]);
			expect(Number(hour![5])).toBeCloseTo(a.v, 6);
		}
		const day = Date.UTC(2021, 6, 14);
		const [d] = await get(`interval=1d&startTime=${day}&limit=1`);
		const a = aggregate(await get(`interval=1h&startTime=${day}&limit=24`));
		expect([Number(d![1]), Number(d![2]), Number(d![3]), Number(d![4])]).toEqual([a.o, a.h, a.l, a.c]);
		expect(Number(d![5])).toBeCloseTo(a.v, 4);
	});

	it('pages 1000 candles back without gaps for every interval down to the listing day', async () => {
		const listed = Date.UTC(2017, 7, 17);
		for (const interval of ['1m', '5m', '1h', '4h', '1d', '3d', '1w', '1M']) {
			let end: number | undefined;
			let pages = 0;
			let previousFirst: number | undefined;
			for (; pages < 3; pages++) {
				const rows = await get(`interval=${interval}&limit=1000${end === undefined ? '' : `&endTime=${end}`}`);
				if (rows.length === 0) break;
				const first = rows[0]![0];
				for (let i = 1; i < rows.length; i++)
					if (rows[i]![0] !== rows[i - 1]![6] + 1) throw new Error(`${interval}: gap at ${rows[i]![0]}`);
				if (previousFirst !== undefined) expect(rows[rows.length - 1]![6] + 1, interval).toBe(previousFirst);
				if (rows.length < 1000) {
					expect(first, interval).toBeLessThanOrEqual(listed);
					break;
				}
				previousFirst = first;
				end = first - 1;
			}
			if (['1m', '5m', '1h', '4h'].includes(interval)) expect(pages, interval).toBe(3);
		}
		expect(await get(`interval=1d&endTime=${Date.UTC(2017, 0, 1)}`)).toEqual([]);
	});

	it('is the same for the same seed, whenever asked, and another seed gives another history', async () => {
		const t = Date.UTC(2020, 2, 12);
		const a = await get(`interval=1h&startTime=${t}&limit=24`);
		const other = await startMock({seed: 41});
		const third = await startMock({seed: 42});
		try {
			const b = (await publicGet(other, `/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${t}&limit=24`))
				.body as Row[];
			const c = (await publicGet(third, `/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${t}&limit=24`))
				.body as Row[];
			expect(b).toEqual(a);
			expect(c).not.toEqual(a);
		} finally {
			await Promise.all([other.close(), third.close()]);
		}
	});

	it('live candles continue the history: 1m of the live start equals its 1s candles and trades roll into 1h', () => {
		let now = Date.UTC(2026, 0, 5, 10, 30, 17, 400);
		const market = new MarketSimulator({seed: 5, symbols: ['ETHUSDT'], clock: () => now});
		for (let i = 0; i < 3000; i++) {
			now += 100;
			market.step();
		}
		const row = (interval: string, start: number, limit: number) =>
			market.klines('ETHUSDT', interval, limit, start) as unknown as Row[];
		const minute = Date.UTC(2026, 0, 5, 10, 30);
		const [m] = row('1m', minute, 1);
		const secs = aggregate(row('1s', minute, 60));
		expect([Number(m![1]), Number(m![2]), Number(m![3]), Number(m![4]), m![8]]).toEqual([
			secs.o,
			secs.h,
			secs.l,
			secs.c,
			secs.n,
		]);
		const hour = Date.UTC(2026, 0, 5, 10);
		const [h] = row('1h', hour, 1);
		const mins = aggregate(row('1m', hour, 60));
		expect([Number(h![1]), Number(h![2]), Number(h![3]), Number(h![4]), h![8]]).toEqual([
			mins.o,
			mins.h,
			mins.l,
			mins.c,
			mins.n,
		]);
		expect(mins.n).toBeGreaterThan(h![8] - 1);
		expect(Number(h![4])).toBe(market.lastPrice('ETHUSDT'));
	});
});

describe('trade paging by fromId', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 44});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('historicalTrades and aggTrades page forward by fromId without gaps; before the horizon they start at its oldest trade', async () => {
		type T = {id: number};
		type A = {a: number; f: number; l: number};
		const latest = ((await publicGet(mock, '/api/v3/trades?symbol=BTCUSDT&limit=1')).body as T[])[0]!.id;
		let from = latest - 150;
		const ids: number[] = [];
		for (let page = 0; page < 3; page++) {
			const rows = (await publicGet(mock, `/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${from}&limit=50`))
				.body as T[];
			expect(rows).toHaveLength(50);
			ids.push(...rows.map(r => r.id));
			from = rows[rows.length - 1]!.id + 1;
		}
		expect(ids).toEqual(Array.from({length: 150}, (_, i) => latest - 150 + i));
		const agg = (await publicGet(mock, `/api/v3/aggTrades?symbol=BTCUSDT&fromId=${latest - 10}&limit=5`)).body as A[];
		expect(agg.map(r => r.a)).toEqual([latest - 10, latest - 9, latest - 8, latest - 7, latest - 6]);
		const old = (await publicGet(mock, `/api/v3/historicalTrades?symbol=BTCUSDT&fromId=1&limit=3`)).body as T[];
		expect(old).toHaveLength(3);
		expect(old[1]!.id).toBe(old[0]!.id + 1);
		expect(old[0]!.id).toBeLessThan(latest - 150);
	});
});

describe('rolling-window and trading-day tickers', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 43});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('GET /api/v3/ticker: window from a minute boundary to now, equal to the candles, weight 4 per symbol', async () => {
		const r = await publicGet(mock, '/api/v3/ticker?symbol=BTCUSDT&windowSize=2h');
		expect(r.status).toBe(200);
		const t = r.body as Record<string, string | number>;
		expect(Number(t['openTime']) % MIN).toBe(0);
		expect(Number(t['closeTime']) - Number(t['openTime'])).toBeGreaterThanOrEqual(2 * HOUR);
		expect(Number(t['closeTime']) - Number(t['openTime'])).toBeLessThan(2 * HOUR + MIN);
		const minutes = (
			await publicGet(mock, `/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=${t['openTime']}&limit=1000`)
		).body as Row[];
		const a = aggregate(minutes);
		expect([Number(t['openPrice']), Number(t['highPrice']), Number(t['lowPrice'])]).toEqual([a.o, a.h, a.l]);
		expect(Object.keys(t)).toEqual([
			'symbol',
			'priceChange',
			'priceChangePercent',
			'weightedAvgPrice',
			'openPrice',
			'highPrice',
			'lowPrice',
			'lastPrice',
			'volume',
			'quoteVolume',
			'openTime',
			'closeTime',
			'firstId',
			'lastId',
			'count',
		]);
		const before = Number((await publicGet(mock, '/api/v3/ping')).headers.get('x-mbx-used-weight-1m'));
		const many = await publicGet(
			mock,
			`/api/v3/ticker?symbols=${encodeURIComponent('["BTCUSDT","ETHUSDT"]')}&type=MINI`,
		);
		expect(Number(many.headers.get('x-mbx-used-weight-1m')) - before).toBe(8);
		expect((many.body as unknown[]).length).toBe(2);
		expect(Object.keys((many.body as Array<Record<string, unknown>>)[0]!)).not.toContain('priceChange');
		expectError(await publicGet(mock, '/api/v3/ticker?symbol=BTCUSDT&windowSize=8d'), -1100, 'windowSize');
		expectError(await publicGet(mock, '/api/v3/ticker'), -1102);
	});

	it('GET /api/v3/ticker/tradingDay: the UTC day (or the asked time zone) so far', async () => {
		const r = await publicGet(mock, '/api/v3/ticker/tradingDay?symbol=ETHUSDT');
		const t = r.body as Record<string, number | string>;
		const now = Date.now();
		const day = Math.floor(now / 86_400_000) * 86_400_000;
		expect([t['openTime'], t['closeTime']]).toEqual([day, day + 86_400_000 - 1]);
		const [d] = (await publicGet(mock, `/api/v3/klines?symbol=ETHUSDT&interval=1d&limit=1`)).body as Row[];
		expect(Number(t['openPrice'])).toBe(Number(d![1]));
		expect(Number(t['highPrice'])).toBeGreaterThanOrEqual(Number(d![2]));
		const tz = (await publicGet(mock, '/api/v3/ticker/tradingDay?symbol=ETHUSDT&timeZone=-5:00')).body as Record<
			string,
			number
		>;
		expect((tz['openTime']! - 5 * HOUR) % 86_400_000 === 0 || (tz['openTime']! + 5 * HOUR) % 86_400_000 === 0).toBe(
			true,
		);
		expect(tz['openTime']).not.toBe(t['openTime']);
		expectError(await publicGet(mock, '/api/v3/ticker/tradingDay?symbol=ETHUSDT&timeZone=15'), -1100, 'timeZone');
	});
});
