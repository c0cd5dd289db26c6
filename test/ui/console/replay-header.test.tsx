/** The console header's replay segment: the replayed clock, position, speed and loops, only on a replay. */
import {afterEach, describe, expect, it} from 'vitest';
import type {ReplayView} from '../../../source/engine/replay-view.js';
import {FakeEngine, renderConsole, runningSnapshot, t0, type RenderedConsole} from '../helpers.js';

let mounted: RenderedConsole[] = [];
afterEach(() => {
	for (const m of mounted) m.unmount();
	mounted = [];
});

const view: ReplayView = {
	file: 'btc.rec',
	clock: Date.UTC(2026, 10, 30, 14, 3, 45),
	progress: 0.42,
	speed: 10,
	paused: false,
	loops: 1,
	ended: false,
};

describe('console header on a replayed market', () => {
	it('shows the replay clock, how far through the file, the speed and the loop', async () => {
		const ui = await renderConsole(new FakeEngine({...runningSnapshot(), replay: view}), {columns: 140, now: t0});
		mounted.push(ui);
		expect(ui.lines()[0]).toMatch(/replay 14:03:45 42% 10x loop 2/);
	});

	it('says nothing of a replay on a simulated market', async () => {
		const ui = await renderConsole(new FakeEngine(runningSnapshot()), {columns: 140, now: t0});
		mounted.push(ui);
		expect(ui.lines().join('\n')).not.toMatch(/replay/);
	});
});
