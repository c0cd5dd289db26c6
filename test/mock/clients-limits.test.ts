/** Per-listener rate limits and what a client's activity records of them, over real sockets. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {activity, createClient, publicGet, signed, sleep, startMock} from './helpers.js';

const WINDOW_MS = 2000;
const BAN_MS = 4000;

/** Waits for the start of a weight window so a sequence of requests sits in one. */
const windowStart = () => sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 20);

describe('a client hammering its port', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({weightLimitPerMinute: 10, weightWindowMs: WINDOW_MS, banAfter429s: 2, banMs: BAN_MS});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('gets 429 then, sending on inside Retry-After, 418 on its own port — counted — while drydock’s port still answers 200', async () => {
		const bot = await createClient(mock, {label: 'hammer'});
		await windowStart();
		for (let i = 0; i < 10; i++) expect((await publicGet(bot, '/api/v3/ping')).status).toBe(200);
		const limited = await publicGet(bot, '/api/v3/ping');
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		const mid = await activity(mock, bot.id);
		expect(mid.rest).toMatchObject({
			requests: 11,
			weightUsed: 10,
			weightLimit: 10,
			status429: 1,
			status418: 0,
			requestsInsideRetryAfter: 0,
			bannedUntil: null,
		});
		// Ignoring Retry-After: two more within the window, the second one earns the ban.
		expect((await publicGet(bot, '/api/v3/ping')).status).toBe(429);
		expect((await publicGet(bot, '/api/v3/ping')).status).toBe(418);
		// drydock's own port is another "IP": untouched by the client's ban.
		for (let i = 0; i < 3; i++) expect((await publicGet(mock, '/api/v3/ping')).status).toBe(200);
		expect((await signed(mock, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).status).toBe(200);
		expect((await publicGet(bot, '/api/v3/time')).status).toBe(418);

		const seen = await activity(mock, bot.id);
		expect(seen.rest).toMatchObject({
			requests: 14,
			status429: 2,
			status418: 2,
			requestsInsideRetryAfter: 3,
			errorsByCode: {'-1003': 4},
		});
		expect(seen.rest.bannedUntil).toBeGreaterThan(Date.now());
		const types = seen.events.map(e => e.type);
		expect(types.filter(t => t === 'rate-limited')).toHaveLength(2);
		expect(types.filter(t => t === 'banned')).toHaveLength(1);
		expect(types.filter(t => t === 'retry-after-violation')).toHaveLength(3);
		expect(seen.events.find(e => e.type === 'retry-after-violation')).toMatchObject({
			path: '/api/v3/ping',
			retryAfterUntil: expect.any(Number),
		});
	});

	it('a client that waits out Retry-After has no violation and no ban', async () => {
		const polite = await createClient(mock, {label: 'polite'});
		await windowStart();
		for (let i = 0; i < 10; i++) await publicGet(polite, '/api/v3/ping');
		const limited = await publicGet(polite, '/api/v3/ping');
		expect(limited.status).toBe(429);
		await sleep(Number(limited.headers.get('retry-after')) * 1000 + 50);
		expect((await publicGet(polite, '/api/v3/ping')).status).toBe(200);
		const seen = await activity(mock, polite.id);
		expect(seen.rest).toMatchObject({
			status429: 1,
			status418: 0,
			requestsInsideRetryAfter: 0,
			bannedUntil: null,
			weightUsed: 1,
		});
	});

	it('counts error responses by Binance code and orders per 10 s against the limit', async () => {
		const bot = await createClient(mock, {label: 'errors'});
		await windowStart();
		expect((await signed(bot, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'}, {secret: 'wrong'})).status).toBe(400);
		expect(
			(
				await signed(bot, 'POST', '/api/v3/order', {
					symbol: 'BTCUSDT',
					side: 'BUY',
					type: 'LIMIT',
					timeInForce: 'GTC',
					quantity: '0.00000001',
					price: '1000.00',
				})
			).status,
		).toBe(400);
		const seen = await activity(mock, bot.id);
		expect(seen.rest.errorsByCode).toEqual({'-1022': 1, '-1013': 1});
		expect(seen.orders).toMatchObject({
			placed: 0,
			rejected: 1,
			rejectedByCode: {'-1013': 1},
			maxOrdersPer10s: 1,
			ordersPer10sLimit: 100,
		});
		expect(seen.events.filter(e => e.type === 'request-error')).toMatchObject([
			{status: 400, code: -1022, path: '/api/v3/openOrders'},
			{status: 400, code: -1013, path: '/api/v3/order'},
		]);
		expect(seen.events.find(e => e.type === 'order')).toMatchObject({
			status: 'REJECTED',
			code: -1013,
			side: 'BUY',
			orderType: 'LIMIT',
		});
	});
});

describe('orders per 10 s per listener', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({ordersPer10s: 2});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('a client over the ORDERS limit gets -1015 on its port, counted against the limit; drydock’s orders still go through', async () => {
		const left = 10_000 - (Date.now() % 10_000);
		if (left < 3000) await sleep(left + 20);
		const bot = await createClient(mock, {label: 'orders-burst'});
		const price = Number(
			((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price,
		);
		const buy = (venue: {rest: string; apiKey: string; apiSecret: string}) =>
			signed(venue, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.001',
				price: (Math.round(price * 0.6 * 100) / 100).toFixed(2),
			});
		expect((await buy(bot)).status).toBe(200);
		expect((await buy(bot)).status).toBe(200);
		const over = await buy(bot);
		expect(over.status).toBe(429);
		expect((over.body as {code: number}).code).toBe(-1015);
		expect((await buy(mock)).status).toBe(200);
		const seen = await activity(mock, bot.id);
		expect(seen.orders).toMatchObject({
			placed: 2,
			rejected: 1,
			rejectedByCode: {'-1015': 1},
			maxOrdersPer10s: 2,
			ordersPer10sLimit: 2,
			open: 2,
		});
	});
});
