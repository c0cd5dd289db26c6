/** The console's SUT panel and header segment: shown only with a SUT, fitted at every size, ASCII twins. */
import {afterEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import type {EngineSnapshot} from '../../../source/engine/snapshot.js';
import type {SutView} from '../../../source/engine/sut-view.js';
import {SutPanel, defaultSutLimits} from '../../../source/ui/console/panels/SutPanel.js';
import {computeConsoleLayout} from '../../../source/ui/console/console-layout.js';
import {UiEnvironmentContext} from '../../../source/ui/environment.js';
import {glyphs} from '../../../source/ui/glyphs.js';
import {FakeEngine, keys, renderConsole, runningSnapshot, stripAnsi, t0, type RenderedConsole} from '../helpers.js';

let mounted: RenderedConsole[] = [];
afterEach(() => {
	for (const m of mounted) m.unmount();
	mounted = [];
});

function sutView(overrides: Partial<SutView> = {}): SutView {
	return {
		command: 'python3 -m mybot --config dry.yaml',
		state: 'running',
		pid: 4242,
		uptimeMs: 185_000,
		restarts: 0,
		unexpectedExits: 0,
		cpuPercent: 12.5,
		rssMb: 84.2,
		processes: 1,
		cpuHistory: [5, 8, 12, 10, 12.5],
		rssHistory: [80, 81, 82, 83, 84.2],
		venue: {
			requestsPerMinute: 120,
			weightUsed: 340,
			weightLimit: 6000,
			status429: 2,
			status418: 0,
			bannedUntil: null,
			ordersPlaced: 17,
			ordersFilled: 11,
			ordersRejected: 1,
			ordersOpen: 3,
			connectionsOpen: 2,
			subscriptions: 4,
			drops: 1,
			dropsPending: 0,
		},
		venueError: null,
		statsd: {operations: 96, failed: 1, successRate: 0.9896, avgLatencyMs: 3.1, malformed: 0},
		errors: {total: 2, expected: 1},
		lastLines: [
			{at: t0 + 1_000, stream: 'stdout', line: 'cycle 41 ok', error: false},
			{at: t0 + 2_000, stream: 'stderr', line: 'ERROR order rejected -2010', error: true},
			{at: t0 + 3_000, stream: 'stdout', line: 'cycle 42 ok', error: false},
		],
		...overrides,
	};
}

function withSut(sut: SutView | null, base: EngineSnapshot = runningSnapshot()): EngineSnapshot {
	return {...base, sut};
}

async function show(snapshot: EngineSnapshot, options: {columns?: number; rows?: number; ascii?: boolean} = {}) {
	const ui = await renderConsole(new FakeEngine(snapshot), {now: t0 + 60_000, ...options});
	mounted.push(ui);
	return ui;
}

function expectFits(ui: RenderedConsole, columns: number, rows: number) {
	const lines = ui.lines();
	expect(lines.length).toBeLessThanOrEqual(rows - 1);
	for (const line of lines) expect([...line].length, `line too wide: "${line}"`).toBeLessThanOrEqual(columns);
}

// Focus order: phases → checks → metrics → errors → streams → resources → sut.
const toSut = [keys.tab, keys.tab, keys.tab, keys.tab, keys.tab, keys.tab];

function expectSutFigures(frame: string) {
	expect(frame).toMatch(/● running +pid 4242 +up 3m0?5s/);
	expect(frame).toContain('restarts 0');
	expect(frame).toMatch(/CPU +[█░┃]+ +12\.5%/);
	expect(frame).toMatch(/RSS +[█░┃]+ +84\.2MB/);
	expect(frame).toContain('req 120/min');
	expect(frame).toContain('429 2');
	expect(frame).toContain('orders 17');
	expect(frame).toContain('✘ ERROR order rejected -2010');
	expect(frame).toContain('cycle 42 ok');
}

describe('SUT panel in the console', () => {
	it('without a SUT: no sut tab, no header segment, and Tab never lands on it', async () => {
		const ui = await show(withSut(null), {columns: 100, rows: 30});
		expect(ui.frame()).not.toMatch(/\bsut\b/);
		await ui.press(...toSut);
		// Six presses cycle phases → checks → … → resources → phases again (sut is skipped).
		expect(ui.frame()).toMatch(/› phases/);
		expectFits(ui, 100, 30);
	});

	it('80×24: header says sut ● running pid N; the sut tab shows the figures; nothing overflows', async () => {
		const ui = await show(withSut(sutView()), {columns: 80, rows: 24});
		expect(ui.lines()[1]).toMatch(/sut ● running pid 4242/);
		expect(ui.frame()).toMatch(/\bsut\b/);
		await ui.press(...toSut);
		const frame = ui.frame();
		// Six tabs do not fit the border at 80 columns: the first give way, the shown one stays.
		expect(frame).toMatch(/… .*resources \[sut\]/);
		expect(frame).toMatch(/● running +pid 4242/);
		expect(frame).toMatch(/CPU +[█░┃]+ +12\.5%/);
		expect(frame).toContain('req 120/min');
		expect(frame).toContain('ERROR order rejected -2010');
		expectFits(ui, 80, 24);
	});

	it('100×30: a tab beside streams and errors, every figure on screen', async () => {
		const ui = await show(withSut(sutView()), {columns: 100, rows: 30});
		await ui.press(...toSut);
		const frame = ui.frame();
		expect(frame).toMatch(/streams +errors +(resources +)?\[sut\]/);
		expectSutFigures(frame);
		expect(frame).toContain('subs 4');
		expect(frame).toContain('statsd ops 96');
		// drydock's own figures beside the SUT's (the fixture's drydock: 3.1% CPU, 118 MB).
		expect(frame).toMatch(/drydock +CPU 3\.1% +RSS 118MB/);
		expectFits(ui, 100, 30);
	});

	for (const [columns, rows] of [
		[150, 30],
		[160, 50],
	] as const) {
		it(`${columns}×${rows}: its own panel, no focus needed; the streams stay on screen`, async () => {
			const ui = await show(withSut(sutView()), {columns, rows});
			const frame = ui.frame();
			expect(frame).toMatch(/─ sut ─/);
			expectSutFigures(frame);
			expect(frame).toContain('btcusdt@trade');
			expectFits(ui, columns, rows);
		});
	}

	it('ASCII mode: bracketed state, E marks error lines, no character outside ASCII', async () => {
		const ui = await show(withSut(sutView()), {columns: 100, rows: 30, ascii: true});
		expect(ui.lines()[1]).toMatch(/sut \[ok\] running pid 4242/);
		await ui.press(...toSut);
		const frame = ui.frame();
		expect(frame).toMatch(/\[ok\] running +pid 4242/);
		expect(frame).toMatch(/CPU +[#.|]+ +12\.5%/);
		expect(frame).toContain('E ERROR order rejected -2010');
		// eslint-disable-next-line no-control-regex
		expect(frame).toMatch(/^[\x00-\x7F]*$/);
		expectFits(ui, 100, 30);
	});

	it('a restarting SUT over its limits: state in the header, exits, restarts, ban and pending drop flagged', async () => {
		const sut = sutView({
			state: 'restarting',
			pid: null,
			uptimeMs: null,
			restarts: 2,
			unexpectedExits: 2,
			cpuPercent: 75,
			rssMb: 612,
			limits: {rssMb: 500, cpuPercent: 50},
			venue: {...sutView().venue!, status418: 1, bannedUntil: t0 + 90_000, dropsPending: 1},
		});
		const base = runningSnapshot();
		const ui = await show({...base, at: t0 + 60_000, sut}, {columns: 150, rows: 30});
		const frame = ui.frame();
		expect(ui.lines()[1]).toMatch(/sut ↻ restarting/);
		expect(ui.lines()[1]).not.toContain('pid');
		expect(frame).toContain('restarts 2');
		expect(frame).toContain('exits 2');
		expect(frame).toContain('418 1');
		expect(frame).toContain('BANNED 30s');
		expect(frame).toContain('pending 1');
		expect(frame).toMatch(/RSS +[█░┃]+ +612MB/);
		expectFits(ui, 150, 30);
	});
});

describe('SUT panel errors', () => {
	it('a damaged view fails the panel alone: its boundary says so, the rest of the console draws', async () => {
		const damaged = {...sutView(), lastLines: undefined, cpuHistory: undefined} as unknown as SutView;
		const ui = await show(withSut(damaged), {columns: 160, rows: 50});
		const frame = ui.frame();
		expect(frame).toContain('sut: panel failed');
		expect(frame).toContain('btcusdt@trade');
		expect(frame).toContain('rate-limit');
		expectFits(ui, 160, 50);
	});
});

describe('SUT panel layout', () => {
	for (const [columns, rows] of [
		[80, 24],
		[100, 30],
		[120, 40],
		[150, 30],
		[200, 60],
	] as const) {
		it(`${columns}×${rows}: a sut tab (or panel) only with a SUT; panels still fill the body`, () => {
			const without = computeConsoleLayout(columns, rows, 'phases', false, false);
			const withSut = computeConsoleLayout(columns, rows, 'phases', false, true);
			const all = (l: typeof without) => l.columns.flatMap(c => c.panels.flatMap(p => [p.id, ...(p.tabs ?? [])]));
			expect(all(without)).not.toContain('sut');
			expect(all(withSut)).toContain('sut');
			if (columns >= 150) expect(withSut.columns.flatMap(c => c.panels.map(p => p.id))).toContain('sut');
			for (const column of withSut.columns) {
				expect(column.panels.reduce((sum, p) => sum + p.height, 0)).toBe(withSut.bodyHeight);
				for (const panel of column.panels) expect(panel.height).toBeGreaterThanOrEqual(4);
			}
		});
	}
});

describe('SUT panel alone', () => {
	function draw(sut: SutView | null, width: number, height: number, ascii = false) {
		const {lastFrame, unmount} = render(
			<UiEnvironmentContext.Provider value={{g: glyphs(ascii), size: {columns: 200, rows: 60}, color: false}}>
				<SutPanel sut={sut} limits={defaultSutLimits} width={width} height={height} now={t0} />
			</UiEnvironmentContext.Provider>,
		);
		const lines = stripAnsi(lastFrame() ?? '').split('\n');
		unmount();
		return lines;
	}

	it('fits narrow and short panels: the state row first, the log gives way', () => {
		for (const [width, height] of [
			[30, 4],
			[46, 8],
			[46, 20],
		] as const) {
			const lines = draw(
				sutView({lastLines: [{at: t0, stream: 'stdout', line: 'x'.repeat(200), error: false}]}),
				width,
				height,
			);
			expect(lines.length).toBeLessThanOrEqual(height);
			for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
			expect(lines[0]).toMatch(/● running/);
		}
	});

	it('says when there is no SUT, and when the venue has not answered', () => {
		expect(draw(null, 46, 8).join('\n')).toContain('no system under test');
		const frame = draw(sutView({venue: null, venueError: 'admin API: ECONNREFUSED', statsd: null}), 60, 12).join('\n');
		expect(frame).toContain('venue: admin API: ECONNREFUSED');
		expect(frame).not.toContain('statsd');
	});

	it('every state has a glyph and an ASCII twin', () => {
		for (const state of [
			'idle',
			'starting',
			'running',
			'restarting',
			'stopping',
			'stopped',
			'exited',
			'failed',
		] as const) {
			const unicode = draw(sutView({state}), 60, 3)[0]!;
			const ascii = draw(sutView({state}), 60, 3, true)[0]!;
			expect(unicode).toContain(state);
			// eslint-disable-next-line no-control-regex
			expect(ascii).toMatch(/^[\x00-\x7F]*$/);
			expect(ascii).toMatch(new RegExp(`\\[[^\\]]+\\] ${state}`));
		}
	});
});
