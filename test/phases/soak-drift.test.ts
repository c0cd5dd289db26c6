/**
 * A long soak must not walk its position off one side of the account. Before the fix the resting leg
 * was always a sell (every tenth cycle of an alternating pinger), so market buys outnumbered sells 5 to
 * 4 and at 150 ops/s the mock's 100 000 USDT ran dry after 5½ minutes; at the default 1 op/s it would
 * have after ~14 h. Here the account holds only 600 USDT: the old drift ($40/s at 20 ops/s) empties it
 * in ~15 s of a 20 s soak.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startHarness, type Harness} from './helpers.js';

let h: Harness;
beforeAll(async () => {
	h = await startHarness(
		{
			soak: {ratePerSecond: 20, warmupMs: 0, orderNotional: 20, progressEveryMs: 60_000},
			risk: {maxOrderNotional: 1000, maxPosition: 1000, maxOpenOrders: 1000, dailyLossLimit: 1_000_000},
		},
		{balances: {USDT: 600, BTC: 0.05}, ordersPer10s: 100_000},
	);
}, 30_000);
afterAll(async () => {
	await h?.close();
});

describe('soak position drift', () => {
	it('20 ops/s for 20 s on a 600 USDT account: no order fails for lack of funds, the book ends flat', async () => {
		const r = await h.run(['soak'], 20_000);
		const soak = r.snapshot.soak!;
		const starved = r.snapshot.errors.filter(g => g.kind === 'insufficient-funds').map(g => `${g.count}× ${g.message}`);
		expect(starved).toEqual([]);
		expect(soak.operations).toBeGreaterThan(200);
		expect(r.check('soak', 'soak-success-rate').verdict).toBe('pass');
		expect(r.check('soak', 'soak-consistency').verdict).toBe('pass');
		const balance = await h.runtime.exchange.fetchBalance();
		// Flattened at the end: the base balance is back near where it started (fees aside).
		expect(Math.abs((balance.assets['BTC']?.total ?? 0) - 0.05)).toBeLessThan(0.001);
	}, 60_000);
});
