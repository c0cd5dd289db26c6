/**
 * User data over the real wire (WebSocket API userDataStream.subscribe): order lists push `listStatus`
 * beside their executionReports (EXEC_STARTED when placed, ALL_DONE when done), and executionReport
 * carries the fields user-data-stream.md lists: d (trailing delta) and D (trailing time, once tracking)
 * for trailing stops only, F (iceberg quantity), V (the order's STP mode), W only once on the book.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {adminCall, call, hmacSigner, publicGet, startMock, TestClient, wsSigned} from './helpers.js';

type Event = Record<string, unknown> & {e: string};

let mock: MockExchange;
let socket: TestClient;
const sign = (params: Record<string, unknown> = {}) => wsSigned(mock.apiKey, hmacSigner(mock.apiSecret), params);
const last = async () =>
	Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
const px = (n: number) => String(Math.round(n));
/** A plain GTC limit buy on BTCUSDT over the WebSocket API. */
const buyLimit = (clientOrderId: string, price: string, quantity: string) =>
	call(
		socket,
		'order.place',
		sign({
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity,
			price,
			newClientOrderId: clientOrderId,
		}),
	);
const trade = (price: number) =>
	adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: Math.round(price), qty: 1});

/** The next user-data event (from message index `from`) matching `match`. */
async function event(match: (e: Event) => boolean, from = 0): Promise<Event> {
	const message = await socket.next<{event: Event}>(
		m => {
			const e = m['event'] as Event | undefined;
			return e !== undefined && match(e);
		},
		3_000,
		from,
	);
	return message.event;
}

beforeAll(async () => {
	// stepMs large: only the forced trades move the prices the orders see.
	mock = await startMock({seed: 23, balances: {USDT: 100_000, BTC: 1}, stepMs: 3_600_000});
	socket = await TestClient.open(`${mock.ws}/ws-api/v3`);
	expect(await call(socket, 'userDataStream.subscribe.signature', sign())).toMatchObject({status: 200});
});
afterAll(async () => {
	socket.close();
	await mock.close();
});

describe('listStatus', () => {
	it('an OCO placed over the WebSocket API: listStatus EXEC_STARTED with its orders, ALL_DONE once a leg fills', async () => {
		const p = await last();
		const from = socket.messages.length;
		const placed = await call(
			socket,
			'orderList.place.oco',
			sign({
				symbol: 'BTCUSDT',
				side: 'SELL',
				quantity: '0.01',
				listClientOrderId: 'ws-oco',
				aboveType: 'LIMIT_MAKER',
				abovePrice: px(p * 1.05),
				aboveClientOrderId: 'ws-oco-tp',
				belowType: 'STOP_LOSS',
				belowStopPrice: px(p * 0.95),
				belowClientOrderId: 'ws-oco-sl',
			}),
		);
		expect(placed.status).toBe(200);
		const list = placed.result as {orderListId: number; orders: Array<{orderId: number; clientOrderId: string}>};
		const started = await event(e => e.e === 'listStatus' && e['g'] === list.orderListId, from);
		expect(started).toMatchObject({
			e: 'listStatus',
			s: 'BTCUSDT',
			g: list.orderListId,
			c: 'OCO',
			l: 'EXEC_STARTED',
			L: 'EXECUTING',
			r: 'NONE',
			C: 'ws-oco',
			E: expect.any(Number),
			T: expect.any(Number),
		});
		expect(started['O']).toEqual(list.orders.map(o => ({s: 'BTCUSDT', i: o.orderId, c: o.clientOrderId})));
		// Each leg's executionReport names the list.
		const legNew = await event(e => e.e === 'executionReport' && e['c'] === 'ws-oco-tp', from);
		expect(legNew).toMatchObject({g: list.orderListId, x: 'NEW'});
		const before = socket.messages.length;
		await trade(p * 1.06);
		const done = await event(e => e.e === 'listStatus' && e['g'] === list.orderListId, before);
		expect(done).toMatchObject({c: 'OCO', l: 'ALL_DONE', L: 'ALL_DONE', C: 'ws-oco'});
		await event(e => e.e === 'executionReport' && e['c'] === 'ws-oco-sl' && e['X'] === 'EXPIRED', before);
	});

	it('an OTO cancelled over the WebSocket API: listStatus EXEC_STARTED, then ALL_DONE on the cancel', async () => {
		const p = await last();
		const from = socket.messages.length;
		const placed = await call(
			socket,
			'orderList.place.oto',
			sign({
				symbol: 'BTCUSDT',
				listClientOrderId: 'ws-oto',
				workingType: 'LIMIT',
				workingSide: 'BUY',
				workingPrice: px(p * 0.8),
				workingQuantity: '0.01',
				workingTimeInForce: 'GTC',
				pendingType: 'LIMIT_MAKER',
				pendingSide: 'SELL',
				pendingPrice: px(p * 1.2),
				pendingQuantity: '0.01',
			}),
		);
		expect(placed.status).toBe(200);
		const list = placed.result as {orderListId: number};
		expect(await event(e => e.e === 'listStatus' && e['g'] === list.orderListId, from)).toMatchObject({
			c: 'OTO',
			l: 'EXEC_STARTED',
			L: 'EXECUTING',
		});
		const before = socket.messages.length;
		expect(
			await call(socket, 'orderList.cancel', sign({symbol: 'BTCUSDT', orderListId: list.orderListId})),
		).toMatchObject({status: 200});
		expect(await event(e => e.e === 'listStatus' && e['g'] === list.orderListId, before)).toMatchObject({
			c: 'OTO',
			l: 'ALL_DONE',
			L: 'ALL_DONE',
			C: 'ws-oto',
		});
	});

	it('a lone order pushes no listStatus', async () => {
		const from = socket.messages.length;
		const placed = await call(
			socket,
			'order.place',
			sign({symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001', newClientOrderId: 'lone-1'}),
		);
		expect(placed.status).toBe(200);
		await event(e => e.e === 'executionReport' && e['c'] === 'lone-1' && e['X'] === 'FILLED', from);
		expect(socket.messages.slice(from).some(m => (m as {event?: Event}).event?.e === 'listStatus')).toBe(false);
	});
});

describe('executionReport conditional fields', () => {
	it('a trailing stop carries d, and D once it tracks; a plain order carries neither', async () => {
		const p = await last();
		const from = socket.messages.length;
		await call(
			socket,
			'order.place',
			sign({
				symbol: 'BTCUSDT',
				side: 'SELL',
				type: 'STOP_LOSS',
				quantity: '0.01',
				trailingDelta: 500,
				newClientOrderId: 'trail-now',
			}),
		);
		await call(
			socket,
			'order.place',
			sign({
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'STOP_LOSS',
				quantity: '0.01',
				stopPrice: px(p * 1.02),
				trailingDelta: 300,
				newClientOrderId: 'trail-later',
			}),
		);
		await buyLimit('plain', px(p * 0.8), '0.01');
		const now = await event(e => e['c'] === 'trail-now', from);
		expect(now['d']).toBe(500);
		expect(now['D']).toEqual(expect.any(Number));
		expect(now['D'] as number).toBeGreaterThan(0);
		const later = await event(e => e['c'] === 'trail-later', from);
		expect(later['d']).toBe(300);
		expect(later).not.toHaveProperty('D');
		const plain = await event(e => e['c'] === 'plain', from);
		expect(plain).not.toHaveProperty('d');
		expect(plain).not.toHaveProperty('D');
		expect(plain['W']).toEqual(expect.any(Number));
		// A stop waiting for its trigger is not on the book: no W.
		expect(later).not.toHaveProperty('W');
	});

	it('an iceberg order carries F = its iceberg quantity, and V its own STP mode', async () => {
		const p = await last();
		const from = socket.messages.length;
		await call(
			socket,
			'order.place',
			sign({
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: '0.05',
				icebergQty: '0.01',
				price: px(p * 0.8),
				selfTradePreventionMode: 'EXPIRE_TAKER',
				newClientOrderId: 'berg',
			}),
		);
		const berg = await event(e => e['c'] === 'berg', from);
		expect(berg).toMatchObject({F: '0.01000000', V: 'EXPIRE_TAKER', x: 'NEW'});
		const plainFrom = socket.messages.length;
		await buyLimit('no-berg', px(p * 0.8), '0.01');
		// Without a mode the order takes the symbol's default (exchangeInfo defaultSelfTradePreventionMode).
		expect(await event(e => e['c'] === 'no-berg', plainFrom)).toMatchObject({F: '0.00000000', V: 'EXPIRE_MAKER'});
	});
});

describe('a halt over the WebSocket API', () => {
	it('order.place on a halted symbol gets -1013 "Market is closed." until the halt ends by itself', async () => {
		expect((await adminCall(mock, 'POST', '/market/halt', {symbol: 'ETHUSDT', durationMs: 300})).status).toBe(200);
		const place = () =>
			call(socket, 'order.place', sign({symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01'}));
		expect(await place()).toMatchObject({status: 400, error: {code: -1013, msg: 'Market is closed.'}});
		// The other symbol trades on.
		expect(
			await call(socket, 'order.place', sign({symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001'})),
		).toMatchObject({status: 200});
		await new Promise(resolve => setTimeout(resolve, 400));
		expect(await place()).toMatchObject({status: 200, result: {status: 'FILLED'}});
	});
});
