import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {RecordingWriter} from '../../../source/recording/format/recording-file.js';
import type {RecordingEvent} from '../../../source/recording/format/recording-events.js';
import {signed} from '../helpers.js';
import {replayStatus, startReplayMock, steer, untilEnded} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-replay-fills-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const BASE = Date.UTC(2026, 10, 30, 12);
const trade = (t: number, id: number, p: string, q: string, m: boolean): RecordingEvent => ({
	type: 'frame',
	t: BASE + t,
	stream: 'btcusdt@trade',
	data: {e: 'trade', E: BASE + t, s: 'BTCUSDT', t: id, p, q, T: BASE + t, m, M: true},
});
const diff = (t: number, u: number, b: Array<[string, string]>, a: Array<[string, string]>): RecordingEvent => ({
	type: 'frame',
	t: BASE + t,
	stream: 'btcusdt@depth@100ms',
	data: {e: 'depthUpdate', E: BASE + t, s: 'BTCUSDT', U: u, u, b, a},
});

/** 2.0 rests at 100.00 when the replay starts; it shrinks to 1.8, then three 1.0 trades print there. */
function writeRecording(path: string): void {
	const writer = new RecordingWriter(
		path,
		{source: 'test', symbols: ['BTCUSDT'], streams: ['trade', 'depth@100ms'], startedAt: BASE, tool: 'test'},
		{fsync: false},
	);
	const events: RecordingEvent[] = [
		{
			type: 'snapshot',
			t: BASE,
			symbol: 'BTCUSDT',
			lastUpdateId: 100,
			bids: [
				['100.00', '2.00000'],
				['99.00', '5.00000'],
			],
			asks: [
				['101.00', '2.00000'],
				['102.00', '5.00000'],
			],
		},
		trade(1000, 1, '100.50', '0.10000', false),
		diff(1100, 101, [['100.00', '1.80000']], []),
		trade(1200, 2, '100.00', '1.00000', true),
		trade(1300, 3, '100.00', '1.00000', true),
		trade(1400, 4, '100.00', '1.00000', true),
		trade(1500, 5, '100.50', '0.20000', false),
	];
	for (const event of events) writer.write(event);
	writer.close();
}

interface Order {
	orderId: number;
	status: string;
	executedQty: string;
}

async function replayWithOrders(path: string) {
	const mock = await startReplayMock(path, {from: BASE + 1000});
	try {
		const place = async (side: string, price: string, quantity: string) => {
			const r = await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side,
				type: 'LIMIT',
				timeInForce: 'GTC',
				price,
				quantity,
			});
			expect(r.status, r.text).toBe(200);
			return (r.body as Order).orderId;
		};
		const atQueue = await place('BUY', '100.00', '0.50000');
		const below = await place('BUY', '99.00', '0.20000');
		const above = await place('SELL', '103.00', '0.10000');
		const queue = (await replayStatus(mock)).queue as Array<{ahead: number; price: number}>;
		expect(queue.find(q => q.price === 100)?.ahead).toBe(2);
		await steer(mock, {paused: false});
		await untilEnded(mock);
		// Wall-clock times differ between runs; what filled, at what price and size must not.
		const order = async (orderId: number) => {
			const o = (await signed(mock, 'GET', '/api/v3/order', {symbol: 'BTCUSDT', orderId})).body as Order;
			return {orderId: o.orderId, status: o.status, executedQty: o.executedQty};
		};
		const trades = (await signed(mock, 'GET', '/api/v3/myTrades', {symbol: 'BTCUSDT'})).body as Array<
			Record<string, unknown>
		>;
		return {
			orders: [await order(atQueue), await order(below), await order(above)],
			fills: trades.map(t => ({orderId: t.orderId, price: t.price, qty: t.qty, isMaker: t.isMaker})),
		};
	} finally {
		await mock.close();
	}
}

describe('matching against a replayed book', () => {
	it('fills a resting order once recorded trades work off the queue ahead of it; orders not crossed stay', async () => {
		const path = join(dir, 'fills.rec');
		writeRecording(path);
		const {orders, fills} = await replayWithOrders(path);
		// 2.0 ahead, the level shrank to 1.8, then 1.0 + 1.0 + 1.0 traded: 0.2 then 0.3 reach the order.
		expect(orders[0]).toMatchObject({status: 'FILLED', executedQty: '0.50000000'});
		expect(orders[1]).toMatchObject({status: 'NEW', executedQty: '0.00000000'});
		expect(orders[2]).toMatchObject({status: 'NEW', executedQty: '0.00000000'});
		expect(fills.map(f => [f.price, f.qty, f.isMaker])).toEqual([
			['100.00000000', '0.20000000', true],
			['100.00000000', '0.30000000', true],
		]);
	});

	it('gives the same fills on two replays of one file with the same orders', async () => {
		const path = join(dir, 'twice.rec');
		writeRecording(path);
		const first = await replayWithOrders(path);
		const second = await replayWithOrders(path);
		expect(second).toEqual(first);
	});
});
