/**
 * The Load screen of `drydock load` on a TTY, over a small LoadStore-shaped fake: each state
 * (starting, running, failing, stopping, finished), keys dispatching user changes and stops, the
 * help overlay generated from the key map, scrolling, width at 80 and 100 columns, ASCII, mounting.
 */
import {render, type Key} from 'ink';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {LoadApp} from '../../../source/ui/load/LoadApp.js';
import {
	handleLoadScreenKey,
	initialLoadScreenState,
	type LoadScreenState,
} from '../../../source/ui/load/load-screen-controller.js';
import {loadScreenCommands, loadScreenKeyMap, loadScreenKeysLabel} from '../../../source/ui/load/load-screen-keymap.js';
import {mountLoadScreen} from '../../../source/ui/index.js';
import {FakeStdin, FakeStdout, keys, stripAnsi, tick} from '../helpers.js';
import type {LoadCommand, LoadSeriesPoint, LoadSnapshot, LoadStore} from '../../../source/load/snapshot.js';
import type {EntrySummary, FailureKind} from '../../../source/load/stats.js';

class FakeLoadStore implements LoadStore {
	readonly commands: LoadCommand[] = [];
	private listeners = new Set<() => void>();
	constructor(private snapshot: LoadSnapshot) {}
	getSnapshot = (): LoadSnapshot => this.snapshot;
	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};
	dispatch = (command: LoadCommand): void => {
		this.commands.push(command);
	};
	publish(next: LoadSnapshot): void {
		this.snapshot = {...next, version: this.snapshot.version + 1};
		for (const listener of this.listeners) listener();
	}
}

const labels = ['50%', '66%', '75%', '80%', '90%', '95%', '98%', '99%', '99.9%', '99.99%', '100%'];

function entry(
	method: string,
	name: string,
	requests: number,
	options: {failures?: number; medianMs?: number; currentRps?: number} = {},
): EntrySummary {
	const failures = options.failures ?? 0;
	const median = options.medianMs ?? 12;
	const percentiles: Record<string, number> = {};
	labels.forEach((label, i) => (percentiles[label] = requests === 0 ? 0 : median * (1 + i * 0.4)));
	return {
		method,
		name,
		requests,
		failures,
		failRatio: requests === 0 ? 0 : failures / requests,
		avgMs: requests === 0 ? 0 : median * 1.2,
		minMs: requests === 0 ? 0 : median / 4,
		maxMs: requests === 0 ? 0 : median * 9,
		medianMs: requests === 0 ? 0 : median,
		avgContentSize: 512,
		rps: requests / 20,
		failuresPerSecond: failures / 20,
		currentRps: options.currentRps ?? requests / 20,
		currentFailuresPerSecond: failures / 20,
		percentiles,
	};
}

function aggregate(entries: readonly EntrySummary[]): EntrySummary {
	const requests = entries.reduce((s, e) => s + e.requests, 0);
	const failures = entries.reduce((s, e) => s + e.failures, 0);
	return {
		...entry('', 'Aggregated', requests, {failures, medianMs: 15}),
		currentRps: entries.reduce((s, e) => s + e.currentRps, 0),
	};
}

function series(seconds: number, users = 5): LoadSeriesPoint[] {
	return Array.from({length: seconds}, (_, i) => ({
		second: i + 1,
		rps: 40 + (i % 7) * 5,
		failuresPerSecond: i % 5 === 0 ? 1 : 0,
		p50Ms: 10 + (i % 3),
		p95Ms: 30 + (i % 4) * 3,
		p99Ms: 60 + (i % 5) * 10,
		users,
	}));
}

const inventoryNames = [
	entry('POST', '/api/auth/login', 5),
	entry('POST', '/api/auth/refresh', 12),
	entry('GET', '/api/products/?page=[n]', 1234, {currentRps: 61.7}),
	entry('GET', '/api/products/[id]/availability', 823),
	entry('POST', '/api/products/[id]/reserve', 411, {medianMs: 21}),
];

function base(over: Partial<LoadSnapshot>): LoadSnapshot {
	const entries = over.entries ?? [];
	return {
		version: 1,
		status: 'running',
		mode: 'users',
		scenario: 'examples/inventory-reserve.scenario.ts',
		host: 'http://127.0.0.1:8000',
		elapsedMs: 12_000,
		runTimeMs: 20_000,
		users: {current: 5, target: 5, busy: 5},
		arrival: undefined,
		entries,
		total: aggregate(entries),
		failures: [],
		taskErrors: 0,
		series: [],
		...over,
	};
}

function startingSnapshot(): LoadSnapshot {
	return base({status: 'starting', elapsedMs: 0, users: {current: 0, target: 5, busy: 0}});
}

function runningSnapshot(over: Partial<LoadSnapshot> = {}): LoadSnapshot {
	return base({entries: inventoryNames, series: series(40), ...over});
}

const someFailures: FailureKind[] = [
	{
		method: 'POST',
		name: '/api/products/[id]/reserve',
		error: 'HTTP 500: internal error while reserving stock for the order',
		occurrences: 37,
	},
	{
		method: 'GET',
		name: '/api/products/[id]/availability',
		error: 'connect ECONNREFUSED 127.0.0.1:8000',
		occurrences: 5,
	},
	{method: 'POST', name: '/api/auth/refresh', error: 'HTTP 401', occurrences: 2},
];

function failingSnapshot(): LoadSnapshot {
	const entries = [
		entry('POST', '/api/auth/login', 5),
		entry('POST', '/api/auth/refresh', 12, {failures: 2}),
		entry('GET', '/api/products/?page=[n]', 1234),
		entry('GET', '/api/products/[id]/availability', 823, {failures: 5}),
		entry('POST', '/api/products/[id]/reserve', 411, {failures: 37}),
	];
	return base({entries, total: aggregate(entries), failures: someFailures, series: series(40)});
}

function finishedSnapshot(): LoadSnapshot {
	return base({status: 'finished', entries: inventoryNames, series: series(20), elapsedMs: 20_000});
}

function manyNamesSnapshot(count: number): LoadSnapshot {
	const entries = Array.from({length: count}, (_, i) =>
		entry('GET', `/api/item/${String(i).padStart(3, '0')}`, 100 + i),
	);
	return base({entries, total: aggregate(entries), series: series(10)});
}

const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

// ---- the screen ----

let mounted: Array<{unmount(): void}> = [];
afterEach(() => {
	for (const m of mounted) m.unmount();
	mounted = [];
});

interface RenderedLoad {
	store: FakeLoadStore;
	onQuit: ReturnType<typeof vi.fn<(force: boolean) => void>>;
	stdout: FakeStdout;
	lines(): string[];
	frame(): string;
	press(...sequence: string[]): Promise<void>;
}

async function show(
	snapshot: LoadSnapshot,
	options: {columns?: number; rows?: number; ascii?: boolean} = {},
): Promise<RenderedLoad> {
	const store = new FakeLoadStore(snapshot);
	const stdout = new FakeStdout(options.columns ?? 80, options.rows ?? 24);
	const stdin = new FakeStdin();
	const onQuit = vi.fn<(force: boolean) => void>();
	const instance = render(
		<LoadApp store={store} onQuit={onQuit} ascii={options.ascii ?? false} description="5 users at 5/s" refreshMs={0} />,
		{
			stdout: stdout as unknown as NodeJS.WriteStream,
			stdin: stdin as unknown as NodeJS.ReadStream,
			stderr: stdout as unknown as NodeJS.WriteStream,
			debug: true,
			exitOnCtrlC: false,
			patchConsole: false,
		},
	);
	mounted.push(instance);
	// useInput subscribes in an effect: input written before that is lost.
	await tick(20);
	const frame = () => stripAnsi(stdout.frames.at(-1) ?? '');
	return {
		store,
		onQuit,
		stdout,
		frame,
		lines: () => {
			const lines = frame().split('\n');
			if (lines.at(-1) === '') lines.pop();
			return lines;
		},
		async press(...sequence) {
			for (const key of sequence) {
				stdin.write(key);
				await tick();
			}
			await tick(10);
		},
	};
}

/** Every line fits the width (fixtures use single-cell characters, so code points = cells); the frame is at most rows − 1 tall. */
function expectFits(ui: RenderedLoad, columns: number, rows: number) {
	const lines = ui.lines();
	expect(lines.length).toBeGreaterThan(rows / 2);
	expect(lines.length).toBeLessThanOrEqual(rows - 1);
	for (const line of lines) expect([...line].length, `line too wide: "${line}"`).toBeLessThanOrEqual(columns);
}

const rowOf = (ui: RenderedLoad, name: string) => ui.lines().find(line => line.includes(name)) ?? '';

describe('Load screen', () => {
	it('starting: status, users on their way, empty table and charts, no failures', async () => {
		const ui = await show(startingSnapshot());
		const frame = ui.frame();
		expect(frame).toMatch(/drydock load +starting +inventory-reserve\.scenario\.ts/);
		expect(frame).toContain('users 0/5');
		expect(frame).toContain('no requests yet');
		expect(frame).toContain('charts start after 1 s');
		expect(frame).toContain('no failures');
		expectFits(ui, 80, 24);
	});

	for (const [columns, rows] of [
		[80, 24],
		[100, 30],
		[120, 40],
		[60, 16],
	] as const) {
		it(`running at ${columns}×${rows}: header, every name with its counts, sparklines; nothing overflows`, async () => {
			const ui = await show(runningSnapshot(), {columns, rows});
			const frame = ui.frame();
			expect(frame).toContain('running');
			expect(frame).toContain('users 5/5');
			expect(frame).toMatch(/fail 0\.00%/);
			expect(frame).toContain('12s / 20s');
			expect(frame).toContain('RPS 124/s');
			expectFits(ui, columns, rows);
			// Names visible (truncated only where the terminal is narrow) with their request counts.
			expect(frame).toMatch(/Aggregated +.*2485/);
			if (rows >= 24) {
				expect(rowOf(ui, '/api/products/?page=[n]')).toMatch(/GET +\/api\/products\/\?page=\[n\] +1234 +0 /);
				for (const name of ['/api/auth/login', '/api/auth/refresh']) expect(frame).toContain(name);
				expect(frame).toMatch(/RPS +[▁▂▃▄▅▆▇█]{10,}/);
				expect(frame).toMatch(/p99 +[▁▂▃▄▅▆▇█]{10,}/);
				// The table takes the rows it needs; the charts get the rest (users and errors lines too).
				expect(frame).toMatch(/usr +[▁▂▃▄▅▆▇█]{10,} +5/);
				expect(frame).toMatch(/POST \/api\/auth\/login +fails 0\.00% +p50 12\.0ms/);
			}
			if (columns >= 100) {
				expect(frame).toMatch(/Type +Name +# reqs +# fails +Avg +Min +Max +Med +p95 +p99 +RPS/);
				expect(frame).toContain('/api/products/[id]/availability');
			} else {
				expect(frame).toContain('hidden (narrow)');
			}
		});
	}

	it('with failures: the header turns red-worthy, fails per name, the failures table lists method, name, error, occurrences', async () => {
		const ui = await show(failingSnapshot(), {columns: 140, rows: 40});
		const frame = ui.frame();
		expect(frame).toMatch(/fail 1\.77%/);
		expect(rowOf(ui, '/api/products/[id]/reserve')).toMatch(/ 411 +37 /);
		expect(frame).toMatch(/╭─ failures ─+ 44 ╮/);
		expect(frame).toMatch(/#\s+Type\s+Name\s+Error/);
		expect(frame).toMatch(/37 POST +\/api\/products\/\[id\]\/reserve +HTTP 500: internal error/);
		expect(frame).toContain('ECONNREFUSED');
		expectFits(ui, 140, 40);
		// Narrower, method, name and error share one cell instead of three unreadable ones.
		for (const [columns, rows] of [
			[100, 30],
			[80, 24],
		] as const) {
			const narrow = await show(failingSnapshot(), {columns, rows});
			expect(narrow.frame()).toMatch(/37 POST \/api\/products\/\[id\]\/reserve: HTTP/);
			expect(narrow.frame()).toMatch(/fail 1\.77%/);
			expectFits(narrow, columns, rows);
		}
	});

	it('finished: says so, and user keys no longer dispatch', async () => {
		const ui = await show(finishedSnapshot());
		expect(ui.frame()).toMatch(/drydock load +finished/);
		await ui.press('+', ']', '-', '[');
		expect(ui.store.commands).toEqual([]);
		await ui.press('q');
		expect(ui.onQuit.mock.calls).toEqual([[false]]);
	});

	it('keys add and remove users: +/= one, ] ten, - one, [ ten', async () => {
		const ui = await show(runningSnapshot());
		await ui.press('+', '=', ']', '-', '[', '}', '_', '{');
		expect(ui.store.commands).toEqual([
			{type: 'add-users', count: 1},
			{type: 'add-users', count: 1},
			{type: 'add-users', count: 10},
			{type: 'remove-users', count: 1},
			{type: 'remove-users', count: 10},
			{type: 'add-users', count: 10},
			{type: 'remove-users', count: 1},
			{type: 'remove-users', count: 10},
		]);
		// The header follows the store: a target above the running count shows both.
		ui.store.publish(runningSnapshot({users: {current: 6, target: 15, busy: 6}}));
		await tick(20);
		expect(ui.frame()).toContain('users 6/15');
	});

	it('q asks before stopping a running test; n keeps it, y stops it', async () => {
		const ui = await show(runningSnapshot());
		await ui.press('q');
		expect(ui.frame()).toContain('Stop the load test?');
		expect(ui.onQuit).not.toHaveBeenCalled();
		await ui.press('n');
		expect(ui.frame()).not.toContain('Stop the load test?');
		await ui.press('q', 'y');
		expect(ui.onQuit.mock.calls).toEqual([[false]]);
		expect(ui.frame()).toContain('stopping the run');
		// While stopping, user keys do nothing.
		await ui.press('+');
		expect(ui.store.commands).toEqual([]);
	});

	it('Ctrl-C asks first; a second Ctrl-C forces', async () => {
		const ui = await show(runningSnapshot());
		await ui.press(keys.ctrlC);
		expect(ui.frame()).toContain('Stop the load test?');
		await ui.press(keys.ctrlC);
		expect(ui.onQuit.mock.calls).toEqual([[true]]);
	});

	it('the stopping status is shown while in-flight requests finish', async () => {
		const ui = await show(runningSnapshot({status: 'stopping'}));
		expect(ui.frame()).toContain('stopping: in-flight requests finish');
	});

	it('? shows every binding of the load key map, any key closes it without acting', async () => {
		const ui = await show(runningSnapshot());
		await ui.press('?');
		const frame = ui.frame();
		expect(frame).toContain('load keys');
		for (const name of loadScreenCommands) {
			expect(frame).toContain(loadScreenKeyMap[name].description);
			expect(frame).toContain(loadScreenKeysLabel(name));
		}
		expectFits(ui, 80, 24);
		await ui.press(']');
		expect(ui.store.commands).toEqual([]);
		expect(ui.frame()).not.toContain('load keys');
		await ui.press('?', keys.escape);
		expect(ui.frame()).not.toContain('load keys');
	});

	it('many names: the table scrolls with the selection, the aggregate stays pinned', async () => {
		const ui = await show(manyNamesSnapshot(40));
		expect(ui.frame()).toContain('/api/item/000');
		expect(ui.frame()).not.toContain('/api/item/039');
		await ui.press('\u001B[F'); // End
		let frame = ui.frame();
		expect(frame).toContain('/api/item/039');
		expect(frame).not.toContain('/api/item/000');
		expect(frame).toContain('40/40');
		expect(frame).toContain('Aggregated');
		expect(rowOf(ui, '/api/item/039')).toMatch(/^│›/);
		await ui.press(keys.up, keys.up);
		expect(rowOf(ui, '/api/item/037')).toMatch(/^│›/);
		await ui.press('\u001B[H'); // Home
		frame = ui.frame();
		expect(frame).toContain('/api/item/000');
		expectFits(ui, 80, 24);
	});

	it('ASCII mode draws nothing outside ASCII', async () => {
		const ui = await show(failingSnapshot(), {ascii: true});
		// eslint-disable-next-line no-control-regex
		for (const line of ui.lines()) expect(line, line).toMatch(/^[\x00-\x7F]*$/);
		expect(ui.frame()).toMatch(/RPS +[_.\-=#]{10,}/);
		expectFits(ui, 80, 24);
	});

	it('resizing redraws for the new size; a tiny terminal gets a message, not a broken frame', async () => {
		const ui = await show(runningSnapshot(), {columns: 100, rows: 30});
		ui.stdout.resize(80, 24);
		await tick(30);
		expectFits(ui, 80, 24);
		ui.stdout.resize(50, 12);
		await tick(30);
		expect(ui.frame()).toContain('too small');
		for (const line of ui.lines()) expect([...line].length).toBeLessThanOrEqual(50);
	});

	it('a panel that throws shows its error and the rest keeps drawing', async () => {
		const broken = runningSnapshot({series: [null as unknown as LoadSeriesPoint]});
		const ui = await show(broken);
		const frame = ui.frame();
		expect(frame).toContain('charts: panel failed');
		expect(frame).toContain('/api/auth/login');
		expect(frame).toContain('no failures');
	});
});

describe('Load screen controller', () => {
	const ctx = {snapshot: runningSnapshot()};
	const press = (state: LoadScreenState, input: string, key: Partial<Key> = {}) =>
		handleLoadScreenKey(state, input, {...noKey, ...key}, ctx);

	it('user keys map to runner commands while the run is on', () => {
		expect(press(initialLoadScreenState, '+').effects).toEqual([
			{type: 'dispatch', command: {type: 'add-users', count: 1}},
		]);
		expect(press(initialLoadScreenState, ']').effects).toEqual([
			{type: 'dispatch', command: {type: 'add-users', count: 10}},
		]);
		expect(press(initialLoadScreenState, '-').effects).toEqual([
			{type: 'dispatch', command: {type: 'remove-users', count: 1}},
		]);
		expect(press(initialLoadScreenState, '[').effects).toEqual([
			{type: 'dispatch', command: {type: 'remove-users', count: 10}},
		]);
		expect(handleLoadScreenKey(initialLoadScreenState, '+', noKey, {snapshot: finishedSnapshot()}).effects).toEqual([]);
	});

	it('no binding is shared by two commands', () => {
		const seen = new Map<string, string>();
		for (const name of loadScreenCommands) {
			for (const label of loadScreenKeyMap[name].bindings.map(b => JSON.stringify(b))) {
				expect(seen.get(label), `${label} bound to ${seen.get(label)} and ${name}`).toBeUndefined();
				seen.set(label, name);
			}
		}
	});
});

// ---- mounting ----

describe('mountLoadScreen', () => {
	it('enters the alternate screen, draws the Load screen, and restores the terminal once on unmount', async () => {
		const stdout = new FakeStdout(80, 24);
		const stdin = new FakeStdin();
		const store = new FakeLoadStore(runningSnapshot());
		const onQuit = vi.fn<(force: boolean) => void>();
		const exitListeners = process.listenerCount('exit');
		const screen = mountLoadScreen(store, {
			ascii: false,
			stdout: stdout as unknown as NodeJS.WriteStream,
			stdin: stdin as unknown as NodeJS.ReadStream,
			onQuit,
		});
		expect(stdout.frames[0]).toBe('\u001B[?1049h\u001B[?25l');
		await tick(40);
		stdin.write(']');
		await tick(20);
		expect(store.commands).toEqual([{type: 'add-users', count: 10}]);
		screen.unmount();
		// With CI set (and no TTY to lift it) Ink writes its frame at unmount: look after it, before the restore.
		const restoreAt = stdout.frames.findIndex(f => f.includes('\u001B[?1049l'));
		expect(stripAnsi(stdout.frames.slice(1, restoreAt).join(''))).toContain('drydock load');
		screen.unmount();
		screen.restoreTerminal();
		expect(stdout.frames.filter(f => f.includes('\u001B[?1049l'))).toHaveLength(1);
		expect(process.listenerCount('exit')).toBe(exitListeners);
	});
});
