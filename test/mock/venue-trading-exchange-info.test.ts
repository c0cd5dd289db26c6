/**
 * exchangeInfo tells the truth about trading: each capability it claims works over the wire, and what it
 * denies (pegged orders, OPO) is refused.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {publicGet, signed, startMock} from './helpers.js';

let mock: MockExchange;
let info: Record<string, unknown>;
beforeAll(async () => {
	mock = await startMock({seed: 51, stepMs: 3_600_000});
	info = (
		(await publicGet(mock, '/api/v3/exchangeInfo?symbol=BTCUSDT')).body as {symbols: Array<Record<string, unknown>>}
	).symbols[0]!;
});
afterAll(async () => {
	await mock.close();
});

describe('exchangeInfo and behaviour agree', () => {
	it('claims what the mock does', () => {
		expect(info).toMatchObject({
			icebergAllowed: true,
			ocoAllowed: true,
			otoAllowed: true,
			allowTrailingStop: true,
			cancelReplaceAllowed: true,
			amendAllowed: true,
			pegInstructionsAllowed: false,
			quoteOrderQtyMarketAllowed: true,
		});
		expect(info['allowedSelfTradePreventionModes']).toEqual([
			'NONE',
			'EXPIRE_TAKER',
			'EXPIRE_MAKER',
			'EXPIRE_BOTH',
			'DECREMENT',
			'TRANSFER',
		]);
		expect(info['filters']).toContainEqual({
			filterType: 'TRAILING_DELTA',
			minTrailingAboveDelta: 10,
			maxTrailingAboveDelta: 2000,
			minTrailingBelowDelta: 10,
			maxTrailingBelowDelta: 2000,
		});
	});

	it('every claimed order type is accepted by order/test; pegged orders (claimed unsupported) are refused', async () => {
		const p = Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
		const px = (f: number) => String(Math.round(p * f));
		const byType: Record<string, Record<string, string>> = {
			LIMIT: {timeInForce: 'GTC', quantity: '0.001', price: px(0.9)},
			LIMIT_MAKER: {quantity: '0.001', price: px(0.9)},
			MARKET: {quantity: '0.001'},
			STOP_LOSS: {quantity: '0.001', stopPrice: px(1.1)},
			STOP_LOSS_LIMIT: {timeInForce: 'GTC', quantity: '0.001', price: px(1.1), stopPrice: px(1.1)},
			TAKE_PROFIT: {quantity: '0.001', stopPrice: px(0.9)},
			TAKE_PROFIT_LIMIT: {timeInForce: 'GTC', quantity: '0.001', price: px(0.9), stopPrice: px(0.9)},
		};
		for (const type of info['orderTypes'] as string[]) {
			expect(byType[type], type).toBeDefined();
			expect(
				await signed(mock, 'POST', '/api/v3/order/test', {symbol: 'BTCUSDT', side: 'BUY', type, ...byType[type]}),
				type,
			).toMatchObject({status: 200});
		}
		expect(
			await signed(mock, 'POST', '/api/v3/order/test', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				...byType['LIMIT'],
				pegPriceType: 'PRIMARY_PEG',
			}),
		).toMatchObject({status: 400, body: {code: -1106}});
		expect(await signed(mock, 'POST', '/api/v3/orderList/opo', {symbol: 'BTCUSDT'})).toMatchObject({status: 404});
	});
});
