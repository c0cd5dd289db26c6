/** Every phase stops within about a second of a stop, cleans up after itself and leaves no order open. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {PhaseId} from '../../source/engine/phase-ids.js';
import {startHarness, summary, until, type Harness} from './helpers.js';

describe('phases abort promptly', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness({}, {banAfter429s: 100_000});
	});
	afterAll(async () => {
		await h?.close();
	});

	// [phase, ms to let it run before the stop, added mock latency per request]. On an idle machine the
	// REST-bound phases finish in a few hundred ms, so they get a latency fault of their own to make sure
	// the stop lands while they are still working, whatever the machine's load.
	const phases: Array<[PhaseId, number, number]> = [
		['rate-limit', 400, 0],
		['market-data', 150, 40],
		['streams', 1_500, 0],
		['orders', 60, 40],
		['pipeline', 100, 40],
		['resilience', 1_000, 0],
		['concurrency', 150, 40],
	];
	it.each(phases)(
		'%s stops within ~1 s of a stop, no orders or faults left behind',
		async (phase, after, slowMs) => {
			let slowId: string | null = null;
			if (slowMs > 0) {
				const response = await fetch(`${h.mock.admin}/faults`, {
					method: 'POST',
					body: JSON.stringify({fault: 'latency', params: {ms: slowMs}}),
				});
				slowId = ((await response.json()) as {fault: {id: string}}).fault.id;
			}
			const running = h.run([phase], 60_000);
			await until(
				() => h.engine.store.publish().phases.find(p => p.id === phase)?.status === 'running',
				5_000,
				`${phase} running`,
			);
			await new Promise(resolve => setTimeout(resolve, after));
			const stoppedAt = Date.now();
			await h.engine.interrupt('stop');
			const r = await running;
			const took = Date.now() - stoppedAt;
			expect(took, `${phase} took ${took} ms to stop`).toBeLessThan(1_500);
			// The phase must still have been running when the stop came, or this proves nothing.
			expect(r.outcome.interruptedBy, summary(r.phase(phase))).toBe('stop');
			expect(await h.runtime.exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
			const faults = (await (await fetch(`${h.mock.admin}/faults`)).json()) as {faults: Array<{id: string}>};
			expect(faults.faults.filter(f => f.id !== slowId)).toEqual([]);
			if (slowId) await fetch(`${h.mock.admin}/faults/${slowId}`, {method: 'DELETE'});
		},
		15_000,
	);
});
