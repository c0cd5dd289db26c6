/** The gateway's order tracker on plain answers: what it believes the SUT left open, without a key to ask. */
import {describe, expect, it} from 'vitest';
import {OrderTracker} from '../../../source/mock/gateway/order-tracker.js';

const limit = {symbol: 'BTCUSDT', type: 'LIMIT', timeInForce: 'GTC'};
const ack = (orderId: number, clientOrderId: string) => ({
	symbol: 'BTCUSDT',
	orderId,
	orderListId: -1,
	clientOrderId,
	transactTime: 1,
});

describe('OrderTracker', () => {
	it('an ACK answer (no status) of an order that can rest counts as open; a MARKET or IOC one does not', () => {
		const t = new OrderTracker();
		t.placed(limit, ack(1, 'a'));
		t.placed({...limit, type: 'MARKET', timeInForce: undefined}, ack(2, 'b'));
		t.placed({...limit, timeInForce: 'IOC'}, ack(3, 'c'));
		expect(t.open).toBe(1);
		expect(t.openOrders()).toEqual([{symbol: 'BTCUSDT', orderId: '1', clientOrderId: 'a'}]);
	});

	it('RESULT/FULL answers carry the status: a FILLED one is not open and is counted filled', () => {
		const t = new OrderTracker();
		t.placed(limit, {...ack(1, 'a'), status: 'FILLED'});
		t.placed(limit, {...ack(2, 'b'), status: 'NEW'});
		expect(t.open).toBe(1);
		expect(t.filled).toBe(1);
	});

	it('a cancel answer closes the order by orderId; its clientOrderId is the cancel’s own, not the order’s', () => {
		const t = new OrderTracker();
		t.placed(limit, ack(1, 'a'));
		t.seeAnswer({
			symbol: 'BTCUSDT',
			origClientOrderId: 'a',
			orderId: 1,
			clientOrderId: 'cancel-xyz',
			status: 'CANCELED',
		});
		expect(t.open).toBe(0);
		expect(t.canceled).toBe(1);
	});

	it('-2011 on a cancel by origClientOrderId or orderId: the order is gone (filled or canceled unseen); other codes change nothing', () => {
		const t = new OrderTracker();
		t.placed(limit, ack(1, 'a'));
		t.placed(limit, ack(2, 'b'));
		t.placed(limit, ack(3, 'c'));
		t.refused({symbol: 'BTCUSDT', orderId: undefined, origClientOrderId: 'a'}, -2011);
		t.refused({symbol: 'BTCUSDT', orderId: '2', origClientOrderId: undefined}, -2013);
		t.refused({symbol: 'BTCUSDT', orderId: '3', origClientOrderId: undefined}, -1021);
		expect(t.openOrders().map(o => o.clientOrderId)).toEqual(['c']);
		// Nothing counted as filled or canceled: the venue did not say which.
		expect([t.filled, t.canceled]).toEqual([0, 0]);
	});

	it('the SUT’s own openOrders answer is the venue’s word for its symbol (or every symbol)', () => {
		const t = new OrderTracker();
		t.placed(limit, ack(1, 'a'));
		t.placed(limit, ack(2, 'b'));
		t.placed({...limit, symbol: 'ETHUSDT'}, {...ack(3, 'c'), symbol: 'ETHUSDT'});
		t.openList('BTCUSDT', [{symbol: 'BTCUSDT', orderId: 2, clientOrderId: 'b', status: 'PARTIALLY_FILLED'}]);
		expect(
			t
				.openOrders()
				.map(o => o.clientOrderId)
				.sort(),
		).toEqual(['b', 'c']);
		expect(t.partiallyFilled).toBe(1);
		t.openList(undefined, []);
		expect(t.open).toBe(0);
	});

	it('DELETE openOrders refused with -2011 (nothing open there) closes that symbol only', () => {
		const t = new OrderTracker();
		t.placed(limit, ack(1, 'a'));
		t.placed({...limit, symbol: 'ETHUSDT'}, {...ack(2, 'b'), symbol: 'ETHUSDT'});
		t.noneOpen('BTCUSDT', -2011);
		expect(t.openOrders().map(o => o.symbol)).toEqual(['ETHUSDT']);
	});

	it('an execution report closes an order; a finished order never reopens', () => {
		const t = new OrderTracker();
		t.placed(limit, ack(1, 'a'));
		t.seeAnswer({e: 'executionReport', s: 'BTCUSDT', i: 1, X: 'FILLED', c: 'a', C: ''});
		t.seeAnswer({symbol: 'BTCUSDT', orderId: 1, status: 'NEW'});
		expect(t.open).toBe(0);
		expect(t.filled).toBe(1);
	});
});
