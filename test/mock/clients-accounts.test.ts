/** Clients of the mock: accounts of their own on ports of their own, over real sockets; ccxt against a client port. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createExchange} from '../../source/exchange/index.js';
import type {MockExchange} from '../../source/mock/index.js';
import {
	activity,
	adminCall,
	balances,
	createClient,
	expectError,
	publicGet,
	signed,
	startMock,
	waitFor,
	type ClientReply,
} from './helpers.js';

type OrderRow = {orderId: number; symbol: string; clientOrderId: string; origClientOrderId?: string; status: string};

describe('client accounts and ports', () => {
	let mock: MockExchange;
	let a: ClientReply;
	let b: ClientReply;
	let price: number;
	beforeAll(async () => {
		mock = await startMock({seed: 5});
		await adminCall(mock, 'POST', '/faults', {fault: 'pause-market'});
		a = await createClient(mock, {label: 'bot-a', balances: {USDT: 5000, BTC: 0.2}});
		b = await createClient(mock, {label: 'bot-b'});
		price = Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
	});
	afterAll(async () => {
		await mock.close();
	});

	const restingBuy = (venue: {rest: string; apiKey: string; apiSecret: string}, clientOrderId: string) =>
		signed(venue, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: '0.01',
			price: (Math.round(price * 0.5 * 100) / 100).toFixed(2),
			newClientOrderId: clientOrderId,
		});

	it('answers POST /clients with 201, its own key, secret and port, and the three endpoint bases', async () => {
		expect(a).toMatchObject({id: expect.any(String), label: 'bot-a', port: expect.any(Number)});
		expect(a.apiKey).toMatch(/^[A-Za-z0-9]{64}$/);
		expect(a.apiSecret).not.toBe(mock.apiSecret);
		expect(a.port).not.toBe(mock.port);
		expect(a.rest).toBe(`http://127.0.0.1:${a.port}`);
		expect(a.ws).toBe(`ws://127.0.0.1:${a.port}`);
		expect(a.wsApi).toBe(`ws://127.0.0.1:${a.port}/ws-api/v3`);
		const list = (await adminCall(mock, 'GET', '/clients')).body as {clients: unknown[]};
		expect(list.clients).toEqual([
			{id: a.id, label: 'bot-a', port: a.port},
			{id: b.id, label: 'bot-b', port: b.port},
		]);
		// The client's port serves the public surface too, and has no admin side door.
		expect((await publicGet(a, '/api/v3/time')).status).toBe(200);
		expect((await publicGet(a, '/__drydock/clients')).status).toBe(404);
	});

	it('rejects a bad client body with a message naming the field', async () => {
		const r = await adminCall(mock, 'POST', '/clients', {balances: {USDT: -1}});
		expect(r.status).toBe(400);
		expect(r.text).toContain('balance of USDT');
		expect((await adminCall(mock, 'GET', '/clients/nope/activity')).status).toBe(404);
		expect((await adminCall(mock, 'GET', `/clients/${a.id}/activity?since=x`)).status).toBe(400);
	});

	it('checks signatures against the key’s own secret on any port', async () => {
		expectError(await signed(a, 'GET', '/api/v3/account', {}, {secret: mock.apiSecret}), -1022);
		expectError(await signed(mock, 'GET', '/api/v3/account', {}, {apiKey: a.apiKey}), -1022);
		expect((await signed({...mock, apiKey: a.apiKey, apiSecret: a.apiSecret}, 'GET', '/api/v3/account')).status).toBe(
			200,
		);
	});

	it('keeps balances and orders apart; a client’s cancel-all-open-orders never touches drydock’s or another client’s', async () => {
		expect((await balances(a)).USDT).toEqual({free: 5000, locked: 0});
		expect((await balances(b)).USDT?.free).toBe(100_000);
		expect((await restingBuy(a, 'a-1')).status).toBe(200);
		expect((await restingBuy(b, 'b-1')).status).toBe(200);
		expect((await restingBuy(mock, 'dd-1')).status).toBe(200);
		// A's key through drydock's port: still A's order.
		expect((await restingBuy({...mock, apiKey: a.apiKey, apiSecret: a.apiSecret}, 'a-2')).status).toBe(200);
		const mine = (await signed(a, 'GET', '/api/v3/openOrders')).body as OrderRow[];
		expect(mine.map(o => o.clientOrderId).sort()).toEqual(['a-1', 'a-2']);
		expect((await balances(a)).USDT!.locked).toBeGreaterThan(0);
		expect((await balances(mock)).USDT!.locked).toBeGreaterThan(0);

		const canceled = (await signed(a, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).body as OrderRow[];
		expect(canceled.map(o => o.origClientOrderId).sort()).toEqual(['a-1', 'a-2']);
		expect((await signed(mock, 'GET', '/api/v3/openOrders')).body).toMatchObject([{clientOrderId: 'dd-1'}]);
		expect((await signed(b, 'GET', '/api/v3/openOrders')).body).toMatchObject([{clientOrderId: 'b-1'}]);
		expect((await balances(a)).USDT).toEqual({free: 5000, locked: 0});

		// The admin side: B's open orders, then the kill switch's cancel-all; drydock's order stays.
		expect((await adminCall(mock, 'GET', `/clients/${b.id}/open-orders`)).body).toMatchObject({
			orders: [{clientOrderId: 'b-1', status: 'NEW', price: expect.any(String)}],
		});
		expect((await adminCall(mock, 'POST', `/clients/${b.id}/cancel-all`)).body).toEqual({canceled: 1});
		expect((await adminCall(mock, 'POST', `/clients/${b.id}/cancel-all`)).body).toEqual({canceled: 0});
		expect((await signed(mock, 'GET', '/api/v3/openOrders')).body).toMatchObject([{clientOrderId: 'dd-1'}]);
		const activityB = await activity(mock, b.id);
		expect(activityB.orders).toMatchObject({placed: 1, canceled: 1, open: 0});
		// Orders placed through drydock's port with A's key count for A's account, not as A's port's requests.
		expect((await activity(mock, a.id)).orders).toMatchObject({placed: 1, canceled: 2, open: 0});
	});

	it('serves GET /clients/:id/account: balances and the fills that explain them', async () => {
		const r = await signed(a, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'MARKET',
			quantity: '0.001',
		});
		expect(r.status).toBe(200);
		const view = (await adminCall(mock, 'GET', `/clients/${a.id}/account`)).body as {
			balances: Array<{asset: string; free: number; locked: number}>;
			initial: Record<string, number>;
			fills: Array<Record<string, unknown>>;
		};
		expect(view.initial).toEqual({USDT: 5000, BTC: 0.2});
		expect(view.fills.length).toBeGreaterThan(0);
		expect(view.fills[0]).toMatchObject({
			symbol: 'BTCUSDT',
			side: 'BUY',
			price: expect.any(Number),
			qty: expect.any(Number),
			quoteQty: expect.any(Number),
			commission: expect.any(Number),
			commissionAsset: 'BTC',
			time: expect.any(Number),
			orderId: expect.any(Number),
		});
		const spent = view.fills.reduce((sum, f) => sum + (f['quoteQty'] as number), 0);
		const got = view.fills.reduce((sum, f) => sum + (f['qty'] as number) - (f['commission'] as number), 0);
		const usdt = view.balances.find(x => x.asset === 'USDT')!;
		const btc = view.balances.find(x => x.asset === 'BTC')!;
		expect(usdt.free + usdt.locked).toBeCloseTo(5000 - spent, 6);
		expect(btc.free + btc.locked).toBeCloseTo(0.2 + got, 8);
		expect((await activity(mock, a.id)).orders.filled).toBe(1);
	});

	it('DELETE /clients/:id closes its port and retires its key', async () => {
		const c = await createClient(mock, {label: 'short-lived'});
		expect((await publicGet(c, '/api/v3/ping')).status).toBe(200);
		expect((await adminCall(mock, 'DELETE', `/clients/${c.id}`)).body).toEqual({removed: c.id});
		await expect(fetch(`${c.rest}/api/v3/ping`)).rejects.toThrow();
		expectError(await signed({...mock, apiKey: c.apiKey, apiSecret: c.apiSecret}, 'GET', '/api/v3/account'), -2015);
		expect(
			((await adminCall(mock, 'GET', '/clients')).body as {clients: Array<{id: string}>}).clients.map(x => x.id),
		).not.toContain(c.id);
	});
});

describe('ccxt against a client port', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 9});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('trades and streams with the client’s key on its port; drydock’s account sees none of it', async () => {
		const info = await mock.createClient({label: 'ccxt-bot', balances: {USDT: 2500, BTC: 0.1}});
		const client = await createExchange({
			environment: 'mock',
			restUrl: info.rest,
			wsUrl: info.ws,
			apiKey: info.apiKey,
			secret: info.apiSecret,
			enableRateLimit: false,
			timeoutMs: 5000,
			wsReconnectBaseMs: 50,
		});
		try {
			await client.loadMarkets();
			const balance = await client.fetchBalance();
			expect(balance.assets['USDT']?.free).toBe(2500);
			const ticker = await client.fetchTicker('BTC/USDT');
			const order = await client.createOrder({
				symbol: 'BTC/USDT',
				side: 'buy',
				type: 'limit',
				amount: 0.001,
				price: Math.round(ticker.last! * 0.6),
				clientOrderId: 'ccxt-1',
			});
			expect(order.clientOrderId).toBe('ccxt-1');
			expect((await client.fetchOpenOrders('BTC/USDT')).map(o => o.clientOrderId)).toEqual(['ccxt-1']);
			expect((await signed(mock, 'GET', '/api/v3/openOrders')).body).toEqual([]);
			await client.watchTicker('BTC/USDT');
			const seen = await activity(mock, info.id);
			expect(seen.orders).toMatchObject({placed: 1, open: 1, rejected: 0});
			expect(seen.orders.ackLatencyMs.count).toBe(1);
			expect(seen.rest.requests).toBeGreaterThanOrEqual(4);
			expect(seen.streams.connectionsOpen).toBeGreaterThanOrEqual(1);
			expect(seen.streams.subscriptions.some(s => s.startsWith('btcusdt@'))).toBe(true);
			// The ack as served, in the event ring (the order's type is orderType: type is the event's).
			expect((await activity(mock, info.id)).events.filter(e => e.type === 'order')).toMatchObject([
				{
					type: 'order',
					status: 'NEW',
					side: 'BUY',
					orderType: 'LIMIT',
					clientOrderId: 'ccxt-1',
					latencyMs: expect.any(Number),
				},
			]);
			expect(await client.cancelAllOrders('BTC/USDT')).toHaveLength(1);
			await waitFor('the cancel counted', async () =>
				(await activity(mock, info.id)).orders.canceled === 1 ? true : undefined,
			);
		} finally {
			await client.close();
		}
	});
});
