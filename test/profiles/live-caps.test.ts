import {describe, expect, it} from 'vitest';
import {capOrders} from '../../source/runtime/live-caps.js';
import type {ExchangeClient, OrderRequest} from '../../source/exchange/exchange-client.js';

describe('live caps', () => {
	it('refuses an order over the per-order cap and stops the run at the per-run cap', async () => {
		const placed: OrderRequest[] = [];
		const fake = {
			createOrder: async (r: OrderRequest) => {
				placed.push(r);
				return {id: String(placed.length)};
			},
			fetchTicker: async () => ({last: 100}),
			ping: async () => 'pong',
		} as unknown as ExchangeClient;
		const capped = capOrders(fake, {perOrderNotionalCap: 20, perRunNotionalCap: 50});
		await expect(
			capped.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.3, price: 100}),
		).rejects.toMatchObject({kind: 'invalid-order', message: expect.stringMatching(/per-order cap 20/)});
		await capped.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.15}); // 15 at the ticker's 100
		await capped.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: 20});
		await expect(
			capped.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.19, price: 100}),
		).rejects.toThrow(/per-run cap 50/);
		expect(placed).toHaveLength(2);
		expect(await capped.ping()).toBe('pong');
	});
});
