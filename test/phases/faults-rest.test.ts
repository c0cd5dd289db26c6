/** REST faults: clock skew fails connectivity with the reason, a 5xx storm cycles the breaker, a 429 storm is recovered, a stop aborts at once. */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {BreakerState} from '../../source/engine/snapshot.js';
import {clearFaults, startHarness, summary, until, type Harness} from './helpers.js';

describe('phases under REST faults', () => {
	let h: Harness;
	beforeAll(async () => {
		// Storm tests send many requests into 429s: keep the mock from escalating to a 418 ban.
		h = await startHarness({}, {banAfter429s: 100_000});
	});
	afterEach(async () => {
		await clearFaults(h);
	});
	afterAll(async () => {
		await h?.close();
	});

	it('clock skew beyond recvWindow: connectivity fails on clock-skew with the reason, the signed read as invalid-nonce', async () => {
		await h.fault('clock-skew', {ms: 15_000});
		const r = await h.run(['connectivity']);
		const detail = summary(r.phase('connectivity'));
		const skew = r.check('connectivity', 'clock-skew');
		expect(skew.verdict, detail).toBe('fail');
		expect(skew.measured as number).toBeGreaterThan(14_000);
		expect(skew.reason).toContain('recvWindow');
		expect(skew.reason).toContain('ahead of ours');
		const account = r.check('connectivity', 'account-read');
		expect(account.verdict, detail).toBe('fail');
		expect(account.measured).toBe('invalid-nonce');
		expect(r.check('connectivity', 'ping').verdict).toBe('pass');
	}, 20_000);

	it('5xx storm: calls fail as unavailable, the breaker opens, half-opens and closes', async () => {
		const states: BreakerState[] = [];
		const off = h.engine.onEvent(event => {
			if (event.type === 'breaker') states.push(event.view.state);
		});
		try {
			await h.fault('error-rate', {probability: 1, status: 503}, 1_500);
			const during = await h.run(['market-data']);
			const detail = summary(during.phase('market-data'));
			expect(during.phase('market-data').status, detail).toBe('fail');
			expect(during.check('market-data', 'klines-1m').reason, detail).toMatch(/unavailable|breaker/);
			expect(states, detail).toContain('open');
			await new Promise(resolve => setTimeout(resolve, 1_600));
			const after = await h.run(['connectivity']);
			expect(after.phase('connectivity').status, summary(after.phase('connectivity'))).toBe('pass');
			const opened = states.indexOf('open');
			expect(states.slice(opened)).toEqual(expect.arrayContaining(['half-open', 'closed']));
			expect(states.lastIndexOf('closed')).toBeGreaterThan(states.lastIndexOf('half-open'));
			expect(h.engine.store.publish().breaker.state).toBe('closed');
		} finally {
			off();
		}
	}, 20_000);

	it('429 storm: the burst meets 429s (burst-no-429 fails), the storm check recovers, the venue answers again', async () => {
		await h.fault('rate-limit-storm', {retryAfterSec: 1}, 1_200);
		const r = await h.run(['rate-limit']);
		const detail = summary(r.phase('rate-limit'));
		const burst = r.check('rate-limit', 'burst-no-429');
		expect(burst.verdict, detail).toBe('fail');
		expect(burst.measured as number).toBeGreaterThan(0);
		expect(r.check('rate-limit', 'storm-recovery').verdict, detail).toBe('pass');
		expect(r.check('rate-limit', 'storm-no-418').verdict, detail).toBe('pass');
		const ticker = await h.runtime.exchange.fetchTicker('BTC/USDT');
		expect(ticker.last).toBeGreaterThan(0);
	}, 20_000);

	it('a stop aborts the soak within about a second and leaves no order open', async () => {
		const running = h.run(['soak'], 60_000);
		await until(() => (h.engine.store.publish().soak?.operations ?? 0) >= 3, 10_000, 'soak operations');
		const stoppedAt = Date.now();
		await h.engine.interrupt('stop');
		const r = await running;
		expect(Date.now() - stoppedAt).toBeLessThan(1_500);
		expect(r.outcome.interruptedBy).toBe('stop');
		expect(await h.runtime.exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
	}, 20_000);

	it('the kill switch: order phases skip with the reason instead of trading', async () => {
		await h.engine.execute({type: 'kill-switch'});
		try {
			const r = await h.run(['orders', 'soak'], 1_000);
			expect(r.check('orders', 'orders').verdict).toBe('skipped');
			expect(r.check('orders', 'orders').reason).toContain('kill switch');
			expect(r.check('soak', 'soak').reason).toContain('kill switch');
			expect(r.snapshot.metrics.orders.placed).toBe(0);
		} finally {
			await h.engine.execute({type: 'kill-switch'});
		}
	}, 15_000);
});
