/**
 * Shared pre-encoded bodies (issue 14's speed work) must not cost fidelity: a cached depth body changes
 * with the book (an order placed shows in the next depth), the weights and headers stay Binance's, gzip
 * is served only when asked and round-trips to the same JSON, and a klines page serves its closed
 * candles from cache while the live candle keeps moving.
 */
import http from 'node:http';
import {gunzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {MarketSimulator} from '../../source/mock/market/simulator.js';
import {acceptsGzip} from '../../source/mock/http/wire-body.js';
import {adminCall, signed, startMock} from './helpers.js';

type Depth = {lastUpdateId: number; bids: Array<[string, string]>; asks: Array<[string, string]>};
type Kline = [number, string, string, string, string, string, number, string, number, string, string, string];

interface Raw {
	status: number;
	headers: http.IncomingHttpHeaders;
	bytes: Buffer;
}

/** A GET with exactly the headers given (fetch would add its own Accept-Encoding and decode for us). */
function rawGet(mock: MockExchange, path: string, headers: Record<string, string> = {}): Promise<Raw> {
	return new Promise((resolve, reject) => {
		http
			.get(`${mock.rest}${path}`, {headers}, res => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks)}));
			})
			.on('error', reject);
	});
}

function json<T>(raw: Raw): T {
	const text = raw.headers['content-encoding'] === 'gzip' ? gunzipSync(raw.bytes) : raw.bytes;
	return JSON.parse(text.toString('utf8')) as T;
}

describe('Accept-Encoding', () => {
	it('admits gzip when named or by *, not with q=0', () => {
		expect(acceptsGzip(undefined)).toBe(false);
		expect(acceptsGzip('')).toBe(false);
		expect(acceptsGzip('identity')).toBe(false);
		expect(acceptsGzip('gzip')).toBe(true);
		expect(acceptsGzip('gzip, deflate, br')).toBe(true);
		expect(acceptsGzip('br;q=1.0, GZIP;q=0.5')).toBe(true);
		expect(acceptsGzip('gzip;q=0')).toBe(false);
		expect(acceptsGzip('deflate, gzip;q=0.0')).toBe(false);
		expect(acceptsGzip('*')).toBe(true);
		expect(acceptsGzip('*, gzip;q=0')).toBe(false);
		expect(acceptsGzip('x-gzip')).toBe(true);
		expect(acceptsGzip(['deflate', 'gzip'])).toBe(true);
	});
});

describe('depth served from a shared body', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 41, weightLimitPerMinute: 1_000_000});
		// The book holds still unless an order changes it, so two reads can be compared byte for byte.
		await adminCall(mock, 'POST', '/faults', {fault: 'pause-market', params: {}});
	});
	afterAll(async () => {
		await adminCall(mock, 'DELETE', '/faults');
		await mock.close();
	});

	it('answers the same bytes while the book holds still, gzip only when asked, with the same headers and weight', async () => {
		const path = '/api/v3/depth?symbol=BTCUSDT&limit=5000';
		const plain = await rawGet(mock, path);
		const again = await rawGet(mock, path);
		const zipped = await rawGet(mock, path, {'Accept-Encoding': 'gzip, deflate'});
		const refused = await rawGet(mock, path, {'Accept-Encoding': 'gzip;q=0, identity'});
		for (const r of [plain, again, zipped, refused]) {
			expect(r.status).toBe(200);
			expect(r.headers['content-type']).toBe('application/json;charset=UTF-8');
			expect(r.headers['vary']).toBe('Accept-Encoding');
			expect(Number(r.headers['content-length'])).toBe(r.bytes.length);
		}
		expect(plain.headers['content-encoding']).toBeUndefined();
		expect(refused.headers['content-encoding']).toBeUndefined();
		expect(zipped.headers['content-encoding']).toBe('gzip');
		expect(again.bytes.equals(plain.bytes)).toBe(true);
		expect(refused.bytes.equals(plain.bytes)).toBe(true);
		expect(gunzipSync(zipped.bytes).equals(plain.bytes)).toBe(true);
		expect(zipped.bytes.length).toBeLessThan(plain.bytes.length / 3);
		const depth = json<Depth>(plain);
		expect(depth.bids).toHaveLength(5000);
		expect(depth.asks).toHaveLength(5000);
		// Weight 250 per limit=5000 request, cached or not (Binance's weight for 1001–5000).
		const w = [plain, again, zipped, refused].map(r => Number(r.headers['x-mbx-used-weight-1m']));
		expect([w[1]! - w[0]!, w[2]! - w[1]!, w[3]! - w[2]!]).toEqual([250, 250, 250]);
	});

	it('a small body goes out uncompressed even when gzip is asked', async () => {
		const r = await rawGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=1', {'Accept-Encoding': 'gzip'});
		expect(r.headers['content-encoding']).toBeUndefined();
		expect(r.headers['vary']).toBe('Accept-Encoding');
		expect(json<Depth>(r).bids).toHaveLength(1);
	});

	it('shows an order placed in the very next depth (plain and gzip), and its cancel in the one after', async () => {
		const path = '/api/v3/depth?symbol=BTCUSDT&limit=5000';
		const before = json<Depth>(await rawGet(mock, path, {'Accept-Encoding': 'gzip'}));
		// Between two existing levels deep in the book, so the order makes a level of its own.
		const price = (Number(before.bids[200]![0]) - 0.01).toFixed(2);
		expect(before.bids.some(([p]) => p === Number(price).toFixed(8))).toBe(false);
		const placed = await signed(mock, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: '0.41',
			price,
		});
		expect(placed.status).toBe(200);
		for (const headers of [{}, {'Accept-Encoding': 'gzip'}] as Array<Record<string, string>>) {
			const after = json<Depth>(await rawGet(mock, path, headers));
			expect(after.lastUpdateId).toBeGreaterThan(before.lastUpdateId);
			expect(after.bids.find(([p]) => p === Number(price).toFixed(8))?.[1]).toBe('0.41000000');
		}
		await signed(mock, 'DELETE', '/api/v3/order', {
			symbol: 'BTCUSDT',
			orderId: (placed.body as {orderId: number}).orderId,
		});
		for (const headers of [{}, {'Accept-Encoding': 'gzip'}] as Array<Record<string, string>>) {
			const gone = json<Depth>(await rawGet(mock, path, headers));
			expect(gone.bids.some(([p]) => p === Number(price).toFixed(8))).toBe(false);
		}
	});
});

describe('klines: closed candles from cache, the live one live', () => {
	it('keeps the same body until a trade, then re-serialises only the live candle; a new candle rebuilds the page', () => {
		let now = Date.UTC(2026, 0, 15, 12, 34, 10);
		const market = new MarketSimulator({seed: 3, symbols: ['BTCUSDT'], clock: () => now});
		const first = market.klinesBody('BTCUSDT', '1m', 5);
		now += 1_000;
		// No trade in between: the very same shared body (and its gzip) is served again.
		expect(market.klinesBody('BTCUSDT', '1m', 5)).toBe(first);
		const rows0 = JSON.parse(first.text) as Kline[];
		const price = Number(rows0[4]![4]) + 123.45;
		market.forceTrade('BTCUSDT', price, 0.5);
		const second = market.klinesBody('BTCUSDT', '1m', 5);
		expect(second).not.toBe(first);
		const rows1 = JSON.parse(second.text) as Kline[];
		expect(rows1.slice(0, 4)).toEqual(rows0.slice(0, 4));
		expect(rows1[4]![0]).toBe(rows0[4]![0]);
		expect(Number(rows1[4]![4])).toBeCloseTo(price, 2);
		expect(rows1[4]![8]).toBe(rows0[4]![8] + 1);
		expect(JSON.parse(gunzipSync(second.gzip()).toString('utf8'))).toEqual(rows1);
		// Equal to the uncached path, row for row.
		expect(rows1).toEqual(market.klines('BTCUSDT', '1m', 5));
		// The next minute: the page moves on, the candle that was live is now closed with its trade in it.
		now = Date.UTC(2026, 0, 15, 12, 35, 1);
		const rows2 = JSON.parse(market.klinesBody('BTCUSDT', '1m', 5).text) as Kline[];
		expect(rows2[3]).toEqual(rows1[4]);
		expect(rows2[4]![0]).toBe(Date.UTC(2026, 0, 15, 12, 35));
		expect(rows2).toEqual(market.klines('BTCUSDT', '1m', 5));
	});

	it('stays equal to the uncached klines while the simulated flow trades, for live and history pages', () => {
		let now = Date.UTC(2026, 0, 15, 12, 34, 10);
		const market = new MarketSimulator({seed: 8, symbols: ['BTCUSDT'], clock: () => now});
		const pages: Array<[string, number, number?]> = [
			['1s', 30],
			['1m', 1000],
			['1h', 50],
			['1d', 3],
			['1h', 1000, Date.UTC(2023, 0, 1)],
		];
		for (let step = 0; step < 900; step++) {
			now += 100;
			market.step();
			if (step % 60 !== 0) continue;
			for (const [interval, limit, start] of pages)
				expect(JSON.parse(market.klinesBody('BTCUSDT', interval, limit, start).text)).toEqual(
					market.klines('BTCUSDT', interval, limit, start),
				);
		}
	});

	it('over the wire: gzip round-trips, and a forced trade shows in the live candle while the closed ones stay', async () => {
		const mock = await startMock({seed: 42, weightLimitPerMinute: 1_000_000});
		try {
			await adminCall(mock, 'POST', '/faults', {fault: 'pause-market', params: {}});
			const path = '/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=1000';
			// A minute boundary between the reads would move the page: try again in the next minute then.
			for (let attempt = 0; attempt < 3; attempt++) {
				const plain = await rawGet(mock, path);
				const zipped = await rawGet(mock, path, {'Accept-Encoding': 'gzip'});
				expect(zipped.headers['content-encoding']).toBe('gzip');
				expect(zipped.headers['vary']).toBe('Accept-Encoding');
				expect(Number(plain.headers['x-mbx-used-weight-1m']) + 2).toBe(Number(zipped.headers['x-mbx-used-weight-1m']));
				const rows = json<Kline[]>(plain);
				const live = rows[rows.length - 1]!;
				const price = Number(live[4]) + 77;
				const forced = await adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price, qty: 0.25});
				expect(forced.status).toBe(200);
				const after = json<Kline[]>(await rawGet(mock, path, {'Accept-Encoding': 'gzip'}));
				if (after[after.length - 1]![0] !== live[0] || json<Kline[]>(zipped)[999]![0] !== live[0]) continue;
				expect(gunzipSync(zipped.bytes).equals(plain.bytes)).toBe(true);
				expect(rows).toHaveLength(1000);
				expect(after.slice(0, -1)).toEqual(rows.slice(0, -1));
				expect(Number(after[999]![4])).toBeCloseTo(price, 2);
				expect(after[999]![8]).toBe(live[8] + 1);
				return;
			}
			throw new Error('the minute rolled over on every attempt');
		} finally {
			await adminCall(mock, 'DELETE', '/faults').catch(() => undefined);
			await mock.close();
		}
	});
});
