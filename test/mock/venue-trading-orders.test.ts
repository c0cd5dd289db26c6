/** Trailing stops (trailingDelta), iceberg orders (icebergQty) and self-trade prevention modes on POST /api/v3/order. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {adminCall, publicGet, signed, startMock} from './helpers.js';

let mock: MockExchange;
type Row = {
	orderId: number;
	status: string;
	trailingDelta?: number;
	trailingTime?: number;
	icebergQty?: string;
	selfTradePreventionMode: string;
};
const last = async () =>
	Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
const trade = (price: number) =>
	adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: Math.round(price), qty: 1});
const status = async (orderId: number) =>
	(await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId})).body as Row;
const px = (n: number) => String(Math.round(n));

beforeAll(async () => {
	// stepMs large: only the forced trades move the price the stops see.
	mock = await startMock({seed: 17, balances: {USDT: 100_000, BTC: 1}, stepMs: 3_600_000});
});
afterAll(async () => {
	await mock.close();
});

describe('trailing stops', () => {
	it('a SELL STOP_LOSS without stopPrice tracks the highest price from placement and fires trailingDelta below it', async () => {
		const p = await last();
		const placed = await signed(mock, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'SELL',
			type: 'STOP_LOSS',
			quantity: '0.01',
			trailingDelta: 500,
			newOrderRespType: 'RESULT',
		});
		expect(placed).toMatchObject({
			status: 200,
			body: {status: 'NEW', trailingDelta: 500, trailingTime: expect.any(Number)},
		});
		const orderId = (placed.body as Row).orderId;
		await trade(p * 1.04); // new high: fires at ≤ 1.04 × 0.95 = 0.988
		await trade(p * 0.995);
		expect((await status(orderId)).status).toBe('NEW');
		await trade(p * 0.985);
		expect((await status(orderId)).status).toBe('FILLED');
	});

	it('a BUY STOP_LOSS with stopPrice waits for it, then tracks the lowest price and fires trailingDelta above it', async () => {
		const p = await last();
		const placed = await signed(mock, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'STOP_LOSS',
			quantity: '0.01',
			stopPrice: px(p * 1.02),
			trailingDelta: 300,
		});
		expect(placed.status, placed.text).toBe(200);
		const orderId = (placed.body as Row).orderId;
		await trade(p * 0.9); // −10 %: not tracking yet, nothing happens
		expect(await status(orderId)).toMatchObject({status: 'NEW', trailingTime: -1});
		await trade(p * 1.03); // activation: tracking from 1.03
		expect((await status(orderId)).trailingTime).toBeGreaterThan(0);
		await trade(p * 1.01); // new low 1.01: fires at ≥ 1.0403
		await trade(p * 1.035);
		expect((await status(orderId)).status).toBe('NEW');
		await trade(p * 1.045);
		expect((await status(orderId)).status).toBe('FILLED');
	});

	it('applies the TRAILING_DELTA filter and refuses trailingDelta on non-stop orders', async () => {
		const p = await last();
		expect(
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'SELL',
				type: 'STOP_LOSS',
				quantity: '0.01',
				trailingDelta: 5,
			}),
		).toMatchObject({status: 400, body: {code: -1013, msg: 'Filter failure: TRAILING_DELTA'}});
		expect(
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'SELL',
				type: 'STOP_LOSS',
				quantity: '0.01',
				trailingDelta: 5000,
			}),
		).toMatchObject({status: 400, body: {code: -1013}});
		expect(
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'SELL',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.01',
				price: px(p * 1.1),
				trailingDelta: 100,
			}),
		).toMatchObject({status: 400, body: {code: -1106}});
	});
});

describe('icebergs and STP modes', () => {
	it('accepts a GTC iceberg below its quantity and shows icebergQty; refuses the rest', async () => {
		const p = await last();
		const limit = {symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: px(p * 0.8)};
		const placed = await signed(mock, 'POST', '/api/v3/order', {...limit, timeInForce: 'GTC', icebergQty: '0.002'});
		expect(placed).toMatchObject({status: 200, body: {icebergQty: '0.00200000'}});
		expect(await status((placed.body as Row).orderId)).toMatchObject({icebergQty: '0.00200000'});
		expect(
			await signed(mock, 'POST', '/api/v3/order', {...limit, timeInForce: 'GTC', icebergQty: '0.01'}),
		).toMatchObject({status: 400, body: {code: -2010, msg: 'IcebergQty exceeds QTY.'}});
		expect(
			await signed(mock, 'POST', '/api/v3/order', {...limit, timeInForce: 'IOC', icebergQty: '0.002'}),
		).toMatchObject({status: 400, body: {code: -2010}});
		expect(
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quantity: '0.01',
				icebergQty: '0.002',
			}),
		).toMatchObject({status: 400, body: {code: -2010}});
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});

	it('takes every documented STP mode, echoes it, defaults to EXPIRE_MAKER', async () => {
		const p = await last();
		for (const mode of ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH', 'DECREMENT', 'TRANSFER']) {
			const placed = await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.001',
				price: px(p * 0.8),
				selfTradePreventionMode: mode,
			});
			expect(placed, mode).toMatchObject({status: 200, body: {selfTradePreventionMode: mode}});
			expect((await status((placed.body as Row).orderId)).selfTradePreventionMode).toBe(mode);
		}
		expect(
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.001',
				price: px(p * 0.8),
			}),
		).toMatchObject({body: {selfTradePreventionMode: 'EXPIRE_MAKER'}});
		expect(
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.001',
				price: px(p * 0.8),
				selfTradePreventionMode: 'SOMETIMES',
			}),
		).toMatchObject({status: 400, body: {code: -1100}});
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});
});
