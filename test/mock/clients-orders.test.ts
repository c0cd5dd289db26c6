/** A client's order attribution: duplicate clientOrderIds, outcomes, ack latency, and paging the event ring. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {
	activity,
	adminCall,
	createClient,
	expectError,
	publicGet,
	signed,
	sleep,
	startMock,
	type ClientReply,
} from './helpers.js';

describe('client orders in the activity', () => {
	let mock: MockExchange;
	let bot: ClientReply;
	let price: string;
	beforeAll(async () => {
		mock = await startMock({seed: 3});
		await adminCall(mock, 'POST', '/faults', {fault: 'pause-market'});
		bot = await createClient(mock, {label: 'orders'});
		const last = Number(((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price);
		price = (Math.round(last * 0.6 * 100) / 100).toFixed(2);
	});
	afterAll(async () => {
		await mock.close();
	});

	const limitBuy = (clientOrderId: string) =>
		signed(bot, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: '0.001',
			price,
			newClientOrderId: clientOrderId,
		});

	it('rejects a clientOrderId of an open order with -2010 and counts every reuse, of open and of recently closed orders', async () => {
		// All six placements inside one 10-second ORDERS bucket.
		const left = 10_000 - (Date.now() % 10_000);
		if (left < 3000) await sleep(left + 20);
		expect((await limitBuy('dup-1')).status).toBe(200);
		expectError(await limitBuy('dup-1'), -2010, 'Duplicate order sent.');
		expectError(await limitBuy('dup-1'), -2010, 'Duplicate order sent.');
		expect((await signed(bot, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'dup-1'})).status).toBe(
			200,
		);
		// Reusing a closed order's id is accepted by the venue, and still counted: ids should be unique per day.
		expect((await limitBuy('dup-1')).status).toBe(200);
		// Control: fresh ids and ids the venue generates are never duplicates.
		expect((await limitBuy('fresh-1')).status).toBe(200);
		expect(
			(
				await signed(bot, 'POST', '/api/v3/order', {
					symbol: 'BTCUSDT',
					side: 'BUY',
					type: 'LIMIT',
					timeInForce: 'GTC',
					quantity: '0.001',
					price,
				})
			).status,
		).toBe(200);
		const seen = await activity(mock, bot.id);
		expect(seen.orders).toMatchObject({
			placed: 4,
			rejected: 2,
			rejectedByCode: {'-2010': 2},
			duplicateClientOrderIds: 3,
			canceled: 1,
			open: 3,
			maxOrdersPer10s: 6,
		});
		expect(seen.orders.ackLatencyMs.count).toBe(6);
		expect(seen.orders.ackLatencyMs.max).toBeGreaterThan(0);
		expect(seen.orders.ackLatencyMs.p50).toBeLessThanOrEqual(seen.orders.ackLatencyMs.p99);
		expect(seen.orders.ackLatencyMs.p99).toBeLessThanOrEqual(seen.orders.ackLatencyMs.max);
		const orders = seen.events.filter(e => e.type === 'order');
		expect(orders.map(e => [e['status'], e['clientOrderId'], e['code']])).toEqual([
			['NEW', 'dup-1', undefined],
			['REJECTED', 'dup-1', -2010],
			['REJECTED', 'dup-1', -2010],
			['NEW', 'dup-1', undefined],
			['NEW', 'fresh-1', undefined],
			['NEW', expect.stringMatching(/^dd/), undefined],
		]);
	});

	it('counts fills and first partial fills of the client’s resting orders', async () => {
		const before = (await activity(mock, bot.id)).orders;
		const ask = (
			(await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {asks: Array<[string, string]>}
		).asks[0]![0];
		expect(
			(
				await signed(bot, 'POST', '/api/v3/order', {
					symbol: 'BTCUSDT',
					side: 'SELL',
					type: 'LIMIT',
					timeInForce: 'GTC',
					quantity: '0.002',
					price: (Number(ask) + 1000).toFixed(2),
					newClientOrderId: 'rest-sell',
				})
			).status,
		).toBe(200);
		// A market trade touching the price fills part of it, one through the price the rest.
		await adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: Number(ask) + 1000, qty: 0.001});
		await adminCall(mock, 'POST', '/market/trade', {symbol: 'BTCUSDT', price: Number(ask) + 1001});
		const after = (await activity(mock, bot.id)).orders;
		expect(after.partiallyFilled - before.partiallyFilled).toBe(1);
		expect(after.filled - before.filled).toBe(1);
	});

	it('pages the event ring with since=SEQ: only newer events, seq rising', async () => {
		const first = await activity(mock, bot.id);
		expect(first.events.length).toBeGreaterThan(0);
		expect(first.seq).toBe(first.events.at(-1)!.seq);
		const seqs = first.events.map(e => e.seq);
		expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
		expect((await activity(mock, bot.id, first.seq)).events).toEqual([]);
		expectError(await limitBuy('fresh-1'), -2010);
		const next = await activity(mock, bot.id, first.seq);
		expect(next.events.map(e => e.seq)).toEqual([first.seq + 1, first.seq + 2]);
		expect(next.events.map(e => e.type)).toEqual(['request-error', 'order']);
		expect(next.seq).toBe(first.seq + 2);
		const middle = await activity(mock, bot.id, seqs[1]);
		expect(middle.events[0]!.seq).toBe(seqs[2]);
	});
});
