/**
 * The gateway's REST side against a local TLS venue (the mock behind a TLS terminator): requests pass
 * unchanged (the mock checks the SUT's signature), answers come back with the venue's headers, and the
 * SUT's activity is attributed from what passes. No network beyond loopback.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createExchange} from '../../../source/exchange/index.js';
import type {Gateway} from '../../../source/mock/gateway/index.js';
import {expectError, signed, type Reply, type Venue} from '../helpers.js';
import {startTlsVenue, type TlsVenue} from './helpers.js';

let venue: TlsVenue;

beforeAll(async () => {
	venue = await startTlsVenue({seed: 21});
});

afterAll(async () => {
	await venue?.close();
});

/** The SUT as a client of the gateway: the mock's default account's key, sent through the gateway. */
const sut = (gateway: Gateway): Venue => ({
	rest: gateway.rest,
	apiKey: venue.mock.apiKey,
	apiSecret: venue.mock.apiSecret,
});
const direct = (): Venue => venue.mock;
const reachedVenue = (): number => venue.mock.stats().requests.total;

async function limitBuy(target: Venue, qty: number, clientOrderId?: string, price = 60_000): Promise<Reply> {
	return signed(target, 'POST', '/api/v3/order', {
		symbol: 'BTCUSDT',
		side: 'BUY',
		type: 'LIMIT',
		timeInForce: 'GTC',
		quantity: qty,
		price,
		...(clientOrderId === undefined ? {} : {newClientOrderId: clientOrderId}),
	});
}

describe('requests pass unchanged over TLS', () => {
	it('a signed request is verified by the venue; a bad signature or a missing key gets the venue’s own refusal', async () => {
		const gateway = await venue.gateway();
		const viaGateway = await signed(sut(gateway), 'GET', '/api/v3/account');
		expect(viaGateway.status).toBe(200);
		expect((viaGateway.body as {balances: unknown[]}).balances.length).toBeGreaterThan(0);
		// The signature is the SUT's: one made with the wrong secret fails at the venue, exactly as sent directly.
		const badDirect = await signed(direct(), 'GET', '/api/v3/account', {}, {secret: 'not-the-secret'});
		const badGateway = await signed(sut(gateway), 'GET', '/api/v3/account', {}, {secret: 'not-the-secret'});
		expectError(badGateway, -1022);
		expect(badGateway.status).toBe(badDirect.status);
		expect(badGateway.body).toEqual(badDirect.body);
		// X-MBX-APIKEY crosses the gateway: without it the venue says so.
		const noKey = await signed(sut(gateway), 'GET', '/api/v3/account', {}, {apiKey: null});
		const noKeyDirect = await signed(direct(), 'GET', '/api/v3/account', {}, {apiKey: null});
		expect(noKey.status).toBeGreaterThanOrEqual(400);
		expect([noKey.status, noKey.body]).toEqual([noKeyDirect.status, noKeyDirect.body]);
		// A form body crosses too: an order signed over its body is placed.
		const inBody = await signed(
			sut(gateway),
			'POST',
			'/api/v3/order',
			{
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: 0.001,
				price: 60_000,
				newClientOrderId: 'gw-body',
			},
			{inBody: true},
		);
		expect(inBody.status).toBe(200);
		expect(inBody.body).toMatchObject({clientOrderId: 'gw-body', status: 'NEW'});
		const seen = gateway.activity();
		expect(seen.rest.errorsByCode['-1022']).toBe(1);
		expect(seen.rest.requests).toBe(4);
		expect(seen.gateway.venue).toBe(new URL(venue.upstream.rest).host);
	});

	it('the venue’s weight header reaches the SUT and is tracked against the limit; connections to the venue are kept alive', async () => {
		const gateway = await venue.gateway({weightLimit: 6000});
		expect(gateway.activity().rest).toMatchObject({weightUsed: 0, weightLimit: 6000});
		const before = venue.connections();
		let last = 0;
		for (let i = 0; i < 5; i++) {
			const reply = await fetch(`${gateway.rest}/api/v3/depth?symbol=BTCUSDT&limit=100`);
			expect(reply.status).toBe(200);
			last = Number(reply.headers.get('x-mbx-used-weight-1m'));
			await reply.arrayBuffer();
		}
		expect(last).toBeGreaterThan(0);
		expect(gateway.activity().rest.weightUsed).toBe(last);
		// Five requests, one TLS connection: the relay reuses it.
		expect(venue.connections() - before).toBe(1);
	});

	it('a venue whose certificate is not trusted is refused: 502 naming the certificate, never a plain-text fallback', async () => {
		const untrusting = await venue.gateway({tls: {}});
		const before = reachedVenue();
		const reply = await fetch(`${untrusting.rest}/api/v3/time`);
		expect(reply.status).toBe(502);
		expect(await reply.text()).toMatch(/self.signed|certificate/i);
		expect(reachedVenue()).toBe(before);
	});
});

describe('headers', () => {
	it('end-to-end headers cross both ways; hop-by-hop ones (and any the Connection header names) do not', async () => {
		// A scripted venue on plain loopback that echoes the headers it got: the mock does not show them.
		const echo = http.createServer((req, res) => {
			res.writeHead(200, {
				'content-type': 'application/json',
				'x-mbx-used-weight-1m': '7',
				'retry-after': '3',
				'keep-alive': 'timeout=99',
				'x-venue-private': 'hop',
				connection: 'x-venue-private',
			});
			res.end(JSON.stringify({method: req.method, url: req.url, headers: req.headers}));
		});
		await new Promise<void>(resolve => echo.listen(0, '127.0.0.1', resolve));
		try {
			const gateway = await venue.gateway({
				upstream: {...venue.upstream, rest: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`},
			});
			// node:http, as fetch refuses to send a Connection header.
			const reply = await new Promise<{headers: http.IncomingHttpHeaders; text: string}>((resolve, reject) => {
				const req = http.request(
					`${gateway.rest}/api/v3/order?symbol=BTCUSDT&signature=abc`,
					{
						method: 'DELETE',
						headers: {
							'X-MBX-APIKEY': 'the-sut-key',
							'x-sut-private': 'secret',
							connection: 'x-sut-private',
							'proxy-authorization': 'Basic eA==',
						},
					},
					res => {
						let text = '';
						res.on('data', (chunk: Buffer) => (text += chunk.toString()));
						res.once('end', () => resolve({headers: res.headers, text}));
					},
				);
				req.once('error', reject);
				req.end();
			});
			const seen = JSON.parse(reply.text) as {method: string; url: string; headers: Record<string, string>};
			expect(seen).toMatchObject({method: 'DELETE', url: '/api/v3/order?symbol=BTCUSDT&signature=abc'});
			expect(seen.headers['x-mbx-apikey']).toBe('the-sut-key');
			expect(seen.headers['host']).toBe(`127.0.0.1:${(echo.address() as AddressInfo).port}`);
			expect(seen.headers).not.toHaveProperty('x-sut-private');
			expect(seen.headers).not.toHaveProperty('proxy-authorization');
			expect(reply.headers['x-mbx-used-weight-1m']).toBe('7');
			expect(reply.headers['retry-after']).toBe('3');
			expect(reply.headers).not.toHaveProperty('x-venue-private');
			expect(reply.headers['keep-alive']).not.toBe('timeout=99');
		} finally {
			echo.closeAllConnections();
			await new Promise(resolve => echo.close(resolve));
		}
	});
});

describe('rate limits as the venue enforces them', () => {
	it('a 429 with Retry-After is passed on and counted; a request inside the window is counted, none before it', async () => {
		const strict = await startTlsVenue({seed: 22, weightLimitPerMinute: 30, banAfter429s: 100});
		try {
			const gateway = await strict.gateway();
			let reply: Response | undefined;
			for (let i = 0; i < 40; i++) {
				reply = await fetch(`${gateway.rest}/api/v3/depth?symbol=BTCUSDT&limit=100`);
				await reply.arrayBuffer();
				if (reply.status === 429) break;
			}
			expect(reply!.status).toBe(429);
			expect(Number(reply!.headers.get('retry-after'))).toBeGreaterThan(0);
			let seen = gateway.activity();
			expect(seen.rest.status429).toBe(1);
			expect(seen.rest.errorsByCode['-1003']).toBe(1);
			expect(seen.rest.requestsInsideRetryAfter).toBe(0);
			expect(seen.events.filter(e => e.type === 'rate-limited')).toHaveLength(1);
			// The SUT ignores Retry-After: counted.
			await (await fetch(`${gateway.rest}/api/v3/time`)).arrayBuffer();
			seen = gateway.activity();
			expect(seen.rest.requestsInsideRetryAfter).toBe(1);
			expect(seen.events.filter(e => e.type === 'retry-after-violation')).toMatchObject([{path: '/api/v3/time'}]);
		} finally {
			await strict.close();
		}
	});
});

describe('orders', () => {
	it('an order is placed and acknowledged with its latency; a duplicate clientOrderId is counted, distinct ones are not', async () => {
		const gateway = await venue.gateway();
		expect((await limitBuy(sut(gateway), 0.001, 'gw-dup-1')).status).toBe(200);
		expect((await limitBuy(sut(gateway), 0.001, 'gw-dup-2')).status).toBe(200);
		let seen = gateway.activity();
		expect(seen.orders).toMatchObject({placed: 2, rejected: 0, open: 2, duplicateClientOrderIds: 0});
		expect(seen.orders.ackLatencyMs.count).toBe(2);
		expect(seen.orders.ackLatencyMs.max).toBeGreaterThan(0);
		expect(seen.events.filter(e => e.type === 'order')).toMatchObject([
			{status: 'NEW', side: 'BUY', orderType: 'LIMIT', clientOrderId: 'gw-dup-1', latencyMs: expect.any(Number)},
			{status: 'NEW', clientOrderId: 'gw-dup-2'},
		]);
		// The same id again: the venue may refuse it or not; the gateway counts the reuse either way.
		await limitBuy(sut(gateway), 0.001, 'gw-dup-1');
		seen = gateway.activity();
		expect(seen.orders.duplicateClientOrderIds).toBe(1);
		// A rejection by the venue, by its code.
		const tooSmall = await limitBuy(sut(gateway), 0.00001, 'gw-small');
		expect(tooSmall.status).toBe(400);
		seen = gateway.activity();
		const code = String((tooSmall.body as {code: number}).code);
		expect(seen.orders.rejectedByCode[code]).toBeGreaterThanOrEqual(1);
		// A cancel answer moves the order from open to canceled.
		const cancel = await signed(sut(gateway), 'DELETE', '/api/v3/order', {
			symbol: 'BTCUSDT',
			origClientOrderId: 'gw-dup-2',
		});
		expect(cancel.status).toBe(200);
		seen = gateway.activity();
		expect(seen.orders.canceled).toBe(1);
		expect(seen.orders.open).toBe(seen.orders.placed - 1);
		await signed(sut(gateway), 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
		expect(gateway.activity().orders.open).toBe(0);
	});

	it('real ccxt through the gateway: markets, balance, an order and its cancel, attributed', async () => {
		const gateway = await venue.gateway();
		const client = await createExchange({
			environment: 'mock',
			restUrl: gateway.rest,
			wsUrl: gateway.ws,
			apiKey: venue.mock.apiKey,
			secret: venue.mock.apiSecret,
			enableRateLimit: false,
			timeoutMs: 5000,
			wsReconnectBaseMs: 50,
		});
		try {
			await client.loadMarkets();
			expect((await client.fetchBalance()).assets['USDT']?.free).toBeGreaterThan(0);
			const order = await client.createOrder({
				symbol: 'BTC/USDT',
				side: 'buy',
				type: 'limit',
				amount: 0.001,
				price: 60_000,
				clientOrderId: 'gw-ccxt-1',
			});
			expect(order.clientOrderId).toBe('gw-ccxt-1');
			await client.cancelOrder('BTC/USDT', {id: order.id});
			const seen = gateway.activity();
			expect(seen.orders).toMatchObject({placed: 1, canceled: 1, open: 0});
			expect(seen.rest.requests).toBeGreaterThanOrEqual(4);
		} finally {
			await client.close();
		}
	});
});

describe('faults in front of the venue', () => {
	it('error-rate: the 5xx is forged by the gateway and never reaches the venue; cleared, requests pass again', async () => {
		const gateway = await venue.gateway();
		gateway.faults.inject({fault: 'error-rate', params: {probability: 1, status: 503}}, 60_000);
		const before = reachedVenue();
		const reply = await fetch(`${gateway.rest}/api/v3/time`);
		expect(reply.status).toBe(503);
		expect(await reply.text()).toBe('{"msg":"Service Unavailable."}');
		expect(reachedVenue()).toBe(before);
		expect(gateway.activity().rest.errorsByCode['http-503']).toBe(1);
		expect(gateway.activity().gateway.forgedResponses).toBe(1);
		expect(gateway.faults.clear()).toBe(1);
		expect((await fetch(`${gateway.rest}/api/v3/time`)).status).toBe(200);
		expect(reachedVenue()).toBe(before + 1);
	});

	it('rate-limit-storm through the admin route: 429 with Retry-After, counted like the venue’s', async () => {
		const gateway = await venue.gateway();
		const injected = await fetch(`${gateway.admin}/faults`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({fault: 'rate-limit-storm', params: {retryAfterSec: 7}, durationMs: 60_000}),
		});
		expect(injected.status).toBe(200);
		expect(((await injected.json()) as {fault: {fault: string}}).fault.fault).toBe('rate-limit-storm');
		const reply = await fetch(`${gateway.rest}/api/v3/time`);
		expect(reply.status).toBe(429);
		expect(reply.headers.get('retry-after')).toBe('7');
		await fetch(`${gateway.rest}/api/v3/time`);
		const seen = gateway.activity();
		expect(seen.rest).toMatchObject({status429: 2, requestsInsideRetryAfter: 1});
		expect(((await (await fetch(`${gateway.admin}/faults`)).json()) as {faults: unknown[]}).faults).toHaveLength(1);
		expect((await fetch(`${gateway.admin}/faults`, {method: 'DELETE'})).status).toBe(200);
		expect((await fetch(`${gateway.rest}/api/v3/time`)).status).toBe(200);
	});

	it('connection-reset cuts the SUT’s connection without an answer; latency delays the answer; venue-side faults are refused', async () => {
		const gateway = await venue.gateway();
		const reset = gateway.faults.inject({fault: 'connection-reset', params: {route: '/api/v3/time'}});
		await expect(fetch(`${gateway.rest}/api/v3/time`)).rejects.toThrow();
		expect((await fetch(`${gateway.rest}/api/v3/ping`)).status).toBe(200);
		expect(gateway.activity().gateway.resets).toBe(1);
		expect(gateway.faults.remove(reset.id)).toBe(true);
		expect((await fetch(`${gateway.rest}/api/v3/time`)).status).toBe(200);
		gateway.faults.inject({fault: 'latency', params: {ms: 300}}, 60_000);
		const started = performance.now();
		expect((await fetch(`${gateway.rest}/api/v3/ping`)).status).toBe(200);
		expect(performance.now() - started).toBeGreaterThanOrEqual(290);
		gateway.faults.clear();
		const skew = await fetch(`${gateway.admin}/faults`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({fault: 'clock-skew', params: {ms: 1000}}),
		});
		expect(skew.status).toBe(400);
		expect(await skew.text()).toMatch(/cannot be applied in front of a real venue/);
	});
});

describe('timeout in front of the venue', () => {
	it('a request gets no answer while the fault lasts (the SUT’s own timeout fires); then its connection is let go; scope streams leaves REST alone', async () => {
		const gateway = await venue.gateway();
		const before = reachedVenue();
		gateway.faults.inject({fault: 'timeout', params: {scope: 'rest'}}, 700);
		await expect(fetch(`${gateway.rest}/api/v3/time`, {signal: AbortSignal.timeout(200)})).rejects.toThrow(
			/abort|timeout/i,
		);
		// Without a timeout of its own the SUT waits out the fault, and the connection is cut at its end.
		await expect(fetch(`${gateway.rest}/api/v3/time`)).rejects.toThrow();
		expect(reachedVenue()).toBe(before);
		expect(gateway.activity().gateway.silenced).toBe(2);
		expect((await fetch(`${gateway.rest}/api/v3/time`)).status).toBe(200);
		gateway.faults.inject({fault: 'timeout', params: {scope: 'streams'}}, 60_000);
		expect((await fetch(`${gateway.rest}/api/v3/time`)).status).toBe(200);
		const parsed = await fetch(`${gateway.admin}/faults`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({fault: 'connection-reset', params: {scope: 'sideways'}}),
		});
		expect(parsed.status).toBe(400);
		expect(await parsed.text()).toMatch(/params\.scope/);
	});
});

describe('mainnet notional caps', () => {
	it('an order over the per-order cap is refused locally with -2010; a smaller one passes; the run cap stops the total', async () => {
		const gateway = await venue.gateway({caps: {maxOrderNotional: 1000, maxRunNotional: 1500}});
		const before = reachedVenue();
		const big = await limitBuy(sut(gateway), 0.02, 'gw-cap-big');
		expect(big.status).toBe(400);
		expect(big.body).toEqual({
			code: -2010,
			msg: 'drydock gateway: order notional 1200 exceeds the cap 1000 (profile live.perOrderNotionalCap)',
		});
		expect(reachedVenue()).toBe(before);
		expect((await limitBuy(sut(gateway), 0.01, 'gw-cap-1')).status).toBe(200);
		expect((await limitBuy(sut(gateway), 0.01, 'gw-cap-2')).status).toBe(200);
		const third = await limitBuy(sut(gateway), 0.01, 'gw-cap-3');
		expectError(third, -2010, 'over the cap 1500 (profile live.perRunNotionalCap)');
		expect(reachedVenue()).toBe(before + 2);
		const seen = gateway.activity();
		expect(seen.gateway).toMatchObject({capRefusals: 2, runNotional: 1200});
		expect(seen.orders).toMatchObject({placed: 2, rejected: 2, rejectedByCode: {'-2010': 2}});
		// The same big order through a gateway without caps reaches the venue: the cap is what refused it.
		expect((await limitBuy(sut(await venue.gateway()), 0.02, 'gw-nocap')).status).toBe(200);
		await signed(direct(), 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});

	it('a MARKET order is valued at the caller’s mark price, or refused when no price is known', async () => {
		const blind = await venue.gateway({caps: {maxOrderNotional: 1000}});
		expectError(
			await signed(sut(blind), 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quantity: 0.001,
			}),
			-2010,
			'no price known for BTCUSDT',
		);
		const marked = await venue.gateway({caps: {maxOrderNotional: 1000}, markPrice: () => 92_000});
		expectError(
			await signed(sut(marked), 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quantity: 0.02,
			}),
			-2010,
			'order notional 1840 exceeds the cap 1000',
		);
		const small = await signed(sut(marked), 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'MARKET',
			quantity: 0.001,
		});
		expect(small.status).toBe(200);
		expect(marked.activity().orders).toMatchObject({placed: 1, filled: 1, open: 0});
		// quoteOrderQty is the notional itself.
		expectError(
			await signed(sut(marked), 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quoteOrderQty: 1500,
			}),
			-2010,
			'order notional 1500',
		);
	});
});

describe('an order the venue answers with a 5xx', () => {
	it('is neither placed nor rejected (its fate is unknown) and its notional stays counted against the run cap', async () => {
		// A scripted venue: every order gets 503, as Binance's gateway answers when it cannot tell.
		const flaky = http.createServer((req, res) => {
			req.resume();
			res.writeHead(req.url?.startsWith('/api/v3/order') ? 503 : 200, {'content-type': 'application/json'});
			res.end(req.url?.startsWith('/api/v3/order') ? '{"msg":"Service Unavailable."}' : '{}');
		});
		await new Promise<void>(resolve => flaky.listen(0, '127.0.0.1', resolve));
		try {
			const gateway = await venue.gateway({
				upstream: {...venue.upstream, rest: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`},
				caps: {maxRunNotional: 1000},
			});
			expect((await limitBuy(sut(gateway), 0.01, 'gw-unknown-1')).status).toBe(503);
			const seen = gateway.activity();
			expect(seen.orders).toMatchObject({placed: 0, rejected: 0});
			expect(seen.gateway.runNotional).toBe(600);
			expectError(
				await limitBuy(sut(gateway), 0.01, 'gw-unknown-2'),
				-2010,
				'would take the run total 600 over the cap 1000',
			);
		} finally {
			flaky.closeAllConnections();
			await new Promise(resolve => flaky.close(resolve));
		}
	});
});

describe('the admin side and bad input', () => {
	it('serves the SUT’s activity in the contract’s shape, pages with since; account reads and cancel-all answer 501 with the reason', async () => {
		const gateway = await venue.gateway({client: {id: 'bot-1', label: 'my bot'}});
		expect(await (await fetch(`${gateway.admin}/clients`)).json()).toEqual({
			clients: [{id: 'bot-1', label: 'my bot', port: gateway.port}],
		});
		await limitBuy(sut(gateway), 0.00001, 'gw-admin-reject');
		const first = (await (await fetch(`${gateway.admin}/clients/bot-1/activity`)).json()) as ReturnType<
			Gateway['activity']
		>;
		expect(Object.keys(first).sort()).toEqual(['at', 'events', 'gateway', 'orders', 'rest', 'seq', 'streams']);
		expect(first.events.length).toBeGreaterThan(0);
		expect(first.orders.rejected).toBe(1);
		const later = (await (
			await fetch(`${gateway.admin}/clients/bot-1/activity?since=${first.seq}`)
		).json()) as ReturnType<Gateway['activity']>;
		expect(later.events).toEqual([]);
		expect((await fetch(`${gateway.admin}/clients/bot-1/activity?since=x`)).status).toBe(400);
		expect((await fetch(`${gateway.admin}/clients/other/activity`)).status).toBe(404);
		for (const [method, action] of [
			['GET', 'open-orders'],
			['GET', 'account'],
			['POST', 'cancel-all'],
		] as const) {
			const reply = await fetch(`${gateway.admin}/clients/bot-1/${action}`, {method});
			expect(reply.status).toBe(501);
			expect(((await reply.json()) as {msg: string}).msg).toMatch(/holds no key of the SUT/);
		}
	});

	it('bad options are refused with a message naming the field', async () => {
		await expect(venue.gateway({upstream: {...venue.upstream, rest: 'ftp://x'}})).rejects.toThrow(
			'startGateway: upstream.rest "ftp://x" is not a https:// or http:// URL',
		);
		await expect(venue.gateway({upstream: {...venue.upstream, ws: 'https://x'}})).rejects.toThrow(/upstream\.ws/);
		await expect(venue.gateway({caps: {maxOrderNotional: -5}})).rejects.toThrow(
			'startGateway: caps.maxOrderNotional must be a positive number',
		);
	});
});
