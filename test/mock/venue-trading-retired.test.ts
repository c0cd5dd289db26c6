/**
 * The listenKey flow Binance withdrew on 2026-02-20 (REST POST/PUT/DELETE /api/v3/userDataStream,
 * WebSocket API userDataStream.start/ping/stop): gone by default, kept with `legacyUserData`; drydock's
 * own ccxt client (user data over the WebSocket API) works without it.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createExchange} from '../../source/exchange/index.js';
import {LEGACY_USER_DATA_NOTICE, parseLegacyUserData, type MockExchange} from '../../source/mock/index.js';
import {startMock} from './helpers.js';
import {call} from './helpers.js';
import {TestClient} from './helpers.js';

async function rest(
	mock: MockExchange,
	method: string,
	path: string,
): Promise<{status: number; body: {code?: number; msg?: string; listenKey?: string}}> {
	const response = await fetch(`${mock.rest}${path}`, {method, headers: {'X-MBX-APIKEY': mock.apiKey}});
	return {status: response.status, body: (await response.json()) as never};
}

describe('by default (today’s Binance)', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 3});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('answers the REST listenKey endpoints as any endpoint that does not exist', async () => {
		const missing = await rest(mock, 'POST', '/api/v3/noSuchThing');
		for (const method of ['POST', 'PUT', 'DELETE']) {
			const reply = await rest(mock, method, `/api/v3/userDataStream${method === 'POST' ? '' : '?listenKey=abc'}`);
			expect(reply.status, method).toBe(404);
			expect(reply.body.code, method).toBe(missing.body.code);
			expect(reply.body.listenKey).toBeUndefined();
		}
		expect(mock.legacyUserData).toBe(false);
	});

	it('does not serve userDataStream.start/ping/stop on the WebSocket API', async () => {
		const socket = await TestClient.open(`${mock.ws}/ws-api/v3`);
		try {
			for (const method of ['userDataStream.start', 'userDataStream.ping', 'userDataStream.stop']) {
				const reply = await call(socket, method, {apiKey: mock.apiKey, listenKey: 'abc'});
				expect(reply, method).toMatchObject({
					status: 400,
					error: {code: -1102, msg: expect.stringContaining(`Unknown method '${method}'`)},
				});
				expect(reply.error!.msg.split('serves: ')[1]).not.toMatch(/userDataStream\.(start|ping|stop)/);
			}
		} finally {
			socket.close();
		}
	});

	it('drydock’s own ccxt client still gets order updates (ccxt 4.5 subscribes over the WebSocket API)', async () => {
		const client = await createExchange({
			environment: 'mock',
			restUrl: mock.rest,
			wsUrl: mock.ws,
			apiKey: mock.apiKey,
			secret: mock.apiSecret,
			enableRateLimit: false,
			timeoutMs: 5000,
			wsReconnectBaseMs: 50,
		});
		try {
			await client.loadMarkets();
			const watching = client.watchOrders('BTC/USDT');
			// Let the subscription reach the mock before the order exists.
			await new Promise(resolve => setTimeout(resolve, 300));
			const order = await client.createOrder({
				symbol: 'BTC/USDT',
				side: 'buy',
				type: 'market',
				amount: 0.001,
				clientOrderId: 'retired-1',
			});
			const updates = await watching;
			expect(updates.map(o => o.clientOrderId)).toContain(order.clientOrderId);
		} finally {
			await client.close();
		}
	});
});

describe('with legacyUserData (bots being migrated)', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 3, legacyUserData: true});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('serves the REST flow and userDataStream.start/ping/stop from the same handlers', async () => {
		expect(mock.legacyUserData).toBe(true);
		const created = await rest(mock, 'POST', '/api/v3/userDataStream');
		expect(created.status).toBe(200);
		const socket = await TestClient.open(`${mock.ws}/ws-api/v3`);
		try {
			const started = await call(socket, 'userDataStream.start', {apiKey: mock.apiKey});
			// One active key per account, as Binance: the WebSocket API hands out the same one.
			expect(started).toMatchObject({status: 200, result: {listenKey: created.body.listenKey}});
			expect(
				await call(socket, 'userDataStream.ping', {apiKey: mock.apiKey, listenKey: created.body.listenKey}),
			).toMatchObject({status: 200, result: {}});
			expect(
				await call(socket, 'userDataStream.stop', {apiKey: mock.apiKey, listenKey: created.body.listenKey}),
			).toMatchObject({status: 200, result: {}});
			expect(
				await call(socket, 'userDataStream.ping', {apiKey: mock.apiKey, listenKey: created.body.listenKey}),
			).toMatchObject({status: 400, error: {code: -1125}});
			expect(await call(socket, 'userDataStream.start', {})).toMatchObject({status: 400, error: {code: -1102}});
		} finally {
			socket.close();
		}
	});
});

describe('parseLegacyUserData', () => {
	it('reads booleans and on/off words, and names the setting when it cannot', () => {
		expect(parseLegacyUserData(undefined)).toBe(false);
		expect(parseLegacyUserData(true)).toBe(true);
		expect(parseLegacyUserData('on')).toBe(true);
		expect(parseLegacyUserData('FALSE')).toBe(false);
		expect(() => parseLegacyUserData('maybe', 'profile mock.legacyUserData')).toThrow(
			'profile mock.legacyUserData: expected true or false, got "maybe"',
		);
		expect(() => parseLegacyUserData(2)).toThrow(/mock\.legacyUserData: expected true or false, got 2/);
		expect(LEGACY_USER_DATA_NOTICE).toContain('2026-02-20');
	});
});
