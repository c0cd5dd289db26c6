import {EventEmitter} from 'node:events';
import {render} from 'ink';
import {vi} from 'vitest';
import {ConsoleApp} from '../../source/ui/console/ConsoleApp.js';
import type {CheckResult} from '../../source/engine/checks.js';
import type {EngineCommand, EngineHandle} from '../../source/engine/commands.js';
import type {RuntimeStatusSource} from '../../source/ui/console/runtime-status.js';
import {phaseIds} from '../../source/engine/phase-ids.js';
import type {EngineSnapshot, PhaseView, StreamView} from '../../source/engine/snapshot.js';
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * Renders the console into fake streams of a chosen size (ink-testing-library's stdout is fixed at
 * 100 columns with no rows). Ink runs in debug mode so every frame is written whole, which also
 * makes the tests independent of `CI` (in CI mode Ink otherwise writes only at unmount).
 */

// eslint-disable-next-line no-control-regex
const ansi = /\u001B\[[0-9;?]*[ -/]*[@-~]|\u001B\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
	return text.replace(ansi, '');
}

export class FakeStdout extends EventEmitter {
	isTTY = true;
	frames: string[] = [];
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
	}
	write = (chunk: string): boolean => {
		this.frames.push(chunk);
		return true;
	};
	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

export class FakeStdin extends EventEmitter {
	isTTY = true;
	private data: string | null = null;
	write(data: string): void {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}
	read = (): string | null => {
		const {data} = this;
		this.data = null;
		return data;
	};
	setEncoding(): void {}
	setRawMode(): void {}
	resume(): void {}
	pause(): void {}
	ref(): void {}
	unref(): void {}
}

export const keys = {
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	shiftTab: '\u001B[Z',
	up: '\u001B[A',
	down: '\u001B[B',
	ctrlC: '\u0003',
	backspace: '\u007F',
	space: ' ',
} as const;

export const tick = async (ms = 5) => new Promise(resolve => setTimeout(resolve, ms));

export interface RenderedConsole {
	stdout: FakeStdout;
	stdin: FakeStdin;
	onQuit: ReturnType<typeof vi.fn<(force: boolean) => void>>;
	/** The last frame, ANSI stripped, as lines (trailing empty line dropped). */
	lines(): string[];
	frame(): string;
	press(...sequence: string[]): Promise<void>;
	unmount(): void;
}

export async function renderConsole(
	engine: EngineHandle,
	options: {
		columns?: number;
		rows?: number;
		ascii?: boolean;
		now?: number;
		runtime?: RuntimeStatusSource;
		killSwitchFlatten?: boolean;
	} = {},
): Promise<RenderedConsole> {
	const stdout = new FakeStdout(options.columns ?? 80, options.rows ?? 24);
	const stdin = new FakeStdin();
	const onQuit = vi.fn<(force: boolean) => void>();
	const now = options.now;
	const clock = now === undefined ? Date.now : () => now;
	const instance = render(
		<ConsoleApp
			engine={engine}
			onQuit={onQuit}
			ascii={options.ascii ?? false}
			clock={clock}
			refreshMs={0}
			{...(options.runtime ? {runtime: options.runtime} : {})}
			{...(options.killSwitchFlatten !== undefined ? {killSwitchFlatten: options.killSwitchFlatten} : {})}
		/>,
		{
			stdout: stdout as unknown as NodeJS.WriteStream,
			stdin: stdin as unknown as NodeJS.ReadStream,
			stderr: stdout as unknown as NodeJS.WriteStream,
			debug: true,
			exitOnCtrlC: false,
			patchConsole: false,
		},
	);
	// useInput subscribes in an effect: input written before that is lost.
	await tick(20);
	const frame = () => stripAnsi(stdout.frames.at(-1) ?? '');
	return {
		stdout,
		stdin,
		onQuit,
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
		unmount: () => instance.unmount(),
	};
}

/**
 * Snapshots for UI tests and the demo: a fake EngineHandle (a tiny store plus a dispatch spy) and
 * builders for the states the console must draw — idle, running, failed, no-data, breaker open...
 */

export const t0 = Date.UTC(2026, 10, 22, 9, 0, 0);

export class FakeEngine implements EngineHandle {
	readonly commands: EngineCommand[] = [];
	private listeners = new Set<() => void>();
	constructor(private snapshot: EngineSnapshot) {}
	getSnapshot = (): EngineSnapshot => this.snapshot;
	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};
	dispatch = (command: EngineCommand): void => {
		this.commands.push(command);
	};
	publish(next: EngineSnapshot): void {
		this.snapshot = {...next, seq: this.snapshot.seq + 1};
		for (const listener of this.listeners) listener();
	}
	listenerCount(): number {
		return this.listeners.size;
	}
}

function pendingPhase(id: (typeof phaseIds)[number]): PhaseView {
	return {
		id,
		title: id,
		status: 'pending',
		checks: [],
		passed: 0,
		total: 0,
		startedAt: null,
		endedAt: null,
		durationMs: null,
	};
}

export function idleSnapshot(): EngineSnapshot {
	return {
		seq: 1,
		at: t0,
		profile: {
			name: 'mock',
			exchange: 'binance',
			environment: 'mock',
			execution: 'exchange',
			symbols: ['BTCUSDT', 'ETHUSDT'],
		},
		run: null,
		phases: phaseIds.map(pendingPhase),
		grade: null,
		metrics: {
			operations: 0,
			succeeded: 0,
			failed: 0,
			successRate: null,
			opsPerSecond: 0,
			opsSeries: [],
			latency: {count: 0, avgMs: null, p50Ms: null, p99Ms: null, minMs: null, peakMs: null},
			orders: {placed: 0, filled: 0, canceled: 0, rejected: 0},
			positions: {opened: 0, closed: 0, open: 0},
			riskRejections: 0,
			errorsPerHour: 0,
		},
		errors: [],
		streams: [],
		resources: {
			self: null,
			watched: null,
			limits: {cpuPercent: 5, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 50},
		},
		breaker: {state: 'closed', consecutiveFailures: 0, transitions: 0, lastTransitionAt: null, retryAt: null},
		killSwitch: {engaged: false, since: null, ordersCancelled: 0},
		faults: [],
		soak: null,
		notices: [],
	};
}

function check(
	id: string,
	verdict: CheckResult['verdict'],
	measured: CheckResult['measured'],
	threshold: string | null,
	reason?: string,
	unit?: string,
): CheckResult {
	return {id, title: id, verdict, measured, threshold, at: t0, ...(reason ? {reason} : {}), ...(unit ? {unit} : {})};
}

function finished(
	id: (typeof phaseIds)[number],
	checks: CheckResult[],
	startedAt: number,
	durationMs: number,
): PhaseView {
	const passed = checks.filter(c => c.verdict === 'pass' || c.verdict === 'warn').length;
	const status: PhaseView['status'] = checks.some(c => c.verdict === 'fail')
		? 'fail'
		: checks.some(c => c.verdict === 'no-data')
			? 'no-data'
			: checks.some(c => c.verdict === 'warn')
				? 'warn'
				: 'pass';
	const reason = checks.find(c => c.verdict === 'fail')?.reason;
	return {
		id,
		title: id,
		status,
		checks,
		passed,
		total: checks.length,
		startedAt,
		endedAt: startedAt + durationMs,
		durationMs,
		...(reason ? {reason} : {}),
	};
}

export function stream(id: string, overrides: Partial<StreamView> = {}): StreamView {
	const [symbol = 'btcusdt', kind = 'trade'] = id.split('@');
	return {
		id,
		kind,
		symbol: symbol.toUpperCase(),
		status: 'live',
		messages: 1200,
		ratePerSec: 12.5,
		lastMessageAt: t0 + 59_600,
		latency: {count: 1200, avgMs: 0.8, p50Ms: 0.6, p99Ms: 2.4, minMs: 0.1, peakMs: 9.1},
		gaps: 0,
		reconnects: 0,
		recent: [
			JSON.stringify({
				e: 'trade',
				E: t0 + 59_500,
				s: 'BTCUSDT',
				t: 1001,
				p: '64000.10',
				q: '0.010',
				T: t0 + 59_500,
				m: false,
			}),
			JSON.stringify({
				e: 'trade',
				E: t0 + 59_600,
				s: 'BTCUSDT',
				t: 1002,
				p: '64000.20',
				q: '0.020',
				T: t0 + 59_600,
				m: true,
			}),
		],
		...overrides,
	};
}

/** A run 60 s in: first phases done (one failed with a reason), streams running, soak pending. */
export function runningSnapshot(): EngineSnapshot {
	const base = idleSnapshot();
	const phases = base.phases.map(p => {
		switch (p.id) {
			case 'config':
				return finished(
					'config',
					[check('urls-match-environment', 'pass', true, 'mock URLs'), check('keys-present', 'pass', true, 'present')],
					t0,
					40,
				);
			case 'connectivity':
				return finished(
					'connectivity',
					[
						check('ping', 'pass', 0.42, '< 1000', undefined, 'ms'),
						check('clock-skew', 'pass', 3, '< 1000', undefined, 'ms'),
					],
					t0 + 100,
					820,
				);
			case 'security':
				return finished('security', [check('withdrawals-disabled', 'pass', true, 'withdrawals off')], t0 + 1000, 300);
			case 'rate-limit':
				return finished(
					'rate-limit',
					[
						check('weight-tracked', 'pass', true, 'tracked'),
						check(
							'throttled-before-429',
							'fail',
							'2 × 429',
							'= 0',
							'the burst hit HTTP 429 twice before the limiter slowed down',
						),
					],
					t0 + 1400,
					5200,
				);
			case 'market-data':
				return finished(
					'market-data',
					[
						check('klines', 'pass', 5, '≥ 4', undefined, 'timeframes'),
						check('history-gaps', 'warn', 1, '= 0', 'one missing 1m candle at 08:14Z'),
					],
					t0 + 7000,
					3100,
				);
			case 'streams':
				return {
					...p,
					status: 'running' as const,
					startedAt: t0 + 11_000,
					checks: [check('trade-rate', 'pass', 12.5, '≥ 1', undefined, 'msg/s')],
					passed: 1,
					total: 1,
				};
			default:
				return p;
		}
	});
	const series = Array.from({length: 120}, (_, i) => 2 + Math.round(2 * Math.sin(i / 6)) + (i % 17 === 0 ? 3 : 0));
	return {
		...base,
		seq: 5,
		at: t0 + 60_000,
		run: {
			id: 'run-1',
			plan: {name: 'quick', phases: [...phaseIds], soakDurationMs: 300_000},
			state: 'running',
			startedAt: t0,
			endedAt: null,
			elapsedMs: 60_000,
			remainingMs: 330_000,
			currentPhase: 'streams',
			reportDir: 'reports/run-1',
			exitCode: null,
		},
		phases,
		grade: 'A',
		metrics: {
			...base.metrics,
			operations: 1234,
			succeeded: 1231,
			failed: 3,
			successRate: 1231 / 1234,
			opsPerSecond: 3.2,
			opsSeries: series,
			latency: {count: 1234, avgMs: 1.21, p50Ms: 0.92, p99Ms: 4.1, minMs: 0.3, peakMs: 12.5},
			orders: {placed: 120, filled: 118, canceled: 2, rejected: 1},
			positions: {opened: 60, closed: 59, open: 1},
			riskRejections: 2,
			errorsPerHour: 180,
		},
		errors: [
			{
				key: 'network:reset',
				kind: 'network',
				message: 'ECONNRESET while fetching /api/v3/ticker/price',
				phase: 'rate-limit',
				count: 2,
				firstSeen: t0 + 2000,
				lastSeen: t0 + 55_000,
				critical: false,
			},
			{
				key: 'rate-limit:429',
				kind: 'rate-limit',
				message: 'HTTP 429 Too Many Requests (weight 1210/1200)',
				phase: 'rate-limit',
				count: 1,
				firstSeen: t0 + 3000,
				lastSeen: t0 + 3000,
				critical: false,
			},
		],
		streams: [
			stream('btcusdt@trade'),
			stream('btcusdt@kline_1m', {ratePerSec: 1, messages: 60}),
			stream('ethusdt@depth@100ms', {ratePerSec: 10, gaps: 2, reconnects: 1}),
		],
		resources: {
			self: {
				pid: 4242,
				label: 'drydock',
				cpuPercent: 3.1,
				rssMb: 118.4,
				heapMb: 61.2,
				eventLoopLagMs: 1.3,
				cpuHistory: series.map(v => v * 0.9),
				rssHistory: series.map((_, i) => 110 + i / 20),
				alive: true,
			},
			watched: {
				pid: 5151,
				label: 'mock',
				cpuPercent: 7.9,
				rssMb: 96,
				heapMb: 40,
				eventLoopLagMs: 0.8,
				cpuHistory: series,
				rssHistory: series.map(() => 96),
				alive: true,
			},
			limits: base.resources.limits,
		},
		notices: [{at: t0 + 59_000, level: 'info', text: 'streams: subscribed to 3 streams'}],
	};
}

/**
 * tmux driving for console e2e tests: a private server socket per test file, sessions with a known
 * shell prompt, screen capture (visible pane or the whole scrollback) and polling until the screen
 * shows something. Needs tmux and a build (`npm test` builds first); `skipReason` says when absent.
 */

export const root = fileURLToPath(new URL('../..', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const built = existsSync(path.join(root, 'dist', 'cli.js'));
export const skipReason = !hasTmux
	? 'tmux is not installed'
	: !built
		? 'dist/ is missing: run `npm run build` (npm test does)'
		: null;
export const prompt = 'e2e$ ';
export const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export interface TmuxServer {
	tmux(...args: string[]): string;
	/** Opens a detached session running bash with `env` set (e.g. CI=true), at the repo root, prompt shown. */
	open(session: string, columns: number, rows: number, env?: Record<string, string>): Promise<void>;
	/** Types a command line and presses Enter. */
	run(session: string, line: string): void;
	keys(session: string, ...keys: string[]): void;
	/** The visible pane, wrapped lines joined. */
	screen(session: string): string;
	/** Every line tmux still holds: the scrollback and the visible pane (and, while on the alternate screen, that screen). */
	everything(session: string): string;
	waitFor(
		session: string,
		what: string,
		test: RegExp | string | ((screen: string) => boolean),
		timeoutMs?: number,
	): Promise<string>;
	/** A tmux format for the pane, e.g. `#{alternate_on}`. */
	paneFormat(session: string, format: string): string;
	close(session: string): void;
	killServer(): void;
}

export function tmuxServer(name: string): TmuxServer {
	const socket = `${name}-${process.pid}`;
	const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
	const screen = (session: string) => tmux('capture-pane', '-p', '-J', '-t', session);
	const server: TmuxServer = {
		tmux,
		async open(session, columns, rows, env = {}) {
			const vars = Object.entries({LANG: 'C.UTF-8', ...env})
				.map(([k, v]) => `${k}=${JSON.stringify(v)}`)
				.join(' ');
			tmux(
				'new-session',
				'-d',
				'-s',
				session,
				'-x',
				String(columns),
				'-y',
				String(rows),
				`env ${vars} bash --norc --noprofile`,
			);
			tmux('set-option', '-t', session, 'history-limit', '50000');
			tmux('send-keys', '-t', session, `PS1='${prompt}'; cd ${JSON.stringify(root)}; clear`, 'Enter');
			await server.waitFor(
				session,
				'the shell prompt',
				text => text.split('\n').some(l => l.startsWith(prompt.trimEnd())),
				10_000,
			);
		},
		run(session, line) {
			tmux('send-keys', '-t', session, '-l', line);
			tmux('send-keys', '-t', session, 'Enter');
		},
		keys(session, ...keys) {
			tmux('send-keys', '-t', session, ...keys);
		},
		screen,
		everything(session) {
			// -S - : from the start of the history; -a would be the other (normal) screen while the alternate one shows.
			let text = tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', session);
			try {
				text += '\n' + tmux('capture-pane', '-p', '-J', '-a', '-q', '-t', session);
			} catch {
				// No alternate screen active: nothing more to read.
			}
			return text;
		},
		async waitFor(session, what, test, timeoutMs = 20_000) {
			const check =
				typeof test === 'function'
					? test
					: typeof test === 'string'
						? (s: string) => s.includes(test)
						: (s: string) => test.test(s);
			const deadline = Date.now() + timeoutMs;
			let text = screen(session);
			while (!check(text)) {
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
				await sleep(150);
				text = screen(session);
			}
			return text;
		},
		paneFormat(session, format) {
			return tmux('display-message', '-p', '-t', session, format).trim();
		},
		close(session) {
			spawnSync('tmux', ['-L', socket, 'kill-session', '-t', session]);
		},
		killServer() {
			spawnSync('tmux', ['-L', socket, 'kill-server']);
		},
	};
	return server;
}
