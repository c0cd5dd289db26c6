/**
 * The engine's public contract: what phases report, what the UI reads (EngineSnapshot) and what it
 * may ask for (EngineCommand). No React, no ccxt here — every front end and every phase depends on
 * this file, so change it additively.
 */

export const phaseIds = [
	'config',
	'connectivity',
	'security',
	'rate-limit',
	'market-data',
	'streams',
	'orders',
	'portfolio',
	'pipeline',
	'resilience',
	'concurrency',
	'soak',
] as const;

export type PhaseId = (typeof phaseIds)[number];

export function isPhaseId(value: string): value is PhaseId {
	return (phaseIds as readonly string[]).includes(value);
}

/** The outcome of one check. `no-data` is its own verdict: connected but nothing arrived is not a pass. */
export type Verdict = 'pass' | 'warn' | 'fail' | 'no-data' | 'skipped';

/** A phase's status: its verdict once finished, derived from its checks (see derivePhaseStatus). */
export type PhaseStatus = 'pending' | 'running' | Verdict;

export interface CheckResult {
	/** Stable id within the phase, e.g. `clock-skew`. */
	id: string;
	title: string;
	verdict: Verdict;
	/** What was measured, e.g. 12.4, "3 gaps", true. null when nothing could be measured. */
	measured: number | string | boolean | null;
	/** The threshold the value was held to, human-readable: "< 1000 ms", "= 0", "withdrawals off". */
	threshold: string | null;
	unit?: string;
	/** Why it failed, warned, had no data or was skipped. */
	reason?: string;
	at: number;
}

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

export type PlanName = 'quick' | 'full' | 'custom' | 'rerun' | 'phase';

export interface PlanSpec {
	name: PlanName;
	phases: readonly PhaseId[];
	/** Soak duration when the plan includes the soak phase. */
	soakDurationMs: number;
}

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

export type Grade = 'A+' | 'A' | 'B' | 'C';

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

export type BreakerState = 'closed' | 'open' | 'half-open';

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

export interface FaultMark {
	at: number;
	kind: string;
	detail: string;
	/** Set when the engine saw the system recover. */
	recoveredAt?: number;
}

/** One order whose placement failed in a way that leaves its fate unknown (timeout, 5xx), and what became of it. */
export interface UnknownOrderRecord {
	client_order_id: string;
	/** ms after the fault was injected. */
	at_ms: number;
	error: string;
	/** `found open|closed|canceled…` (the venue had it), `not placed` (venue: unknown order), `unresolved`. */
	resolution: string;
	/** How it was resolved: e.g. `fetchOrder by clientOrderId`. */
	resolved_by: string | null;
	/** createOrder calls sent with this clientOrderId: more than 1 means it was placed twice. */
	placements: number;
}

/** What one scheduled fault did and how the system came back (report.json `chaos[]`). Times in ms after injection. */
export interface ChaosRecord {
	index: number;
	fault: string;
	label: string;
	params: Record<string, unknown>;
	/** Planned start, ms after the soak's start. */
	scheduled_ms: number;
	duration_ms: number;
	recovery_budget_ms: number;
	injected_at: string | null;
	/** First failed call, stream drop or stream silence seen. */
	detected_after_ms: number | null;
	detected_by: string | null;
	/** Streams: first reconnect, and every watched stream delivering again. */
	reconnected_after_ms: number | null;
	resubscribed_after_ms: number | null;
	/** First sign of health after the fault ended (streams back / a call succeeding). */
	recovered_after_ms: number | null;
	/** recovered − fault end: what the budget is held to. */
	recovery_ms: number | null;
	messages_missed: number;
	book_resyncs: number;
	failed_calls: number;
	unknown_orders: UnknownOrderRecord[];
	breaker_transitions: {after_ms: number; state: BreakerState}[];
	verdict: Verdict | 'pending' | 'active';
	reason: string | null;
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
	/** Short transient messages for the status line (newest last, bounded). */
	notices: readonly {at: number; level: 'info' | 'warn' | 'error'; text: string}[];
}

/** What a front end may ask of the engine. */
export type EngineCommand =
	| {type: 'start'; plan: PlanSpec}
	| {type: 'stop'}
	| {type: 'rerun-failed'}
	| {type: 'run-phase'; phase: PhaseId}
	| {type: 'force-reconnect'}
	| {type: 'trip-breaker'}
	/** Toggles: engaged → cancel every open order and block new ones; pressed again → released. */
	| {type: 'kill-switch'};

export type EngineCommandType = EngineCommand['type'];

/** The read/dispatch surface a front end gets (`useSyncExternalStore(subscribe, getSnapshot)`). */
export interface EngineHandle {
	getSnapshot(): EngineSnapshot;
	subscribe(listener: () => void): () => void;
	dispatch(command: EngineCommand): void;
}

/** Derives a finished phase's status from its checks: any fail → fail; else any no-data → no-data; else any warn → warn; all skipped → skipped; else pass. */
export function derivePhaseStatus(checks: readonly Pick<CheckResult, 'verdict'>[]): Verdict {
	if (checks.length === 0) return 'no-data';
	if (checks.some(c => c.verdict === 'fail')) return 'fail';
	if (checks.some(c => c.verdict === 'no-data')) return 'no-data';
	if (checks.some(c => c.verdict === 'warn')) return 'warn';
	if (checks.every(c => c.verdict === 'skipped')) return 'skipped';
	return 'pass';
}

// ---------------------------------------------------------------------------------------------
// Phases: the engine runs PhaseDefinitions with a PhaseContext. `S` is the services bag the
// composition root builds (exchange client, stream watchers, fault injector…); the engine never
// looks inside it, which keeps ccxt out of the engine.

export interface CheckInput {
	id: string;
	title: string;
	verdict: Verdict;
	measured?: number | string | boolean | null;
	threshold?: string | null;
	unit?: string;
	reason?: string;
}

export interface ErrorInput {
	/** A short machine kind, e.g. `network`, `rate-limit`, `invalid-order`, `phase-crash`. */
	kind: string;
	message: string;
	critical?: boolean;
	/** Caused by drydock on purpose (e.g. the security phase's planted probe): counted as expected, like errors under an injected fault. */
	expected?: boolean;
}

export interface OperationSample {
	/** e.g. `trade-cycle`, `fetch-ticker`. */
	kind: string;
	ok: boolean;
	latencyMs: number;
	error?: ErrorInput;
}

export type OrderEvent = 'placed' | 'filled' | 'canceled' | 'rejected';
export type PositionEvent = 'opened' | 'closed';

/** One message (or lifecycle change) seen on a stream; the engine turns these into StreamViews. */
export type StreamUpdate =
	| {type: 'message'; stream: string; kind: string; symbol: string; receivedAt: number; eventTime: number | null; latencyMs: number | null; gap: number; raw?: string}
	| {type: 'status'; stream: string; kind: string; symbol: string; status: StreamStatus; at: number}
	| {type: 'reconnect'; stream: string; at: number};

export interface CallOptions {
	/** Retry transient failures with exponential backoff and jitter (default true). */
	retry?: boolean;
	/** Count the call in the circuit breaker (default true). */
	breaker?: boolean;
	/** Abort the attempt after this long (default: the profile's request timeout). */
	timeoutMs?: number;
	/** Decide whether an error is transient (worth a retry and a breaker failure). Default: every error. */
	isTransient?: (error: unknown) => boolean;
}

export interface PhaseContext<S, P> {
	readonly runId: string;
	readonly phase: PhaseId;
	readonly profile: P;
	readonly services: S;
	/** Aborted on stop, Ctrl-C, or when the phase is cancelled. */
	readonly signal: AbortSignal;
	/** The soak's duration for this run (0 when the plan has no soak). */
	readonly soakDurationMs: number;
	now(): number;
	/** Resolves after `ms`, or rejects with an AbortError when the signal aborts. */
	sleep(ms: number): Promise<void>;
	check(input: CheckInput): CheckResult;
	/** Runs an exchange call through the circuit breaker and retry policy, recording latency and errors. */
	call<T>(label: string, fn: (signal: AbortSignal) => Promise<T>, options?: CallOptions): Promise<T>;
	operation(sample: OperationSample): void;
	order(event: OrderEvent, count?: number): void;
	position(event: PositionEvent, count?: number): void;
	riskRejection(reason: string): void;
	error(input: ErrorInput): void;
	stream(update: StreamUpdate): void;
	/**
	 * Marks an injected fault on the run's timeline; call the returned function when recovery is seen.
	 * Until then (or until the phase ends) errors are expected, and failed operations are not graded.
	 */
	fault(kind: string, detail: string): (recoveredAt?: number) => void;
	/**
	 * True while drydock has a fault injected on purpose (a chaos fault not yet judged, or a fault mark not
	 * yet recovered); with `withinMs`, also when one was active at any moment in the last `withinMs` ms.
	 * The engine leaves a failed operation out of the graded success rate when this holds over the
	 * operation's latency (`ctx.faultActive(latencyMs)` right before `ctx.operation`).
	 */
	faultActive(withinMs?: number): boolean;
	log(level: 'info' | 'warn' | 'error', text: string): void;
	/** True while the kill switch blocks new orders. */
	killSwitchEngaged(): boolean;
	breakerState(): BreakerState;
}

export interface PhaseDefinition<S, P> {
	id: PhaseId;
	title: string;
	/** Runs the phase's checks; anything thrown becomes a failed `phase-error` check with the message. */
	run(ctx: PhaseContext<S, P>): Promise<void>;
}
