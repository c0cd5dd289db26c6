/**
 * Cancel-replace (POST /api/v3/order/cancelReplace, order.cancelReplace) and Order Amend Keep Priority
 * (PUT /api/v3/order/amend/keepPriority, order.amend.keepPriority) on REST and the WebSocket API.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {publicGet, signed, startMock} from './helpers.js';
import {call, hmacSigner, wsSigned} from './helpers.js';
import {TestClient} from './helpers.js';

let mock: MockExchange;
let socket: TestClient;
let low: number;
const locked = async (asset: string) =>
	Number(
		(
			(await signed(mock, 'GET', '/api/v3/account')).body as {
				balances: Array<{asset: string; free: string; locked: string}>;
			}
		).balances.find(b => b.asset === asset)!.locked,
	);
const rest = (qty: string, clientId: string, price = low) => ({
	symbol: 'BTCUSDT',
	side: 'BUY',
	type: 'LIMIT',
	timeInForce: 'GTC',
	quantity: qty,
	price: String(price),
	newClientOrderId: clientId,
});

beforeAll(async () => {
	mock = await startMock({seed: 8, balances: {USDT: 50_000, BTC: 1}});
	socket = await TestClient.open(`${mock.ws}/ws-api/v3`);
	expect(
		await call(socket, 'userDataStream.subscribe.signature', wsSigned(mock.apiKey, hmacSigner(mock.apiSecret))),
	).toMatchObject({status: 200});
	low = Math.round(
		Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price) * 0.7,
	);
});
afterAll(async () => {
	socket.close();
	await mock.close();
});

describe('cancelReplace', () => {
	it('cancels and places in one request, answering both results', async () => {
		const first = await signed(mock, 'POST', '/api/v3/order', rest('0.002', 'cr-1'));
		const reply = await signed(mock, 'POST', '/api/v3/order/cancelReplace', {
			...rest('0.003', 'cr-2'),
			cancelReplaceMode: 'STOP_ON_FAILURE',
			cancelOrigClientOrderId: 'cr-1',
		});
		expect(reply).toMatchObject({
			status: 200,
			body: {
				cancelResult: 'SUCCESS',
				newOrderResult: 'SUCCESS',
				cancelResponse: {
					origClientOrderId: 'cr-1',
					status: 'CANCELED',
					orderId: (first.body as {orderId: number}).orderId,
				},
				newOrderResponse: {clientOrderId: 'cr-2', status: 'NEW', origQty: '0.00300000'},
			},
		});
		expect(
			(
				(await signed(mock, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).body as Array<{clientOrderId: string}>
			).map(o => o.clientOrderId),
		).toEqual(['cr-2']);
		expect(await locked('USDT')).toBeCloseTo(0.003 * low, 6);
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});

	it('STOP_ON_FAILURE stops at a failed cancel (-2022, 400); ALLOW_FAILURE places anyway (-2021, 409)', async () => {
		const stop = await signed(mock, 'POST', '/api/v3/order/cancelReplace', {
			...rest('0.001', 'cr-3'),
			cancelReplaceMode: 'STOP_ON_FAILURE',
			cancelOrderId: 999_999,
		});
		expect(stop).toMatchObject({
			status: 400,
			body: {
				code: -2022,
				msg: 'Order cancel-replace failed.',
				data: {
					cancelResult: 'FAILURE',
					newOrderResult: 'NOT_ATTEMPTED',
					cancelResponse: {code: -2011},
					newOrderResponse: null,
				},
			},
		});
		expect((await signed(mock, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).body).toEqual([]);
		const allow = await signed(mock, 'POST', '/api/v3/order/cancelReplace', {
			...rest('0.001', 'cr-4'),
			cancelReplaceMode: 'ALLOW_FAILURE',
			cancelOrderId: 999_999,
		});
		expect(allow).toMatchObject({
			status: 409,
			body: {
				code: -2021,
				data: {cancelResult: 'FAILURE', newOrderResult: 'SUCCESS', newOrderResponse: {clientOrderId: 'cr-4'}},
			},
		});
		const both = await signed(mock, 'POST', '/api/v3/order/cancelReplace', {
			...rest('5', 'cr-5'),
			cancelReplaceMode: 'ALLOW_FAILURE',
			cancelOrderId: 999_999,
		});
		expect(both).toMatchObject({
			status: 400,
			body: {code: -2022, data: {cancelResult: 'FAILURE', newOrderResult: 'FAILURE', newOrderResponse: {code: -2010}}},
		});
		expectMissing(
			await signed(mock, 'POST', '/api/v3/order/cancelReplace', {
				...rest('0.001', 'cr-6'),
				cancelReplaceMode: 'STOP_ON_FAILURE',
			}),
		);
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});

	it('answers the same on the WebSocket API, data included', async () => {
		const sign = (params: Record<string, unknown>) => wsSigned(mock.apiKey, hmacSigner(mock.apiSecret), params);
		await call(socket, 'order.place', sign(rest('0.002', 'wcr-1')));
		expect(
			await call(
				socket,
				'order.cancelReplace',
				sign({...rest('0.001', 'wcr-2'), cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrigClientOrderId: 'wcr-1'}),
			),
		).toMatchObject({status: 200, result: {cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS'}});
		expect(
			await call(
				socket,
				'order.cancelReplace',
				sign({...rest('0.001', 'wcr-3'), cancelReplaceMode: 'STOP_ON_FAILURE', cancelOrigClientOrderId: 'wcr-1'}),
			),
		).toMatchObject({
			status: 400,
			error: {code: -2022, data: {cancelResult: 'FAILURE', newOrderResult: 'NOT_ATTEMPTED'}},
		});
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});
});

function expectMissing(reply: {status: number; body: unknown}): void {
	expect(reply).toMatchObject({status: 400, body: {code: -1102, msg: expect.stringContaining("'cancelOrderId'")}});
}

describe('amend keepPriority', () => {
	it('reduces the quantity in place, releases the funds, reports REPLACED', async () => {
		const placed = (await signed(mock, 'POST', '/api/v3/order', rest('0.004', 'am-1'))).body as {orderId: number};
		const lockedBefore = await locked('USDT');
		const amended = await signed(mock, 'PUT', '/api/v3/order/amend/keepPriority', {
			symbol: 'BTCUSDT',
			orderId: placed.orderId,
			newQty: '0.001',
			newClientOrderId: 'am-1b',
		});
		expect(amended).toMatchObject({
			status: 200,
			body: {
				executionId: expect.any(Number),
				amendedOrder: {
					orderId: placed.orderId,
					origClientOrderId: 'am-1',
					clientOrderId: 'am-1b',
					qty: '0.00100000',
					status: 'NEW',
				},
			},
		});
		expect(lockedBefore - (await locked('USDT'))).toBeCloseTo(0.003 * low, 6);
		await socket.next(
			m =>
				(m['event'] as {x?: string; c?: string} | undefined)?.x === 'REPLACED' &&
				(m['event'] as {c: string}).c === 'am-1b',
		);
		expect(await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'am-1b'})).toMatchObject({
			body: {orderId: placed.orderId, origQty: '0.00100000'},
		});
		// Increasing, or changing nothing, is refused with -2038.
		expect(
			await signed(mock, 'PUT', '/api/v3/order/amend/keepPriority', {
				symbol: 'BTCUSDT',
				orderId: placed.orderId,
				newQty: '0.002',
			}),
		).toMatchObject({status: 400, body: {code: -2038, msg: 'Order amend (quantity increase) is not supported.'}});
		expect(
			await signed(mock, 'PUT', '/api/v3/order/amend/keepPriority', {
				symbol: 'BTCUSDT',
				orderId: placed.orderId,
				newQty: '0.001',
				newClientOrderId: 'am-1b',
			}),
		).toMatchObject({status: 400, body: {code: -2038}});
		expect(
			await signed(mock, 'PUT', '/api/v3/order/amend/keepPriority', {
				symbol: 'BTCUSDT',
				orderId: 424_242,
				newQty: '0.001',
			}),
		).toMatchObject({status: 400, body: {code: -2038, msg: 'Unknown order sent.'}});
		const ws = await call(
			socket,
			'order.amend.keepPriority',
			wsSigned(mock.apiKey, hmacSigner(mock.apiSecret), {symbol: 'BTCUSDT', orderId: placed.orderId, newQty: '0.0005'}),
		);
		expect(ws).toMatchObject({status: 200, result: {amendedOrder: {qty: '0.00050000'}}});
		expect(Number(ws.rateLimits!.find(l => l['rateLimitType'] === 'REQUEST_WEIGHT')!['count'])).toBeGreaterThanOrEqual(
			4,
		);
		await signed(mock, 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
	});
});
