/** Injected faults are marked on the console's ops/s timeline as they happen. */
import {afterEach, describe, expect, it} from 'vitest';
import type {EngineSnapshot} from '../../../source/engine/snapshot.js';
import {faultMarks} from '../../../source/ui/console/panels/MetricsPanel.js';
import {FakeEngine, runningSnapshot, t0} from '../helpers.js';
import {renderConsole, type RenderedConsole} from '../helpers.js';

let mounted: RenderedConsole[] = [];
afterEach(() => {
	for (const m of mounted) m.unmount();
	mounted = [];
});

describe('fault marks', () => {
	it('puts a mark under the second each fault happened, newest last', () => {
		const now = 100_000;
		const marks = faultMarks(
			[
				{at: now - 500, kind: 'drop-websockets', detail: ''},
				{at: now - 3_200, kind: 'error-rate', detail: ''},
				{at: now - 60_000, kind: 'old', detail: ''},
			],
			now,
			10,
			'^',
		);
		// 10 cells, newest at index 9: 0.5 s ago → index 9, 3.2 s ago → index 6; 60 s ago is off the window.
		expect(marks).toBe('      ^  ^');
	});

	it('the metrics panel shows the marks and the last fault with its recovery', async () => {
		const base = runningSnapshot();
		const at = base.at;
		const snapshot: EngineSnapshot = {
			...base,
			faults: [
				{at: at - 20_000, kind: 'drop-websockets', detail: 'dropped every stream', recoveredAt: at - 18_200},
				{at: at - 4_000, kind: 'error-rate', detail: '30 % 5xx'},
			],
		};
		const ui = await renderConsole(new FakeEngine(snapshot), {columns: 120, rows: 40, now: t0 + 60_000});
		mounted.push(ui);
		const frame = ui.frame();
		expect(frame).toContain('faults 2');
		expect(frame).toMatch(/last error-rate 4(\.0)?s ago, active/);
		expect(frame.match(/▲/g)?.length).toBe(2);
		for (const line of ui.lines()) expect([...line].length).toBeLessThanOrEqual(120);
	});
});

describe('expected errors', () => {
	it('the metrics panel names the errors our injected faults caused, beside errors/h', async () => {
		const base = runningSnapshot();
		const snapshot: EngineSnapshot = {
			...base,
			metrics: {...base.metrics, errorsPerHour: 0, expectedErrors: 12, failuresDuringFaults: 7},
		};
		const ui = await renderConsole(new FakeEngine(snapshot), {columns: 160, rows: 40, now: t0 + 60_000});
		mounted.push(ui);
		const frame = ui.frame();
		expect(frame).toContain('errors/h 0.0 (+12 injected)');
	});

	it('says nothing extra when there are none', async () => {
		const base = runningSnapshot();
		const ui = await renderConsole(
			new FakeEngine({...base, metrics: {...base.metrics, expectedErrors: 0, failuresDuringFaults: 0}}),
			{columns: 160, rows: 40, now: t0 + 60_000},
		);
		mounted.push(ui);
		expect(ui.frame()).toMatch(/errors\/h \d+\.\d(?! \(\+)/);
		expect(ui.frame()).not.toContain('injected)');
	});
});
