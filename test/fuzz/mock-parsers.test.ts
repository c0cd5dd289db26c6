/**
 * The mock's own parsers under random garbage: REST query strings, form bodies and headers (signed
 * with the real key half the time, so the garbage reaches the handlers), market-stream control frames,
 * WebSocket API requests and upgrade URLs. Every answer is Binance-shaped (`{code,msg}` on REST,
 * `{error:{code,msg},id}` / `{status,error}` on WebSocket) or a close with a reason; never the mock's
 * internal-error 500; and a second, well-behaved client is served throughout.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import WebSocket from 'ws';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';
import {Params} from '../../source/mock/http/params.js';
import {ApiError} from '../../source/mock/http/errors.js';
import {hmacHex} from '../../source/mock/signing.js';
import {parseControlFrame} from '../../source/mock/ws/control-frames.js';
import {routeUpgrade} from '../../source/mock/ws/upgrade-routes.js';
import {fuzzConfig, hostileNumber, sleep, withSeed, type Rng} from './helpers.js';
import {rawText} from '../../source/mock/ws/raw-text.js';

const paths = [
	'GET /api/v3/ping',
	'GET /api/v3/time',
	'GET /api/v3/depth',
	'GET /api/v3/trades',
	'GET /api/v3/historicalTrades',
	'GET /api/v3/aggTrades',
	'GET /api/v3/klines',
	'GET /api/v3/uiKlines',
	'GET /api/v3/avgPrice',
	'GET /api/v3/ticker/24hr',
	'GET /api/v3/ticker/price',
	'GET /api/v3/ticker/bookTicker',
	'GET /api/v3/account',
	'GET /api/v3/account/commission',
	'GET /sapi/v1/account/apiRestrictions',
	'POST /api/v3/userDataStream',
	'PUT /api/v3/userDataStream',
	'DELETE /api/v3/userDataStream',
	'POST /api/v3/order',
	'POST /api/v3/order/test',
	'GET /api/v3/order',
	'DELETE /api/v3/order',
	'DELETE /api/v3/openOrders',
	'GET /api/v3/openOrders',
	'GET /api/v3/allOrders',
	'GET /api/v3/myTrades',
	'GET /api/v3/rateLimit/order',
	'PATCH /api/v3/order',
	'GET /api/v3/nope',
];
const names = [
	'symbol',
	'symbols',
	'limit',
	'interval',
	'startTime',
	'endTime',
	'fromId',
	'side',
	'type',
	'quantity',
	'quoteOrderQty',
	'price',
	'timeInForce',
	'newClientOrderId',
	'origClientOrderId',
	'orderId',
	'listenKey',
	'recvWindow',
	'newOrderRespType',
	'stopPrice',
	'icebergQty',
	'windowSize',
	'type',
	'',
];
const values = [
	'BTCUSDT',
	'ETHUSDT',
	'btcusdt',
	'["BTCUSDT","ETHUSDT"]',
	'["BTCUSDT",',
	'1m',
	'1M',
	'5',
	'-1',
	'0',
	'1000000',
	'99999999999999999999',
	'1e5',
	'NaN',
	'BUY',
	'SELL',
	'LIMIT',
	'MARKET',
	'LIMIT_MAKER',
	'GTC',
	'FOK',
	'0.001',
	'50000',
	'0.00000001',
	'FULL',
	'%00',
	'%E2%82',
	'é',
	'a'.repeat(2000),
	'',
];

function randomQuery(rng: Rng): string {
	const parts: string[] = [];
	const n = rng.int(8);
	for (let i = 0; i < n; i++) {
		if (rng.chance(0.1)) {
			parts.push(rng.text(20));
			continue;
		}
		const value = rng.chance(0.15) ? String(hostileNumber(rng)) : rng.pick(values);
		parts.push(`${rng.pick(names)}=${rng.chance(0.7) ? encodeURIComponent(value) : value}`);
	}
	return parts.join(rng.chance(0.9) ? '&' : rng.pick([';', '&&', '=']));
}

function hostileFrame(rng: Rng): string {
	const id = rng.pick<unknown>([
		1,
		'abc',
		null,
		-1,
		1.5,
		'x'.repeat(40),
		{},
		[],
		Number.MAX_SAFE_INTEGER + 2,
		undefined,
	]);
	const method = rng.pick<unknown>([
		'SUBSCRIBE',
		'UNSUBSCRIBE',
		'LIST_SUBSCRIPTIONS',
		'SET_PROPERTY',
		'GET_PROPERTY',
		'subscribe',
		5,
		null,
		'X'.repeat(100),
		undefined,
	]);
	const params = rng.pick<unknown>([
		['btcusdt@trade'],
		['btcusdt@depth@100ms', 'ethusdt@kline_1m'],
		['zzzusdt@trade'],
		['BTCUSDT@TRADE'],
		['combined', true],
		['combined', 'yes'],
		['combined'],
		['nope'],
		[],
		[1, 2],
		'btcusdt@trade',
		{},
		null,
		undefined,
		[rng.text(40)],
	]);
	const frame = JSON.stringify({method, params, id});
	switch (rng.int(6)) {
		case 0:
			return frame.slice(0, rng.int(frame.length));
		case 1:
			return rng.text(120);
		case 2:
			return rng.pick(['[]', 'null', '1', '"x"', '{}', '[{"method":"SUBSCRIBE"}]']);
		default:
			return frame;
	}
}

function hostileApiRequest(rng: Rng): string {
	const id = rng.pick<unknown>([1, 'req-1', null, {}, 'x'.repeat(100), undefined]);
	const method = rng.pick<unknown>([
		'ping',
		'time',
		'session.logon',
		'session.status',
		'session.logout',
		'session.subscriptions',
		'userDataStream.subscribe',
		'userDataStream.subscribe.signature',
		'userDataStream.unsubscribe',
		'v3/ping',
		'order.place',
		'',
		7,
		undefined,
	]);
	const params = rng.pick<unknown>([
		{},
		{apiKey: 'x', timestamp: 'NaN', signature: 'zz'},
		{subscriptionId: rng.pick<unknown>([0, '0', -1, 'x', null, 1e300])},
		[],
		'x',
		null,
		undefined,
		{apiKey: hostileNumber(rng), timestamp: hostileNumber(rng), signature: hostileNumber(rng)},
	]);
	const text = JSON.stringify({id, method, params});
	return rng.chance(0.15) ? text.slice(0, rng.int(text.length)) : text;
}

/** Every byte percent-encoded (encodeURIComponent refuses lone surrogates, which rng.text makes). */
function percentEncoded(text: string): string {
	return [...Buffer.from(text)].map(byte => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

describe('mock parsers, unit level', () => {
	it('parseControlFrame, Params and routeUpgrade never throw anything but ApiError', async () => {
		const config = fuzzConfig(4000);
		await withSeed('parser fuzz', config, async (rng, cases, note) => {
			const context = {
				hasSymbol: (s: string) => s === 'BTCUSDT',
				apiKeyForListenKey: (k: string) => (k === 'goodkey' ? 'key' : undefined),
				maxStreams: 5,
			};
			for (let i = 0; i < cases; i++) {
				const frame = hostileFrame(rng);
				note(`case ${i}: control frame ${JSON.stringify(frame)}`);
				const parsed = parseControlFrame(frame);
				if (!parsed.ok) expect([0, 1, 2, 3]).toContain(parsed.error.code);
				const query = randomQuery(rng);
				note(`case ${i}: query ${JSON.stringify(query)}`);
				try {
					const params = new Params(query, rng.chance(0.3) ? randomQuery(rng) : '');
					for (const name of names) {
						try {
							params.symbol(name);
							params.decimal(name);
							params.integer(name);
							params.clientId(name);
							params.string(name);
						} catch (error) {
							expect(error).toBeInstanceOf(ApiError);
						}
					}
				} catch (error) {
					expect(error).toBeInstanceOf(ApiError);
				}
				const url =
					rng.pick(['/ws/', '/stream?streams=', '/ws-api/v3', '/', '//', '/ws/%', '/ws/a@b/c', '']) + rng.text(30);
				note(`case ${i}: upgrade ${JSON.stringify(url)}`);
				const route = routeUpgrade(url, context);
				expect(['market', 'listenKey', 'wsApi', 'reject']).toContain(route.kind);
			}
		});
	});
});

describe('mock servers under garbage', () => {
	let mock: MockExchange;
	let keepGoing = true;
	let served = 0;
	const failures: string[] = [];
	let background: Promise<void>;

	beforeAll(async () => {
		mock = await startMockExchange({
			host: '127.0.0.1',
			port: 0,
			seed: 9,
			weightLimitPerMinute: 10_000_000,
			ordersPer10s: 1_000_000,
			quiet: true,
		});
		background = (async () => {
			while (keepGoing) {
				try {
					const response = await fetch(`${mock.rest}/api/v3/ticker/price?symbol=ETHUSDT`);
					if (response.status !== 200) failures.push(`status ${response.status}`);
					await response.text();
					served++;
				} catch (error) {
					failures.push(String(error));
				}
				await sleep(10);
			}
		})();
	});

	afterAll(async () => {
		keepGoing = false;
		await background;
		await mock.close();
	});

	it('REST: every answer to a garbage request is Binance-shaped, never an internal error', async () => {
		const config = fuzzConfig(300);
		await withSeed('mock REST fuzz', config, async (rng, cases, note) => {
			for (let i = 0; i < cases; i++) {
				const [method, path] = rng.pick(paths).split(' ') as [string, string];
				let query = randomQuery(rng);
				let body = method === 'GET' ? '' : rng.chance(0.5) ? randomQuery(rng) : '';
				const headers: Record<string, string> = {};
				if (rng.chance(0.7))
					headers['X-MBX-APIKEY'] = rng.chance(0.8) ? mock.apiKey : rng.pick(['', 'x', 'é', 'k'.repeat(200)]);
				if (rng.chance(0.5)) {
					// Signed for real, so the garbage parameters reach the handlers.
					const timestamp = `timestamp=${Date.now()}`;
					if (rng.chance(0.5) || body === '') {
						const signed = `${query}${query ? '&' : ''}${timestamp}`;
						query = `${signed}&signature=${hmacHex(mock.apiSecret, signed + body)}`;
					} else {
						const signed = `${body}&${timestamp}`;
						body = `${signed}&signature=${hmacHex(mock.apiSecret, query + signed)}`;
					}
				}
				if (body !== '')
					headers['content-type'] = rng.pick(['application/x-www-form-urlencoded', 'application/json', 'text/plain']);
				note(`case ${i}: ${method} ${path}?${query} body=${JSON.stringify(body)}`);
				let status: number;
				let text: string;
				try {
					const response = await fetch(`${mock.rest}${path}${query ? '?' + query : ''}`, {
						method,
						headers,
						...(body !== '' ? {body} : {}),
						signal: AbortSignal.timeout(5000),
					});
					status = response.status;
					text = await response.text();
				} catch (error) {
					// fetch itself refuses some header values: not the server's business.
					if (String(error).includes('TimeoutError')) throw error;
					continue;
				}
				if (status >= 400) {
					const parsed = JSON.parse(text) as {code?: unknown; msg?: unknown};
					expect(typeof parsed.code, text).toBe('number');
					expect(typeof parsed.msg, text).toBe('string');
					expect(status, `internal error on ${method} ${path}: ${text}`).not.toBe(500);
				} else {
					expect(() => JSON.parse(text), text.slice(0, 200)).not.toThrow();
				}
			}
		});
		expect(failures).toEqual([]);
		expect(served).toBeGreaterThan(5);
	}, 120_000);

	it('WebSocket: garbage control frames get {error:{code,msg},id} or a close with a reason', async () => {
		const config = fuzzConfig(120);
		await withSeed('mock WS fuzz', config, async (rng, cases, note) => {
			// A well-behaved stream client must keep receiving throughout.
			const good = new WebSocket(`${mock.ws}/ws/btcusdt@bookTicker`);
			let goodFrames = 0;
			good.on('message', () => goodFrames++);
			await new Promise(resolve => good.once('open', resolve));
			let i = 0;
			while (i < cases) {
				const api = rng.chance(0.3);
				const ws = new WebSocket(api ? `${mock.ws}/ws-api/v3` : `${mock.ws}/ws`);
				const replies: string[] = [];
				let closed: {code: number; reason: string} | undefined;
				ws.on('message', data => replies.push(rawText(data)));
				ws.on('close', (code, reason) => (closed = {code, reason: reason.toString()}));
				ws.on('error', () => {});
				await new Promise((resolve, reject) => {
					ws.once('open', resolve);
					ws.once('error', reject);
				});
				// Under Binance's 5 incoming frames per second per connection.
				const batch = 1 + rng.int(4);
				let sent = 0;
				for (let j = 0; j < batch && i < cases; j++, i++) {
					if (rng.chance(0.05)) {
						note(`case ${i}: binary frame`);
						ws.send(rng.bytes(1 + rng.int(64)), {binary: true});
						sent = -1;
						break;
					}
					const frame = api ? hostileApiRequest(rng) : hostileFrame(rng);
					note(`case ${i}: ${api ? 'ws-api' : 'ws'} ${JSON.stringify(frame)}`);
					ws.send(frame);
					sent++;
				}
				const deadline = Date.now() + 3000;
				while (Date.now() < deadline && closed === undefined && replies.filter(r => !/"e":/.test(r)).length < sent)
					await sleep(5);
				if (sent === -1) {
					while (Date.now() < deadline && closed === undefined) await sleep(5);
					expect(closed, 'a binary frame closes the connection').toBeDefined();
					expect(closed!.code).toBe(1003);
					expect(closed!.reason).toMatch(/Binary frames are not supported/);
				} else {
					const answers = replies.filter(r => !/"e":/.test(r)).map(r => JSON.parse(r) as Record<string, unknown>);
					expect(
						answers.length,
						`answers to ${sent} frames: ${JSON.stringify(replies)}; closed ${JSON.stringify(closed)}`,
					).toBe(sent);
					for (const answer of answers) {
						expect('id' in answer, JSON.stringify(answer)).toBe(true);
						if ('error' in answer) {
							const error = answer['error'] as {code?: unknown; msg?: unknown};
							expect(typeof error.code).toBe('number');
							expect(typeof error.msg).toBe('string');
							if (api) expect(answer['status'], JSON.stringify(answer)).not.toBe(500);
						} else {
							expect('result' in answer, JSON.stringify(answer)).toBe(true);
						}
					}
				}
				ws.terminate();
			}
			const before = goodFrames;
			await sleep(600);
			expect(goodFrames, 'the well-behaved stream client kept receiving').toBeGreaterThan(before);
			good.terminate();
		});
		expect(failures).toEqual([]);
	}, 120_000);

	it('WebSocket: garbage upgrade URLs are refused with a status and a reason', async () => {
		const config = fuzzConfig(40);
		await withSeed('mock upgrade fuzz', config, async (rng, cases, note) => {
			for (let i = 0; i < cases; i++) {
				const path =
					rng.pick(['/ws/', '/stream?streams=', '/nope/', '/ws/%zz', '/ws/a@b/c/', '/ws/zzzusdt@trade']) +
					percentEncoded(rng.text(20));
				note(`case ${i}: ${path}`);
				const outcome = await new Promise<string>(resolve => {
					const ws = new WebSocket(`${mock.ws}${path}`);
					ws.on('unexpected-response', (_req, res) => {
						resolve(`http ${res.statusCode}`);
						ws.terminate();
					});
					ws.on('open', () => {
						resolve('open');
						ws.terminate();
					});
					ws.on('error', error => resolve(`error ${error.message}`));
				});
				expect(outcome).toMatch(/^(open|http (400|404))$/);
			}
		});
	}, 60_000);
});
