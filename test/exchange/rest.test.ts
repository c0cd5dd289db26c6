/** Every REST method the phases use, through createExchange (real ccxt) against the real mock on loopback. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ExchangeError, type ExchangeClient, type ResponseInfo} from '../../source/exchange/index.js';
import {admin, connect, startMock, type Mock} from './helpers.js';

let mock: Mock;
let client: ExchangeClient;

beforeAll(async () => {
	mock = await startMock();
	client = await connect(mock);
});

afterAll(async () => {
	await client?.close();
	await mock?.close();
});

/** Requests the mock saw, by route, from its own stats. */
function requestsByRoute(): Record<string, number> {
	const out: Record<string, number> = {};
	for (const [route, byStatus] of Object.entries(mock.stats().requests.byRoute))
		out[route] = Object.values(byStatus).reduce((a, b) => a + b, 0);
	return out;
}

function totalRequests(): number {
	return mock.stats().requests.total;
}

describe('markets and public data', () => {
	it('loadMarkets makes exactly one request (GET /api/v3/exchangeInfo) and returns the filters', async () => {
		const before = requestsByRoute();
		const totalBefore = totalRequests();
		const markets = await client.loadMarkets();
		expect(totalRequests() - totalBefore).toBe(1);
		const after = requestsByRoute();
		const changed = Object.keys(after).filter(route => (after[route] ?? 0) !== (before[route] ?? 0));
		expect(changed).toHaveLength(1);
		expect(changed[0]).toMatch(/exchangeInfo/);
		const btc = markets.find(m => m.id === 'BTCUSDT');
		expect(btc).toMatchObject({symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', status: 'TRADING', active: true});
		expect(btc!.tickSize).toBeGreaterThan(0);
		expect(btc!.stepSize).toBeGreaterThan(0);
		expect(btc!.minQty).toBeGreaterThan(0);
		expect(btc!.minNotional).toBeGreaterThan(0);
		expect(btc!.orderTypes).toContain('LIMIT_MAKER');
		// Cached: no second request.
		await client.loadMarkets();
		expect(totalRequests() - totalBefore).toBe(1);
		expect(client.market('BTCUSDT').symbol).toBe('BTC/USDT');
		expect(() => client.market('NOPE/USDT')).toThrow(ExchangeError);
	});

	it('fetchTime and ping', async () => {
		const before = Date.now();
		const time = await client.fetchTime();
		expect(Math.abs(time - before)).toBeLessThan(5_000);
		await expect(client.ping()).resolves.toBeUndefined();
	});

	it('fetchTicker, by unified symbol and by venue id', async () => {
		const ticker = await client.fetchTicker('BTC/USDT');
		expect(ticker.symbol).toBe('BTC/USDT');
		expect(ticker.last).toBeGreaterThan(0);
		expect(ticker.bid).toBeGreaterThan(0);
		expect(ticker.ask!).toBeGreaterThanOrEqual(ticker.bid!);
		expect((await client.fetchTicker('ETHUSDT')).symbol).toBe('ETH/USDT');
	});

	it('fetchOHLCV returns sane candles', async () => {
		const candles = await client.fetchOHLCV('BTC/USDT', '1m', undefined, 100);
		expect(candles).toHaveLength(100);
		for (const c of candles) {
			expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
			expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
			expect(c.volume).toBeGreaterThanOrEqual(0);
		}
		for (let i = 1; i < candles.length; i++) expect(candles[i]!.time - candles[i - 1]!.time).toBe(60_000);
	});

	it('fetchOHLCVHistory paginates over more than 1000 candles without gaps', async () => {
		const pages: number[] = [];
		const result = await client.fetchOHLCVHistory('BTC/USDT', '1m', 2500, {onPage: p => pages.push(p.candles)});
		expect(result.candles).toHaveLength(2500);
		expect(result.requests).toBe(3);
		expect(pages).toEqual([1000, 2000, 2500]);
		for (let i = 1; i < result.candles.length; i++)
			expect(result.candles[i]!.time - result.candles[i - 1]!.time).toBe(60_000);
	});

	it('fetchOrderBook and fetchTrades', async () => {
		const book = await client.fetchOrderBook('BTC/USDT', 20);
		expect(book.bids.length).toBeGreaterThan(0);
		expect(book.asks.length).toBeGreaterThan(0);
		expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
		expect(book.nonce).toBeGreaterThan(0);
		const trades = await client.fetchTrades('BTC/USDT', undefined, 50);
		expect(trades.length).toBeGreaterThan(0);
		expect(trades[0]!.price).toBeGreaterThan(0);
		expect(['buy', 'sell']).toContain(trades[0]!.side);
	});

	it('fetchApiRestrictions: withdrawals off by default', async () => {
		const restrictions = await client.fetchApiRestrictions();
		expect(restrictions.enableWithdrawals).toBe(false);
		expect(restrictions.enableReading).toBe(true);
	});

	it('reports weight headers per response and keeps the last ones', async () => {
		const seen: ResponseInfo[] = [];
		const off = client.onResponse(r => seen.push(r));
		await client.fetchTicker('BTC/USDT');
		off();
		expect(seen).toHaveLength(1);
		expect(seen[0]).toMatchObject({method: 'GET', path: '/api/v3/ticker/24hr', status: 200});
		expect(seen[0]!.usedWeight1m).toBeGreaterThan(0);
		expect(client.lastResponseHeaders().usedWeight1m).toBe(seen[0]!.usedWeight1m);
		const raw = await client.rawPublicGet('/api/v3/ping');
		expect(raw.status).toBe(200);
		expect(raw.headers['x-mbx-used-weight-1m']).toBeDefined();
	});
});

describe('orders and account', () => {
	it('fetchBalance shows a funded account', async () => {
		const balance = await client.fetchBalance();
		expect(balance.assets['USDT']?.free).toBeGreaterThan(1000);
		expect(balance.assets['BTC']?.total).toBeGreaterThanOrEqual(0);
	});

	it('market buy by amount fills at once with fills and fees', async () => {
		const order = await client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001});
		expect(order.status).toBe('closed');
		expect(order.venueStatus).toBe('FILLED');
		expect(order.filled).toBeCloseTo(0.001, 8);
		expect(order.fills.length).toBeGreaterThan(0);
		expect(order.cost).toBeGreaterThan(0);
		const headers = client.lastResponseHeaders();
		expect(headers.orderCount10s).toBeGreaterThan(0);
		expect(headers.orderCount1d).toBeGreaterThan(0);
	});

	it('market buy by quote cost spends about that much', async () => {
		const order = await client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: 50});
		expect(order.status).toBe('closed');
		expect(order.cost).toBeLessThanOrEqual(50);
		expect(order.cost).toBeGreaterThan(45);
	});

	it('limit resting: open, listed, fetched by id and by clientOrderId, cancelled', async () => {
		const book = await client.fetchOrderBook('BTC/USDT', 5);
		const price = Math.round(book.bids[0]![0] * 0.9);
		const clientOrderId = `dd-rest-${Date.now()}`;
		const order = await client.createOrder({
			symbol: 'BTC/USDT',
			side: 'buy',
			type: 'limit',
			amount: 0.001,
			price,
			clientOrderId,
		});
		expect(order).toMatchObject({status: 'open', venueStatus: 'NEW', clientOrderId, filled: 0, timeInForce: 'GTC'});
		const open = await client.fetchOpenOrders('BTC/USDT');
		expect(open.map(o => o.id)).toContain(order.id);
		expect((await client.fetchOrder('BTC/USDT', {id: order.id})).clientOrderId).toBe(clientOrderId);
		expect((await client.fetchOrder('BTCUSDT', {clientOrderId})).id).toBe(order.id);
		const balance = await client.fetchBalance();
		expect(balance.assets['USDT']!.used).toBeGreaterThanOrEqual(price * 0.001 - 1e-6);
		const cancelled = await client.cancelOrder('BTC/USDT', {id: order.id});
		expect(cancelled.status).toBe('canceled');
		expect((await client.fetchOpenOrders('BTC/USDT')).map(o => o.id)).not.toContain(order.id);
	});

	/** Book-dependent orders: freeze the simulated market so the book we read is the book we hit. */
	async function frozen(fn: () => Promise<void>): Promise<void> {
		await admin(mock, 'POST', '/faults', {fault: 'pause-market'});
		await new Promise(resolve => setTimeout(resolve, 150));
		try {
			await fn();
		} finally {
			await admin(mock, 'DELETE', '/faults');
		}
	}

	it('limit that fills partially rests with the remainder', () =>
		frozen(async () => {
			const book = await client.fetchOrderBook('ETH/USDT', 20);
			const [bestAsk, askQty] = book.asks[0]!;
			const nextAsk = book.asks[1]![0];
			expect(nextAsk).toBeGreaterThan(bestAsk);
			const amount = Number((askQty * 2).toFixed(4));
			const order = await client.createOrder({symbol: 'ETH/USDT', side: 'buy', type: 'limit', amount, price: bestAsk});
			expect(order.status).toBe('open');
			expect(order.venueStatus).toBe('PARTIALLY_FILLED');
			expect(order.filled).toBeGreaterThan(0);
			expect(order.filled).toBeLessThan(amount);
			await client.cancelOrder('ETH/USDT', {id: order.id});
		}));

	it('IOC fills what it can and expires; FOK all or nothing', () =>
		frozen(async () => {
			const book = await client.fetchOrderBook('ETH/USDT', 20);
			const [bestAsk, askQty] = book.asks[0]!;
			const tooMuch = Number((askQty * 2).toFixed(4));
			const ioc = await client.createOrder({
				symbol: 'ETH/USDT',
				side: 'buy',
				type: 'limit',
				timeInForce: 'IOC',
				amount: tooMuch,
				price: bestAsk,
			});
			expect(ioc.status).toBe('expired');
			expect(ioc.filled).toBeGreaterThan(0);
			expect(ioc.filled).toBeLessThan(tooMuch);
			const again = await client.fetchOrderBook('ETH/USDT', 20);
			const [ask2, qty2] = again.asks[0]!;
			const fokMiss = await client.createOrder({
				symbol: 'ETH/USDT',
				side: 'buy',
				type: 'limit',
				timeInForce: 'FOK',
				amount: Number((qty2 * 2).toFixed(4)),
				price: ask2,
			});
			expect(fokMiss.status).toBe('expired');
			expect(fokMiss.filled).toBe(0);
			const fokHit = await client.createOrder({
				symbol: 'ETH/USDT',
				side: 'buy',
				type: 'limit',
				timeInForce: 'FOK',
				amount: 0.01,
				price: again.asks[5]![0],
			});
			expect(fokHit.status).toBe('closed');
			expect(fokHit.filled).toBeCloseTo(0.01, 8);
		}));

	it('limit maker rests when passive and is rejected when it would cross', async () => {
		const book = await client.fetchOrderBook('BTC/USDT', 5);
		const passive = await client.createOrder({
			symbol: 'BTC/USDT',
			side: 'buy',
			type: 'limit-maker',
			amount: 0.001,
			price: book.bids[0]![0] - 100,
		});
		expect(passive.status).toBe('open');
		const crossing = client.createOrder({
			symbol: 'BTC/USDT',
			side: 'buy',
			type: 'limit-maker',
			amount: 0.001,
			price: book.asks[0]![0] + 100,
		});
		await expect(crossing).rejects.toMatchObject({kind: 'invalid-order', code: -2010});
		const cancelled = await client.cancelAllOrders('BTC/USDT');
		expect(cancelled.map(o => o.id)).toContain(passive.id);
		expect(await client.fetchOpenOrders('BTC/USDT')).toHaveLength(0);
	});

	it('fetchMyTrades lists the fills of our orders', async () => {
		const order = await client.createOrder({symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 0.001});
		const trades = await client.fetchMyTrades('BTC/USDT');
		const mine = trades.filter(t => t.orderId === order.id);
		expect(mine.length).toBe(order.fills.length);
		expect(mine[0]).toMatchObject({symbol: 'BTC/USDT', side: 'sell', takerOrMaker: 'taker'});
		expect(mine.reduce((sum, t) => sum + t.amount, 0)).toBeCloseTo(0.001, 8);
		expect(mine[0]!.fee?.currency).toBe('USDT');
	});

	it('fetchOpenOrders without a symbol works', async () => {
		await expect(client.fetchOpenOrders()).resolves.toEqual([]);
	});
});
