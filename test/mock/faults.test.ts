import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import WebSocket from 'ws';
import type {MockExchange} from '../../source/mock/index.js';
import {adminCall, expectError, publicGet, signed, sleep, startMock, waitFor} from './helpers.js';
import {rawText} from '../../source/mock/ws/raw-text.js';

describe('faults over the admin API, each observed from a client, and their end', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 3});
	});
	afterAll(async () => {
		await mock.close();
	});

	const timed = async (path: string) => {
		const t = performance.now();
		const r = await publicGet(mock, path);
		return {r, ms: performance.now() - t};
	};

	afterEach(async () => {
		await adminCall(mock, 'DELETE', '/faults');
	});

	it('lists, rejects malformed fault bodies with a message, removes by id and clears', async () => {
		expect((await adminCall(mock, 'GET', '/faults')).body).toEqual({faults: []});
		const bad = await adminCall(mock, 'POST', '/faults', {fault: 'meteor'});
		expect(bad.status).toBe(400);
		expect((bad.body as {msg: string}).msg).toContain('"fault" must be one of');
		const badParams = await adminCall(mock, 'POST', '/faults', {fault: 'latency', params: {ms: 'slow'}});
		expect(badParams.status).toBe(400);
		expect((badParams.body as {msg: string}).msg).toContain('params.ms');
		const notJson = await fetch(`${mock.admin}/faults`, {method: 'POST', body: '{nope'});
		expect(notJson.status).toBe(400);
		const added = (await adminCall(mock, 'POST', '/faults', {fault: 'latency', params: {ms: 1}})).body as {
			fault: {id: string};
		};
		expect(((await adminCall(mock, 'GET', '/faults')).body as {faults: unknown[]}).faults).toHaveLength(1);
		expect((await adminCall(mock, 'DELETE', `/faults/${added.fault.id}`)).status).toBe(200);
		await adminCall(mock, 'POST', '/faults', {fault: 'latency', params: {ms: 1}});
		await adminCall(mock, 'POST', '/faults', {fault: 'clock-skew', params: {ms: 1}});
		expect((await adminCall(mock, 'DELETE', '/faults')).body).toEqual({cleared: 2});
	});

	it('latency: fixed + jitter on one route only, gone after DELETE', async () => {
		await adminCall(mock, 'POST', '/faults', {
			fault: 'latency',
			params: {ms: 300, jitterMs: 50, route: '/api/v3/ticker/price'},
		});
		const slow = await timed('/api/v3/ticker/price?symbol=BTCUSDT');
		expect(slow.r.status).toBe(200);
		expect(slow.ms).toBeGreaterThanOrEqual(295);
		const other = await timed('/api/v3/time');
		expect(other.ms).toBeLessThan(250);
		await adminCall(mock, 'DELETE', '/faults');
		expect((await timed('/api/v3/ticker/price?symbol=BTCUSDT')).ms).toBeLessThan(250);
	});

	it('error-rate: 5xx with the given probability until its duration ends', async () => {
		await adminCall(mock, 'POST', '/faults', {
			fault: 'error-rate',
			params: {probability: 1, status: 503},
			durationMs: 600,
		});
		const failed = await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT');
		expect(failed.status).toBe(503);
		expect(failed.body).toMatchObject({msg: expect.any(String)});
		await sleep(700);
		expect((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).status).toBe(200);
		await adminCall(mock, 'POST', '/faults', {
			fault: 'error-rate',
			params: {probability: 1, status: 500, route: 'GET /api/v3/time'},
			durationMs: 600,
		});
		expectError(await publicGet(mock, '/api/v3/time'), -1001);
		expect((await publicGet(mock, '/api/v3/ping')).status).toBe(200);
		await sleep(700);
		expect((await publicGet(mock, '/api/v3/time')).status).toBe(200);
		expect((await adminCall(mock, 'GET', '/faults')).body).toEqual({faults: []});
	});

	it('error-rate with probability 0.5 fails about half the requests', async () => {
		await adminCall(mock, 'POST', '/faults', {fault: 'error-rate', params: {probability: 0.5}});
		let failed = 0;
		for (let i = 0; i < 60; i++) if ((await publicGet(mock, '/api/v3/ping')).status === 503) failed++;
		await adminCall(mock, 'DELETE', '/faults');
		expect(failed).toBeGreaterThan(10);
		expect(failed).toBeLessThan(50);
	});

	it('rate-limit-storm: every request 429 with Retry-After, then normal again', async () => {
		await adminCall(mock, 'POST', '/faults', {fault: 'rate-limit-storm', params: {retryAfterSec: 7}});
		const r = await publicGet(mock, '/api/v3/ping');
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBe('7');
		expectError(r, -1003);
		expect((await signed(mock, 'GET', '/api/v3/account')).status).toBe(429);
		await adminCall(mock, 'DELETE', '/faults');
		expect((await publicGet(mock, '/api/v3/ping')).status).toBe(200);
	});

	it('clock-skew: serverTime moves and signed requests fall outside recvWindow, until cleared', async () => {
		await adminCall(mock, 'POST', '/faults', {fault: 'clock-skew', params: {ms: -30_000}});
		const skewed = (await publicGet(mock, '/api/v3/time')).body as {serverTime: number};
		expect(Date.now() - skewed.serverTime).toBeGreaterThan(29_000);
		expectError(await signed(mock, 'GET', '/api/v3/account'), -1021);
		await adminCall(mock, 'DELETE', '/faults');
		const normal = (await publicGet(mock, '/api/v3/time')).body as {serverTime: number};
		expect(Math.abs(Date.now() - normal.serverTime)).toBeLessThan(1000);
		expect((await signed(mock, 'GET', '/api/v3/account')).status).toBe(200);
	});

	it('pause-market: no trades and no book changes while paused; the market resumes after', async () => {
		await adminCall(mock, 'POST', '/faults', {fault: 'pause-market'});
		await sleep(150);
		const depth1 = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {lastUpdateId: number};
		const trades1 = (await publicGet(mock, '/api/v3/trades?symbol=BTCUSDT&limit=1')).body as Array<{id: number}>;
		await sleep(800);
		const depth2 = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {lastUpdateId: number};
		const trades2 = (await publicGet(mock, '/api/v3/trades?symbol=BTCUSDT&limit=1')).body as Array<{id: number}>;
		expect(depth2.lastUpdateId).toBe(depth1.lastUpdateId);
		expect(trades2[0]!.id).toBe(trades1[0]!.id);
		await adminCall(mock, 'DELETE', '/faults');
		await waitFor('book moving again', async () => {
			const d = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {lastUpdateId: number};
			return d.lastUpdateId > depth2.lastUpdateId ? d : undefined;
		});
	});

	const open = (path: string) =>
		new Promise<{socket: WebSocket; messages: unknown[]}>((resolve, reject) => {
			const socket = new WebSocket(`${mock.ws}${path}`);
			const messages: unknown[] = [];
			socket.on('message', data => messages.push(JSON.parse(rawText(data))));
			socket.once('open', () => resolve({socket, messages}));
			socket.once('error', reject);
		});

	it('stall-streams: connections stay open but silent; data flows again after', async () => {
		const {socket, messages} = await open('/ws/btcusdt@depth@100ms');
		await waitFor('first depth update', () => (messages.length > 0 ? true : undefined));
		await adminCall(mock, 'POST', '/faults', {fault: 'stall-streams', durationMs: 800});
		await sleep(150);
		const during = messages.length;
		await sleep(500);
		expect(messages.length).toBe(during);
		expect(socket.readyState).toBe(WebSocket.OPEN);
		await waitFor('updates after the stall', () => (messages.length > during ? true : undefined), 3000);
		socket.close();
	});

	it('drop-websockets: every connection is closed at once; stats show them gone', async () => {
		const a = await open('/ws/btcusdt@trade');
		const b = await open('/stream?streams=ethusdt@depth@100ms/btcusdt@bookTicker');
		await waitFor('connections counted', async () => {
			const s = (await adminCall(mock, 'GET', '/stats')).body as {websocket: {openConnections: number}};
			return s.websocket.openConnections >= 2 ? s : undefined;
		});
		const closed = Promise.all(
			[a, b].map(({socket}) => new Promise<number>(resolve => socket.once('close', code => resolve(code)))),
		);
		const injected = await adminCall(mock, 'POST', '/faults', {fault: 'drop-websockets'});
		expect(injected.status).toBe(200);
		const codes = await closed;
		expect(codes).toHaveLength(2);
		const stats = await waitFor('no open connections', async () => {
			const s = (await adminCall(mock, 'GET', '/stats')).body as {
				websocket: {openConnections: number; messagesSent: number};
			};
			return s.websocket.openConnections === 0 ? s : undefined;
		});
		expect(stats.websocket.messagesSent).toBeGreaterThan(0);
		// A one-shot drop: new connections are welcome again.
		const c = await open('/ws/btcusdt@depth@100ms');
		await waitFor('data on a new connection', () => (c.messages.length > 0 ? true : undefined));
		c.socket.close();
	});

	it('programmatic control through mock.faults mirrors the HTTP API', async () => {
		mock.faults.inject({fault: 'error-rate', params: {probability: 1, status: 502}});
		expect((await publicGet(mock, '/api/v3/ping')).status).toBe(502);
		expect(mock.stats().faults).toHaveLength(1);
		mock.faults.clear();
		expect((await publicGet(mock, '/api/v3/ping')).status).toBe(200);
		expect(mock.stats().requests.byRoute['GET /api/v3/ping']).toMatchObject({
			'200': expect.any(Number),
			'502': expect.any(Number),
		});
	});
});
