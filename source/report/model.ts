/**
 * report.json, schema `drydock.report/1`. Top-level field names follow the soak-test guides drydock
 * replaces (snake_case). Rates are percentages (0–100); latencies in milliseconds; times ISO 8601.
 */
import type {CheckResult, PhaseStatus} from '../engine/checks.js';
import type {ChaosRecord, FaultMark} from '../engine/fault-records.js';
import type {Grade} from '../engine/grade.js';
import type {PhaseId} from '../engine/phase-ids.js';
import type {PlanName} from '../engine/plans.js';
import type {BreakerView, ErrorGroup, KillSwitchView} from '../engine/snapshot.js';
import type {SutReport} from './sut-report.js';
import type {MarketReport} from '../engine/market-view.js';

export const REPORT_SCHEMA = 'drydock.report/1';

export interface ReportPhase {
	id: PhaseId;
	title: string;
	status: PhaseStatus;
	started_at: string | null;
	ended_at: string | null;
	duration_ms: number | null;
	reason: string | null;
	checks: CheckResult[];
}

export interface TargetsMet {
	latency: boolean;
	success_rate: boolean;
	overall: boolean;
}

/** A report's targets as the guides' object, whatever its age (older reports hold one boolean). */
export function targetsOf(report: {targets_met?: unknown}): TargetsMet {
	const t = report.targets_met;
	if (typeof t === 'boolean') return {latency: t, success_rate: t, overall: t};
	if (t && typeof t === 'object') {
		const o = t as Partial<Record<keyof TargetsMet, unknown>>;
		return {latency: o.latency === true, success_rate: o.success_rate === true, overall: o.overall === true};
	}
	return {latency: false, success_rate: false, overall: false};
}

/** One operator action as recorded in report.json. */
export interface OperatorActionRecord {
	at: string;
	action: 'kill-switch-engaged' | 'kill-switch-released' | 'force-reconnect' | 'breaker-test';
	detail: string;
	ordersCancelled?: number;
	positionsClosed?: number;
	streamsDropped?: number;
}

export interface ReportResourceSeries {
	pid: number | null;
	label: string;
	/** One sample per 30 s (averaged), downsampled further on very long runs. */
	samples: {at: string; cpu_percent: number | null; rss_mb: number | null}[];
	average_cpu_percent: number | null;
	average_memory_mb: number | null;
	peak_memory_mb: number | null;
	peak_event_loop_lag_ms: number | null;
}

export interface ReportStream {
	id: string;
	kind: string;
	symbol: string;
	messages: number;
	gaps: number;
	reconnects: number;
	/** Trades missed across this stream's reconnects: recovered from REST (aggTrades by fromId) or lost. Absent in older reports. */
	backfill?: {gaps: number; missed: number; recovered: number; lost: number};
	latency_avg_ms: number | null;
	latency_p99_ms: number | null;
}

export interface Report {
	schema: typeof REPORT_SCHEMA;
	run_id: string;
	drydock_version: string;
	/** The machine that ran it (os.hostname()); absent in reports written before it was added. */
	hostname?: string;
	profile: {name: string; exchange: string; environment: string; execution: string; symbols: string[]};
	plan: {name: PlanName; phases: PhaseId[]; soak_duration_ms: number};
	/** `soak` when the plan ran the soak, else `integration`. */
	test_type: 'soak' | 'integration';
	start_time: string;
	end_time: string | null;
	duration_hours: number;
	total_operations: number;
	/**
	 * Percent of operations that succeeded (0–100), as graded: operations that failed while drydock had a
	 * fault injected (metrics.failures_during_faults) are left out; successes inside fault windows stay in.
	 * Succeeded operations = success_rate / 100 × (total_operations − failures_during_faults). null before any
	 * operation (or when every one failed under an injected fault).
	 */
	success_rate: number | null;
	average_latency_ms: number | null;
	peak_latency_ms: number | null;
	min_latency_ms: number | null;
	p50_latency_ms: number | null;
	p99_latency_ms: number | null;
	/** The whole trade cycle (signal → settled) of which the graded latency is the order round trip; null when no operation reported one; absent in reports older than it (and in merged ones). */
	average_cycle_latency_ms?: number | null;
	peak_cycle_latency_ms?: number | null;
	performance_grade: Grade | null;
	/**
	 * The guides' object: `latency` (the soak's average-latency and peak-latency checks passed),
	 * `success_rate` (its success-rate check passed), `overall` (both, every soak check passed and the
	 * soak ran its whole duration — never true for a stopped run). Reports written before it was an
	 * object hold a boolean: read it through `targetsOf`.
	 */
	targets_met: TargetsMet;
	/** Position/order consistency at the end (checks named *consistency*, *orphan*, *reconcil*); null when none ran. */
	consistency_valid: boolean | null;
	metrics: {
		uptime_hours: number;
		/** Errors per hour of the run, without the expected ones (expected_errors). */
		error_rate_per_hour: number;
		average_memory_mb: number | null;
		peak_memory_mb: number | null;
		average_cpu_percent: number | null;
		orders_placed: number;
		orders_filled: number;
		orders_canceled: number;
		orders_rejected: number;
		positions_opened: number;
		positions_closed: number;
		risk_rejections: number;
		/** Every error recorded, expected ones included. */
		total_errors: number;
		critical_errors: number;
		rss_slope_mb_per_hour: number | null;
		/** Of total_errors, those recorded while drydock had a fault injected on purpose (chaos timeline, resilience/rate-limit phase faults, operator tests). Absent in older reports. */
		expected_errors?: number;
		/** Of total_operations, those that failed with an injected fault active at some moment of their run: not in success_rate nor the grade. Absent in older reports. */
		failures_during_faults?: number;
		/** The soak phase's own errors (expected ones included), and of those the expected ones; null without a soak. */
		soak_errors?: number | null;
		soak_expected_errors?: number | null;
	};
	success: boolean;
	interrupted: boolean;
	/** SIGINT/SIGTERM/SIGHUP/stop when interrupted. */
	interrupted_by: string | null;
	/** True while the run is still going (a checkpoint). */
	checkpoint: boolean;
	exit_code: number | null;
	phases: ReportPhase[];
	breaker: BreakerView;
	kill_switch: KillSwitchView;
	orders_cancelled_on_exit: number | null;
	resources: {self: ReportResourceSeries; watched: ReportResourceSeries | null};
	faults: FaultMark[];
	streams: ReportStream[];
	errors: ErrorGroup[];
	anomalies: {at: string; metric: string; value: number; limit: number; detail: string}[];
	/** HDR histograms (microseconds, hdr-histogram-js compressed base64) so reports merge exactly. */
	histograms: {unit: 'us'; encoding: 'hdr-compressed-base64'; operations: string; soak: string | null; calls: string};
	calls: {count: number; average_ms: number | null; p99_ms: number | null};
	/** Faults of the chaos timeline, what each did and how the run recovered (present when a timeline ran). */
	chaos?: ChaosRecord[];
	/** The profile file the run was made with (absolute), so `--rerun-failed` reruns under it; absent in older reports or when no file was used. */
	profile_path?: string | null;
	/** What the operator did during the run (kill switch, force reconnect, breaker test), oldest first. */
	operator_actions?: OperatorActionRecord[];
	/** Set on a run continued with `drydock run --resume DIR`: the interrupted segment it carries on. */
	resumed_from?: {
		dir: string;
		run_id: string;
		soak_elapsed_ms: number;
		resumed_at: string;
		orders_cancelled: number;
	} | null;
	/** The user's system under test (`--sut`), see sut-report.ts. */
	sut?: SutReport;
	/** The simulated market on the mock: regime spans, shocks, halts (engine/market-view.ts). */
	market?: MarketReport;
}
