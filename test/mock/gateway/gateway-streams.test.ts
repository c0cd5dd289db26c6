import {generateKeyPairSync, sign} from 'node:crypto';
/**
 * The gateway's WebSocket side against a local TLS venue: market streams, user data and the WebSocket API
 * relayed frame by frame, subscriptions attributed by URL path and confirmed SUBSCRIBE frames, drops and
 * stalls applied in front of the venue. No network beyond loopback.
 */
import WebSocket, {WebSocketServer} from 'ws';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Gateway} from '../../../source/mock/gateway/index.js';
import {signaturePayload} from '../../../source/mock/ws/ws-api-auth.js';
import {adminCall, signed, waitFor} from '../helpers.js';
import {sleep, TestClient} from '../helpers.js';
import {startTlsVenue, type TlsVenue} from './helpers.js';
import {rawText} from '../../../source/mock/ws/raw-text.js';

let venue: TlsVenue;
let edKeys = 0;
const sockets: TestClient[] = [];

beforeAll(async () => {
	// legacyUserData: the listenKey relay is tested too (bots being migrated still use it).
	venue = await startTlsVenue({seed: 31, legacyUserData: true});
});

afterAll(async () => {
	for (const socket of sockets) socket.close();
	await venue?.close();
});

async function open(url: string): Promise<TestClient> {
	const socket = await TestClient.open(url);
	sockets.push(socket);
	return socket;
}

const trade = (symbol: string, price: number) =>
	adminCall(venue.mock, 'POST', '/market/trade', {symbol, price, qty: 0.001});
const isTradeAt = (price: number) => (m: Record<string, unknown>) => m['e'] === 'trade' && Number(m['p']) === price;

/** A WebSocket API session through the gateway, logged on with the venue account's key and subscribed to user data. */
async function wsApiSession(gateway: Gateway): Promise<TestClient> {
	const socket = await open(gateway.wsApi);
	// session.logon takes Ed25519 keys only (as Binance): one is registered for the venue account.
	const pair = generateKeyPairSync('ed25519');
	const apiKey = `gatewayEd25519${edKeys++}`;
	venue.mock.registerApiKey({
		apiKey,
		publicKey: pair.publicKey.export({type: 'spki', format: 'pem'}).toString(),
		account: venue.mock.apiKey,
	});
	const params = {apiKey, timestamp: Date.now()};
	const signature = sign(null, Buffer.from(signaturePayload(params)), pair.privateKey).toString('base64');
	expect(await socket.request({id: 'logon', method: 'session.logon', params: {...params, signature}})).toMatchObject({
		status: 200,
	});
	expect(await socket.request({id: 'sub', method: 'userDataStream.subscribe'})).toMatchObject({status: 200});
	return socket;
}

describe('market streams', () => {
	it('frames are relayed as sent (text stays text); subscriptions come from the path and confirmed SUBSCRIBE/UNSUBSCRIBE', async () => {
		const gateway = await venue.gateway();
		const socket = await open(`${gateway.ws}/ws/btcusdt@trade`);
		await trade('BTCUSDT', 91_234.5);
		expect(await socket.next(isTradeAt(91_234.5))).toMatchObject({e: 'trade', s: 'BTCUSDT'});
		expect(gateway.activity().streams).toEqual({
			connectionsOpen: 1,
			connectionsTotal: 1,
			subscriptions: ['btcusdt@trade'],
		});
		expect(await socket.request({method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 1})).toEqual({
			result: null,
			id: 1,
		});
		await trade('ETHUSDT', 3_111.5);
		expect(await socket.next(isTradeAt(3_111.5))).toMatchObject({s: 'ETHUSDT'});
		expect(gateway.activity().streams.subscriptions).toEqual(['btcusdt@trade', 'ethusdt@trade']);
		expect(await socket.request({method: 'UNSUBSCRIBE', params: ['btcusdt@trade'], id: 2})).toEqual({
			result: null,
			id: 2,
		});
		expect(gateway.activity().streams.subscriptions).toEqual(['ethusdt@trade']);
		// A SUBSCRIBE the venue refuses subscribes nothing.
		expect(await socket.request({method: 'SUBSCRIBE', params: ['nosuchcoin@trade'], id: 3})).toHaveProperty('error');
		expect(gateway.activity().streams.subscriptions).toEqual(['ethusdt@trade']);
		// Combined streams by the /stream path, and the frame type as the venue sent it.
		const raw = new WebSocket(`${gateway.ws}/stream?streams=btcusdt@trade`);
		const first = await new Promise<{binary: boolean; text: string}>((resolve, reject) => {
			raw.once('message', (data, isBinary) => resolve({binary: isBinary, text: rawText(data)}));
			raw.once('error', reject);
			raw.once('open', () => void trade('BTCUSDT', 91_300));
		});
		expect(first.binary).toBe(false);
		expect(JSON.parse(first.text)).toMatchObject({stream: 'btcusdt@trade', data: {e: 'trade'}});
		expect(gateway.activity().streams).toMatchObject({
			connectionsOpen: 2,
			subscriptions: ['btcusdt@trade', 'ethusdt@trade'],
		});
		raw.terminate();
		socket.close();
		await waitFor('both closed', () => (gateway.activity().streams.connectionsOpen === 0 ? true : undefined));
		expect(gateway.activity().streams.subscriptions).toEqual([]);
	});

	it('the venue’s refusal of an upgrade reaches the SUT as its own status; the venue closing a stream closes the SUT’s', async () => {
		const gateway = await venue.gateway();
		const directStatus = await TestClient.rejection(`${venue.mock.ws}/ws/nosuchcoin@trade`);
		expect(directStatus).toBeGreaterThanOrEqual(400);
		expect(await TestClient.rejection(`${gateway.ws}/ws/nosuchcoin@trade`)).toBe(directStatus);
		expect(await TestClient.rejection(`${gateway.ws}/not-a-stream`)).toBe(404);
		expect(gateway.activity().streams.connectionsTotal).toBe(0);
		const socket = await open(`${gateway.ws}/ws/btcusdt@trade`);
		// The venue itself cuts every connection (its own drop, not the gateway's).
		expect((await adminCall(venue.mock, 'POST', '/faults', {fault: 'drop-websockets'})).status).toBe(200);
		await socket.closed;
		await waitFor('the disconnect attributed', () =>
			gateway.activity().streams.connectionsOpen === 0 ? true : undefined,
		);
		expect(gateway.activity().events.filter(e => e.type === 'drop')).toEqual([]);
	});
});

describe('pings cross the gateway', () => {
	it('the venue’s pings reach the SUT and its pongs the venue; a SUT that never pongs is dropped by the venue, mirrored', async () => {
		const pinging = await startTlsVenue({seed: 32, pingIntervalMs: 100, pongTimeoutMs: 400});
		try {
			const gateway = await pinging.gateway();
			const polite = new WebSocket(`${gateway.ws}/ws/btcusdt@trade`);
			const rude = new WebSocket(`${gateway.ws}/ws/btcusdt@trade`, {autoPong: false});
			let pings = 0;
			polite.on('ping', () => pings++);
			const rudeClosed = new Promise<number>(resolve => rude.once('close', code => resolve(code)));
			await new Promise(resolve => rude.once('ping', resolve));
			await rudeClosed;
			// The polite one answered every ping and is still connected a whole pong timeout after the rude one was dropped.
			await sleep(500);
			expect(pings).toBeGreaterThan(0);
			expect(polite.readyState).toBe(WebSocket.OPEN);
			polite.terminate();
		} finally {
			await pinging.close();
		}
	});
});

describe('faults on the streams', () => {
	it('drop-websockets cuts market and WS API connections; resubscribed only once every stream and the session are back', async () => {
		const gateway = await venue.gateway();
		const market = await open(`${gateway.ws}/ws/btcusdt@trade`);
		await market.request({method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 1});
		const session = await wsApiSession(gateway);
		expect(gateway.activity().streams.subscriptions).toEqual([
			'btcusdt@trade',
			'ethusdt@trade',
			'ws-api:session',
			'ws-api:userData',
		]);
		gateway.faults.inject({fault: 'drop-websockets'});
		await Promise.all([market.closed, session.closed]);
		let seen = gateway.activity();
		expect(seen.events.filter(e => e.type === 'drop')).toMatchObject([
			{kind: 'drop-websockets', streams: ['btcusdt@trade', 'ethusdt@trade', 'ws-api:session', 'ws-api:userData']},
		]);
		// Back with only part of it: the drop stays pending.
		const again = await open(`${gateway.ws}/ws/btcusdt@trade`);
		await wsApiSession(gateway);
		seen = gateway.activity();
		expect(seen.events.filter(e => e.type === 'resubscribed')).toEqual([]);
		await again.request({method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 9});
		seen = gateway.activity();
		const dropId = seen.events.find(e => e.type === 'drop')!['dropId'];
		expect(seen.events.filter(e => e.type === 'resubscribed')).toMatchObject([{dropId, afterMs: expect.any(Number)}]);
	});

	it('stall-streams: connections stay open and get nothing; cleared, frames flow again', async () => {
		const gateway = await venue.gateway();
		const socket = await open(`${gateway.ws}/ws/btcusdt@trade`);
		await trade('BTCUSDT', 90_001);
		await socket.next(isTradeAt(90_001));
		gateway.faults.inject({fault: 'stall-streams'}, 60_000);
		await trade('BTCUSDT', 90_002);
		// The venue's answer to a request is a frame too: it is held back like the trades.
		socket.send({method: 'LIST_SUBSCRIPTIONS', id: 'while-stalled'});
		const from = socket.messages.length;
		await expect(socket.next(m => m['id'] === 'while-stalled', 400)).rejects.toThrow(/no matching message/);
		gateway.faults.clear();
		await trade('BTCUSDT', 90_003);
		await socket.next(isTradeAt(90_003), 3000, from);
		expect(socket.messages.some(m => isTradeAt(90_002)(m as Record<string, unknown>))).toBe(false);
		expect(socket.ws.readyState).toBe(WebSocket.OPEN);
	});
});

describe('connection faults on the streams (the fault proxy’s, applied in the gateway)', () => {
	it('connection-reset with scope streams cuts them as a drop to recover from, REST untouched; timeout silences them both ways', async () => {
		const gateway = await venue.gateway();
		const first = await open(`${gateway.ws}/ws/btcusdt@trade`);
		const reset = gateway.faults.inject({fault: 'connection-reset', params: {scope: 'streams'}}, 60_000);
		await first.closed;
		expect((await fetch(`${gateway.rest}/api/v3/ping`)).status).toBe(200);
		expect(gateway.activity().events.filter(e => e.type === 'drop')).toMatchObject([
			{kind: 'connection-reset', streams: ['btcusdt@trade']},
		]);
		gateway.faults.remove(reset.id);
		const second = await open(`${gateway.ws}/ws/btcusdt@trade`);
		expect(gateway.activity().events.filter(e => e.type === 'resubscribed')).toHaveLength(1);
		gateway.faults.inject({fault: 'timeout', params: {scope: 'streams'}}, 60_000);
		await trade('BTCUSDT', 90_101);
		second.send({method: 'LIST_SUBSCRIPTIONS', id: 'silenced'});
		const from = second.messages.length;
		await expect(second.next(m => m['id'] === 'silenced' || isTradeAt(90_101)(m), 400, from)).rejects.toThrow(
			/no matching message/,
		);
		gateway.faults.clear();
		await trade('BTCUSDT', 90_102);
		await second.next(isTradeAt(90_102), 3000, from);
		expect(second.messages.slice(from).some(m => (m as Record<string, unknown>)['id'] === 'silenced')).toBe(false);
	});
});

describe('the WebSocket API', () => {
	it('an order.place over the cap is refused locally with -2010; one under it reaches the venue', async () => {
		const gateway = await venue.gateway({caps: {maxOrderNotional: 1000}});
		const socket = await open(gateway.wsApi);
		const order = (id: string, quantity: string) => ({
			id,
			method: 'order.place',
			params: {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				price: '60000',
				quantity,
				apiKey: venue.mock.apiKey,
				timestamp: Date.now(),
				signature: 'x',
			},
		});
		expect(await socket.request(order('big', '0.02'))).toEqual({
			id: 'big',
			status: 400,
			error: {
				code: -2010,
				msg: 'drydock gateway: order notional 1200 exceeds the cap 1000 (profile live.perOrderNotionalCap)',
			},
		});
		// The venue's own answer (this mock's WS API takes no orders) proves the small one was sent on.
		const small = await socket.request(order('small', '0.001'));
		expect(small['error']).toBeDefined();
		expect((small['error'] as {code: number}).code).not.toBe(-2010);
		expect(gateway.activity().gateway).toMatchObject({capRefusals: 1});
		expect(gateway.activity().orders.rejectedByCode['-2010']).toBe(1);
	});
});

describe('the mark price for MARKET orders under the caps', () => {
	it('is the last trade the SUT’s own streams carried', async () => {
		const gateway = await venue.gateway({caps: {maxOrderNotional: 1000}});
		const sut = {rest: gateway.rest, apiKey: venue.mock.apiKey, apiSecret: venue.mock.apiSecret};
		const market = {symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: 0.02};
		expect(((await signed(sut, 'POST', '/api/v3/order', market)).body as {msg: string}).msg).toMatch(
			/no price known for BTCUSDT/,
		);
		const socket = await open(`${gateway.ws}/ws/btcusdt@trade`);
		await trade('BTCUSDT', 90_000);
		await socket.next(isTradeAt(90_000));
		const refused = await signed(sut, 'POST', '/api/v3/order', market);
		expect((refused.body as {msg: string}).msg).toMatch(/order notional \d+(\.\d+)? exceeds the cap 1000/);
	});
});

describe('WS API weight and throttling', () => {
	it('the weight a WS API answer reports in rateLimits is tracked; its 429 with retryAfter counts as the venue’s 429', async () => {
		// A scripted WS API venue on plain loopback: the mock's WS API reports no rateLimits.
		const server = new WebSocketServer({port: 0, host: '127.0.0.1'});
		await new Promise(resolve => server.once('listening', resolve));
		server.on('connection', socket => {
			socket.on('message', data => {
				const {id, method} = JSON.parse(rawText(data)) as {id: string; method: string};
				const rateLimits = [
					{rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 42},
				];
				if (method === 'time')
					socket.send(JSON.stringify({id, status: 200, result: {serverTime: Date.now()}, rateLimits}));
				else
					socket.send(
						JSON.stringify({
							id,
							status: 429,
							error: {
								code: -1003,
								msg: 'Too many requests; current limit of IP is 6000 requests per minute.',
								data: {serverTime: Date.now(), retryAfter: Date.now() + 5000},
							},
							rateLimits,
						}),
					);
			});
		});
		const port = (server.address() as {port: number}).port;
		const gateway = await venue.gateway({upstream: {...venue.upstream, wsApi: `ws://127.0.0.1:${port}/ws-api/v3`}});
		try {
			const socket = await open(gateway.wsApi);
			expect(gateway.activity().rest.weightUsed).toBe(0);
			await socket.request({id: 't', method: 'time'});
			expect(gateway.activity().rest).toMatchObject({weightUsed: 42, status429: 0});
			expect(await socket.request({id: 'x', method: 'exchangeInfo'})).toMatchObject({status: 429});
			const seen = gateway.activity();
			expect(seen.rest).toMatchObject({status429: 1, errorsByCode: {'-1003': 1}});
			expect(seen.events.filter(e => e.type === 'rate-limited')).toMatchObject([
				{path: 'ws-api:exchangeInfo', retryAfterSec: 5},
			]);
		} finally {
			for (const client of server.clients) client.terminate();
			await new Promise(resolve => server.close(resolve));
		}
	});
});

describe('user data', () => {
	it('execution reports relayed on a listenKey stream count fills and cancels the REST answers never showed', async () => {
		const gateway = await venue.gateway();
		const created = await fetch(`${gateway.rest}/api/v3/userDataStream`, {
			method: 'POST',
			headers: {'X-MBX-APIKEY': venue.mock.apiKey},
		});
		const {listenKey} = (await created.json()) as {listenKey: string};
		const stream = await open(`${gateway.ws}/ws/${listenKey}`);
		expect(gateway.activity().streams.subscriptions).toEqual(['listenKey:userData']);
		const sut = {rest: gateway.rest, apiKey: venue.mock.apiKey, apiSecret: venue.mock.apiSecret};
		const resting = await signed(sut, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: 0.001,
			price: 60_000,
			newClientOrderId: 'gw-ud-1',
		});
		expect(resting.status).toBe(200);
		const toFill = await signed(sut, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: 0.001,
			price: 61_000,
			newClientOrderId: 'gw-ud-2',
		});
		expect(toFill.status).toBe(200);
		expect(gateway.activity().orders).toMatchObject({placed: 2, open: 2, canceled: 0, filled: 0});
		// Canceled at the venue behind the gateway's back: only the execution report tells.
		expect(
			(await signed(venue.mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'gw-ud-1'})).status,
		).toBe(200);
		await stream.next(m => m['e'] === 'executionReport' && m['X'] === 'CANCELED');
		expect(gateway.activity().orders).toMatchObject({canceled: 1, open: 1});
		// A trade through its price fills the other one.
		await trade('BTCUSDT', 60_500);
		await stream.next(m => m['e'] === 'executionReport' && m['X'] === 'FILLED');
		expect(gateway.activity().orders).toMatchObject({filled: 1, open: 0});
	});
});
