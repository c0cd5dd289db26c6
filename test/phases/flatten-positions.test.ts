/**
 * The kill switch's flatten: what drydock's orders bought is sold back, in orders each within the notional
 * cap, and the tracker's net position returns to zero.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {flattenPositions} from '../../source/phases/index.js';
import {startHarness, type Harness} from './helpers.js';

let h: Harness;
beforeAll(async () => {
	h = await startHarness({
		risk: {maxOrderNotional: 25, maxPosition: 1000, maxOpenOrders: 100, dailyLossLimit: 1_000_000},
	});
}, 30_000);
afterAll(async () => {
	await h?.close();
});

describe('flattenPositions', () => {
	it('sells back three buys in orders of at most the notional cap', async () => {
		const exchange = h.runtime.exchange;
		const services = h.runtime.services;
		await exchange.loadMarkets();
		const before = (await exchange.fetchBalance()).assets['BTC']?.total ?? 0;
		const ticker = await exchange.fetchTicker('BTC/USDT');
		const amount = Number((60 / ticker.ask!).toFixed(5));
		for (let i = 0; i < 3; i++) {
			const clientOrderId = services.orders.nextClientOrderId('t');
			services.orders.register({clientOrderId, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount, price: null});
			services.orders.apply(
				await exchange.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount, clientOrderId}),
			);
		}
		const bought = services.orders.netPosition('BTC/USDT');
		expect(bought).toBeGreaterThan(0);
		const report = await flattenPositions(exchange, h.profile, services.orders);
		expect(report.failed).toEqual([]);
		// 180 USDT bought, at most 25 per order: at least 8 orders.
		expect(report.orders).toBeGreaterThanOrEqual(8);
		const flat = services.orders.all().filter(o => o.clientOrderId.includes('-flat-'));
		for (const order of flat) expect(order.cost).toBeLessThanOrEqual(25);
		expect(Math.abs(services.orders.netPosition('BTC/USDT'))).toBeLessThan(amount / 10);
		const after = (await exchange.fetchBalance()).assets['BTC']?.total ?? 0;
		expect(Math.abs(after - before)).toBeLessThan(amount / 10);
		// Nothing left to trade back: a second call places nothing.
		expect((await flattenPositions(exchange, h.profile, services.orders)).orders).toBe(0);
	}, 30_000);
});
