import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {DEFAULT_API_KEY, DEFAULT_API_SECRET} from '../../source/mock/index.js';
import {hmacHex} from '../../source/mock/signing.js';
import {expectError, signed, startMock} from './helpers.js';

describe('signing', () => {
	it('reproduces the test vector of Binance’s documentation', () => {
		const secret = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
		const payload =
			'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
		expect(hmacHex(secret, payload)).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
	});

	it('has default credentials shaped like Binance’s (64 alphanumerics)', () => {
		expect(DEFAULT_API_KEY).toMatch(/^[A-Za-z0-9]{64}$/);
		expect(DEFAULT_API_SECRET).toMatch(/^[A-Za-z0-9]{64}$/);
	});
});

describe('SIGNED endpoint verification', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock();
	});
	afterAll(async () => {
		await mock.close();
	});

	it('accepts a correctly signed request in the query string and in a form body', async () => {
		const q = await signed(mock, 'GET', '/api/v3/account');
		expect(q.status).toBe(200);
		expect((q.body as {accountType: string}).accountType).toBe('SPOT');
		const b = await signed(
			mock,
			'POST',
			'/api/v3/order/test',
			{symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001'},
			{inBody: true},
		);
		expect(b.status).toBe(200);
		expect(b.body).toEqual({});
	});

	it('signs query string + body together when parameters are split, and the query wins on conflicts', async () => {
		const timestamp = Date.now();
		const query = `symbol=BTCUSDT&side=SELL&timestamp=${timestamp}`;
		const body = 'side=BUY&type=MARKET&quantity=0.001';
		const signature = hmacHex(mock.apiSecret, query + body);
		const r = await fetch(`${mock.rest}/api/v3/order?${query}&signature=${signature}`, {
			method: 'POST',
			headers: {'X-MBX-APIKEY': mock.apiKey, 'content-type': 'application/x-www-form-urlencoded'},
			body,
		});
		const order = (await r.json()) as {side: string; status: string};
		expect(r.status).toBe(200);
		expect(order.side).toBe('SELL');
		expect(order.status).toBe('FILLED');
	});

	it('-2014 for a missing or malformed API key', async () => {
		const missing = await signed(mock, 'GET', '/api/v3/account', {}, {apiKey: null});
		expect(missing.status).toBe(401);
		expectError(missing, -2014, 'API-key format invalid.');
		expectError(await signed(mock, 'GET', '/api/v3/account', {}, {apiKey: 'not a key!'}), -2014);
	});

	it('-2015 for a well-formed key the exchange does not know', async () => {
		const r = await signed(mock, 'GET', '/api/v3/account', {}, {apiKey: 'A'.repeat(64)});
		expect(r.status).toBe(401);
		expectError(r, -2015, 'Invalid API-key, IP, or permissions for action.');
	});

	it('-1022 for a signature made with the wrong secret, or not hex at all', async () => {
		expectError(
			await signed(mock, 'GET', '/api/v3/account', {}, {secret: 'wrong'}),
			-1022,
			'Signature for this request is not valid.',
		);
		expectError(await signed(mock, 'GET', '/api/v3/account', {}, {signature: 'zz'}), -1022);
	});

	it('-1102 when timestamp or signature is missing', async () => {
		expectError(await signed(mock, 'GET', '/api/v3/account', {}, {signature: null}), -1102, "'signature'");
		const noTimestamp = await fetch(`${mock.rest}/api/v3/account?signature=${'0'.repeat(64)}`, {
			headers: {'X-MBX-APIKEY': mock.apiKey},
		});
		expectError(
			{status: noTimestamp.status, headers: noTimestamp.headers, text: '', body: await noTimestamp.json()},
			-1102,
			"'timestamp'",
		);
	});

	it('-1021 outside recvWindow (too old, or 1 s ahead of the server)', async () => {
		expectError(
			await signed(mock, 'GET', '/api/v3/account', {}, {timestamp: Date.now() - 6000}),
			-1021,
			'outside of the recvWindow',
		);
		const ok = await signed(mock, 'GET', '/api/v3/account', {recvWindow: 10_000}, {timestamp: Date.now() - 6000});
		expect(ok.status).toBe(200);
		expectError(await signed(mock, 'GET', '/api/v3/account', {}, {timestamp: Date.now() + 5000}), -1021, 'ahead');
	});

	it('rejects recvWindow above 60000', async () => {
		expectError(await signed(mock, 'GET', '/api/v3/account', {recvWindow: 60_001}), -1131);
		expect((await signed(mock, 'GET', '/api/v3/account', {recvWindow: 60_000})).status).toBe(200);
	});
});
