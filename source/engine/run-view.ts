/**
 * The read-only view of a run that reports are built from (report.json, the headless summary, crash
 * recovery): run meta, phases and checks, operation stats with their histograms, resource series,
 * faults, breaker, kill switch, streams and errors. The store implements it; nothing outside the engine
 * reads the store's internals.
 */
import type {CheckResult, PhaseStatus} from './checks.js';
import type {ChaosRecord, FaultMark} from './fault-records.js';
import type {Grade} from './grade.js';
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import type {BreakerView, ErrorGroup, KillSwitchView, ProfileView, RunState, SoakView} from './snapshot.js';
import type {OperatorAction, ResourceSample} from './events.js';
import type {SeriesPoint} from './series.js';
import type {SutReport} from '../report/sut-report.js';
import type {MarketReport} from './market-view.js';

export interface RunMetaView {
	readonly id: string;
	readonly plan: PlanSpec;
	readonly state: RunState;
	readonly startedAt: number;
	readonly endedAt: number | null;
	readonly reportDir: string | null;
	readonly exitCode: number | null;
	readonly currentPhase: PhaseId | null;
}

export interface PhaseRecordView {
	readonly id: PhaseId;
	readonly title: string;
	readonly status: PhaseStatus;
	readonly checks: readonly CheckResult[];
	readonly startedAt: number | null;
	readonly endedAt: number | null;
	readonly reason?: string;
}

/** Latency figures and the HDR histogram (encoded) of a set of operations or calls. */
export interface LatencyStatsView {
	readonly count: number;
	readonly avgMs: number | null;
	readonly minMs: number | null;
	readonly maxMs: number | null;
	percentileMs(p: number): number | null;
	encode(): string;
}

export interface OperationStatsView {
	readonly operations: number;
	readonly succeeded: number;
	readonly failed: number;
	readonly errors: number;
	readonly failedDuringFaults: number;
	readonly expectedErrors: number;
	readonly successRate: number | null;
	readonly latency: LatencyStatsView;
	/** Whole-cycle latency of the operations that report one (the soak's trade cycles). */
	readonly cycleLatency: LatencyStatsView;
	readonly orders: Readonly<{placed: number; filled: number; canceled: number; rejected: number}>;
	readonly positions: Readonly<{opened: number; closed: number}>;
	readonly riskRejections: number;
}

export interface ResourceTrackView {
	readonly latest: ResourceSample | null;
	readonly rssSeries: {toArray(): SeriesPoint[]};
	readonly cpuSeries: {toArray(): SeriesPoint[]};
	/** For the leak detector: 5 s buckets. */
	readonly slopeSeries: {toArray(): SeriesPoint[]};
	readonly cpuSum: number;
	readonly cpuCount: number;
	readonly rssSum: number;
	readonly rssCount: number;
	readonly rssPeak: number | null;
	readonly lagPeak: number | null;
}

/** Trades missed across reconnects (in `gaps` backfills), recovered from REST (aggTrades by fromId) or lost. */
export interface StreamBackfill {
	gaps: number;
	missed: number;
	recovered: number;
	lost: number;
}

export interface StreamStatsView {
	readonly id: string;
	readonly kind: string;
	readonly symbol: string;
	readonly messages: number;
	readonly gaps: number;
	readonly reconnects: number;
	readonly backfill: Readonly<StreamBackfill>;
	readonly latency: LatencyStatsView;
}

export interface ErrorLogView {
	readonly total: number;
	readonly critical: number;
	list(limit?: number): ErrorGroup[];
}

export interface AnomalyRecord {
	at: number;
	metric: string;
	value: number;
	limit: number;
	detail: string;
}

export interface ResumedFrom {
	dir: string;
	runId: string;
	soakElapsedMs: number;
	at: number;
	ordersCancelled: number;
}

export interface RunView {
	/** The run's clock (the store's `now`). */
	now(): number;
	readonly profile: ProfileView;
	readonly run: RunMetaView | null;
	phaseState(id: PhaseId): PhaseRecordView;
	/** Every operation of the run. */
	readonly overall: OperationStatsView;
	/** The soak's operations only. */
	readonly soakStats: OperationStatsView;
	readonly soakStartedAt: number | null;
	/** Grade so far: the soak's when it has operations, else the run's. */
	currentGrade(): Grade | null;
	/** Errors per hour of the run, without the expected ones. */
	errorsPerHour(): number;
	soakView(now: number): SoakView | null;
	readonly errors: ErrorLogView;
	readonly resources: {readonly self: ResourceTrackView; readonly watched: ResourceTrackView};
	readonly breaker: BreakerView;
	readonly killSwitch: KillSwitchView;
	/** Fault marks, oldest first (at most 100). */
	faultMarks(): FaultMark[];
	streamStats(): StreamStatsView[];
	anomalies(): AnomalyRecord[];
	/** What the operator did during the run, oldest first (bounded). */
	operatorActions(): (OperatorAction & {at: number})[];
	/** Chaos faults by index. */
	readonly chaos: ReadonlyMap<number, ChaosRecord>;
	readonly resumedFrom: ResumedFrom | null;
	/** report.json's `sut` section, once the soak judged a SUT. */
	readonly sutReport: SutReport | null;
	/** report.json's `market` section: regime spans, shocks, halts (null when the market was never seen). */
	marketReport(): MarketReport | null;
}
