/**
 * cancelAllOurs, the cleanup every trading phase runs on its way out: against the real mock through the
 * real ccxt client, with the venue slowed down, dozens of resting orders must all be cancelled within
 * the deadline (one at a time they would not fit).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {ExchangeClient} from '../../source/exchange/index.js';
import {cancelAllOurs} from '../../source/phases/trading/orders.js';
import {OrderTracker} from '../../source/phases/trading/tracker.js';
import {connect, startMock, type Mock} from '../exchange/helpers.js';

let mock: Mock;
let exchange: ExchangeClient;

beforeAll(async () => {
	mock = await startMock({ordersPer10s: 10_000});
	exchange = await connect(mock);
	await exchange.loadMarkets();
});

afterAll(async () => {
	await exchange?.close();
	await mock?.close();
});

async function fault(body: unknown): Promise<void> {
	const response = await fetch(`${mock.admin}/faults`, {
		method: body === null ? 'DELETE' : 'POST',
		headers: {'content-type': 'application/json'},
		body: body === null ? null : JSON.stringify(body),
	});
	expect(response.ok).toBe(true);
}

describe('cancelAllOurs', () => {
	it('cancels 40 resting orders on a slow venue within a deadline that one-by-one cancels would miss', async () => {
		const tracker = new OrderTracker();
		const last = (await exchange.fetchTicker('BTC/USDT')).last!;
		const price = Math.round(last * 0.5);
		for (let i = 0; i < 40; i++) {
			const clientOrderId = tracker.nextClientOrderId('clean');
			tracker.register({clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.001, price});
			tracker.apply(
				await exchange.createOrder({
					symbol: 'BTC/USDT',
					side: 'buy',
					type: 'limit',
					amount: 0.001,
					price,
					clientOrderId,
				}),
			);
		}
		expect(tracker.live('BTC/USDT').filter(order => order.status === 'open')).toHaveLength(40);
		// 150 ms per request: 40 cancels in a row take > 6 s; the deadline is 4 s.
		await fault({fault: 'latency', params: {ms: 150}});
		try {
			const started = performance.now();
			const result = await cancelAllOurs(exchange, tracker, ['BTC/USDT'], undefined, 4_000);
			expect(result.failed).toEqual([]);
			expect(result.cancelled).toBe(40);
			expect(result.remaining).toBe(0);
			expect(performance.now() - started).toBeLessThan(4_000);
		} finally {
			await fault(null);
		}
		const open = await exchange.fetchOpenOrders('BTC/USDT');
		expect(open.filter(order => tracker.owns(order.clientOrderId))).toEqual([]);
	});
});
