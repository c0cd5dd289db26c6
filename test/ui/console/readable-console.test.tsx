/** Issue 13: a console where reasons can be read, and a failed setup that shows itself and can be retried. */
import {afterEach, describe, expect, it, vi} from 'vitest';
import type {CheckResult} from '../../../source/engine/checks.js';
import type {EngineSnapshot, PhaseView} from '../../../source/engine/snapshot.js';
import {createRuntimeStatus} from '../../../source/ui/console/runtime-status.js';
import {FakeEngine, idleSnapshot, runningSnapshot, stream, t0} from '../helpers.js';
import {keys, renderConsole, type RenderedConsole} from '../helpers.js';

let mounted: RenderedConsole[] = [];
afterEach(() => {
	for (const m of mounted) m.unmount();
	mounted = [];
});

async function show(snapshot: EngineSnapshot, options: Parameters<typeof renderConsole>[1] = {}) {
	const engine = new FakeEngine(snapshot);
	const ui = await renderConsole(engine, {now: t0 + 60_000, columns: 100, rows: 30, ...options});
	mounted.push(ui);
	return {engine, ui};
}

const longReason =
	'the order round trip took 812 ms against a 200 ms threshold; the venue answered HTTP 503 twice and the retry after 1.5 s succeeded, so the phase spent most of its time waiting on the venue — see the error log for the two 503 bodies, which name the overloaded matching engine';

function check(id: string, verdict: CheckResult['verdict'], reason?: string): CheckResult {
	return {
		id,
		title: id,
		verdict,
		measured: verdict === 'fail' ? 812 : 1,
		unit: 'ms',
		threshold: '< 200 ms',
		at: t0,
		...(reason ? {reason} : {}),
	};
}

/** The orders phase finished with many checks, one failing with a long reason, one warning and one info entry. */
function withOrders(snapshot: EngineSnapshot, durationMs = 340): EngineSnapshot {
	const checks = [
		check('latency', 'fail', longReason),
		check('cancel', 'warn', 'one cancel answered late'),
		check('planted-secret-probe', 'info', 'counted'),
		...Array.from({length: 14}, (_, i) => check(`fill-${i + 1}`, 'pass')),
	];
	const phases = snapshot.phases.map((p): PhaseView =>
		p.id === 'orders'
			? {...p, status: 'fail', checks, passed: 16, total: 17, startedAt: t0, endedAt: t0 + durationMs, durationMs}
			: p,
	);
	return {...snapshot, phases};
}

function finishedRun(snapshot: EngineSnapshot): EngineSnapshot {
	return {
		...snapshot,
		run: {
			...snapshot.run!,
			state: 'finished',
			endedAt: t0 + 60_000,
			remainingMs: 0,
			currentPhase: null,
			exitCode: 1,
			reportDir: 'reports/run-1',
		},
	};
}

describe('reasons can be read', () => {
	it('Tab focuses the checks panel, arrows scroll it, Enter describes the check full screen with the whole reason, Esc returns', async () => {
		const {ui} = await show(withOrders(idleSnapshot()));
		// Select the orders phase, then focus its checks.
		const ordersIndex = idleSnapshot().phases.findIndex(p => p.id === 'orders');
		await ui.press(...Array.from({length: ordersIndex}, () => keys.down), keys.tab);
		let frame = ui.frame();
		expect(frame).toMatch(/› checks/);
		expect(frame).toContain('describe');
		// Scroll to the last check: the list moves, the hidden lines are counted above.
		await ui.press(...Array.from({length: 16}, () => keys.down));
		frame = ui.frame();
		expect(frame).toContain('fill-14');
		expect(frame).toMatch(/lines above/);
		// Back to the worst check and describe it.
		await ui.press('\u001B[H', keys.enter);
		frame = ui.frame();
		expect(frame).toContain('describe · orders · latency');
		expect(frame.replace(/[\s│|]+/g, ' ')).toContain('which name the overloaded matching engine');
		expect(frame).toMatch(/measured\s+812 ms/);
		expect(frame).toMatch(/threshold\s+< 200 ms/);
		await ui.press(keys.escape);
		frame = ui.frame();
		expect(frame).not.toContain('describe · orders');
		expect(frame).toMatch(/› checks/);
	});

	it('N/M passed counts neither info nor warn; info shows apart from pass', async () => {
		const {ui} = await show(withOrders(idleSnapshot()));
		const ordersIndex = idleSnapshot().phases.findIndex(p => p.id === 'orders');
		await ui.press(...Array.from({length: ordersIndex}, () => keys.down));
		const frame = ui.frame();
		// 14 passes out of 16 judged checks (the info entry is no check; the warning did not pass).
		expect(frame).toContain('14/16 passed');
		expect(frame).toMatch(/orders\s+14\/16/);
		expect(frame).toMatch(/i planted-secret-probe/);
		expect(frame).not.toMatch(/✔ planted-secret-probe/);
	});

	it('phase times under a second are in ms', async () => {
		const {ui} = await show(withOrders(idleSnapshot(), 340));
		expect(ui.frame()).toMatch(/orders\s+14\/16\s+340ms/);
	});

	it('closed streams have their own symbol, apart from pending', async () => {
		const snapshot = runningSnapshot();
		const {ui} = await show({...snapshot, streams: [stream('btcusdt@trade', {status: 'closed'})]});
		await ui.press(keys.tab, keys.tab, keys.tab, keys.tab);
		const frame = ui.frame();
		expect(frame).toMatch(/□ btcusdt@trade/);
	});

	it('depth frames read as a compact bids/asks ladder, not raw nested arrays', async () => {
		const snapshot = runningSnapshot();
		const frameJson = JSON.stringify({
			e: 'depthUpdate',
			E: t0 + 59_000,
			s: 'ETHUSDT',
			U: 200,
			u: 204,
			b: [
				['3000.10', '1.500'],
				['3000.00', '0.250'],
			],
			a: [
				['3000.20', '0.800'],
				['3000.30', '2.000'],
			],
		});
		const {ui} = await show({...snapshot, streams: [stream('ethusdt@depth@100ms', {recent: [frameJson]})]});
		await ui.press(keys.tab, keys.tab, keys.tab, keys.tab);
		const frame = ui.frame();
		expect(frame).toMatch(/depthUpdate\s+ETHUSDT\s+U 200 u 204/);
		expect(frame).toMatch(/1\.500\s+3000\.10 │ 3000\.20\s+0\.800/);
		expect(frame).toMatch(/0\.250\s+3000\.00 │ 3000\.30\s+2\.000/);
		expect(frame).not.toMatch(/"3000\.10"/);
	});

	it('after a run the cursor goes to the first failed phase and the report path is shown', async () => {
		const running = runningSnapshot();
		const {engine, ui} = await show(running);
		expect(ui.frame()).not.toContain('reports/run-1/report.json');
		engine.publish(finishedRun(running));
		await ui.press();
		const frame = ui.frame();
		expect(frame).toContain('reports/run-1/report.json');
		// rate-limit is the first failed phase: its checks are the ones shown.
		expect(frame).toMatch(/checks · rate-limit/);
		expect(frame).toContain('the burst hit HTTP 429 twice');
	});
});

describe('the kill switch asks whether to also close positions', () => {
	it('unset in the profile: k asks; y closes positions, n only cancels and blocks, Esc does nothing', async () => {
		const {engine, ui} = await show(runningSnapshot());
		await ui.press('k');
		expect(ui.frame()).toContain('Kill switch: also close open positions?');
		expect(engine.commands).toEqual([]);
		await ui.press(keys.escape);
		expect(ui.frame()).not.toContain('also close open positions?');
		expect(engine.commands).toEqual([]);
		await ui.press('k', 'y');
		expect(engine.commands).toEqual([{type: 'kill-switch', flatten: true}]);
		await ui.press('k', 'n');
		expect(engine.commands.at(-1)).toEqual({type: 'kill-switch', flatten: false});
	});
	it('set in the profile: no question; releasing an engaged switch never asks', async () => {
		const {engine, ui} = await show(runningSnapshot(), {killSwitchFlatten: true});
		await ui.press('k');
		expect(engine.commands).toEqual([{type: 'kill-switch', flatten: true}]);
		const engaged = {...runningSnapshot(), killSwitch: {engaged: true, since: t0, ordersCancelled: 2}};
		const second = await show(engaged);
		await second.ui.press('k');
		expect(second.engine.commands).toEqual([{type: 'kill-switch'}]);
	});
});

describe('a failed setup', () => {
	it('header reads error, the whole reason shows, R retries; building again then ready clears it', async () => {
		const retry = vi.fn();
		const runtime = createRuntimeStatus(retry, {
			state: 'failed',
			error: `exchange at http://127.0.0.1:9 is unreachable (connect ECONNREFUSED 127.0.0.1:9); start one with \`drydock mock\` or drop --exchange-url — ${'detail '.repeat(12)}end-of-reason`,
		});
		const {engine, ui} = await show(idleSnapshot(), {runtime});
		let frame = ui.frame();
		expect(frame.split('\n')[0]).toMatch(/drydock\s+error/);
		expect(frame.split('\n')[0]).not.toMatch(/idle/);
		expect(frame.replace(/[\s│|]+/g, ' ')).toContain('end-of-reason');
		expect(frame).toContain('R retry');
		await ui.press('R');
		expect(retry).toHaveBeenCalledTimes(1);
		expect(engine.commands).toEqual([]);
		runtime.set({state: 'ready', error: null});
		await ui.press();
		frame = ui.frame();
		expect(frame).not.toContain('setup failed');
		expect(frame.split('\n')[0]).toMatch(/idle/);
		// Ready: R does nothing.
		await ui.press('R');
		expect(retry).toHaveBeenCalledTimes(1);
	});
});
