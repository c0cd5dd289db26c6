/** Every phase passes against the mock, through the runtime's composition and the real engine. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {PhaseId} from '../../source/engine/phase-ids.js';
import {startHarness, summary, type Harness} from './helpers.js';

describe('phases pass against the mock', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness();
	});
	afterAll(async () => {
		await h?.close();
	});

	const expectPassed = (r: Awaited<ReturnType<Harness['run']>>, ids: PhaseId[]) => {
		for (const id of ids) {
			const view = r.phase(id);
			expect(['pass', 'warn'], `${id}:\n${summary(view)}`).toContain(view.status);
			expect(
				view.checks.filter(c => c.verdict === 'fail' || c.verdict === 'no-data'),
				`${id}:\n${summary(view)}`,
			).toEqual([]);
		}
	};

	it('config, connectivity, security, rate-limit, market-data', async () => {
		const ids: PhaseId[] = ['config', 'connectivity', 'security', 'rate-limit', 'market-data'];
		const r = await h.run(ids);
		expectPassed(r, ids);
		expect(r.outcome.exitCode).toBe(0);
		// Measured values, not just verdicts.
		expect(r.check('connectivity', 'clock-skew').measured as number).toBeLessThan(1_000);
		expect(r.check('market-data', 'history-count').measured).toBeGreaterThanOrEqual(5_000);
		expect(r.check('rate-limit', 'burst-no-429').measured).toBe(0);
		expect(r.check('rate-limit', 'storm-observed').measured as number).toBeGreaterThan(0);
		expect(r.check('security', 'secrets-not-in-output').verdict).toBe('pass');
		expect(r.check('security', 'planted-secret-probe').verdict).toBe('info');
		// The planted secret is in the engine's output only masked.
		expect(JSON.stringify(r.snapshot)).not.toMatch(/DDPLANT0[A-Za-z0-9]{56}/);
		expect(JSON.stringify(r.snapshot)).not.toContain(h.mock.apiSecret);
	}, 30_000);

	it('streams: every stream delivers, book in sync; messages reach the engine', async () => {
		const r = await h.run(['streams']);
		expectPassed(r, ['streams']);
		expect(r.check('streams', 'book-sync').verdict).toBe('pass');
		const trade = r.snapshot.streams.find(s => s.id === 'btcusdt@trade');
		expect(trade?.messages ?? 0).toBeGreaterThan(0);
		expect(trade?.recent.length ?? 0).toBeGreaterThan(0);
	}, 30_000);

	it('orders, portfolio, pipeline, concurrency — and nothing left open', async () => {
		const ids: PhaseId[] = ['orders', 'portfolio', 'pipeline', 'concurrency'];
		const r = await h.run(ids);
		expectPassed(r, ids);
		expect(r.check('orders', 'reject-lot-size').measured).toContain('invalid-order');
		expect(r.check('orders', 'reject-bad-symbol').measured).toContain('bad-symbol');
		expect(r.check('orders', 'reject-insufficient').measured).toContain('insufficient-funds');
		expect(r.check('pipeline', 'orders-reconcile').measured).toBe(0);
		expect(r.snapshot.metrics.orders.placed).toBeGreaterThan(10);
		expect(r.snapshot.metrics.riskRejections).toBeGreaterThan(0);
		const open = await h.runtime.exchange.fetchOpenOrders('BTC/USDT');
		expect(open).toEqual([]);
	}, 40_000);

	it('resilience: drop, timeouts, breaker cycle, insufficient balance, 429 storm', async () => {
		const r = await h.run(['resilience']);
		expectPassed(r, ['resilience']);
		expect(r.check('resilience', 'breaker-half-open').title).toContain('open → half-open → closed');
		expect(r.snapshot.faults.length).toBeGreaterThanOrEqual(5);
		expect(r.snapshot.faults.every(f => f.recoveredAt !== undefined)).toBe(true);
		expect(r.snapshot.breaker.state).toBe('closed');
	}, 30_000);

	it('soak: operations at the rate, engine criteria, no orders left', async () => {
		const r = await h.run(['soak'], 3_000);
		expectPassed(r, ['soak']);
		// 4/s for 3 s: the schedule's twelve, not more (a late timer must not add cycles), barely fewer under load.
		expect(r.snapshot.soak?.operations ?? 0).toBeGreaterThanOrEqual(10);
		expect(r.snapshot.soak?.operations ?? 0).toBeLessThanOrEqual(12);
		expect(r.snapshot.metrics.positions.opened).toBeGreaterThan(0);
		expect(r.check('soak', 'soak-consistency').verdict).toBe('pass');
		expect(await h.runtime.exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
	}, 30_000);
});
