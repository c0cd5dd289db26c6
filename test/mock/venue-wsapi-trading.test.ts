/**
 * Conformance of the WebSocket API (/ws-api/v3) against the REST API it shares its handlers with:
 * market data, trading and account methods answer what REST answers, with the same codes and weights.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {WS_API_ROUTES} from '../../source/mock/ws/ws-api-methods.js';
import {activity, createClient, publicGet, signed, startMock} from './helpers.js';
import {call, hmacSigner, wsSigned} from './helpers.js';
import {TestClient} from './helpers.js';

let mock: MockExchange;
let socket: TestClient;
const sign = (params: Record<string, unknown> = {}) => wsSigned(mock.apiKey, hmacSigner(mock.apiSecret), params);

beforeAll(async () => {
	mock = await startMock({seed: 21, balances: {USDT: 10_000, BTC: 1}});
	socket = await TestClient.open(`${mock.ws}/ws-api/v3`);
});
afterAll(async () => {
	socket.close();
	await mock.close();
});

describe('WebSocket API market data', () => {
	it('serves depth, klines, tickers, avgPrice and exchangeInfo in the REST shapes', async () => {
		const depth = await call(socket, 'depth', {symbol: 'BTCUSDT', limit: 5});
		expect(depth.status).toBe(200);
		expect(depth.result).toMatchObject({lastUpdateId: expect.any(Number)});
		expect((depth.result as {bids: unknown[]}).bids).toHaveLength(5);
		const klines = await call(socket, 'klines', {symbol: 'BTCUSDT', interval: '1m', limit: 3});
		expect(klines.result).toHaveLength(3);
		expect((klines.result as unknown[][])[0]).toHaveLength(12);
		expect(await call(socket, 'ticker.price', {symbol: 'ETHUSDT'})).toMatchObject({
			status: 200,
			result: {symbol: 'ETHUSDT', price: expect.stringMatching(/^\d+\.\d+$/)},
		});
		expect(await call(socket, 'ticker.book', {symbol: 'BTCUSDT'})).toMatchObject({
			status: 200,
			result: {symbol: 'BTCUSDT', bidPrice: expect.any(String)},
		});
		expect(await call(socket, 'ticker.24hr', {symbol: 'BTCUSDT'})).toMatchObject({
			status: 200,
			result: {symbol: 'BTCUSDT', lastPrice: expect.any(String)},
		});
		expect(await call(socket, 'ticker.price', {symbols: ['BTCUSDT', 'ETHUSDT']})).toMatchObject({
			status: 200,
			result: [{symbol: 'BTCUSDT'}, {symbol: 'ETHUSDT'}],
		});
		expect(await call(socket, 'avgPrice', {symbol: 'BTCUSDT'})).toMatchObject({
			status: 200,
			result: {mins: expect.any(Number), price: expect.any(String)},
		});
		const info = await call(socket, 'exchangeInfo', {symbol: 'BTCUSDT'});
		const rest = await publicGet(mock, '/api/v3/exchangeInfo?symbol=BTCUSDT');
		expect((info.result as {symbols: unknown}).symbols).toEqual((rest.body as {symbols: unknown}).symbols);
	});

	it('answers the REST error codes for bad parameters', async () => {
		expect(await call(socket, 'depth', {symbol: 'NOPEUSDT'})).toMatchObject({status: 400, error: {code: -1121}});
		expect(await call(socket, 'klines', {symbol: 'BTCUSDT', interval: '7m'})).toMatchObject({
			status: 400,
			error: {code: -1120},
		});
		expect(await call(socket, 'depth', {})).toMatchObject({status: 400, error: {code: -1102}});
		expect(await call(socket, 'ticker.price', {symbol: 'BTCUSDT', bogus: 1})).toMatchObject({
			status: 400,
			error: {code: -1104},
		});
	});

	it('charges the REST weight to the same per-IP budget and reports it in rateLimits', async () => {
		const before = await call(socket, 'ticker.price', {symbol: 'BTCUSDT'});
		const account = await call(socket, 'account.status', sign());
		expect(account.status).toBe(200);
		const used = (r: typeof before) =>
			Number(r.rateLimits!.find(l => l['rateLimitType'] === 'REQUEST_WEIGHT')!['count']);
		// account weight 20 (ticker/price with symbol: 2 in the REST table).
		expect(used(account) - used(before)).toBe(20);
		const rest = await publicGet(mock, '/api/v3/ping');
		expect(Number(rest.headers.get('x-mbx-used-weight-1m'))).toBe(used(account) + 1);
	});
});

describe('WebSocket API trading and account', () => {
	it('places, queries, lists and cancels an order as REST does', async () => {
		const price = Number(
			((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price,
		);
		const limit = Math.round(price * 0.7);
		const placed = await call(
			socket,
			'order.place',
			sign({
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.001',
				price: String(limit),
				newClientOrderId: 'ws-1',
			}),
		);
		expect(placed).toMatchObject({
			status: 200,
			result: {symbol: 'BTCUSDT', clientOrderId: 'ws-1', status: 'NEW', type: 'LIMIT', fills: []},
		});
		expect(placed.rateLimits!.map(l => `${String(l['rateLimitType'])}:${String(l['interval'])}`)).toEqual([
			'REQUEST_WEIGHT:MINUTE',
			'ORDERS:SECOND',
			'ORDERS:DAY',
		]);
		const orderId = (placed.result as {orderId: number}).orderId;
		const status = await call(socket, 'order.status', sign({symbol: 'BTCUSDT', orderId}));
		const rest = await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId});
		expect(status.result).toEqual(rest.body);
		expect(
			((await call(socket, 'openOrders.status', sign({symbol: 'BTCUSDT'}))).result as Array<{orderId: number}>).map(
				o => o.orderId,
			),
		).toEqual([orderId]);
		expect(await call(socket, 'order.cancel', sign({symbol: 'BTCUSDT', origClientOrderId: 'ws-1'}))).toMatchObject({
			status: 200,
			result: {orderId, status: 'CANCELED', origClientOrderId: 'ws-1'},
		});
		expect(await call(socket, 'order.cancel', sign({symbol: 'BTCUSDT', orderId}))).toMatchObject({
			status: 400,
			error: {code: -2011},
		});
		const all = await call(socket, 'allOrders', sign({symbol: 'BTCUSDT'}));
		expect((all.result as Array<{orderId: number; status: string}>).find(o => o.orderId === orderId)?.status).toBe(
			'CANCELED',
		);
	});

	it('fills a market order, shows it in myTrades, account.status and the user-data stream of the same connection', async () => {
		expect(await call(socket, 'userDataStream.subscribe.signature', sign())).toMatchObject({status: 200});
		const market = await call(
			socket,
			'order.place',
			sign({symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002'}),
		);
		expect(market).toMatchObject({status: 200, result: {status: 'FILLED', executedQty: '0.00200000'}});
		const orderId = (market.result as {orderId: number}).orderId;
		await socket.next(
			m =>
				(m['event'] as {e?: string; i?: number; X?: string} | undefined)?.i === orderId &&
				(m['event'] as {X: string}).X === 'FILLED',
		);
		const trades = await call(socket, 'myTrades', sign({symbol: 'BTCUSDT', orderId}));
		expect((trades.result as Array<{qty: string}>).reduce((s, t) => s + Number(t.qty), 0)).toBeCloseTo(0.002, 8);
		const account = await call(socket, 'account.status', sign({omitZeroBalances: true}));
		const rest = await signed(mock, 'GET', '/api/v3/account', {omitZeroBalances: true});
		expect((account.result as {balances: unknown}).balances).toEqual((rest.body as {balances: unknown}).balances);
	});

	it('rejects with the REST codes and statuses, parameter by parameter', async () => {
		const cases: Array<[Record<string, unknown>, number]> = [
			[{symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001'}, -1102],
			[{symbol: 'BTCUSDT', side: 'UP', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '1000'}, -1117],
			[{symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '50'}, -2010],
			[
				{symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00000001', price: '1000'},
				-1013,
			],
			[
				{
					symbol: 'BTCUSDT',
					side: 'BUY',
					type: 'LIMIT',
					timeInForce: 'GTC',
					quantity: '0.001',
					price: '1000',
					trailingDelta: 'x',
					icebergQty: 'y',
					bogus: 1,
				},
				0,
			],
		];
		for (const [params, code] of cases) {
			const ws = await call(socket, 'order.place', sign(params));
			const rest = await signed(mock, 'POST', '/api/v3/order', params as Record<string, string>);
			expect(ws.error?.code, JSON.stringify(params)).toBe((rest.body as {code: number}).code);
			if (code !== 0) expect(ws.error?.code).toBe(code);
			expect(ws.status).toBe(rest.status);
		}
	});

	it('checks signatures, keys and timestamps as REST does', async () => {
		const params = {symbol: 'BTCUSDT'};
		expect(await call(socket, 'openOrders.status', params)).toMatchObject({
			status: 400,
			error: {code: -1102, msg: expect.stringContaining("'apiKey'")},
		});
		expect(
			await call(socket, 'openOrders.status', wsSigned(mock.apiKey, hmacSigner('not-the-secret'), params)),
		).toMatchObject({status: 400, error: {code: -1022}});
		expect(
			await call(socket, 'openOrders.status', wsSigned('unknownKey123', hmacSigner(mock.apiSecret), params)),
		).toMatchObject({status: 401, error: {code: -2015}});
		const stale = {...params, apiKey: mock.apiKey, timestamp: Date.now() - 10_000};
		expect(
			await call(socket, 'openOrders.status', {
				...stale,
				signature: hmacSigner(mock.apiSecret)(`apiKey=${mock.apiKey}&symbol=BTCUSDT&timestamp=${stale.timestamp}`),
			}),
		).toMatchObject({status: 400, error: {code: -1021}});
		// An HMAC key cannot log a session on: signed requests keep carrying their signature.
		expect(await call(socket, 'session.logon', sign())).toMatchObject({status: 401, error: {code: -2015}});
	});

	it('maps every documented method to an existing REST route or says which it lacks', async () => {
		const unknown = await call(socket, 'order.teleport', {});
		expect(unknown).toMatchObject({status: 400, error: {code: -1102}});
		const served = (unknown.error!.msg.split('serves: ')[1] ?? '').replace(/\.$/, '').split(', ');
		for (const method of [
			'order.place',
			'order.test',
			'order.status',
			'order.cancel',
			'openOrders.status',
			'openOrders.cancelAll',
			'account.status',
			'myTrades',
			'allOrders',
			'depth',
			'klines',
			'ticker.price',
			'ticker.book',
			'ticker.24hr',
			'avgPrice',
			'exchangeInfo',
		]) {
			expect(served, method).toContain(method);
			expect(WS_API_ROUTES[method], method).toBeDefined();
		}
	});
});

describe('WebSocket API on a client port', () => {
	it('attributes its orders and weight to the client, as REST orders are', async () => {
		const client = await createClient(mock, {label: 'ws-api-bot'});
		const ws = await TestClient.open(client.wsApi);
		try {
			const placed = await call(
				ws,
				'order.place',
				wsSigned(client.apiKey, hmacSigner(client.apiSecret), {
					symbol: 'BTCUSDT',
					side: 'BUY',
					type: 'MARKET',
					quoteOrderQty: '20',
					newClientOrderId: 'wsapi-client-1',
				}),
			);
			expect(placed).toMatchObject({status: 200, result: {status: 'FILLED'}});
			const rejected = await call(
				ws,
				'order.place',
				wsSigned(client.apiKey, hmacSigner(client.apiSecret), {
					symbol: 'BTCUSDT',
					side: 'BUY',
					type: 'MARKET',
					quantity: '1000',
				}),
			);
			expect(rejected.status).toBe(400);
			const seen = await activity(mock, client.id);
			expect(seen.orders).toMatchObject({placed: 1, rejected: 1});
			expect(seen.events.filter(e => e.type === 'order').map(e => e['clientOrderId'])).toContain('wsapi-client-1');
		} finally {
			ws.close();
		}
	});
});
