/**
 * Hostile REST responses through the real client: createExchange points ccxt at a hostile venue on
 * loopback (exchangeInfo is a real mock's) that answers with truncated JSON, wrong types, NaN strings,
 * HTML error pages, empty and 10 MB bodies, odd statuses and garbage headers. Every call either
 * resolves with clean values (no NaN anywhere) or rejects with a typed ExchangeError that says why,
 * within the timeout; nothing crashes; no key or signature appears in a message.
 */
import type http from 'node:http';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ExchangeError, createExchange, exchangeErrorKinds, type ExchangeClient} from '../../source/exchange/index.js';
import {startMockExchange} from '../../source/mock/index.js';
import {exchangeInfoOf, startHostileHttp, type HostileHttp} from './helpers.js';
import {fuzzConfig, hostileNumber, trapProcessFailures, truncate, withSeed, type Rng} from './helpers.js';

const API_KEY = 'FuzzApiKeyQ7w3e9r1t5y8u2i4o6p0aSdFgHjKlZxCvBnM1234567890abcdefXY';
const SECRET = 'FuzzSecretZ9x8c7v6b5n4m3l2k1j0hGfDsApOiUyTrEwQ0987654321zyxwvuTS';
const TIMEOUT_MS = 1500;

type Call = {name: string; run: (c: ExchangeClient) => Promise<unknown>};

const calls: Call[] = [
	{name: 'ping', run: c => c.ping()},
	{name: 'fetchTime', run: c => c.fetchTime()},
	{name: 'fetchTicker', run: c => c.fetchTicker('BTC/USDT')},
	{name: 'fetchOrderBook', run: c => c.fetchOrderBook('BTC/USDT', 5)},
	{name: 'fetchOHLCV', run: c => c.fetchOHLCV('BTC/USDT', '1m', undefined, 5)},
	{name: 'fetchTrades', run: c => c.fetchTrades('BTC/USDT', undefined, 5)},
	{name: 'fetchBalance', run: c => c.fetchBalance()},
	{name: 'fetchApiRestrictions', run: c => c.fetchApiRestrictions()},
	{
		name: 'createOrder',
		run: c =>
			c.createOrder({
				symbol: 'BTC/USDT',
				side: 'buy',
				type: 'limit',
				amount: 0.001,
				price: 20000,
				clientOrderId: 'fuzz1',
			}),
	},
	{name: 'fetchOrder', run: c => c.fetchOrder('BTC/USDT', {clientOrderId: 'fuzz1'})},
	{name: 'cancelOrder', run: c => c.cancelOrder('BTC/USDT', {id: '12'})},
	{name: 'fetchOpenOrders', run: c => c.fetchOpenOrders('BTC/USDT')},
	{name: 'fetchMyTrades', run: c => c.fetchMyTrades('BTC/USDT')},
];

const plausibleBodies = [
	'{"serverTime":1700000000000}',
	'{"symbol":"BTCUSDT","lastPrice":"50000.00","bidPrice":"49999.00","askPrice":"50001.00","volume":"10","openTime":1,"closeTime":2}',
	'{"lastUpdateId":10,"bids":[["50000.00","1.0"]],"asks":[["50001.00","2.0"]]}',
	'[[1700000000000,"1","2","0.5","1.5","10",1700000059999,"15",3,"5","7","0"]]',
	'[{"a":1,"p":"50000.00","q":"0.1","f":1,"l":1,"T":1700000000000,"m":true,"M":true}]',
	'{"makerCommission":10,"balances":[{"asset":"BTC","free":"1.0","locked":"0.0"},{"asset":"USDT","free":"1000","locked":"5"}]}',
	'{"symbol":"BTCUSDT","orderId":12,"clientOrderId":"fuzz1","price":"20000.00","origQty":"0.001","executedQty":"0","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY","transactTime":1700000000000,"fills":[]}',
	'[{"symbol":"BTCUSDT","id":5,"orderId":12,"price":"1","qty":"1","quoteQty":"1","commission":"0","commissionAsset":"BNB","time":1,"isBuyer":true,"isMaker":false}]',
	'{"ipRestrict":false,"enableWithdrawals":false,"enableReading":true,"enableSpotAndMarginTrading":true}',
];

/** Replaces random JSON values with hostile ones, keeping the shape roughly. */
function mangle(rng: Rng, text: string): string {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return text;
	}
	const walk = (v: unknown): unknown => {
		if (Array.isArray(v)) return v.map(walk);
		if (v !== null && typeof v === 'object') {
			const out: Record<string, unknown> = {};
			for (const [k, item] of Object.entries(v)) out[k] = rng.chance(0.35) ? hostileNumber(rng) : walk(item);
			return out;
		}
		return rng.chance(0.35) ? hostileNumber(rng) : v;
	};
	return JSON.stringify(walk(value));
}

interface Planned {
	what: string;
	handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
}

function reply(
	status: number,
	body: string | Buffer,
	headers: Record<string, string> = {'content-type': 'application/json'},
): Planned['handler'] {
	return (_req, res) => {
		res.writeHead(status, headers);
		res.end(body);
	};
}

function plan(rng: Rng): Planned {
	const family = rng.int(10);
	const body = rng.pick(plausibleBodies);
	const status = rng.pick([200, 200, 200, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504]);
	switch (family) {
		case 0:
			return {what: `truncated ${status}`, handler: reply(status, truncate(rng, body))};
		case 1:
			return {what: `mangled ${status}`, handler: reply(status, mangle(rng, body))};
		case 2:
			return {
				what: `wrong shape ${status}`,
				handler: reply(
					status,
					rng.pick([
						'[]',
						'{}',
						'null',
						'"text"',
						'123',
						'[null]',
						'[[]]',
						'{"bids":"x","asks":5}',
						'{"balances":{}}',
						'[{"a":{}}]',
					]),
				),
			};
		case 3:
			return {
				what: `html ${status}`,
				handler: reply(status, '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1>cloudflare</body></html>', {
					'content-type': 'text/html',
				}),
			};
		case 4:
			return {what: `empty ${status}`, handler: reply(status, '')};
		case 5:
			return {
				what: `binance error with hostile fields ${status}`,
				handler: reply(status, JSON.stringify({code: hostileNumber(rng), msg: hostileNumber(rng)})),
			};
		case 6:
			return {
				what: `garbage headers ${status}`,
				handler: reply(status, body, {
					'content-type': 'application/json',
					'x-mbx-used-weight-1m': String(hostileNumber(rng)),
					'retry-after': rng.pick(['soon', '-5', '1e400', 'NaN', '']),
				}),
			};
		case 7:
			return {
				what: `echoes the request ${status}`,
				handler: (req, res) => {
					res.writeHead(status, {'content-type': 'application/json'});
					res.end(
						JSON.stringify({
							code: -1022,
							msg: `bad: ${req.method} ${req.url} key=${String(req.headers['x-mbx-apikey'])}`,
						}),
					);
				},
			};
		case 8:
			return {what: `random text ${status}`, handler: reply(status, rng.text(300))};
		default:
			return {
				what: `random bytes ${status}`,
				handler: reply(status, rng.bytes(rng.int(500)), {'content-type': 'application/octet-stream'}),
			};
	}
}

/** No NaN or infinite number anywhere in a resolved value. */
function assertClean(value: unknown, path = '$'): void {
	if (typeof value === 'number') {
		expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
		return;
	}
	if (Array.isArray(value)) value.forEach((item, i) => assertClean(item, `${path}[${i}]`));
	else if (value !== null && typeof value === 'object')
		for (const [key, item] of Object.entries(value)) if (key !== 'raw') assertClean(item, `${path}.${key}`);
}

describe('hostile REST responses', () => {
	let hostile: HostileHttp;
	let client: ExchangeClient;
	const trap = trapProcessFailures();

	beforeAll(async () => {
		const mock = await startMockExchange({port: 0, host: '127.0.0.1', seed: 5, quiet: true});
		const info = await exchangeInfoOf(mock.rest);
		await mock.close();
		hostile = await startHostileHttp({exchangeInfo: info});
		client = await createExchange({
			environment: 'mock',
			restUrl: hostile.url,
			wsUrl: 'ws://127.0.0.1:9',
			apiKey: API_KEY,
			secret: SECRET,
			enableRateLimit: false,
			timeoutMs: TIMEOUT_MS,
		});
		await client.loadMarkets();
	}, 30_000);

	afterAll(async () => {
		await client?.close();
		await hostile?.close();
		trap.remove();
	});

	async function outcome(call: Call): Promise<{ok: true; value: unknown} | {ok: false; error: unknown}> {
		const started = Date.now();
		try {
			const value = await call.run(client);
			return {ok: true, value};
		} catch (error) {
			return {ok: false, error};
		} finally {
			expect(Date.now() - started, `${call.name} took too long`).toBeLessThan(TIMEOUT_MS + 2000);
		}
	}

	it('every call resolves clean or rejects with a typed ExchangeError', async () => {
		const config = fuzzConfig(150);
		let rejected = 0;
		await withSeed('rest fuzz', config, async (rng, cases, note) => {
			for (let i = 0; i < cases; i++) {
				const call = rng.pick(calls);
				const planned = plan(rng);
				note(`case ${i}: ${call.name} ← ${planned.what}`);
				hostile.handle(planned.handler);
				const result = await outcome(call);
				if (result.ok) {
					assertClean(result.value);
					continue;
				}
				rejected++;
				const error = result.error;
				expect(error, String(error)).toBeInstanceOf(ExchangeError);
				const typed = error as ExchangeError;
				expect(exchangeErrorKinds).toContain(typed.kind);
				expect(typed.message.length).toBeGreaterThan(0);
				expect(typed.message).not.toContain(API_KEY);
				expect(typed.message).not.toContain(SECRET);
				expect(typed.message).not.toMatch(/signature=[0-9a-f]{8}/);
			}
			expect(trap.failures, String(trap.failures[0])).toEqual([]);
		});
		expect(rejected).toBeGreaterThan(0);
	}, 120_000);

	it('names what was wrong: HTML, empty and truncated 200s are `unavailable` with the body described', async () => {
		hostile.handle(reply(200, '<html><body>Service temporarily down</body></html>', {'content-type': 'text/html'}));
		const html = await outcome(calls[2]!);
		expect(html.ok).toBe(false);
		expect(html.ok ? null : html.error).toMatchObject({kind: 'unavailable', httpStatus: 200});
		expect(String((html as {error: Error}).error.message)).toMatch(
			/GET .*\/api\/v3\/ticker\/24hr answered 200 with a body that is not JSON .*Service temporarily down/,
		);

		hostile.handle(reply(200, ''));
		const empty = await outcome(calls[0]!);
		expect(empty.ok ? null : (empty.error as ExchangeError).message).toMatch(/answered 200 with an empty body/);

		hostile.handle(reply(200, '{"serverTime":17000'));
		const truncated = await outcome(calls[1]!);
		expect(truncated.ok ? null : truncated.error).toMatchObject({kind: 'unavailable'});

		hostile.handle(reply(200, '{"serverTime":"NaN"}'));
		const nan = await outcome(calls[1]!);
		expect(nan.ok ? null : (nan.error as ExchangeError).message).toMatch(/no usable serverTime/);

		hostile.handle(reply(502, '<html>Bad Gateway</html>', {'content-type': 'text/html'}));
		const gateway = await outcome(calls[0]!);
		expect(gateway.ok ? null : gateway.error).toMatchObject({kind: 'unavailable', httpStatus: 502});
	});

	it('10 MB bodies: parsed or refused within the timeout, never a crash', async () => {
		const huge = JSON.stringify({
			lastUpdateId: 1,
			bids: Array.from({length: 200_000}, (_, i) => [String(50_000 - i * 0.01), 'NaN']),
			asks: [['50001.00', '1']],
			pad: 'p'.repeat(5 * 1024 * 1024),
		});
		expect(huge.length).toBeGreaterThan(8 * 1024 * 1024);
		hostile.handle(reply(200, huge));
		const book = await outcome(calls[3]!);
		// NaN levels are dropped, the good one kept.
		if (book.ok) {
			assertClean(book.value);
			expect((book.value as {asks: unknown[]}).asks).toEqual([[50001, 1]]);
		} else {
			expect(book.error).toBeInstanceOf(ExchangeError);
		}
		hostile.handle(reply(200, `<html>${'x'.repeat(10 * 1024 * 1024)}</html>`, {'content-type': 'text/html'}));
		const html = await outcome(calls[2]!);
		expect(html.ok ? null : html.error).toMatchObject({kind: 'unavailable'});
		expect((html as {error: Error}).error.message.length).toBeLessThan(1000);
		expect(trap.failures).toEqual([]);
	}, 30_000);
});
