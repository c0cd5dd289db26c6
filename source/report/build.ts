/** Builds report.json from the engine's read-only RunView. Pure apart from reading the view (and the hostname). */
import os from 'node:os';
import type {LatencyStatsView, ResourceTrackView, RunView} from '../engine/run-view.js';
import type {PhaseId} from '../engine/phase-ids.js';
import {REPORT_SCHEMA, type Report, type ReportPhase, type ReportResourceSeries, type TargetsMet} from './model.js';
import {clampPercentile} from '../engine/latency.js';

export interface ReportExtras {
	version: string;
	interruptedBy: string | null;
	checkpoint: boolean;
	exitCode: number | null;
	callLatency: LatencyStatsView;
	ordersCancelledOnExit: number | null;
	rssSlopeMbPerHour: number | null;
	mask: (text: string) => string;
	/** The profile file the run was made with (absolute); null when none. */
	profilePath?: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const round = (n: number | null, digits = 3) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

function resourceSeries(track: ResourceTrackView): ReportResourceSeries {
	const rss = track.rssSeries.toArray();
	const cpu = track.cpuSeries.toArray();
	const samples: ReportResourceSeries['samples'] = [];
	for (let i = 0; i < Math.max(rss.length, cpu.length); i++) {
		const at = rss[i]?.at ?? cpu[i]?.at ?? 0;
		samples.push({
			at: new Date(at).toISOString(),
			cpu_percent: round(cpu[i]?.value ?? null, 2),
			rss_mb: round(rss[i]?.value ?? null, 2),
		});
	}
	return {
		pid: track.latest?.pid ?? null,
		label: track.latest?.label ?? '',
		samples,
		average_cpu_percent: track.cpuCount === 0 ? null : round(track.cpuSum / track.cpuCount, 2),
		average_memory_mb: track.rssCount === 0 ? null : round(track.rssSum / track.rssCount, 2),
		peak_memory_mb: round(track.rssPeak, 2),
		peak_event_loop_lag_ms: round(track.lagPeak, 2),
	};
}

const consistencyPattern = /consisten|orphan|reconcil/i;

export function buildReport(view: RunView, extras: ReportExtras): Report {
	const run = view.run;
	if (!run) throw new Error('no run to report');
	const now = view.now();
	const end = run.endedAt;
	const durationMs = (end ?? now) - run.startedAt;
	const hasSoak = run.plan.phases.includes('soak');
	const stats = hasSoak && view.soakStats.operations > 0 ? view.soakStats : view.overall;
	const interruptedBy = extras.interruptedBy;
	const phases = run.plan.phases.map((id): ReportPhase => {
		const p = view.phaseState(id);
		// A stopped run's phases (the forced path writes before the runner could finish them): the one
		// that ran is `interrupted`, those never reached are skipped — never `running` in a final report.
		const stopped = interruptedBy !== null && !extras.checkpoint;
		const status =
			stopped && p.status === 'running' ? 'interrupted' : stopped && p.status === 'pending' ? 'skipped' : p.status;
		const stopReason =
			status !== p.status
				? status === 'interrupted'
					? `interrupted (${interruptedBy})`
					: `not run: interrupted (${interruptedBy})`
				: null;
		return {
			id,
			title: p.title,
			status,
			started_at: iso(p.startedAt),
			ended_at: iso(p.endedAt),
			duration_ms: p.startedAt !== null ? (p.endedAt ?? now) - p.startedAt : null,
			reason: p.reason ?? stopReason ?? p.checks.find(c => c.verdict === 'fail')?.reason ?? null,
			checks: p.checks.slice(),
		};
	});
	const consistencyChecks = phases.flatMap(p => p.checks).filter(c => consistencyPattern.test(c.id));
	const consistency_valid =
		consistencyChecks.length === 0 ? null : consistencyChecks.every(c => c.verdict === 'pass' || c.verdict === 'warn');
	const soakPhase = phases.find(p => p.id === 'soak');
	const interrupted = extras.interruptedBy !== null;
	const phasesOk = phases.every(p => p.status === 'pass' || p.status === 'warn' || p.status === 'skipped');
	const targets_met = targetsMet(soakPhase, run.plan.soakDurationMs, interrupted, phasesOk);
	const self = resourceSeries(view.resources.self);
	const watched = view.resources.watched.latest ? resourceSeries(view.resources.watched) : null;
	const s = stats;
	const report: Report = {
		schema: REPORT_SCHEMA,
		run_id: run.id,
		drydock_version: extras.version,
		hostname: os.hostname(),
		profile: {
			name: view.profile.name,
			exchange: view.profile.exchange,
			environment: view.profile.environment,
			execution: view.profile.execution,
			symbols: [...view.profile.symbols],
		},
		plan: {name: run.plan.name, phases: [...run.plan.phases] as PhaseId[], soak_duration_ms: run.plan.soakDurationMs},
		test_type: hasSoak ? 'soak' : 'integration',
		start_time: new Date(run.startedAt).toISOString(),
		end_time: iso(end),
		duration_hours: round(durationMs / 3_600_000, 6)!,
		total_operations: s.operations,
		success_rate: s.successRate === null ? null : round(s.successRate * 100, 4),
		average_latency_ms: round(s.latency.avgMs),
		peak_latency_ms: round(s.latency.maxMs),
		min_latency_ms: round(s.latency.minMs),
		p50_latency_ms: round(clampPercentile(s.latency.percentileMs(50), s.latency.maxMs)),
		p99_latency_ms: round(clampPercentile(s.latency.percentileMs(99), s.latency.maxMs)),
		average_cycle_latency_ms: round(s.cycleLatency.avgMs),
		peak_cycle_latency_ms: round(s.cycleLatency.maxMs),
		performance_grade: view.currentGrade(),
		targets_met,
		consistency_valid,
		metrics: {
			uptime_hours: round(durationMs / 3_600_000, 6)!,
			error_rate_per_hour: round(view.errorsPerHour(), 3)!,
			average_memory_mb: self.average_memory_mb,
			peak_memory_mb: self.peak_memory_mb,
			average_cpu_percent: self.average_cpu_percent,
			orders_placed: view.overall.orders.placed,
			orders_filled: view.overall.orders.filled,
			orders_canceled: view.overall.orders.canceled,
			orders_rejected: view.overall.orders.rejected,
			positions_opened: view.overall.positions.opened,
			positions_closed: view.overall.positions.closed,
			risk_rejections: view.overall.riskRejections,
			total_errors: view.errors.total,
			critical_errors: view.errors.critical,
			rss_slope_mb_per_hour: round(extras.rssSlopeMbPerHour, 3),
			expected_errors: view.overall.expectedErrors,
			// Goes with total_operations and success_rate: the soak's figures when the soak ran operations.
			failures_during_faults: s.failedDuringFaults,
			soak_errors: hasSoak ? view.soakStats.errors : null,
			soak_expected_errors: hasSoak ? view.soakStats.expectedErrors : null,
		},
		success: !interrupted && !extras.checkpoint && phasesOk && targets_met.overall,
		interrupted,
		interrupted_by: extras.interruptedBy,
		checkpoint: extras.checkpoint,
		exit_code: extras.exitCode,
		phases,
		breaker: view.breaker,
		kill_switch: view.killSwitch,
		orders_cancelled_on_exit: extras.ordersCancelledOnExit,
		resources: {self, watched},
		faults: view.faultMarks(),
		streams: view.streamStats().map(st => ({
			id: st.id,
			kind: st.kind,
			symbol: st.symbol,
			messages: st.messages,
			gaps: st.gaps,
			reconnects: st.reconnects,
			backfill: {...st.backfill},
			latency_avg_ms: round(st.latency.avgMs),
			latency_p99_ms: round(clampPercentile(st.latency.percentileMs(99), st.latency.maxMs)),
		})),
		errors: view.errors.list(200),
		anomalies: view.anomalies().map(a => ({...a, at: new Date(a.at).toISOString()})),
		histograms: {
			unit: 'us',
			encoding: 'hdr-compressed-base64',
			operations: view.overall.latency.encode(),
			soak: hasSoak ? view.soakStats.latency.encode() : null,
			calls: extras.callLatency.encode(),
		},
		calls: {
			count: extras.callLatency.count,
			average_ms: round(extras.callLatency.avgMs),
			p99_ms: round(clampPercentile(extras.callLatency.percentileMs(99), extras.callLatency.maxMs)),
		},
		profile_path: extras.profilePath ?? null,
		operator_actions: view.operatorActions().map(({at, ...action}) => ({at: new Date(at).toISOString(), ...action})),
	};
	if (view.chaos.size > 0)
		report.chaos = [...view.chaos.values()].sort((a, b) => a.scheduled_ms - b.scheduled_ms || a.index - b.index);
	if (view.sutReport) report.sut = view.sutReport;
	const market = view.marketReport();
	if (market) report.market = market;
	if (view.resumedFrom)
		report.resumed_from = {
			dir: view.resumedFrom.dir,
			run_id: view.resumedFrom.runId,
			soak_elapsed_ms: view.resumedFrom.soakElapsedMs,
			resumed_at: new Date(view.resumedFrom.at).toISOString(),
			orders_cancelled: view.resumedFrom.ordersCancelled,
		};
	// Masking is the last step: every string that leaves the process goes through it.
	return {...(extras.mask === undefined ? report : maskReport(report, extras.mask))};
}

/**
 * The guides' targets. Without a soak there is nothing to hold them to: they follow the phases. With one,
 * `latency` and `success_rate` are its engine checks' verdicts, and `overall` also needs every soak check
 * passed (or warned) and the soak's whole duration run — a stopped soak never meets its targets.
 */
function targetsMet(
	soak: ReportPhase | undefined,
	soakDurationMs: number,
	interrupted: boolean,
	phasesOk: boolean,
): TargetsMet {
	if (!soak) return {latency: phasesOk, success_rate: phasesOk, overall: phasesOk && !interrupted};
	const passed = (ids: string[]) => {
		const checks = soak.checks.filter(c => ids.includes(c.id));
		return checks.length === ids.length && checks.every(c => c.verdict === 'pass');
	};
	const latency = passed(['average-latency', 'peak-latency']);
	const success_rate = passed(['success-rate']);
	const finished = soak.status === 'pass' || soak.status === 'warn';
	const ranWholeDuration = finished && (soak.duration_ms ?? 0) >= soakDurationMs;
	const clean = soak.checks.every(c => c.verdict !== 'fail' && c.verdict !== 'no-data');
	return {
		latency,
		success_rate,
		overall: latency && success_rate && finished && ranWholeDuration && clean && !interrupted,
	};
}

function maskReport(report: Report, mask: (text: string) => string): Report {
	return JSON.parse(mask(JSON.stringify(report))) as Report;
}
