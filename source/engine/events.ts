/**
 * The engine's typed events. Everything that changes what a front end shows, or what the report says,
 * is one of these; the store reduces them and the journal (events.ndjson) records them.
 */
import type {MarketView} from './market-view.js';
import type {ReplayView} from './replay-view.js';
import type {CheckResult, PhaseStatus} from './checks.js';
import type {ChaosRecord, FaultMark} from './fault-records.js';
import type {ErrorInput, OperationSample, OrderEvent, PositionEvent, StreamUpdate} from './phase-definition.js';
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import type {BreakerView, KillSwitchView} from './snapshot.js';
import type {SutView} from './sut-view.js';
import type {SutReport} from '../report/sut-report.js';

export interface ResourceSample {
	which: 'self' | 'watched';
	pid: number;
	label: string;
	at: number;
	cpuPercent: number | null;
	rssMb: number | null;
	heapMb: number | null;
	eventLoopLagMs: number | null;
	alive: boolean;
}

/** One operator action and what it did. */
export interface OperatorAction {
	action: 'kill-switch-engaged' | 'kill-switch-released' | 'force-reconnect' | 'breaker-test';
	detail: string;
	ordersCancelled?: number;
	positionsClosed?: number;
	streamsDropped?: number;
}

export type EngineEvent =
	| {type: 'run-started'; at: number; runId: string; plan: PlanSpec; reportDir: string | null}
	| {type: 'run-finished'; at: number; state: 'finished' | 'interrupted'; exitCode: number}
	| {type: 'phase-started'; at: number; phase: PhaseId}
	| {type: 'phase-finished'; at: number; phase: PhaseId; status: PhaseStatus; reason?: string}
	| {type: 'check'; at: number; phase: PhaseId; check: CheckResult}
	| {type: 'operation'; at: number; phase: PhaseId | null; sample: OperationSample}
	| {type: 'order'; at: number; phase: PhaseId | null; event: OrderEvent; count: number}
	| {type: 'position'; at: number; phase: PhaseId | null; event: PositionEvent; count: number}
	| {type: 'risk-rejection'; at: number; phase: PhaseId | null; reason: string}
	| {type: 'error'; at: number; phase: PhaseId | null; error: ErrorInput}
	| {type: 'stream'; at: number; update: StreamUpdate}
	| {type: 'resource'; at: number; sample: ResourceSample}
	| {type: 'breaker'; at: number; view: BreakerView}
	| {type: 'kill-switch'; at: number; view: KillSwitchView}
	| {type: 'fault'; at: number; mark: FaultMark; index: number}
	/** `withdrawn`: the fault did nothing (e.g. `x` with no stream open): its mark is removed, nothing recovered. */
	| {type: 'fault-recovered'; at: number; index: number; recoveredAt: number; withdrawn?: boolean}
	| {type: 'anomaly'; at: number; metric: string; value: number; limit: number; detail: string}
	| {type: 'notice'; at: number; level: 'info' | 'warn' | 'error'; text: string}
	/**
	 * Successful operations the journal summarised instead of writing one line each (above its per-second
	 * sample): exact count, latency histogram (HDR, µs, compressed base64) and exact avg/min/max. Written
	 * to events.ndjson only (the live store counted each operation); replay applies it.
	 */
	| {
			type: 'operation-batch';
			at: number;
			phase: PhaseId | null;
			count: number;
			latency: {histogram: string; avgMs: number | null; minMs: number | null; maxMs: number | null};
	  }
	/** Something the operator did (kill switch, force reconnect, breaker test): part of the run's record. */
	| {type: 'operator-action'; at: number; action: OperatorAction}
	/** A chaos fault's record, replaced whole at each change (keyed by index). */
	| {type: 'chaos'; at: number; record: ChaosRecord}
	/** A resumed run: what the interrupted segment had done (applied right after run-started). */
	| {type: 'resume'; at: number; seed: ResumeSeed}
	/** The user's system under test: its live view (≤ 1 Hz, not journaled) and, at the end of the soak, its report section. */
	| {type: 'sut-sample'; at: number; view: SutView}
	| {type: 'sut-report'; at: number; report: SutReport}
	/** The simulated market changed (regime, status, shock): runtime/market-watch. */
	| {type: 'market'; at: number; view: MarketView}
	| {type: 'replay-sample'; at: number; view: ReplayView};

/** The state an interrupted run carries into its resumed segment (from its report.json / checkpoint). */
export interface ResumeSeed {
	fromDir: string;
	fromRunId: string;
	/** The first segment's start (the resumed run's report spans both). */
	startedAt: number;
	/** Soak time already done. */
	soakElapsedMs: number;
	/** Phases not run again, as the first segment left them. */
	phases: {
		id: PhaseId;
		title: string;
		status: PhaseStatus;
		checks: CheckResult[];
		startedAt: number | null;
		endedAt: number | null;
		reason: string | null;
	}[];
	/** `failedDuringFaults` / `expectedErrors`: of `failed` / `errors`, those under an injected fault (report.json metrics.failures_during_faults — it goes with total_operations, the soak's when it ran — and metrics.soak_expected_errors; 0 when absent). */
	soak: {
		operations: number;
		succeeded: number;
		failed: number;
		errors: number;
		histogram: string | null;
		avgMs: number | null;
		minMs: number | null;
		maxMs: number | null;
		failedDuringFaults?: number;
		expectedErrors?: number;
	};
	overall: {
		operations: number;
		failed: number;
		histogram: string | null;
		avgMs: number | null;
		minMs: number | null;
		maxMs: number | null;
		failedDuringFaults?: number;
	};
	orders: {placed: number; filled: number; canceled: number; rejected: number};
	positions: {opened: number; closed: number};
	riskRejections: number;
	/** Of the errors below, those recorded while an injected fault was active (report.json metrics.expected_errors; 0 when absent). */
	expectedErrors?: number;
	errors: {
		kind: string;
		message: string;
		phase: PhaseId | null;
		count: number;
		firstSeen: number;
		lastSeen: number;
		critical: boolean;
	}[];
	chaos: ChaosRecord[];
	/** Open orders of ours found on the venue and cancelled before carrying on. */
	ordersCancelled: number;
}

export type EngineEventType = EngineEvent['type'];
