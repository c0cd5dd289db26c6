import {afterEach, describe, expect, it} from 'vitest';
import {phaseIds} from '../../../source/engine/phase-ids.js';
import type {EngineSnapshot, ErrorGroup} from '../../../source/engine/snapshot.js';
import {consoleCommands, consoleKeyMap, consoleKeysLabel} from '../../../source/ui/console/console-keymap.js';
import {FakeEngine, idleSnapshot, runningSnapshot, stream, t0} from '../helpers.js';
import {keys, renderConsole, type RenderedConsole} from '../helpers.js';

let mounted: RenderedConsole[] = [];
afterEach(() => {
	for (const m of mounted) m.unmount();
	mounted = [];
});

async function show(snapshot: EngineSnapshot, options: {columns?: number; rows?: number; ascii?: boolean} = {}) {
	const engine = new FakeEngine(snapshot);
	const ui = await renderConsole(engine, {now: t0 + 60_000, ...options});
	mounted.push(ui);
	return {engine, ui};
}

/** Every line fits the width (fixtures use only single-cell characters, so code points = cells) and the frame is at most rows − 1 tall. */
function expectFits(ui: RenderedConsole, columns: number, rows: number) {
	const lines = ui.lines();
	expect(lines.length).toBeGreaterThan(0);
	expect(lines.length).toBeLessThanOrEqual(rows - 1);
	for (const line of lines) expect([...line].length, `line too wide: "${line}"`).toBeLessThanOrEqual(columns);
}

describe('console screen', () => {
	it('idle: says so, lists every phase as pending, no run figures', async () => {
		const {ui} = await show(idleSnapshot());
		const frame = ui.frame();
		expect(frame).toContain('idle');
		for (const id of phaseIds) expect(frame).toContain(id);
		expect(frame.match(/○/g)?.length).toBeGreaterThanOrEqual(phaseIds.length);
		expect(frame).toContain('grade —');
		expectFits(ui, 80, 24);
	});

	for (const [columns, rows] of [
		[80, 24],
		[100, 30],
		[120, 40],
		[160, 50],
		[60, 16],
	] as const) {
		it(`running at ${columns}×${rows}: header, phases and figures shown, nothing overflows`, async () => {
			const {ui} = await show(runningSnapshot(), {columns, rows});
			const frame = ui.frame();
			expect(frame).toContain('running');
			expect(frame).toContain('plan quick');
			expect(frame).toContain('rate-limit');
			expect(frame).toMatch(/✘ rate-limit/);
			expect(frame).toMatch(/breaker ● closed/);
			expectFits(ui, columns, rows);
			if (columns >= 100) {
				expect(frame).toContain('ops 1,234');
				expect(frame).toContain('p99 4.10ms');
				expect(frame).toContain('btcusdt@trade');
			}
		});
	}

	it('a failed phase shows its checks: measured vs threshold and the reason', async () => {
		const {ui} = await show(runningSnapshot());
		await ui.press(keys.down, keys.down, keys.down);
		const frame = ui.frame();
		expect(frame).toMatch(/✘ rate-limit +1\/2 passed/);
		expect(frame).toContain('throttled-before-429');
		expect(frame).toContain('2 × 429 vs = 0');
		expect(frame).toContain('the burst hit HTTP 429 twice');
		// The failing check is listed before the passing one.
		expect(frame.indexOf('throttled-before-429')).toBeLessThan(frame.indexOf('weight-tracked'));
	});

	it('a stream that connected but delivered nothing reads as no-data, not as live', async () => {
		const snapshot = runningSnapshot();
		const {ui} = await show(
			{
				...snapshot,
				streams: [
					stream('solusdt@trade', {status: 'silent', messages: 0, ratePerSec: 0, lastMessageAt: null, recent: []}),
				],
			},
			{columns: 100, rows: 30},
		);
		await ui.press(keys.tab, keys.tab, keys.tab, keys.tab);
		const frame = ui.frame();
		expect(frame).toMatch(/∅ solusdt@trade/);
		expect(frame).toContain('never');
		expect(frame).toContain('connected, no data received');
	});

	it('breaker open and kill switch engaged are shown in the header', async () => {
		const snapshot = runningSnapshot();
		const {ui} = await show({
			...snapshot,
			breaker: {
				state: 'open',
				consecutiveFailures: 5,
				transitions: 1,
				lastTransitionAt: t0 + 50_000,
				retryAt: t0 + 70_000,
			},
			killSwitch: {engaged: true, since: t0 + 55_000, ordersCancelled: 3},
		});
		const frame = ui.frame();
		expect(frame).toContain('breaker ○ open retry 10s');
		expect(frame).toContain('KILL SWITCH ON (3 cancelled)');
		expectFits(ui, 80, 24);
	});

	it('many errors: newest first, filter with / narrows them, arrows scroll, nothing overflows', async () => {
		const errors: ErrorGroup[] = Array.from({length: 300}, (_, i) => ({
			key: `k${i}`,
			kind: i % 3 === 0 ? 'timeout' : 'network',
			message: `${i % 3 === 0 ? 'request timed out' : 'ECONNRESET'} #${i} ${'x'.repeat(i % 50)}`,
			phase: 'soak',
			count: i + 1,
			firstSeen: t0 + i,
			lastSeen: t0 + 1000 + i,
			critical: i === 299,
		}));
		const {ui} = await show({...runningSnapshot(), errors});
		await ui.press(keys.tab, keys.tab, keys.tab);
		let frame = ui.frame();
		expect(frame).toContain('300 groups');
		expect(frame).toContain('#299');
		expect(frame.indexOf('#299')).toBeLessThan(frame.indexOf('#298'));
		await ui.press('/', 't', 'i', 'm', 'e', 'd');
		frame = ui.frame();
		expect(frame).toContain('100/300 groups');
		expect(frame).toContain('/timed');
		expect(frame).not.toContain('ECONNRESET');
		await ui.press(keys.enter, keys.down, keys.down);
		frame = ui.frame();
		expect(frame).toContain('#3/100');
		await ui.press(keys.escape);
		expect(ui.frame()).toContain('300 groups');
		expectFits(ui, 80, 24);
	});

	it('the help overlay lists every binding of the key map', async () => {
		for (const [columns, rows] of [
			[80, 24],
			[100, 30],
		] as const) {
			const {ui} = await show(idleSnapshot(), {columns, rows});
			await ui.press('?');
			const frame = ui.frame();
			for (const name of consoleCommands) {
				expect(frame, name).toContain(consoleKeysLabel(name));
				expect(frame, name).toContain(consoleKeyMap[name].description);
			}
			expectFits(ui, columns, rows);
			await ui.press('x');
			expect(ui.frame()).not.toContain('any key closes');
		}
	});

	it('each run key dispatches its engine command', async () => {
		const {engine, ui} = await show(runningSnapshot());
		// k asks whether to also close positions (the fixture profile doesn't say): n = cancel + block only.
		await ui.press('Q', 'F', 'r', keys.down, keys.enter, 'x', 'b', 'k', 'n');
		expect(engine.commands).toEqual([
			{type: 'start', plan: {name: 'quick', phases: [...phaseIds], soakDurationMs: 5 * 60_000}},
			{type: 'start', plan: {name: 'full', phases: [...phaseIds], soakDurationMs: 24 * 3_600_000}},
			{type: 'rerun-failed'},
			{type: 'run-phase', phase: 'connectivity'},
			{type: 'force-reconnect'},
			{type: 'trip-breaker'},
			{type: 'kill-switch', flatten: false},
		]);
	});

	it('keys opened while help is up do nothing but close it', async () => {
		const {engine, ui} = await show(runningSnapshot());
		await ui.press('?', 'k');
		expect(engine.commands).toEqual([]);
	});

	it('q asks to confirm while a run is active; n keeps running, y quits gracefully', async () => {
		const {engine, ui} = await show(runningSnapshot());
		await ui.press('q');
		expect(ui.frame()).toContain('A run is active. Quit?');
		expect(ui.onQuit).not.toHaveBeenCalled();
		await ui.press('n');
		expect(ui.frame()).not.toContain('A run is active. Quit?');
		await ui.press('q', 'y');
		expect(ui.onQuit.mock.calls).toEqual([[false]]);
		expect(ui.frame()).toContain('Ctrl-C again forces');
		await ui.press(keys.ctrlC);
		expect(ui.onQuit.mock.calls).toEqual([[false], [true]]);
		expect(engine.commands).toEqual([]);
	});

	it('Ctrl-C twice during a run forces; when idle, q quits at once', async () => {
		const running = await show(runningSnapshot());
		await running.ui.press(keys.ctrlC);
		expect(running.ui.onQuit).not.toHaveBeenCalled();
		expect(running.ui.frame()).toContain('A run is active. Quit?');
		await running.ui.press(keys.ctrlC);
		expect(running.ui.onQuit.mock.calls).toEqual([[true]]);

		const idle = await show(idleSnapshot());
		await idle.ui.press('q');
		expect(idle.ui.onQuit.mock.calls).toEqual([[false]]);
	});

	it('a panel that throws shows "panel failed" and the rest keeps drawing new snapshots', async () => {
		const broken = runningSnapshot();
		const bad = {...broken, metrics: {...broken.metrics, latency: undefined}} as unknown as EngineSnapshot;
		const {engine, ui} = await show(bad, {columns: 100, rows: 30});
		let frame = ui.frame();
		expect(frame).toContain('metrics: panel failed:');
		expect(frame).toContain('rate-limit');
		const phases = bad.phases.map(p =>
			p.id === 'streams' ? {...p, status: 'pass' as const, passed: 4, total: 4, checks: []} : p,
		);
		engine.publish({...bad, phases});
		await ui.press();
		frame = ui.frame();
		expect(frame).toMatch(/✔ streams +4\/4/);
		expect(frame).toContain('metrics: panel failed:');
		expectFits(ui, 100, 30);
	});

	it('space freezes the stream inspector until pressed again', async () => {
		const snapshot = runningSnapshot();
		const {engine, ui} = await show(snapshot, {columns: 100, rows: 30});
		await ui.press(keys.tab, keys.tab, keys.tab, keys.tab, keys.space);
		expect(ui.frame()).toContain('PAUSED');
		engine.publish({...snapshot, streams: snapshot.streams.map(s => ({...s, messages: 9999}))});
		await ui.press();
		expect(ui.frame()).toContain('1200 msgs');
		await ui.press(keys.space);
		expect(ui.frame()).toContain('9999 msgs');
		expect(ui.frame()).not.toContain('PAUSED');
	});

	it('ASCII mode draws only ASCII', async () => {
		const snapshot = runningSnapshot();
		const {ui} = await show(
			{...snapshot, killSwitch: {engaged: true, since: t0, ordersCancelled: 0}},
			{ascii: true, columns: 120, rows: 40},
		);
		const frame = ui.frame();
		expect(frame).toMatch(/^[\x20-\x7E\n]*$/);
		expect(frame).toContain('[FAIL] rate-limit');
		expect(frame).toContain('+-');
		// A threshold keeps its meaning: ≥ becomes >=, not >.
		await ui.press(keys.down, keys.down, keys.down, keys.down);
		expect(ui.frame()).toContain('5 timeframes vs >= 4');
		expect(ui.frame()).toMatch(/^[\x20-\x7E\n]*$/);
		expectFits(ui, 120, 40);
	});

	it('follows terminal resizes (rows too), keeping within the new size', async () => {
		const {ui} = await show(runningSnapshot(), {columns: 120, rows: 40});
		expect(ui.lines().length).toBe(39);
		ui.stdout.resize(80, 24);
		await ui.press();
		expectFits(ui, 80, 24);
		expect(ui.lines().length).toBe(23);
	});

	it('unsubscribes from the engine on unmount', async () => {
		const {engine, ui} = await show(runningSnapshot());
		expect(engine.listenerCount()).toBe(1);
		ui.unmount();
		mounted = mounted.filter(m => m !== ui);
		expect(engine.listenerCount()).toBe(0);
	});
});
