import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {expectError, publicGet, signed, startMock} from './helpers.js';

describe('REST error paths answer with Binance codes', () => {
	let mock: MockExchange;
	let price: number;
	beforeAll(async () => {
		mock = await startMock({balances: {USDT: 1000, BTC: 0.01}});
		price = Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
	});
	afterAll(async () => {
		await mock.close();
	});

	const order = (params: Record<string, string | number>) =>
		signed(mock, 'POST', '/api/v3/order', {symbol: 'BTCUSDT', ...params});
	const limitPrice = () => (Math.floor(price * 0.9 * 100) / 100).toFixed(2);

	it('-1121 for an unknown symbol, public and signed', async () => {
		expectError(await publicGet(mock, '/api/v3/depth?symbol=NOPEUSDT'), -1121, 'Invalid symbol.');
		expectError(await order({symbol: 'NOPEUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001'}), -1121);
	});

	it('-1102 for a missing mandatory parameter, naming it', async () => {
		expectError(await publicGet(mock, '/api/v3/depth'), -1102, "'symbol'");
		expectError(await order({type: 'MARKET', quantity: '0.001'}), -1102, "'side'");
		expectError(
			await order({side: 'BUY', type: 'LIMIT', quantity: '0.001', price: limitPrice()}),
			-1102,
			"'timeInForce'",
		);
		expectError(await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001'}), -1102, "'price'");
	});

	it('-1100 for malformed numbers: words, exponents, NaN, too many digits, negative', async () => {
		for (const quantity of ['abc', '1e3', 'NaN', 'Infinity', '123456789012345678901234', '-1', '0x10']) {
			expectError(await order({side: 'BUY', type: 'MARKET', quantity}), -1100, "'quantity'");
		}
		expectError(await publicGet(mock, '/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=lots'), -1100, "'limit'");
		expectError(await publicGet(mock, '/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=5000'), -1100, "'limit'");
		expectError(await publicGet(mock, '/api/v3/depth?symbol=btc%20usdt'), -1100, "'symbol'");
	});

	it('-1104 for parameters the endpoint does not take, -1101 for a repeated one', async () => {
		expectError(await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&colour=blue'), -1104);
		expectError(await order({side: 'BUY', type: 'MARKET', quantity: '0.001', bogus: '1'}), -1104);
		expectError(await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&symbol=ETHUSDT'), -1101);
	});

	it('-1120 / -1117 / -1116 / -1115 for bad enum values', async () => {
		expectError(await publicGet(mock, '/api/v3/klines?symbol=BTCUSDT&interval=7m'), -1120);
		expectError(await order({side: 'HOLD', type: 'MARKET', quantity: '0.001'}), -1117);
		expectError(await order({side: 'BUY', type: 'SPLENDID', quantity: '0.001'}), -1116);
		expectError(
			await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTD', quantity: '0.001', price: limitPrice()}),
			-1115,
		);
	});

	it('-1013 names the filter that failed', async () => {
		expectError(
			await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000001', price: limitPrice()}),
			-1013,
			'Filter failure: LOT_SIZE',
		);
		expectError(
			await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '100.001'}),
			-1013,
			'Filter failure: PRICE_FILTER',
		);
		expectError(
			await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.00002', price: '100.00'}),
			-1013,
			'Filter failure: NOTIONAL',
		);
		expectError(await order({side: 'BUY', type: 'MARKET', quantity: '500'}), -1013, 'Filter failure: MARKET_LOT_SIZE');
		expectError(await order({side: 'BUY', type: 'MARKET', quoteOrderQty: '1'}), -1013, 'Filter failure: NOTIONAL');
	});

	it('-1111 when a number has more decimals than its asset precision (trailing zeros do not count)', async () => {
		expectError(
			await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.0010000000001', price: limitPrice()}),
			-1111,
			"Parameter 'quantity' has too much precision.",
		);
		expectError(
			await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '100.000000001'}),
			-1111,
			"Parameter 'price' has too much precision.",
		);
		const ok = await order({
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: '0.00100000000000',
			price: limitPrice(),
		});
		expect(ok.status).toBe(200);
	});

	it('-2010 for insufficient balance, both sides', async () => {
		const r = await order({side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: limitPrice()});
		expectError(r, -2010, 'Account has insufficient balance for requested action.');
		const sell = await order({side: 'SELL', type: 'MARKET', quantity: '0.02'});
		expectError(sell, -2010, 'insufficient balance');
		expect(Number(sell.headers.get('x-mbx-order-count-10s'))).toBeGreaterThan(0);
		expectError(await order({side: 'BUY', type: 'MARKET', quoteOrderQty: '1001'}), -2010, 'insufficient balance');
	});

	it('-2010 for a clientOrderId already used by an open order; reusable once it is closed', async () => {
		const params = {
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: '0.0001',
			price: limitPrice(),
			newClientOrderId: 'dup-1',
		};
		const first = await order(params);
		expect(first.status).toBe(200);
		expectError(await order(params), -2010, 'Duplicate order sent.');
		expect(
			(await signed(mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'dup-1'})).status,
		).toBe(200);
		expect((await order(params)).status).toBe(200);
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});

	it('-2011 cancelling an unknown order, -2013 querying one', async () => {
		expectError(
			await signed(mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', orderId: 987654}),
			-2011,
			'Unknown order sent.',
		);
		expectError(
			await signed(mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'never-sent'}),
			-2011,
		);
		expectError(
			await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId: 987654}),
			-2013,
			'Order does not exist.',
		);
		expectError(await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'ETHUSDT'}), -2011);
	});

	it('-2010 LIMIT_MAKER that would cross', async () => {
		const book = (await publicGet(mock, '/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body as {askPrice: string};
		const ask = Number(book.askPrice);
		expectError(
			await order({side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.0001', price: (ask + 50).toFixed(2)}),
			-2010,
			'Order would immediately match and take.',
		);
	});

	it('404 for unknown paths and 405 for unsupported methods, both Binance-shaped', async () => {
		const notFound = await publicGet(mock, '/api/v3/nothing-here');
		expect(notFound.status).toBe(404);
		expect(notFound.body).toMatchObject({code: expect.any(Number), msg: expect.any(String)});
		const r = await fetch(`${mock.rest}/api/v3/ticker/price`, {method: 'PATCH'});
		expect(r.status).toBe(405);
		expect(await r.json()).toMatchObject({code: -1020});
	});

	it('queries orders by orderId and origClientOrderId, and lists open and all orders', async () => {
		const placed = (
			await order({
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.0001',
				price: limitPrice(),
				newClientOrderId: 'q-1',
			})
		).body as {orderId: number};
		const byId = (await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId: placed.orderId}))
			.body as Record<string, unknown>;
		const byClient = (await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'q-1'}))
			.body as Record<string, unknown>;
		expect(byId).toEqual(byClient);
		expect(byId).toMatchObject({
			status: 'NEW',
			isWorking: true,
			clientOrderId: 'q-1',
			origQty: '0.00010000',
			stopPrice: '0.00000000',
		});
		const open = (await signed(mock, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).body as Array<{
			orderId: number;
		}>;
		expect(open.map(o => o.orderId)).toContain(placed.orderId);
		const cancelled = (await signed(mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', orderId: placed.orderId}))
			.body as Record<string, unknown>;
		expect(cancelled).toMatchObject({status: 'CANCELED', origClientOrderId: 'q-1', orderId: placed.orderId});
		const all = (await signed(mock, 'GET', '/api/v3/allOrders', {symbol: 'BTCUSDT'})).body as Array<{
			orderId: number;
			status: string;
		}>;
		expect(all.find(o => o.orderId === placed.orderId)?.status).toBe('CANCELED');
	});

	it('GET /sapi/v1/account/apiRestrictions reports withdrawals off by default', async () => {
		const r = await signed(mock, 'GET', '/sapi/v1/account/apiRestrictions');
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({
			enableWithdrawals: false,
			enableReading: true,
			enableSpotAndMarginTrading: true,
			ipRestrict: false,
		});
	});
});

describe('MAX_NUM_ORDERS', () => {
	it('refuses the 201st open order on a symbol with -1013 MAX_NUM_ORDERS', async () => {
		const mock = await startMock({ordersPer10s: 1000});
		try {
			const book = (await publicGet(mock, '/api/v3/ticker/bookTicker?symbol=ETHUSDT')).body as {bidPrice: string};
			const price = (Math.floor(Number(book.bidPrice) * 0.5 * 100) / 100).toFixed(2);
			const place = () =>
				signed(mock, 'POST', '/api/v3/order', {
					symbol: 'ETHUSDT',
					side: 'BUY',
					type: 'LIMIT',
					timeInForce: 'GTC',
					quantity: '0.01',
					price,
					newOrderRespType: 'ACK',
				});
			for (let batch = 0; batch < 10; batch++) {
				const replies = await Promise.all(Array.from({length: 20}, place));
				expect(replies.every(r => r.status === 200)).toBe(true);
			}
			expectError(await place(), -1013, 'Filter failure: MAX_NUM_ORDERS');
			// Other symbols are counted separately.
			expect(
				(
					await signed(mock, 'POST', '/api/v3/order', {
						symbol: 'BTCUSDT',
						side: 'BUY',
						type: 'MARKET',
						quoteOrderQty: '10',
					})
				).status,
			).toBe(200);
		} finally {
			await mock.close();
		}
	});
});
