/** Unit tests of the WebSocket API (/ws-api/v3) user-data subscriptions and the legacy listenKey stream, over loopback. */
import {generateKeyPairSync, sign} from 'node:crypto';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {hmacHex} from '../../source/mock/signing.js';
import {hmacResolver, signaturePayload, type KeyResolver} from '../../source/mock/ws/ws-api-auth.js';
import type {WireUserEvent} from '../../source/mock/contracts.js';
import {API_KEY, API_SECRET, credentials, sleep, startFakeExchange, TestClient, type FakeExchange} from './helpers.js';

/** An Ed25519 key of the same account: session.logon takes only these. */
const ED_KEY = 'fakeEd25519Key';
const edPair = generateKeyPairSync('ed25519');
const hmacKeys = hmacResolver(credentials);
const keys: KeyResolver = apiKey =>
	apiKey === ED_KEY
		? {type: 'ED25519', credential: {type: 'ED25519', publicKey: edPair.publicKey}, account: API_KEY}
		: hmacKeys(apiKey);
const edSigned = (params: Record<string, unknown>): Record<string, unknown> => ({
	...params,
	signature: sign(null, Buffer.from(signaturePayload(params)), edPair.privateKey).toString('base64'),
});

let exchange: FakeExchange;
const clients: TestClient[] = [];

async function open(path: string): Promise<TestClient> {
	const client = await TestClient.open(`${exchange.wsUrl}${path}`);
	clients.push(client);
	return client;
}

function signed(params: Record<string, unknown>, secret = API_SECRET): Record<string, unknown> {
	return {...params, signature: hmacHex(secret, signaturePayload(params))};
}

const balanceEvent = (delta: string): WireUserEvent => ({
	e: 'balanceUpdate',
	E: Date.now(),
	a: 'USDT',
	d: delta,
	T: Date.now(),
});

beforeEach(async () => {
	exchange = await startFakeExchange({layer: {listenKeyTtlMs: 300, keys}});
});

afterEach(async () => {
	for (const client of clients.splice(0)) client.close();
	await exchange.close();
});

describe('WebSocket API user data', () => {
	it('signs as ccxt does: key-sorted k=v pairs without the signature', () => {
		expect(signaturePayload({timestamp: 5, apiKey: 'k', recvWindow: 10000, signature: 'x'})).toBe(
			'apiKey=k&recvWindow=10000&timestamp=5',
		);
	});

	it('subscribes with userDataStream.subscribe.signature and pushes {subscriptionId, event} for that API key only', async () => {
		const client = await open('/ws-api/v3');
		const reply = await client.request({
			id: '1',
			method: 'userDataStream.subscribe.signature',
			params: signed({apiKey: API_KEY, timestamp: Date.now(), recvWindow: 10_000}),
		});
		expect(reply).toEqual({id: '1', status: 200, result: {subscriptionId: 0}});
		const event = balanceEvent('10.00000000');
		exchange.users.push('someoneElse', balanceEvent('1.00000000'));
		exchange.users.push(API_KEY, event);
		expect(await client.next(m => 'event' in m)).toEqual({subscriptionId: 0, event});
		await sleep(50);
		expect(client.messages.filter(m => 'event' in (m as object))).toHaveLength(1);
		expect(await client.request({id: 2, method: 'session.subscriptions'})).toMatchObject({
			status: 200,
			result: [{subscriptionId: 0}],
		});
		expect(await client.request({id: 3, method: 'userDataStream.unsubscribe', params: {subscriptionId: 0}})).toEqual({
			id: 3,
			status: 200,
			result: {},
		});
		exchange.users.push(API_KEY, event);
		await sleep(50);
		expect(client.messages.filter(m => 'event' in (m as object))).toHaveLength(1);
	});

	it('rejects bad signatures, unknown keys, stale timestamps and missing parameters with Binance codes', async () => {
		const client = await open('/ws-api/v3');
		const now = Date.now();
		const cases: Array<[Record<string, unknown>, number, number]> = [
			[signed({apiKey: API_KEY, timestamp: now}, 'wrongSecret'), 400, -1022],
			[signed({apiKey: 'unknownKey', timestamp: now}), 401, -2015],
			[signed({apiKey: 'bad key!', timestamp: now}), 401, -2014],
			[signed({apiKey: API_KEY, timestamp: now - 60_000}), 400, -1021],
			[signed({apiKey: API_KEY, timestamp: now, recvWindow: 70_000}), 400, -1131],
			[{apiKey: API_KEY, timestamp: now}, 400, -1102],
		];
		for (const [params, status, code] of cases) {
			const id = `case${code}`;
			const reply = await client.request({id, method: 'userDataStream.subscribe.signature', params});
			expect(reply).toMatchObject({id, status, error: {code}});
		}
		// A failed subscribe leaves the connection usable.
		expect(
			await client.request({
				id: 'ok',
				method: 'userDataStream.subscribe.signature',
				params: signed({apiKey: API_KEY, timestamp: Date.now()}),
			}),
		).toMatchObject({status: 200, result: {subscriptionId: 0}});
	});

	it('supports session.logon then userDataStream.subscribe, session.status, logout, ping and time', async () => {
		const client = await open('/ws-api/v3');
		expect(await client.request({id: 1, method: 'userDataStream.subscribe'})).toMatchObject({
			status: 401,
			error: {code: -1002},
		});
		// Binance: session.logon takes Ed25519 keys only; an HMAC key is refused.
		expect(
			await client.request({
				id: 'hmac',
				method: 'session.logon',
				params: signed({apiKey: API_KEY, timestamp: Date.now()}),
			}),
		).toMatchObject({status: 401, error: {code: -2015}});
		const logon = await client.request({
			id: 2,
			method: 'session.logon',
			params: edSigned({apiKey: ED_KEY, timestamp: Date.now()}),
		});
		expect(logon).toMatchObject({status: 200, result: {apiKey: ED_KEY, userDataStream: false}});
		expect(await client.request({id: 3, method: 'userDataStream.subscribe'})).toEqual({
			id: 3,
			status: 200,
			result: {subscriptionId: 0},
		});
		expect(await client.request({id: 4, method: 'userDataStream.subscribe'})).toMatchObject({
			status: 400,
			error: {code: -2035},
		});
		expect(await client.request({id: 5, method: 'session.status'})).toMatchObject({
			result: {apiKey: ED_KEY, userDataStream: true},
		});
		const event = balanceEvent('2.00000000');
		exchange.users.push(API_KEY, event);
		expect(await client.next(m => 'event' in m)).toEqual({subscriptionId: 0, event});
		expect(await client.request({id: 6, method: 'session.logout'})).toMatchObject({
			status: 200,
			result: {apiKey: null},
		});
		expect(await client.request({id: 7, method: 'ping'})).toEqual({id: 7, status: 200, result: {}});
		const time = await client.request({id: 8, method: 'v3/time'});
		expect(Math.abs((time['result'] as {serverTime: number}).serverTime - Date.now())).toBeLessThan(1000);
	});

	it('answers garbage with 400 errors and closes on binary frames, without affecting other sessions', async () => {
		const client = await open('/ws-api/v3');
		const other = await open('/ws-api/v3');
		client.send('{oops');
		expect(await client.next(m => m['status'] === 400)).toMatchObject({id: null, error: {code: -1102}});
		expect(await client.request({id: 'x', method: 'order.teleport'})).toMatchObject({
			status: 400,
			error: {msg: expect.stringMatching(/Unknown method/)},
		});
		client.ws.send(Buffer.from([0xff, 0x00]), {binary: true});
		expect((await client.closed).code).toBe(1003);
		expect(await other.request({id: 1, method: 'ping'})).toMatchObject({status: 200});
	});
});

describe('legacy listenKey stream', () => {
	it('serves plain events on /ws/<listenKey>, ends the stream on close, and expires keys with listenKeyExpired', async () => {
		const listenKey = exchange.layer.listenKeys.create(API_KEY);
		expect(listenKey).toMatch(/^[A-Za-z0-9]{60}$/);
		expect(exchange.layer.listenKeys.create(API_KEY)).toBe(listenKey);
		const client = await open(`/ws/${listenKey}`);
		const event = balanceEvent('3.00000000');
		exchange.users.push(API_KEY, event);
		expect(await client.next(m => m['e'] === 'balanceUpdate')).toEqual(event);

		// Keep-alive extends the key past its 300 ms TTL.
		for (let index = 0; index < 4; index++) {
			await sleep(100);
			expect(exchange.layer.listenKeys.keepAlive(listenKey)).toBe(true);
		}
		expect(await client.next(m => m['e'] === 'listenKeyExpired', 100).catch(() => undefined)).toBeUndefined();
		const expired = await client.next(m => m['e'] === 'listenKeyExpired', 1500);
		expect(expired).toMatchObject({listenKey});
		expect((await client.closed).code).toBe(1000);
		expect(exchange.layer.listenKeys.keepAlive(listenKey)).toBe(false);
		expect(await TestClient.rejection(`${exchange.wsUrl}/ws/${listenKey}`)).toBe(404);

		const second = exchange.layer.listenKeys.create(API_KEY);
		expect(second).not.toBe(listenKey);
		const again = await open(`/ws/${second}`);
		expect(exchange.layer.listenKeys.close(second)).toBe(true);
		expect(await again.closed).toMatchObject({code: 1000, reason: 'listenKey closed'});
		expect(exchange.layer.listenKeys.close(second)).toBe(false);
	});
});
