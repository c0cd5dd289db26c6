/** The deep book, the history and resting orders in the book, seen through ccxt (drydock's client) as a bot would. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createExchange} from '../../source/exchange/index.js';
import type {MockExchange} from '../../source/mock/index.js';
import {adminCall, startMock} from './helpers.js';

describe('ccxt against the deep venue', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 61});
	});
	afterAll(async () => {
		await mock.close();
	});

	it('fetchOrderBook 5000 deep, fetchOHLCV paging years back, a resting order visible in the book', async () => {
		const client = await createExchange({
			environment: 'mock',
			restUrl: mock.rest,
			wsUrl: mock.ws,
			apiKey: mock.apiKey,
			secret: mock.apiSecret,
			enableRateLimit: false,
			timeoutMs: 5000,
			wsReconnectBaseMs: 50,
		});
		try {
			await client.loadMarkets();
			const book = await client.fetchOrderBook('BTC/USDT', 5000);
			expect([book.bids.length, book.asks.length]).toEqual([5000, 5000]);
			expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);

			const since = Date.UTC(2019, 0, 1);
			const hours = await client.fetchOHLCV('BTC/USDT', '1h', since, 1000);
			expect(hours).toHaveLength(1000);
			expect(hours[0]!.time).toBe(since);
			expect(hours.every((c, i) => i === 0 || c.time === hours[i - 1]!.time + 3_600_000)).toBe(true);
			const minutes = await client.fetchOHLCV('BTC/USDT', '1m', since, 60);
			expect(hours[0]!.high).toBe(Math.max(...minutes.map(c => c.high)));
			expect(hours[0]!.close).toBe(minutes[59]!.close);

			await adminCall(mock, 'POST', '/faults', {fault: 'pause-market', params: {}});
			const price = Math.round(book.bids[0]![0] - 30);
			const before = (await client.fetchOrderBook('BTC/USDT', 5000)).bids.find(l => l[0] === price)?.[1] ?? 0;
			await client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.123, price});
			const after = (await client.fetchOrderBook('BTC/USDT', 5000)).bids.find(l => l[0] === price)?.[1] ?? 0;
			expect(after - before).toBeCloseTo(0.123, 8);
		} finally {
			await adminCall(mock, 'DELETE', '/faults');
			await client.close();
		}
	});
});
