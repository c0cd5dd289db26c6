/**
 * The WebSocket layer mounted in the real mock exchange (startMockExchange): market streams from the
 * simulator, book sync against the REST snapshot, faults through the admin API, and user data from real
 * orders over the WebSocket API and the listenKey stream. Real sockets on loopback, real ws clients.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {WireDepthSnapshot, WireDepthUpdate} from '../../source/mock/contracts.js';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';
import {hmacHex} from '../../source/mock/signing.js';
import {signaturePayload} from '../../source/mock/ws/ws-api-auth.js';
import {sleep, TestClient} from './helpers.js';

let mock: MockExchange;
const clients: TestClient[] = [];

async function open(path: string, options = {}): Promise<TestClient> {
	const client = await TestClient.open(`${mock.ws}${path}`, options);
	clients.push(client);
	return client;
}

beforeAll(async () => {
	// A 4 ms simulation step makes > 1000 book updates happen in a few seconds.
	// legacyUserData: one test below exercises the withdrawn listenKey flow kept for migrating bots.
	mock = await startMockExchange({
		port: 0,
		seed: 11,
		stepMs: 4,
		pingIntervalMs: 100,
		pongTimeoutMs: 600,
		legacyUserData: true,
	});
});

afterAll(async () => {
	for (const client of clients) client.close();
	await mock.close();
});

async function rest(
	method: string,
	path: string,
	signed = false,
	params: Record<string, string> = {},
): Promise<{status: number; body: Record<string, unknown>}> {
	let query = new URLSearchParams(params).toString();
	if (signed) {
		query = `${query ? `${query}&` : ''}timestamp=${Date.now()}`;
		query += `&signature=${hmacHex(mock.apiSecret, query)}`;
	}
	const response = await fetch(`${mock.rest}${path}${query ? `?${query}` : ''}`, {
		method,
		headers: {'X-MBX-APIKEY': mock.apiKey},
	});
	return {status: response.status, body: (await response.json()) as Record<string, unknown>};
}

async function admin(method: string, body?: unknown): Promise<number> {
	const response = await fetch(`${mock.admin}/faults`, {
		method,
		headers: {'content-type': 'application/json'},
		...(body === undefined ? {} : {body: JSON.stringify(body)}),
	});
	await response.arrayBuffer();
	return response.status;
}

const marketBuy = (): Promise<{status: number; body: Record<string, unknown>}> =>
	rest('POST', '/api/v3/order', true, {symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001'});

describe('market streams from the simulator', () => {
	it('serves raw, combined and bare+SUBSCRIBE connections; UNSUBSCRIBE stops data', async () => {
		const raw = await open('/ws/btcusdt@trade');
		const combined = await open('/stream?streams=btcusdt@aggTrade/ethusdt@bookTicker');
		const bare = await open('/ws/0');
		expect(await bare.request({method: 'SUBSCRIBE', params: ['ethusdt@trade', 'btcusdt@miniTicker'], id: 1})).toEqual({
			result: null,
			id: 1,
		});
		expect(await bare.request({method: 'LIST_SUBSCRIPTIONS', id: 2})).toEqual({
			result: ['ethusdt@trade', 'btcusdt@miniTicker'],
			id: 2,
		});
		expect(await raw.next(m => m['e'] === 'trade', 5000)).toMatchObject({s: 'BTCUSDT', M: true});
		expect((await combined.next(m => m['stream'] === 'btcusdt@aggTrade', 5000))['data']).toMatchObject({
			e: 'aggTrade',
			s: 'BTCUSDT',
		});
		expect((await combined.next(m => m['stream'] === 'ethusdt@bookTicker', 5000))['data']).toMatchObject({
			s: 'ETHUSDT',
		});
		await bare.next(m => m['e'] === 'trade', 5000);
		await bare.next(m => m['e'] === '24hrMiniTicker', 2500);
		expect(await bare.request({method: 'UNSUBSCRIBE', params: ['ethusdt@trade', 'btcusdt@miniTicker'], id: 3})).toEqual(
			{result: null, id: 3},
		);
		const after = bare.messages.length;
		await sleep(1300);
		expect(bare.messages.slice(after)).toEqual([]);
	});

	it('answers malformed control frames and closes binary/oversized senders with a reason while others keep working', async () => {
		const watcher = await open('/ws/ethusdt@depth@100ms');
		const client = await open('/ws/1');
		client.send('garbage{');
		expect(await client.next(m => 'error' in m)).toMatchObject({error: {code: 3}, id: null});
		expect(await client.request({method: 'SUBSCRIBE', params: ['btcusdt@depth7'], id: 5})).toMatchObject({
			error: {code: 2},
		});
		expect(await client.request({method: 'SUBSCRIBE', params: ['nosuchcoin@trade'], id: 6})).toMatchObject({
			error: {code: 2, msg: expect.stringMatching(/invalid symbol/)},
		});
		const binary = await open('/ws');
		binary.ws.send(Buffer.from('{"method":"LIST_SUBSCRIPTIONS","id":1}'), {binary: true});
		expect(await binary.closed).toMatchObject({code: 1003, reason: expect.stringMatching(/Binary frames/)});
		const huge = await open('/ws');
		huge.send('x'.repeat(200 * 1024));
		expect((await huge.closed).code).toBe(1009);
		const from = watcher.messages.length;
		await watcher.next(m => m['e'] === 'depthUpdate', 2000, from);
		await sleep(1000);
		expect(await client.request({method: 'LIST_SUBSCRIPTIONS', id: 7})).toEqual({result: [], id: 7});
		expect(await TestClient.rejection(`${mock.ws}/nowhere`)).toBe(404);
	});

	it('keeps diff depth gap-free over > 1000 updates and syncs with the REST snapshot as documented', async () => {
		const client = await open('/ws/0');
		// 1. subscribe and buffer; 2. snapshot only after the reply.
		await client.request({method: 'SUBSCRIBE', params: ['btcusdt@depth@100ms'], id: 1});
		const snapshot = (await rest('GET', '/api/v3/depth', false, {symbol: 'BTCUSDT', limit: '1000'}))
			.body as unknown as WireDepthSnapshot;
		const bids = new Map(snapshot.bids);
		const asks = new Map(snapshot.asks);
		let lastUpdateId = snapshot.lastUpdateId;
		let applied = 0;
		let index = 0;
		const drain = (): void => {
			for (; index < client.messages.length; index++) {
				const event = client.messages[index] as WireDepthUpdate;
				if (event.e !== 'depthUpdate' || event.u <= lastUpdateId) continue;
				// 3. the first applied event straddles the snapshot; 4. every later one starts at previous u + 1.
				if (applied === 0) expect(event.U <= lastUpdateId + 1 && lastUpdateId + 1 <= event.u).toBe(true);
				else expect(event.U).toBe(lastUpdateId + 1);
				for (const [price, quantity] of event.b) {
					if (Number(quantity) === 0) bids.delete(price);
					else bids.set(price, quantity);
				}
				for (const [price, quantity] of event.a) {
					if (Number(quantity) === 0) asks.delete(price);
					else asks.set(price, quantity);
				}
				lastUpdateId = event.u;
				applied++;
			}
		};
		const deadline = Date.now() + 20_000;
		while (applied < 1000 && Date.now() < deadline) {
			await sleep(100);
			drain();
		}
		expect(applied).toBeGreaterThanOrEqual(1000);
		// Freeze the market, then the local book must equal the exchange's at the same update id.
		expect(await admin('POST', {fault: 'pause-market', params: {}})).toBeLessThan(300);
		await sleep(100);
		const final = (await rest('GET', '/api/v3/depth', false, {symbol: 'BTCUSDT', limit: '20'}))
			.body as unknown as WireDepthSnapshot;
		await client.next(m => m['u'] === final.lastUpdateId, 3000);
		drain();
		expect(await admin('DELETE')).toBeLessThan(300);
		expect(lastUpdateId).toBe(final.lastUpdateId);
		const top = (side: Map<string, string>, descending: boolean) =>
			[...side].sort((a, b) => (descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]))).slice(0, 20);
		expect(top(bids, true)).toEqual(final.bids);
		expect(top(asks, false)).toEqual(final.asks);
	});

	it('closes kline_1s candles with x:true', async () => {
		const client = await open('/ws/ethusdt@kline_1s');
		const closed = await client.next(m => m['e'] === 'kline' && (m['k'] as {x: boolean}).x, 3500);
		expect(closed['k']).toMatchObject({s: 'ETHUSDT', i: '1s', x: true});
		const k = closed['k'] as {t: number; T: number};
		expect(k.T - k.t).toBe(999);
	});
});

describe('connection health and faults', () => {
	it('drops a client that never answers pings, keeps one that does', async () => {
		const polite = await open('/ws/btcusdt@trade');
		const silent = await open('/ws/btcusdt@trade', {autoPong: false});
		expect((await silent.closed).code).toBe(1006);
		expect(polite.ws.readyState).toBe(polite.ws.OPEN);
	});

	it('stall-streams keeps connections open without data, drop-websockets closes them all', async () => {
		const client = await open('/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms');
		await client.next(m => m['stream'] !== undefined, 2000);
		expect(await admin('POST', {fault: 'stall-streams', params: {}})).toBeLessThan(300);
		await sleep(50);
		const stalledAt = client.messages.length;
		await sleep(500);
		expect(client.messages.length).toBe(stalledAt);
		expect(client.ws.readyState).toBe(client.ws.OPEN);
		expect(await admin('DELETE')).toBeLessThan(300);
		await client.next(m => m['stream'] !== undefined, 2000, stalledAt);

		const other = await open('/ws-api/v3');
		expect(await admin('POST', {fault: 'drop-websockets', params: {}})).toBeLessThan(300);
		expect((await client.closed).code).toBe(1006);
		expect((await other.closed).code).toBe(1006);
		await admin('DELETE');
		const fresh = await open('/ws/btcusdt@depth@100ms');
		await fresh.next(m => m['e'] === 'depthUpdate', 2000);
		expect(mock.stats().websocket.openConnections).toBeGreaterThanOrEqual(1);
	});
});

describe('user data', () => {
	const signed = (params: Record<string, unknown>, secret: string): Record<string, unknown> => ({
		...params,
		signature: hmacHex(secret, signaturePayload(params)),
	});

	it('pushes executionReport and outboundAccountPosition over /ws-api/v3 after a valid signature, refuses an invalid one', async () => {
		const bad = await open('/ws-api/v3');
		expect(
			await bad.request({
				id: 'a',
				method: 'userDataStream.subscribe.signature',
				params: signed({apiKey: mock.apiKey, timestamp: Date.now()}, 'not-the-secret'),
			}),
		).toMatchObject({status: 400, error: {code: -1022, msg: 'Signature for this request is not valid.'}});

		const client = await open('/ws-api/v3');
		const reply = await client.request({
			id: 'b',
			method: 'userDataStream.subscribe.signature',
			params: signed({apiKey: mock.apiKey, timestamp: Date.now(), recvWindow: 5000}, mock.apiSecret),
		});
		expect(reply).toMatchObject({id: 'b', status: 200, result: {subscriptionId: 0}});
		const order = await marketBuy();
		expect(order.status).toBe(200);
		const report = await client.next(
			m =>
				(m['event'] as {e?: string} | undefined)?.e === 'executionReport' && (m['event'] as {X: string}).X === 'FILLED',
			3000,
		);
		expect(report).toMatchObject({
			subscriptionId: 0,
			event: {s: 'BTCUSDT', S: 'BUY', o: 'MARKET', i: order.body['orderId']},
		});
		await client.next(m => (m['event'] as {e?: string} | undefined)?.e === 'outboundAccountPosition', 3000);
		expect(bad.messages.filter(m => 'event' in (m as object))).toEqual([]);
	});

	it('serves the legacy listenKey flow: REST create, /ws/<listenKey> events, keep-alive, close', async () => {
		const created = await rest('POST', '/api/v3/userDataStream');
		expect(created.status).toBe(200);
		const listenKey = String(created.body['listenKey']);
		expect(listenKey).toMatch(/^[A-Za-z0-9]{60}$/);
		const client = await open(`/ws/${listenKey}`);
		await marketBuy();
		expect(await client.next(m => m['e'] === 'executionReport', 3000)).toMatchObject({s: 'BTCUSDT'});
		expect((await rest('PUT', '/api/v3/userDataStream', false, {listenKey})).status).toBe(200);
		expect((await rest('DELETE', '/api/v3/userDataStream', false, {listenKey})).status).toBe(200);
		expect(await client.closed).toMatchObject({code: 1000, reason: 'listenKey closed'});
	});
});
