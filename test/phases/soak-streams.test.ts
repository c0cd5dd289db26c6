/**
 * Streams run for the whole soak on every profile symbol (no chaos timeline needed), and trades missed
 * across a reconnect are backfilled from REST (aggTrades by fromId) and counted as recovered or lost.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {backfillGap} from '../../source/phases/soak-streams.js';
import type {AggTrade, ExchangeClient} from '../../source/exchange/exchange-client.js';
import {startHarness, summary, until, type Harness} from './helpers.js';

let h: Harness;
beforeAll(async () => {
	h = await startHarness({symbols: ['BTC/USDT', 'ETH/USDT']});
}, 30_000);
afterAll(async () => {
	await h?.close();
});

describe('soak streams', () => {
	it('watches every symbol for the whole soak; a drop is reconnected and its missed trades recovered from REST', async () => {
		const previous = h.engine.store.publish().run?.id;
		const running = h.run(['soak'], 6_000);
		await until(
			() => {
				const snapshot = h.engine.store.publish();
				return (
					snapshot.run?.id !== previous &&
					snapshot.streams.some(s => s.id === 'ethusdt@trade' && s.messages > 0) &&
					snapshot.streams.some(s => s.id === 'btcusdt@trade' && s.messages > 0)
				);
			},
			10_000,
			'trades on both symbols',
		);
		// Down long enough for the market to trade past the stream.
		await h.fault('drop-websockets', {}, 1_200);
		const r = await running;
		const soak = summary(r.phase('soak'));
		for (const id of ['btcusdt@trade', 'ethusdt@trade', 'btcusdt@depth@100ms', 'ethusdt@depth@100ms']) {
			const stream = r.snapshot.streams.find(s => s.id === id);
			expect(stream?.messages ?? 0, `${id}\n${soak}`).toBeGreaterThan(0);
		}
		expect(r.snapshot.streams.find(s => s.id === 'btcusdt@trade')?.reconnects ?? 0, soak).toBeGreaterThan(0);
		const backfill = r.check('soak', 'stream-backfill');
		expect(backfill.verdict, soak).toBe('pass');
		const [recovered, missed] = String(backfill.measured).split(' ')[0]!.split('/').map(Number);
		expect(missed, soak).toBeGreaterThan(0);
		expect(recovered).toBe(missed);
	}, 40_000);
});

describe('backfillGap', () => {
	const venue = (aggs: AggTrade[]) =>
		({
			fetchAggTrades: (_symbol: string, options: {fromId?: number; startTime?: number}) =>
				Promise.resolve(
					aggs
						.filter(
							a =>
								(options.fromId === undefined || a.id >= options.fromId) &&
								(options.startTime === undefined || a.timestamp >= options.startTime),
						)
						.slice(0, 2),
				),
		}) as unknown as ExchangeClient;
	const agg = (id: number, first: number, last: number): AggTrade => ({
		id,
		firstTradeId: first,
		lastTradeId: last,
		price: 1,
		amount: 1,
		timestamp: 1_000 + id,
	});

	it('pages by fromId and counts the trade ids the aggregates cover', async () => {
		const aggs = [agg(1, 1, 3), agg(2, 4, 4), agg(3, 5, 9), agg(4, 10, 12)];
		expect(
			await backfillGap(venue(aggs), 'BTC/USDT', {
				stream: 'btcusdt@trade',
				symbol: 'BTCUSDT',
				fromId: 4,
				toId: 11,
				lastTime: 1_000,
			}),
		).toEqual({recovered: 8, lost: 0});
	});

	it('counts as lost what REST no longer has', async () => {
		// History starts at trade 8: 4..7 are gone.
		const aggs = [agg(7, 8, 9), agg(8, 10, 12)];
		expect(
			await backfillGap(venue(aggs), 'BTC/USDT', {
				stream: 'btcusdt@trade',
				symbol: 'BTCUSDT',
				fromId: 4,
				toId: 11,
				lastTime: 1_000,
			}),
		).toEqual({recovered: 4, lost: 4});
	});
});
