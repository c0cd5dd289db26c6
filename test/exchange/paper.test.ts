/** The paper broker: venue market data from the mock over ccxt, orders filled locally. */
import {afterAll, beforeAll, expect, it} from 'vitest';
import {createPaperBroker, type ExchangeClient} from '../../source/exchange/index.js';
import {admin, connect, startMock, within, type Mock} from './helpers.js';

let mock: Mock;
let venue: ExchangeClient;
let paper: ExchangeClient;

beforeAll(async () => {
	mock = await startMock();
	venue = await connect(mock);
	paper = createPaperBroker(venue, {balances: {USDT: 1000, BTC: 0.01}});
	await paper.loadMarkets();
});

afterAll(async () => {
	await paper?.close();
	await mock?.close();
});

it('fills a market buy locally against the venue book; the venue account is untouched', async () => {
	const venueBefore = await venue.fetchBalance();
	const book = await paper.fetchOrderBook('BTC/USDT', 5);
	const order = await paper.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001});
	expect(paper.execution).toBe('paper');
	expect(order).toMatchObject({symbol: 'BTC/USDT', status: 'closed', venueStatus: 'FILLED', filled: 0.001});
	expect(order.average!).toBeGreaterThanOrEqual(book.asks[0]![0] * 0.99);
	expect(order.fills[0]!.fee?.currency).toBe('BTC');
	const balance = await paper.fetchBalance();
	expect(balance.assets['USDT']!.free).toBeCloseTo(1000 - order.cost, 6);
	expect(balance.assets['BTC']!.free).toBeCloseTo(
		0.01 + 0.001 - order.fills.reduce((s, f) => s + (f.fee?.cost ?? 0), 0),
		8,
	);
	const venueAfter = await venue.fetchBalance();
	expect(venueAfter.assets['BTC']!.total).toBe(venueBefore.assets['BTC']!.total);
	expect(await venue.fetchMyTrades('BTC/USDT')).toHaveLength(0);
	expect((await paper.fetchMyTrades('BTC/USDT')).map(t => t.orderId)).toContain(order.id);
});

it('rests a limit order, locks funds, lists and cancels it', async () => {
	const book = await paper.fetchOrderBook('BTC/USDT', 5);
	const price = Math.round(book.bids[0]![0] * 0.9);
	const order = await paper.createOrder({
		symbol: 'BTC/USDT',
		side: 'buy',
		type: 'limit',
		amount: 0.001,
		price,
		clientOrderId: 'paper-1',
	});
	expect(order.status).toBe('open');
	expect((await paper.fetchBalance()).assets['USDT']!.used).toBeCloseTo(price * 0.001, 6);
	expect((await paper.fetchOrder('BTC/USDT', {clientOrderId: 'paper-1'})).id).toBe(order.id);
	expect((await paper.fetchOpenOrders()).map(o => o.id)).toEqual([order.id]);
	const cancelled = await paper.cancelOrder('BTC/USDT', {id: order.id});
	expect(cancelled.status).toBe('canceled');
	expect((await paper.fetchBalance()).assets['USDT']!.used).toBe(0);
});

it('rejects like the venue would: insufficient funds, unknown order, unknown symbol', async () => {
	await expect(
		paper.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 1, price: 50_000}),
	).rejects.toMatchObject({kind: 'insufficient-funds', code: -2010});
	await expect(paper.cancelOrder('BTC/USDT', {id: '999999'})).rejects.toMatchObject({
		kind: 'order-not-found',
		code: -2011,
	});
	await expect(paper.fetchOrder('BTC/USDT', {id: '999999'})).rejects.toMatchObject({
		kind: 'order-not-found',
		code: -2013,
	});
	await expect(paper.createOrder({symbol: 'NOPE/USDT', side: 'buy', type: 'market', amount: 1})).rejects.toMatchObject({
		kind: 'bad-symbol',
	});
});

it('watchOrders and watchBalance see a paper fill', async () => {
	const orders = paper.watchOrders('BTC/USDT');
	const balance = paper.watchBalance();
	const placed = await paper.createOrder({symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 0.001});
	const seen = await within(2000, 'paper watchOrders', orders);
	expect(seen.map(o => o.id)).toContain(placed.id);
	expect((await within(2000, 'paper watchBalance', balance)).assets['USDT']!.free).toBeGreaterThan(0);
});

it('fills a resting order as maker when the venue trades through its price', {timeout: 20_000}, async () => {
	// Freeze the simulated market so the only trade is the one we cause below.
	await admin(mock, 'POST', '/faults', {fault: 'pause-market'});
	await new Promise(resolve => setTimeout(resolve, 150));
	// A bid inside the spread: the next sell trade at or below it fills us as maker.
	const market = paper.market('BTC/USDT');
	const book = await paper.fetchOrderBook('BTC/USDT', 5);
	const improved = Number((book.bids[0]![0] + market.tickSize!).toFixed(2));
	// On a one-tick spread join the best bid instead (filled by trades printing at it).
	const price = improved < book.asks[0]![0] ? improved : book.bids[0]![0];
	const order = await paper.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.0005, price});
	expect(order.status).toBe('open');
	// Make the venue print trades below our price: a market sell on the venue's own account walks its bids.
	await new Promise(resolve => setTimeout(resolve, 300));
	await venue.createOrder({symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: 0.01});
	const deadline = Date.now() + 10_000;
	let current = order;
	while (current.filled === 0 && Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 250));
		current = await paper.fetchOrder('BTC/USDT', {id: order.id});
	}
	expect(current.filled).toBeGreaterThan(0);
	const trades = (await paper.fetchMyTrades('BTC/USDT')).filter(t => t.orderId === order.id);
	expect(trades[0]!.takerOrMaker).toBe('maker');
	expect(trades[0]!.price).toBe(price);
	await paper.cancelAllOrders('BTC/USDT');
	await admin(mock, 'DELETE', '/faults');
});
