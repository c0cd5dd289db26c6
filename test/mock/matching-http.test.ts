/** Orders over the wire against the simulated book. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {adminCall, balances, publicGet, signed, startMock, waitFor, type Balances} from './helpers.js';

type Fill = {price: string; qty: string; commission: string; commissionAsset: string; tradeId: number};
type OrderReply = {
	orderId: number;
	status: string;
	executedQty: string;
	cummulativeQuoteQty: string;
	origQty: string;
	fills: Fill[];
};

describe('matching over REST', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 11});
		// Freeze the simulation so the book the test reads is the book the order meets.
		await adminCall(mock, 'POST', '/faults', {fault: 'pause-market'});
	});
	afterAll(async () => {
		await mock.close();
	});

	const order = async (params: Record<string, string>) => {
		const r = await signed(mock, 'POST', '/api/v3/order', {symbol: 'BTCUSDT', ...params});
		if (r.status !== 200) throw new Error(`order failed: ${r.text}`);
		return r;
	};

	/** Every balance non-negative; locked USDT/BTC exactly what the open orders hold. */
	async function consistent(): Promise<Balances> {
		const b = await balances(mock);
		for (const [asset, v] of Object.entries(b)) {
			expect(v.free, asset).toBeGreaterThanOrEqual(0);
			expect(v.locked, asset).toBeGreaterThanOrEqual(0);
		}
		const open = (await signed(mock, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).body as Array<{
			side: string;
			price: string;
			origQty: string;
			executedQty: string;
		}>;
		let usdt = 0;
		let btc = 0;
		for (const o of open) {
			const left = Number(o.origQty) - Number(o.executedQty);
			if (o.side === 'BUY') usdt += left * Number(o.price);
			else btc += left;
		}
		expect(b.USDT!.locked).toBeCloseTo(usdt, 6);
		expect(b.BTC!.locked).toBeCloseTo(btc, 8);
		return b;
	}

	it('a market buy by quantity walks several levels of the published book, with FULL fills and order-count headers', async () => {
		const depth = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=20')).body as {
			asks: Array<[string, string]>;
		};
		const firstTwo = Number(depth.asks[0]![1]) + Number(depth.asks[1]![1]);
		const qty = (Math.ceil((firstTwo + 0.00001) * 1e5) / 1e5).toFixed(5);
		const before = await consistent();
		const r = await order({side: 'BUY', type: 'MARKET', quantity: qty});
		expect(r.headers.get('x-mbx-order-count-10s')).toBe('1');
		expect(r.headers.get('x-mbx-order-count-1d')).toBe('1');
		const body = r.body as OrderReply;
		expect(body.status).toBe('FILLED');
		expect(body.fills.length).toBeGreaterThanOrEqual(3);
		expect(body.fills.map(f => f.price).slice(0, 2)).toEqual([depth.asks[0]![0], depth.asks[1]![0]]);
		const prices = body.fills.map(f => Number(f.price));
		expect([...prices].sort((a, b) => a - b)).toEqual(prices);
		const cost = body.fills.reduce((s, f) => s + Number(f.price) * Number(f.qty), 0);
		expect(Number(body.cummulativeQuoteQty)).toBeCloseTo(cost, 6);
		const after = await consistent();
		expect(after.USDT!.free).toBeCloseTo(before.USDT!.free - cost, 6);
		const fees = body.fills.reduce((s, f) => s + Number(f.commission), 0);
		expect(fees).toBeCloseTo(Number(qty) * 0.001, 8);
		expect(after.BTC!.free).toBeCloseTo(before.BTC!.free + Number(qty) - fees, 8);
		const depthAfter = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {
			asks: Array<[string, string]>;
		};
		expect(Number(depthAfter.asks[0]![0])).toBeGreaterThan(Number(depth.asks[1]![0]));
		const mine = (await signed(mock, 'GET', '/api/v3/myTrades', {symbol: 'BTCUSDT', orderId: body.orderId}))
			.body as Array<{id: number; isBuyer: boolean; isMaker: boolean}>;
		expect(mine.map(t => t.id)).toEqual(body.fills.map(f => f.tradeId));
		expect(mine.every(t => t.isBuyer && !t.isMaker)).toBe(true);
	});

	it('a market sell by quoteOrderQty raises at most that quote across levels', async () => {
		const r = await order({side: 'SELL', type: 'MARKET', quoteOrderQty: '3000'});
		const body = r.body as OrderReply;
		expect(body.status).toBe('FILLED');
		expect(Number(body.cummulativeQuoteQty)).toBeLessThanOrEqual(3000);
		expect(Number(body.cummulativeQuoteQty)).toBeGreaterThan(2990);
		expect(body.origQty).toBe(body.executedQty);
		await consistent();
	});

	it('IOC partially fills and expires; FOK that cannot fill is killed', async () => {
		const depth = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {
			asks: Array<[string, string]>;
		};
		const [askPrice, askQty] = depth.asks[0]!;
		const bigger = (Number(askQty) + 0.01).toFixed(5);
		const ioc = (await order({side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: bigger, price: askPrice}))
			.body as OrderReply;
		expect(ioc.status).toBe('EXPIRED');
		expect(ioc.executedQty).toBe(Number(askQty).toFixed(8));
		const depth2 = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {
			asks: Array<[string, string]>;
		};
		const fok = (
			await order({
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'FOK',
				quantity: (Number(depth2.asks[0]![1]) + 0.01).toFixed(5),
				price: depth2.asks[0]![0],
			})
		).body as OrderReply;
		expect(fok.status).toBe('EXPIRED');
		expect(fok.executedQty).toBe('0.00000000');
		expect(fok.fills).toEqual([]);
		await consistent();
	});

	it('a resting limit fills when the market trades through it', async () => {
		const last = Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
		const price = (Math.floor(last * 0.99 * 100) / 100).toFixed(2);
		const placed = (await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price}))
			.body as OrderReply;
		expect(placed.status).toBe('NEW');
		const mid = await consistent();
		expect(mid.USDT!.locked).toBeCloseTo(Number(price) * 0.01, 6);
		// An operator (or a test) prints a trade below the order's price.
		const trade = await adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: Number(price) - 5});
		expect(trade.status).toBe(200);
		const filled = await waitFor('order filled', async () => {
			const o = (await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId: placed.orderId})).body as {
				status: string;
			};
			return o.status === 'FILLED' ? o : undefined;
		});
		expect(filled).toMatchObject({
			status: 'FILLED',
			executedQty: '0.01000000',
			cummulativeQuoteQty: (Number(price) * 0.01).toFixed(8),
		});
		const after = await consistent();
		expect(after.USDT!.locked).toBeCloseTo(0, 8);
		const trades = (await signed(mock, 'GET', '/api/v3/myTrades', {symbol: 'BTCUSDT', orderId: placed.orderId}))
			.body as Array<{isMaker: boolean; price: string}>;
		expect(trades).toHaveLength(1);
		expect(trades[0]).toMatchObject({isMaker: true, price: Number(price).toFixed(8)});
		await adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: last});
	});

	it('a STOP_LOSS_LIMIT sell waits, not working, until the market trades down to its stop', async () => {
		const last = Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
		const stop = (Math.floor(last * 0.98 * 100) / 100).toFixed(2);
		const limit = (Math.floor(last * 0.97 * 100) / 100).toFixed(2);
		const placed = (
			await order({
				side: 'SELL',
				type: 'STOP_LOSS_LIMIT',
				timeInForce: 'GTC',
				quantity: '0.001',
				price: limit,
				stopPrice: stop,
			})
		).body as Record<string, unknown>;
		expect(Object.keys(placed)).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'transactTime']);
		const waiting = (await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId: placed.orderId as number}))
			.body as Record<string, unknown>;
		expect(waiting).toMatchObject({
			status: 'NEW',
			isWorking: false,
			type: 'STOP_LOSS_LIMIT',
			stopPrice: Number(stop).toFixed(8),
		});
		await consistent();
		await adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: Number(stop) - 1});
		const fired = await waitFor('stop fired', async () => {
			const o = (await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId: placed.orderId as number}))
				.body as {isWorking: boolean; status: string};
			return o.isWorking ? o : undefined;
		});
		expect(fired.status).toBe('FILLED');
		await consistent();
		await adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: last});
	});

	it('counts orders by status in the admin stats', async () => {
		const stats = (await adminCall(mock, 'GET', '/stats')).body as {
			orders: {byStatus: Record<string, number>};
			requests: {byRoute: Record<string, Record<string, number>>};
		};
		expect(stats.orders.byStatus.FILLED).toBeGreaterThanOrEqual(4);
		expect(stats.orders.byStatus.EXPIRED).toBe(2);
		expect(stats.requests.byRoute['POST /api/v3/order']!['200']).toBeGreaterThanOrEqual(5);
	});
});
