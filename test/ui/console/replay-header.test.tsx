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
	it('shows the replay clock, how far through the file, the speed and the loop, even at 100 columns', async () => {
		const ui = await renderConsole(new FakeEngine({...runningSnapshot(), replay: view}), {columns: 100, now: t0});
		mounted.push(ui);
		expect(ui.lines()[1]).toMatch(/replay 14:03:45 42% 10x loop 2/);
	});

	it("does not label a replayed market with the simulator's regime, but shows a halt", async () => {
		const symbol = {
			symbol: 'BTCUSDT',
			regime: 'ranging',
			regimeSetting: 'auto',
			volatility: 0.2,
			status: 'TRADING',
			shock: null,
			resumeAt: null,
		};
		const calm = await renderConsole(
			new FakeEngine({...runningSnapshot(), replay: view, market: {at: t0, symbols: [symbol]}}),
			{columns: 140, now: t0},
		);
		mounted.push(calm);
		expect(calm.lines().slice(0, 2).join('\n')).not.toMatch(/market ranging/);
		const halted = await renderConsole(
			new FakeEngine({
				...runningSnapshot(),
				replay: view,
				market: {at: t0, symbols: [{...symbol, status: 'BREAK'}]},
			}),
			{columns: 140, now: t0},
		);
		mounted.push(halted);
		expect(halted.lines()[1]).toMatch(/HALT BTCUSDT/);
	});

	it('says nothing of a replay on a simulated market', async () => {
		const ui = await renderConsole(new FakeEngine(runningSnapshot()), {columns: 140, now: t0});
		mounted.push(ui);
		expect(ui.lines().join('\n')).not.toMatch(/replay/);
	});
});
