/**
 * Snapshots for UI tests and the demo: a fake EngineHandle (a tiny store plus a dispatch spy) and
 * builders for the states the console must draw — idle, running, failed, no-data, breaker open...
 */
import type {CheckResult} from '../../source/engine/checks.js';
import type {EngineCommand, EngineHandle} from '../../source/engine/commands.js';
import {phaseIds} from '../../source/engine/phase-ids.js';
import type {EngineSnapshot, PhaseView, StreamView} from '../../source/engine/snapshot.js';

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
	return {id, title: id, status: 'pending', checks: [], passed: 0, total: 0, startedAt: null, endedAt: null, durationMs: null};
}

export function idleSnapshot(): EngineSnapshot {
	return {
		seq: 1,
		at: t0,
		profile: {name: 'mock', exchange: 'binance', environment: 'mock', execution: 'exchange', symbols: ['BTCUSDT', 'ETHUSDT']},
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
		resources: {self: null, watched: null, limits: {cpuPercent: 5, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 50}},
		breaker: {state: 'closed', consecutiveFailures: 0, transitions: 0, lastTransitionAt: null, retryAt: null},
		killSwitch: {engaged: false, since: null, ordersCancelled: 0},
		faults: [],
		soak: null,
		notices: [],
	};
}

function check(id: string, verdict: CheckResult['verdict'], measured: CheckResult['measured'], threshold: string | null, reason?: string, unit?: string): CheckResult {
	return {id, title: id, verdict, measured, threshold, at: t0, ...(reason ? {reason} : {}), ...(unit ? {unit} : {})};
}

function finished(id: (typeof phaseIds)[number], checks: CheckResult[], startedAt: number, durationMs: number): PhaseView {
	const passed = checks.filter(c => c.verdict === 'pass' || c.verdict === 'warn').length;
	const status: PhaseView['status'] = checks.some(c => c.verdict === 'fail') ? 'fail' : checks.some(c => c.verdict === 'no-data') ? 'no-data' : checks.some(c => c.verdict === 'warn') ? 'warn' : 'pass';
	const reason = checks.find(c => c.verdict === 'fail')?.reason;
	return {id, title: id, status, checks, passed, total: checks.length, startedAt, endedAt: startedAt + durationMs, durationMs, ...(reason ? {reason} : {})};
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
			JSON.stringify({e: 'trade', E: t0 + 59_500, s: 'BTCUSDT', t: 1001, p: '64000.10', q: '0.010', T: t0 + 59_500, m: false}),
			JSON.stringify({e: 'trade', E: t0 + 59_600, s: 'BTCUSDT', t: 1002, p: '64000.20', q: '0.020', T: t0 + 59_600, m: true}),
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
				return finished('config', [check('urls-match-environment', 'pass', true, 'mock URLs'), check('keys-present', 'pass', true, 'present')], t0, 40);
			case 'connectivity':
				return finished('connectivity', [check('ping', 'pass', 0.42, '< 1000', undefined, 'ms'), check('clock-skew', 'pass', 3, '< 1000', undefined, 'ms')], t0 + 100, 820);
			case 'security':
				return finished('security', [check('withdrawals-disabled', 'pass', true, 'withdrawals off')], t0 + 1000, 300);
			case 'rate-limit':
				return finished(
					'rate-limit',
					[check('weight-tracked', 'pass', true, 'tracked'), check('throttled-before-429', 'fail', '2 × 429', '= 0', 'the burst hit HTTP 429 twice before the limiter slowed down')],
					t0 + 1400,
					5200,
				);
			case 'market-data':
				return finished('market-data', [check('klines', 'pass', 5, '≥ 4', undefined, 'timeframes'), check('history-gaps', 'warn', 1, '= 0', 'one missing 1m candle at 08:14Z')], t0 + 7000, 3100);
			case 'streams':
				return {...p, status: 'running' as const, startedAt: t0 + 11_000, checks: [check('trade-rate', 'pass', 12.5, '≥ 1', undefined, 'msg/s')], passed: 1, total: 1};
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
			{key: 'network:reset', kind: 'network', message: 'ECONNRESET while fetching /api/v3/ticker/price', phase: 'rate-limit', count: 2, firstSeen: t0 + 2000, lastSeen: t0 + 55_000, critical: false},
			{key: 'rate-limit:429', kind: 'rate-limit', message: 'HTTP 429 Too Many Requests (weight 1210/1200)', phase: 'rate-limit', count: 1, firstSeen: t0 + 3000, lastSeen: t0 + 3000, critical: false},
		],
		streams: [stream('btcusdt@trade'), stream('btcusdt@kline_1m', {ratePerSec: 1, messages: 60}), stream('ethusdt@depth@100ms', {ratePerSec: 10, gaps: 2, reconnects: 1})],
		resources: {
			self: {pid: 4242, label: 'drydock', cpuPercent: 3.1, rssMb: 118.4, heapMb: 61.2, eventLoopLagMs: 1.3, cpuHistory: series.map(v => v * 0.9), rssHistory: series.map((_, i) => 110 + i / 20), alive: true},
			watched: {pid: 5151, label: 'mock', cpuPercent: 7.9, rssMb: 96, heapMb: 40, eventLoopLagMs: 0.8, cpuHistory: series, rssHistory: series.map(() => 96), alive: true},
			limits: base.resources.limits,
		},
		notices: [{at: t0 + 59_000, level: 'info', text: 'streams: subscribed to 3 streams'}],
	};
}
