/**
 * The EngineSnapshot a front end reads (and its pieces): immutable, a new object each publish. No React,
 * no ccxt here — every front end depends on this file, so change it additively.
 */
import type {MarketView} from './market-view.js';
import type {ReplayView} from './replay-view.js';
import type {CheckResult, PhaseStatus} from './checks.js';
import type {FaultMark} from './fault-records.js';
import type {Grade} from './grade.js';
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import type {SutView} from './sut-view.js';

export interface PhaseView {
	id: PhaseId;
	title: string;
	status: PhaseStatus;
	checks: readonly CheckResult[];
	passed: number;
	total: number;
	startedAt: number | null;
	endedAt: number | null;
	durationMs: number | null;
	/** First failing check's reason, or the error that aborted the phase. */
	reason?: string;
}

export type RunState = 'idle' | 'starting' | 'running' | 'stopping' | 'finished' | 'interrupted';

export interface RunStatusView {
	id: string;
	plan: PlanSpec;
	state: RunState;
	startedAt: number;
	endedAt: number | null;
	elapsedMs: number;
	/** Until the plan's end as far as it can be known (soak remaining + phases left); null if unknown. */
	remainingMs: number | null;
	currentPhase: PhaseId | null;
	reportDir: string | null;
	exitCode: number | null;
}

export interface ProfileView {
	name: string;
	exchange: string;
	environment: 'mock' | 'testnet' | 'mainnet';
	execution: 'exchange' | 'paper';
	symbols: readonly string[];
}

export interface LatencySummary {
	count: number;
	avgMs: number | null;
	p50Ms: number | null;
	p99Ms: number | null;
	minMs: number | null;
	peakMs: number | null;
}

export interface MetricsView {
	operations: number;
	succeeded: number;
	failed: number;
	/** 0..1, null before the first operation. Failures while an injected fault was active are left out (failuresDuringFaults). */
	successRate: number | null;
	opsPerSecond: number;
	/** Operations per second over the recent past, oldest first, one point per second (bounded). */
	opsSeries: readonly number[];
	latency: LatencySummary;
	orders: {placed: number; filled: number; canceled: number; rejected: number};
	positions: {opened: number; closed: number; open: number};
	/** Risk-manager rejections: decisions, not errors. */
	riskRejections: number;
	/** Errors per hour, without the expected ones (see expectedErrors). */
	errorsPerHour: number;
	/** Errors recorded while drydock had a fault injected on purpose (chaos, resilience, operator tests): counted, not in errorsPerHour. */
	expectedErrors?: number;
	/** Failed operations with an injected fault active at some moment of their run: in `failed`, not in successRate. */
	failuresDuringFaults?: number;
}

export interface ErrorGroup {
	/** Grouping key: kind + normalised message. */
	key: string;
	kind: string;
	message: string;
	phase: PhaseId | null;
	count: number;
	firstSeen: number;
	lastSeen: number;
	critical: boolean;
	/** Of `count`, those recorded while drydock had a fault injected on purpose (absent: none). */
	injected?: number;
}

export type StreamStatus = 'connecting' | 'live' | 'silent' | 'reconnecting' | 'closed';

export interface StreamView {
	/** e.g. `btcusdt@trade`. */
	id: string;
	kind: string;
	symbol: string;
	status: StreamStatus;
	messages: number;
	ratePerSec: number;
	lastMessageAt: number | null;
	latency: LatencySummary;
	gaps: number;
	reconnects: number;
	/** The last raw messages received, newest last (bounded, e.g. 20). */
	recent: readonly string[];
}

export interface ResourceView {
	pid: number;
	label: string;
	cpuPercent: number | null;
	rssMb: number | null;
	heapMb: number | null;
	eventLoopLagMs: number | null;
	/** Recent history, oldest first, bounded. */
	cpuHistory: readonly number[];
	rssHistory: readonly number[];
	alive: boolean;
}

export interface ResourceLimits {
	cpuPercent: number;
	rssMb: number;
	rssSlopeMbPerHour: number;
	eventLoopLagMs: number;
}

export type {BreakerState} from './breaker-state.js';
import type {BreakerState} from './breaker-state.js';

export interface BreakerView {
	state: BreakerState;
	consecutiveFailures: number;
	transitions: number;
	lastTransitionAt: number | null;
	/** When an open breaker will let a probe through. */
	retryAt: number | null;
}

export interface KillSwitchView {
	engaged: boolean;
	since: number | null;
	ordersCancelled: number;
}

export interface SoakView {
	durationMs: number;
	elapsedMs: number;
	operations: number;
	/** 0..1, failures under injected faults left out (as graded). */
	successRate: number | null;
	avgLatencyMs: number | null;
	peakLatencyMs: number | null;
	/** The soak's errors, expected ones included. */
	errors: number;
	/** Of `errors`, those recorded while an injected fault was active. */
	expectedErrors?: number;
	/** Failed soak operations left out of successRate (an injected fault was active while they ran). */
	failuresDuringFaults?: number;
	grade: Grade | null;
	/** One-line status as in the headless progress block. */
	statusLine: string;
}

/** Everything a front end shows. Immutable; a new object each publish. */
export interface EngineSnapshot {
	/** Increases with every publish. */
	seq: number;
	at: number;
	profile: ProfileView;
	run: RunStatusView | null;
	phases: readonly PhaseView[];
	grade: Grade | null;
	metrics: MetricsView;
	/** Newest first, bounded. */
	errors: readonly ErrorGroup[];
	streams: readonly StreamView[];
	resources: {self: ResourceView | null; watched: ResourceView | null; limits: ResourceLimits};
	breaker: BreakerView;
	killSwitch: KillSwitchView;
	faults: readonly FaultMark[];
	soak: SoakView | null;
	/** The user's system under test (`--sut`); null without one. */
	sut?: SutView | null;
	/** The simulated market (regime, status, shock per symbol); null off the mock or before its first poll. */
	market?: MarketView | null;
	/** The replayed market (`--replay FILE`); null or absent on a simulated or real one. */
	replay?: ReplayView | null;
	/** Short transient messages for the status line (newest last, bounded). */
	notices: readonly {at: number; level: 'info' | 'warn' | 'error'; text: string}[];
}
