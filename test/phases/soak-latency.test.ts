/**
 * The soak's graded latency is one venue round trip (the order placed and acknowledged), the guides'
 * "average response time"; the whole trade cycle's latency is reported beside it. Cycles the kill switch
 * held are not operations launched, so they do not make the profile's rate.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {buildReport} from '../../source/report/build.js';
import {startHarness, summary, until, type Harness} from './helpers.js';

let h: Harness;
beforeAll(async () => {
	h = await startHarness({soak: {ratePerSecond: 8, warmupMs: 0, orderNotional: 20, progressEveryMs: 60_000}});
}, 30_000);
afterAll(async () => {
	await h?.close();
});

describe('soak latency and rate', () => {
	it('grades the order round trip and reports the cycle beside it', async () => {
		const r = await h.run(['soak'], 3_000);
		const stats = h.engine.store.soakStats;
		expect(stats.operations, summary(r.phase('soak'))).toBeGreaterThan(10);
		// Every soak operation reports its cycle; a cycle (price, order, cancel or fill, verify) outlasts its order's round trip.
		expect(stats.cycleLatency.count).toBe(stats.operations);
		expect(stats.cycleLatency.avgMs!).toBeGreaterThan(stats.latency.avgMs!);
		const report = buildReport(h.engine.store, {
			version: 't',
			interruptedBy: null,
			checkpoint: false,
			exitCode: 0,
			callLatency: h.engine.callLatency,
			ordersCancelledOnExit: null,
			rssSlopeMbPerHour: null,
			mask: t => t,
		});
		expect(report.average_cycle_latency_ms).toBeGreaterThan(report.average_latency_ms!);
		expect(report.peak_cycle_latency_ms).toBeGreaterThanOrEqual(report.average_cycle_latency_ms!);
		expect(r.check('soak', 'soak-latency').title).toContain('whole cycle');
	}, 30_000);

	it('cycles held by the kill switch are not launched operations: the rate falls short', async () => {
		const previous = h.engine.store.publish().run?.id;
		const running = h.run(['soak'], 4_000);
		await until(
			() => {
				const snapshot = h.engine.store.publish();
				return snapshot.run?.id !== previous && (snapshot.soak?.operations ?? 0) >= 4;
			},
			10_000,
			'soak operations',
		);
		await h.engine.execute({type: 'kill-switch'});
		try {
			const r = await running;
			const rate = r.check('soak', 'soak-rate');
			expect(rate.verdict, summary(r.phase('soak'))).toBe('fail');
			expect(rate.measured as number).toBeLessThan(8 * 0.9);
		} finally {
			await h.engine.execute({type: 'kill-switch'});
		}
	}, 30_000);
});
