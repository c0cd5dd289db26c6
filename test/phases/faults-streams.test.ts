/** The streams phase under stream faults: a drop is recovered with its gaps counted; a stall is no-data. */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {clearFaults, startHarness, summary, until, type Harness} from './helpers.js';

describe('streams phase under faults', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness();
	});
	afterEach(async () => {
		await clearFaults(h);
	});
	afterAll(async () => {
		await h?.close();
	});

	it('dropped connections mid-window: streams recover, reconnects and gaps counted', async () => {
		const running = h.run(['streams']);
		await until(
			() => (h.engine.store.publish().streams.find(s => s.id === 'btcusdt@trade')?.messages ?? 0) >= 3,
			10_000,
			'trades before the drop',
		);
		await h.fault('drop-websockets');
		const r = await running;
		const view = r.phase('streams');
		const detail = summary(view);
		// Recovered: every stream delivered, and the reconnects are counted but not a failure.
		expect(r.check('streams', 'trade-messages').verdict, detail).toBe('pass');
		const reconnects = r.check('streams', 'reconnects');
		expect(reconnects.verdict, detail).toBe('warn');
		expect(reconnects.measured as number).toBeGreaterThanOrEqual(1);
		expect(reconnects.reason).toContain('every stream recovered');
		// What was lost while reconnecting is counted as sequence gaps, which fail their checks.
		const gaps = [r.check('streams', 'trade-gaps'), r.check('streams', 'depth-gaps')];
		expect(
			gaps.some(check => check.verdict === 'fail' && (check.measured as number) > 0),
			detail,
		).toBe(true);
		expect(view.status).toBe('fail');
		expect(r.snapshot.streams.find(s => s.id === 'btcusdt@trade')?.reconnects ?? 0).toBeGreaterThanOrEqual(1);
	}, 20_000);

	it('stalled streams: connected but silent through the window → no-data, not pass, not a crash', async () => {
		await h.fault('stall-streams', {}, 15_000);
		const r = await h.run(['streams']);
		const view = r.phase('streams');
		const detail = summary(view);
		for (const kind of ['trade', 'kline', 'depth', 'bookTicker']) {
			const check = r.check('streams', `${kind}-messages`);
			expect(check.verdict, detail).toBe('no-data');
			expect(check.measured).toBe(0);
		}
		expect(r.check('streams', 'trade-messages').reason).toMatch(/silent|no message/);
		expect(
			view.checks.some(c => c.verdict === 'fail'),
			detail,
		).toBe(false);
		expect(view.status).toBe('no-data');
	}, 20_000);
});
