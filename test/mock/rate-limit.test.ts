import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {expectError, publicGet, signed, sleep, startMock} from './helpers.js';

const WINDOW_MS = 2000;
const BAN_MS = 3000;

describe('request weight, 429 and the 418 ban', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({
			weightLimitPerMinute: 20,
			weightWindowMs: WINDOW_MS,
			banAfter429s: 2,
			banMs: BAN_MS,
			ordersPer10s: 3,
		});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('publishes the limits it enforces in exchangeInfo.rateLimits', async () => {
		await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 20);
		const info = (await publicGet(mock, '/api/v3/exchangeInfo')).body as {rateLimits: unknown[]};
		expect(info.rateLimits).toEqual([
			{rateLimitType: 'REQUEST_WEIGHT', interval: 'SECOND', intervalNum: 2, limit: 20},
			{rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 3},
			{rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200_000},
			{rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61_000},
		]);
	});

	it('counts weight in X-MBX-USED-WEIGHT-1M, answers 429 with Retry-After past the budget, bans with 418 when 429s are ignored, and lifts the ban', async () => {
		// Start at the beginning of a window so the whole sequence sits in one.
		await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 20);
		const used: number[] = [];
		for (let i = 0; i < 20; i++) {
			const r = await publicGet(mock, '/api/v3/ping');
			expect(r.status).toBe(200);
			used.push(Number(r.headers.get('x-mbx-used-weight-1m')));
		}
		expect(used).toEqual(Array.from({length: 20}, (_, i) => i + 1));
		const limited = await publicGet(mock, '/api/v3/ping');
		expect(limited.status).toBe(429);
		expectError(limited, -1003, 'Too much request weight used');
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(limited.headers.get('x-mbx-used-weight-1m')).toBe('20');
		expect((await publicGet(mock, '/api/v3/ping')).status).toBe(429);
		const banned = await publicGet(mock, '/api/v3/ping');
		expect(banned.status).toBe(418);
		expectError(banned, -1003, 'IP banned until');
		expect(Number(banned.headers.get('retry-after'))).toBe(BAN_MS / 1000);
		const bannedAt = Date.now();
		// The weight window resets, the ban does not.
		await sleep(WINDOW_MS + 100);
		expect((await publicGet(mock, '/api/v3/time')).status).toBe(418);
		await sleep(Math.max(0, bannedAt + BAN_MS - Date.now()) + 100);
		const after = await publicGet(mock, '/api/v3/time');
		expect(after.status).toBe(200);
		expect(after.headers.get('x-mbx-used-weight-1m')).toBe('1');
	});

	it('a second ban of the same IP lasts twice as long', async () => {
		await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 20);
		let last = await publicGet(mock, '/api/v3/ping');
		for (let i = 0; i < 30 && last.status !== 418; i++) last = await publicGet(mock, '/api/v3/ping');
		expect(last.status).toBe(418);
		expect(Number(last.headers.get('retry-after'))).toBe((2 * BAN_MS) / 1000);
	});
});

describe('ORDERS limits', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({ordersPer10s: 3});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('carries order counts on orders and refuses the order past ORDERS 10s', async () => {
		// Avoid the last second of a 10 s bucket so all four orders land in the same one.
		if (Date.now() % 10_000 > 9000) await sleep(10_000 - (Date.now() % 10_000) + 20);
		const bucket = Math.floor(Date.now() / 10_000);
		const replies = [];
		for (let i = 0; i < 4; i++)
			replies.push(
				await signed(mock, 'POST', '/api/v3/order', {
					symbol: 'BTCUSDT',
					side: 'BUY',
					type: 'MARKET',
					quoteOrderQty: '10',
				}),
			);
		expect(Math.floor(Date.now() / 10_000)).toBe(bucket);
		expect(replies.map(r => r.status)).toEqual([200, 200, 200, 429]);
		expect(replies.slice(0, 3).map(r => r.headers.get('x-mbx-order-count-10s'))).toEqual(['1', '2', '3']);
		expect(replies.slice(0, 3).map(r => r.headers.get('x-mbx-order-count-1d'))).toEqual(['1', '2', '3']);
		expectError(replies[3]!, -1015, 'Too many new orders; current limit is 3 orders per 10 SECOND.');
	});
});

describe('RAW_REQUESTS limit', () => {
	it('publishes and enforces requests per 5 minutes, regardless of weight', async () => {
		const mock = await startMock({rawRequestsPer5m: 5});
		try {
			// Stay clear of a 5-minute boundary so every request lands in one window.
			if (Date.now() % 300_000 > 299_000) await sleep(300_000 - (Date.now() % 300_000) + 20);
			const info = (await publicGet(mock, '/api/v3/exchangeInfo')).body as {
				rateLimits: Array<{rateLimitType: string; limit: number}>;
			};
			expect(info.rateLimits.find(l => l.rateLimitType === 'RAW_REQUESTS')!.limit).toBe(5);
			const statuses: number[] = [];
			for (let i = 0; i < 5; i++) statuses.push((await publicGet(mock, '/api/v3/ping')).status);
			expect(statuses).toEqual([200, 200, 200, 200, 429]);
			expectError(await publicGet(mock, '/api/v3/ping'), -1003, 'requests per 5 MINUTE');
		} finally {
			await mock.close();
		}
	});
});
