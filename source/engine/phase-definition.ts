/**
 * Phases: the engine runs PhaseDefinitions with a PhaseContext. `S` is the services bag the composition
 * root builds (exchange client, stream watchers, fault injector…); the engine never looks inside it,
 * which keeps ccxt out of the engine.
 */
import type {CheckInput, CheckResult} from './checks.js';
import type {PhaseId} from './phase-ids.js';
import type {BreakerState, StreamStatus} from './snapshot.js';

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
	/** The whole cycle this operation was part of (signal → settled), when `latencyMs` is one venue round trip of it; reported beside the graded latency. */
	cycleLatencyMs?: number;
	error?: ErrorInput;
}

export type OrderEvent = 'placed' | 'filled' | 'canceled' | 'rejected';

export type PositionEvent = 'opened' | 'closed';

/** One message (or lifecycle change) seen on a stream; the engine turns these into StreamViews. */
export type StreamUpdate =
	| {
			type: 'message';
			stream: string;
			kind: string;
			symbol: string;
			receivedAt: number;
			eventTime: number | null;
			latencyMs: number | null;
			gap: number;
			raw?: string;
	  }
	| {type: 'status'; stream: string; kind: string; symbol: string; status: StreamStatus; at: number}
	| {type: 'reconnect'; stream: string; at: number}
	/** Trades missed across a reconnect, and how many REST (aggTrades by fromId) gave back. */
	| {type: 'backfill'; stream: string; at: number; missed: number; recovered: number; lost: number};

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
