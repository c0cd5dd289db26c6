/**
 * Order lists (OCO, OTO, OTOCO) with their real semantics, on REST and the WebSocket API: an OCO leg
 * trading or triggering expires the other; an OTO's pending order goes on when the working order fills.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {adminCall, publicGet, signed, startMock} from './helpers.js';
import {call, hmacSigner, wsSigned} from './helpers.js';
import {TestClient} from './helpers.js';

let mock: MockExchange;
type Row = {orderId: number; status: string; clientOrderId: string; orderListId: number};
type ListReply = {
	orderListId: number;
	contingencyType: string;
	listOrderStatus: string;
	listStatusType: string;
	orders: Row[];
	orderReports: Row[];
};

const last = async () =>
	Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
const px = (n: number) => String(Math.round(n));
const balance = async (asset: string) =>
	(
		(await signed(mock, 'GET', '/api/v3/account')).body as {
			balances: Array<{asset: string; free: string; locked: string}>;
		}
	).balances.find(b => b.asset === asset)!;
const order = async (orderId: number) =>
	(await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId})).body as Row;
const trade = (price: number) =>
	adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: Math.round(price), qty: 1});
const open = async () =>
	((await signed(mock, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).body as Row[])
		.map(o => o.clientOrderId)
		.sort();

beforeAll(async () => {
	// stepMs large: the simulated market does not trade through our prices between forced trades.
	mock = await startMock({seed: 12, balances: {USDT: 100_000, BTC: 1}, stepMs: 3_600_000});
});
afterAll(async () => {
	await mock.close();
});

describe('OCO', () => {
	it('holds the quantity once; the limit leg filling expires the stop leg', async () => {
		const p = await last();
		const reply = await signed(mock, 'POST', '/api/v3/orderList/oco', {
			symbol: 'BTCUSDT',
			side: 'SELL',
			quantity: '0.01',
			listClientOrderId: 'oco-1',
			aboveType: 'LIMIT_MAKER',
			abovePrice: px(p * 1.05),
			aboveClientOrderId: 'oco-1-tp',
			belowType: 'STOP_LOSS_LIMIT',
			belowStopPrice: px(p * 0.95),
			belowPrice: px(p * 0.94),
			belowTimeInForce: 'GTC',
			belowClientOrderId: 'oco-1-sl',
		});
		expect(reply.status, reply.text).toBe(200);
		const list = reply.body as ListReply;
		expect(list).toMatchObject({
			contingencyType: 'OCO',
			listStatusType: 'EXEC_STARTED',
			listOrderStatus: 'EXECUTING',
			listClientOrderId: 'oco-1',
		});
		expect(list.orderReports.map(r => [r.clientOrderId, r.status, r.orderListId])).toEqual([
			['oco-1-tp', 'NEW', list.orderListId],
			['oco-1-sl', 'NEW', list.orderListId],
		]);
		expect(Number((await balance('BTC')).locked)).toBeCloseTo(0.01, 8);
		expect(await open()).toEqual(['oco-1-sl', 'oco-1-tp']);
		await trade(p * 1.06);
		const [tp, sl] = list.orders;
		expect((await order(tp!.orderId)).status).toBe('FILLED');
		expect((await order(sl!.orderId)).status).toBe('EXPIRED');
		expect((await signed(mock, 'GET', '/api/v3/orderList', {orderListId: list.orderListId})).body).toMatchObject({
			listOrderStatus: 'ALL_DONE',
			listStatusType: 'ALL_DONE',
		});
		expect(Number((await balance('BTC')).locked)).toBe(0);
		expect(await open()).toEqual([]);
	});

	it('the stop leg triggering expires the limit leg', async () => {
		const p = await last();
		const list = (
			await signed(mock, 'POST', '/api/v3/orderList/oco', {
				symbol: 'BTCUSDT',
				side: 'SELL',
				quantity: '0.01',
				aboveType: 'LIMIT_MAKER',
				abovePrice: px(p * 1.05),
				belowType: 'STOP_LOSS',
				belowStopPrice: px(p * 0.97),
			})
		).body as ListReply;
		await trade(p * 0.96);
		const [tp, sl] = list.orders;
		expect((await order(tp!.orderId)).status).toBe('EXPIRED');
		expect((await order(sl!.orderId)).status).toBe('FILLED');
		expect(Number((await balance('BTC')).locked)).toBe(0);
	});

	it('refuses wrong price relations and leg types with Binance codes; canceling one leg cancels the list', async () => {
		const p = await last();
		const base = {
			symbol: 'BTCUSDT',
			side: 'SELL',
			quantity: '0.01',
			belowType: 'STOP_LOSS',
			belowStopPrice: px(p * 0.95),
		};
		expect(
			await signed(mock, 'POST', '/api/v3/orderList/oco', {...base, aboveType: 'LIMIT_MAKER', abovePrice: px(p * 0.9)}),
		).toMatchObject({
			status: 400,
			body: {code: -2010, msg: 'The relationship of the prices for the orders is not correct.'},
		});
		expect(
			await signed(mock, 'POST', '/api/v3/orderList/oco', {
				...base,
				aboveType: 'LIMIT',
				abovePrice: px(p * 1.1),
				aboveTimeInForce: 'GTC',
			}),
		).toMatchObject({status: 400, body: {code: -1158}});
		expect(
			await signed(mock, 'POST', '/api/v3/orderList/oco', {
				...base,
				aboveType: 'LIMIT_MAKER',
				abovePrice: px(p * 1.1),
				aboveTrailingDelta: '100',
			}),
		).toMatchObject({status: 400, body: {code: -1106}});
		const list = (
			await signed(mock, 'POST', '/api/v3/orderList/oco', {...base, aboveType: 'LIMIT_MAKER', abovePrice: px(p * 1.1)})
		).body as ListReply;
		expect(
			await signed(mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', orderId: list.orders[1]!.orderId}),
		).toMatchObject({status: 200});
		expect((await order(list.orders[0]!.orderId)).status).toBe('CANCELED');
		expect((await signed(mock, 'GET', '/api/v3/orderList', {orderListId: list.orderListId})).body).toMatchObject({
			listOrderStatus: 'ALL_DONE',
		});
		expect((await signed(mock, 'GET', '/api/v3/openOrderList')).body).toEqual([]);
		expect(Number((await balance('BTC')).locked)).toBe(0);
	});
});

describe('OTO and OTOCO', () => {
	it('OTO: the pending order is PENDING_NEW until the working order fills, then goes on the book', async () => {
		const p = await last();
		const list = (
			await signed(mock, 'POST', '/api/v3/orderList/oto', {
				symbol: 'BTCUSDT',
				workingType: 'LIMIT',
				workingSide: 'BUY',
				workingPrice: px(p * 0.95),
				workingQuantity: '0.01',
				workingTimeInForce: 'GTC',
				workingClientOrderId: 'oto-w',
				pendingType: 'LIMIT_MAKER',
				pendingSide: 'SELL',
				pendingPrice: px(p * 1.1),
				pendingQuantity: '0.01',
				pendingClientOrderId: 'oto-p',
			})
		).body as ListReply;
		expect(list).toMatchObject({contingencyType: 'OTO', listOrderStatus: 'EXECUTING'});
		expect(list.orderReports.map(r => [r.clientOrderId, r.status])).toEqual([
			['oto-w', 'NEW'],
			['oto-p', 'PENDING_NEW'],
		]);
		expect(await open()).toEqual(['oto-w']);
		expect((await order(list.orders[1]!.orderId)).status).toBe('PENDING_NEW');
		await trade(p * 0.94);
		expect((await order(list.orders[0]!.orderId)).status).toBe('FILLED');
		expect((await order(list.orders[1]!.orderId)).status).toBe('NEW');
		expect(await open()).toEqual(['oto-p']);
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});

	it('OTOCO: the working order filling places the OCO pair, whose legs then cancel each other', async () => {
		const p = await last();
		const list = (
			await signed(mock, 'POST', '/api/v3/orderList/otoco', {
				symbol: 'BTCUSDT',
				workingType: 'LIMIT',
				workingSide: 'BUY',
				workingPrice: px(p * 0.95),
				workingQuantity: '0.01',
				workingTimeInForce: 'GTC',
				pendingSide: 'SELL',
				pendingQuantity: '0.01',
				pendingAboveType: 'LIMIT_MAKER',
				pendingAbovePrice: px(p * 1.1),
				pendingBelowType: 'STOP_LOSS',
				pendingBelowStopPrice: px(p * 0.8),
			})
		).body as ListReply;
		expect(list.orderReports.map(r => r.status)).toEqual(['NEW', 'PENDING_NEW', 'PENDING_NEW']);
		await trade(p * 0.94);
		expect((await order(list.orders[1]!.orderId)).status).toBe('NEW');
		expect((await order(list.orders[2]!.orderId)).status).toBe('NEW');
		await trade(p * 1.11);
		expect((await order(list.orders[1]!.orderId)).status).toBe('FILLED');
		expect((await order(list.orders[2]!.orderId)).status).toBe('EXPIRED');
		expect((await signed(mock, 'GET', '/api/v3/orderList', {orderListId: list.orderListId})).body).toMatchObject({
			listOrderStatus: 'ALL_DONE',
		});
	});

	it('answers the same over the WebSocket API (orderList.place.oco/oto, orderList.status, orderList.cancel)', async () => {
		const socket = await TestClient.open(`${mock.ws}/ws-api/v3`);
		const sign = (params: Record<string, unknown>) => wsSigned(mock.apiKey, hmacSigner(mock.apiSecret), params);
		try {
			const p = await last();
			const oco = await call(
				socket,
				'orderList.place.oco',
				sign({
					symbol: 'BTCUSDT',
					side: 'SELL',
					quantity: '0.01',
					aboveType: 'LIMIT_MAKER',
					abovePrice: px(p * 1.1),
					belowType: 'STOP_LOSS',
					belowStopPrice: px(p * 0.9),
				}),
			);
			expect(oco).toMatchObject({status: 200, result: {contingencyType: 'OCO', listOrderStatus: 'EXECUTING'}});
			const orderListId = (oco.result as ListReply).orderListId;
			expect(await call(socket, 'orderList.status', sign({orderListId}))).toMatchObject({
				status: 200,
				result: {orderListId, listOrderStatus: 'EXECUTING'},
			});
			expect(await call(socket, 'orderList.cancel', sign({symbol: 'BTCUSDT', orderListId}))).toMatchObject({
				status: 200,
				result: {orderListId, listOrderStatus: 'ALL_DONE'},
			});
			expect(
				await call(
					socket,
					'orderList.place.oto',
					sign({
						symbol: 'BTCUSDT',
						workingType: 'MARKET',
						workingSide: 'BUY',
						workingQuantity: '0.01',
						pendingType: 'LIMIT_MAKER',
						pendingSide: 'SELL',
						pendingQuantity: '0.01',
						pendingPrice: px(p * 1.1),
					}),
				),
			).toMatchObject({status: 400, error: {code: -1116}});
		} finally {
			socket.close();
		}
	});
});
