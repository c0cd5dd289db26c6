/** Every phase stops within about a second of a stop, cleans up after itself and leaves no order open. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {PhaseId} from '../../source/engine/types.js';
import {startHarness, summary, until, type Harness} from './harness.js';

describe('phases abort promptly', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness({}, {banAfter429s: 100_000});
	});
	afterAll(async () => {
		await h?.close();
	});

	const phases: Array<[PhaseId, number]> = [
		['rate-limit', 400],
		['market-data', 150],
		['streams', 1_500],
		['orders', 60],
		['pipeline', 100],
		['resilience', 1_000],
		['concurrency', 150],
	];
	it.each(phases)('%s stops within ~1 s of a stop, no orders or faults left behind', async (phase, after) => {
		const running = h.run([phase], 60_000);
		await until(() => h.engine.store.publish().phases.find(p => p.id === phase)?.status === 'running', 5_000, `${phase} running`);
		await new Promise(resolve => setTimeout(resolve, after));
		const stoppedAt = Date.now();
		await h.engine.interrupt('stop');
		const r = await running;
		const took = Date.now() - stoppedAt;
		expect(took, `${phase} took ${took} ms to stop`).toBeLessThan(1_500);
		// The phase must still have been running when the stop came, or this proves nothing.
		expect(r.outcome.interruptedBy, summary(r.phase(phase))).toBe('stop');
		expect(await h.runtime.exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
		const faults = (await (await fetch(`${h.mock.admin}/faults`)).json()) as {faults: unknown[]};
		expect(faults.faults).toEqual([]);
	}, 15_000);
});
