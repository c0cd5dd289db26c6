/**
 * Merges `drydock.report/1` reports from several machines into one of the same schema: counters
 * summed, latency percentiles recomputed from the merged HDR histograms (never averaged), phases and
 * errors combined, every machine kept as a row in `machines`.
 */
import {gradeFor} from '../../engine/grade.js';
import {clampPercentile} from '../../engine/latency.js';
import type {CheckResult, PhaseStatus} from '../../engine/checks.js';
import type {PhaseId} from '../../engine/phase-ids.js';
import type {BreakerState, ErrorGroup} from '../../engine/snapshot.js';
import {targetsOf, type Report, type ReportPhase, type ReportStream} from '../model.js';
import {encodeHistogram, mergeHistograms, percentileMs} from './histogram.js';
import {failuresDuringFaults, runMachineRows, succeededOperations} from './machines.js';
import type {MachineRow} from './machine-rows.js';

export interface MergeInfo {
	/** How many input reports; machines may be more when an input was itself merged. */
	inputs: number;
	sources: (string | null)[];
}

/** `hostname` only when every input ran on that one host. */
export type MergedRunReport = Report & {merged: MergeInfo; machines: MachineRow[]; hostname?: string};

export interface Sourced<T> {
	report: T;
	source: string | null;
}

const round = (n: number | null, digits = 3) =>
	n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;
const label = (s: Sourced<unknown>, i: number) => s.source ?? `report ${i + 1}`;
const isoMin = (values: string[]) => values.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
const isoMax = (values: string[]) => values.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** A metric older reports lack: absent counts as none. */
const countOr0 = (v: number | null | undefined) => (isCount(v) ? v : 0);
/** Sum of the inputs that have the figure; null when none has it. */
const sumOrNull = (values: readonly (number | null | undefined)[]) => {
	const v = values.filter(isCount);
	return v.length === 0 ? null : sum(v);
};
const maxOf = (values: readonly (number | null)[]) => {
	const v = values.filter((x): x is number => x !== null);
	return v.length === 0 ? null : Math.max(...v);
};
const minOf = (values: readonly (number | null)[]) => {
	const v = values.filter((x): x is number => x !== null);
	return v.length === 0 ? null : Math.min(...v);
};
/** Mean of per-machine values weighted by `weights` (e.g. each machine's hours). */
const weightedMean = (values: readonly (number | null)[], weights: readonly number[]) => {
	let total = 0;
	let weight = 0;
	values.forEach((v, i) => {
		if (v === null) return;
		const w = weights[i] ?? 0;
		total += v * w;
		weight += w;
	});
	return weight === 0 ? null : total / weight;
};

/** Worst first: the merged phase shows the worst any machine saw. */
const statusRank: Record<PhaseStatus, number> = {
	fail: 0,
	'no-data': 1,
	interrupted: 2,
	running: 3,
	pending: 4,
	warn: 5,
	pass: 6,
	skipped: 7,
	info: 8,
};
const breakerRank: Record<BreakerState, number> = {open: 0, 'half-open': 1, closed: 2};

const hostOf = (report: Report): string | null => {
	const host = (report as {hostname?: unknown}).hostname;
	return typeof host === 'string' && host.length > 0 ? host : null;
};

/**
 * How each input is named in merged checks, faults and chaos records: its hostname, or its file when
 * it has none; two runs from one host are told apart by file (or run id).
 */
function machineNames(inputs: readonly Sourced<Report>[]): string[] {
	const hosts = inputs.map(x => hostOf(x.report));
	return inputs.map(({report, source}, i) => {
		const host = hosts[i];
		if (host === null || host === undefined) return source ?? report.run_id;
		const shared = hosts.filter(h => h === host).length > 1;
		return shared ? `${host} (${source ?? report.run_id})` : host;
	});
}

/** The histogram behind a report's headline latency figures (the soak's when it ran operations). */
function primaryHistogram(report: Report): 'soak' | 'operations' {
	return report.test_type === 'soak' && report.histograms.soak !== null && report.total_operations > 0
		? 'soak'
		: 'operations';
}

function mergePhases(inputs: readonly Sourced<Report>[], names: readonly string[]): ReportPhase[] {
	const order: PhaseId[] = [];
	const byId = new Map<PhaseId, {phase: ReportPhase; machine: string}[]>();
	for (const [i, {report}] of inputs.entries()) {
		for (const phase of report.phases) {
			let list = byId.get(phase.id);
			if (!list) {
				byId.set(phase.id, (list = []));
				order.push(phase.id);
			}
			list.push({phase, machine: names[i]!});
		}
	}
	const many = inputs.length > 1;
	return order.map(id => {
		const list = byId.get(id)!;
		const worst = list.reduce((a, b) => (statusRank[b.phase.status] < statusRank[a.phase.status] ? b : a));
		const starts = list.map(x => x.phase.started_at).filter((x): x is string => x !== null);
		const ends = list.map(x => x.phase.ended_at).filter((x): x is string => x !== null);
		const checks: CheckResult[] = list.flatMap(({phase, machine}) =>
			phase.checks.map(c => (many ? {...c, title: `${c.title} [${machine}]`} : c)),
		);
		return {
			id,
			title: list[0]!.phase.title,
			status: worst.phase.status,
			started_at: starts.length > 0 ? isoMin(starts) : null,
			ended_at: ends.length === list.length && ends.length > 0 ? isoMax(ends) : null,
			duration_ms: maxOf(list.map(x => x.phase.duration_ms)),
			reason:
				worst.phase.reason === null ? null : many ? `${worst.machine}: ${worst.phase.reason}` : worst.phase.reason,
			checks,
		};
	});
}

/** Backfill figures add up across machines; absent when no input had them (older reports). */
function mergeBackfill(list: readonly ReportStream[]): Pick<ReportStream, 'backfill'> {
	const known = list.flatMap(s => (s.backfill ? [s.backfill] : []));
	if (known.length === 0) return {};
	return {
		backfill: {
			gaps: sum(known.map(b => b.gaps)),
			missed: sum(known.map(b => b.missed)),
			recovered: sum(known.map(b => b.recovered)),
			lost: sum(known.map(b => b.lost)),
		},
	};
}

function mergeStreams(inputs: readonly Sourced<Report>[]): ReportStream[] {
	const byId = new Map<string, ReportStream[]>();
	for (const {report} of inputs) for (const s of report.streams) byId.set(s.id, [...(byId.get(s.id) ?? []), s]);
	return [...byId.values()].map(list => ({
		id: list[0]!.id,
		kind: list[0]!.kind,
		symbol: list[0]!.symbol,
		messages: sum(list.map(s => s.messages)),
		gaps: sum(list.map(s => s.gaps)),
		reconnects: sum(list.map(s => s.reconnects)),
		...mergeBackfill(list),
		latency_avg_ms: round(
			weightedMean(
				list.map(s => s.latency_avg_ms),
				list.map(s => s.messages),
			),
		),
		// Streams carry no histogram: the worst machine's p99 is an upper bound, not the merged p99.
		latency_p99_ms: maxOf(list.map(s => s.latency_p99_ms)),
	}));
}

function mergeErrors(inputs: readonly Sourced<Report>[]): ErrorGroup[] {
	const byKey = new Map<string, ErrorGroup>();
	for (const {report} of inputs) {
		for (const g of report.errors) {
			const seen = byKey.get(g.key);
			byKey.set(
				g.key,
				seen
					? {
							...seen,
							count: seen.count + g.count,
							firstSeen: Math.min(seen.firstSeen, g.firstSeen),
							lastSeen: Math.max(seen.lastSeen, g.lastSeen),
							critical: seen.critical || g.critical,
						}
					: {...g},
			);
		}
	}
	return [...byKey.values()].sort((a, b) => b.lastSeen - a.lastSeen);
}

export function mergeRunReports(inputs: readonly Sourced<Report>[]): MergedRunReport {
	const reports = inputs.map(x => x.report);
	const first = reports[0]!;
	const many = inputs.length > 1;
	const where = (i: number, field: string) => `${label(inputs[i]!, i)}: histograms.${field}`;

	const primary = mergeHistograms(
		reports.map((r, i) => ({data: r.histograms[primaryHistogram(r)] as string, where: where(i, primaryHistogram(r))})),
	);
	const operations = mergeHistograms(
		reports.map((r, i) => ({data: r.histograms.operations, where: where(i, 'operations')})),
	);
	const soakItems = reports.flatMap((r, i) =>
		r.histograms.soak ? [{data: r.histograms.soak, where: where(i, 'soak')}] : [],
	);
	const soak = mergeHistograms(soakItems);
	const calls = mergeHistograms(reports.map((r, i) => ({data: r.histograms.calls, where: where(i, 'calls')})));

	const totalOps = sum(reports.map(r => r.total_operations));
	// success_rate keeps its meaning: of the operations judged, i.e. without those that failed under an injected fault.
	const failedDuringFaults = sum(reports.map(failuresDuringFaults));
	const succeeded = sum(reports.map(succeededOperations));
	const judged = totalOps - failedDuringFaults;
	const successRate = judged <= 0 ? null : succeeded / judged;
	const avgLatency = weightedMean(
		reports.map(r => r.average_latency_ms),
		reports.map(r => r.total_operations),
	);
	const start = isoMin(reports.map(r => r.start_time));
	const ends = reports.map(r => r.end_time);
	const end = ends.every((x): x is string => x !== null) ? isoMax(ends) : null;
	const wallHours = Math.max(
		...reports.map(r => (Date.parse(r.start_time) - Date.parse(start)) / 3_600_000 + r.duration_hours),
	);
	const hours = reports.map(r => r.duration_hours);
	const totalErrors = sum(reports.map(r => r.metrics.total_errors));
	const expectedErrors = sum(reports.map(r => countOr0(r.metrics.expected_errors)));
	const callCount = sum(reports.map(r => r.calls.count));
	const consistency = reports.map(r => r.consistency_valid).filter((x): x is boolean => x !== null);
	const breakers = reports.map(r => r.breaker);
	const worstBreaker = breakers.reduce((a, b) => (breakerRank[b.state] < breakerRank[a.state] ? b : a));
	const exitCodes = reports.map(r => r.exit_code);
	const machines = inputs.flatMap(x => runMachineRows(x.report, x.source));
	const names = machineNames(inputs);
	const faults = inputs
		.flatMap(({report}, i) => report.faults.map(f => (many ? {...f, detail: `${names[i]}: ${f.detail}`} : f)))
		.sort((a, b) => a.at - b.at);
	const anomalies = inputs
		.flatMap(({report}, i) => report.anomalies.map(a => (many ? {...a, detail: `${names[i]}: ${a.detail}`} : a)))
		.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
	// Chaos records stay per machine (each judged against its own timeline), named like the faults.
	const chaos = inputs.flatMap(({report}, i) =>
		Array.isArray(report.chaos) ? report.chaos.map(c => (many ? {...c, label: `${names[i]}: ${c.label}`} : c)) : [],
	);
	const hosts = [...new Set(reports.map(hostOf))];
	const unique = (values: string[]) => [...new Set(values)].join(', ');
	const peakLatency = maxOf(reports.map(r => r.peak_latency_ms));

	return {
		schema: first.schema,
		run_id: many ? `merged-${first.run_id}-x${machines.length}` : first.run_id,
		// One host for the whole report only when every input ran there; otherwise see machines[].
		...(hosts.length === 1 && hosts[0] !== null ? {hostname: hosts[0]} : {}),
		drydock_version: unique(reports.map(r => r.drydock_version)),
		profile: {
			...first.profile,
			name: unique(reports.map(r => r.profile.name)),
			symbols: [...new Set(reports.flatMap(r => r.profile.symbols))],
		},
		plan: {
			name: reports.every(r => r.plan.name === first.plan.name) ? first.plan.name : 'custom',
			phases: [...new Set(reports.flatMap(r => r.plan.phases))],
			soak_duration_ms: Math.max(...reports.map(r => r.plan.soak_duration_ms)),
		},
		test_type: reports.some(r => r.test_type === 'soak') ? 'soak' : 'integration',
		start_time: start,
		end_time: end,
		duration_hours: round(wallHours, 6)!,
		total_operations: totalOps,
		success_rate: successRate === null ? null : round(successRate * 100, 4),
		average_latency_ms: round(avgLatency),
		peak_latency_ms: peakLatency,
		min_latency_ms: minOf(reports.map(r => r.min_latency_ms)),
		p50_latency_ms: round(clampPercentile(percentileMs(primary, 50), peakLatency)),
		p99_latency_ms: round(clampPercentile(percentileMs(primary, 99), peakLatency)),
		performance_grade: gradeFor(successRate, avgLatency),
		targets_met: {
			latency: reports.every(r => targetsOf(r).latency),
			success_rate: reports.every(r => targetsOf(r).success_rate),
			overall: reports.every(r => targetsOf(r).overall),
		},
		consistency_valid: consistency.length === 0 ? null : consistency.every(Boolean),
		metrics: {
			uptime_hours: round(wallHours, 6)!,
			// Like a single run's: the errors recorded under injected faults are not in the rate.
			error_rate_per_hour: round(Math.max(0, totalErrors - expectedErrors) / Math.max(wallHours, 1 / 60), 3)!,
			average_memory_mb: round(
				weightedMean(
					reports.map(r => r.metrics.average_memory_mb),
					hours,
				),
				2,
			),
			peak_memory_mb: maxOf(reports.map(r => r.metrics.peak_memory_mb)),
			average_cpu_percent: round(
				weightedMean(
					reports.map(r => r.metrics.average_cpu_percent),
					hours,
				),
				2,
			),
			orders_placed: sum(reports.map(r => r.metrics.orders_placed)),
			orders_filled: sum(reports.map(r => r.metrics.orders_filled)),
			orders_canceled: sum(reports.map(r => r.metrics.orders_canceled)),
			orders_rejected: sum(reports.map(r => r.metrics.orders_rejected)),
			positions_opened: sum(reports.map(r => r.metrics.positions_opened)),
			positions_closed: sum(reports.map(r => r.metrics.positions_closed)),
			risk_rejections: sum(reports.map(r => r.metrics.risk_rejections)),
			total_errors: totalErrors,
			critical_errors: sum(reports.map(r => r.metrics.critical_errors)),
			// The worst machine's slope: a leak on one box is a leak.
			rss_slope_mb_per_hour: maxOf(reports.map(r => r.metrics.rss_slope_mb_per_hour)),
			expected_errors: expectedErrors,
			failures_during_faults: failedDuringFaults,
			// null when no input had a soak (or every input predates the field).
			soak_errors: sumOrNull(reports.map(r => r.metrics.soak_errors)),
			soak_expected_errors: sumOrNull(reports.map(r => r.metrics.soak_expected_errors)),
		},
		success: reports.every(r => r.success),
		interrupted: reports.some(r => r.interrupted),
		interrupted_by: unique(reports.map(r => r.interrupted_by).filter((x): x is string => x !== null)) || null,
		checkpoint: reports.some(r => r.checkpoint),
		exit_code: exitCodes.some(c => c === null) ? null : (exitCodes.find(c => c !== 0) ?? 0),
		phases: mergePhases(inputs, names),
		breaker: {
			...worstBreaker,
			transitions: sum(breakers.map(b => b.transitions)),
			lastTransitionAt: maxOf(breakers.map(b => b.lastTransitionAt)),
		},
		kill_switch: {
			engaged: reports.some(r => r.kill_switch.engaged),
			since: minOf(reports.map(r => r.kill_switch.since)),
			ordersCancelled: sum(reports.map(r => r.kill_switch.ordersCancelled)),
		},
		orders_cancelled_on_exit: reports.every(r => r.orders_cancelled_on_exit === null)
			? null
			: sum(reports.map(r => r.orders_cancelled_on_exit ?? 0)),
		resources: {
			// Per-machine series live in machines[].resources; the merged block keeps the fleet's figures.
			self: {
				pid: null,
				label: many ? `${machines.length} machines` : first.resources.self.label,
				samples: many ? [] : first.resources.self.samples,
				average_cpu_percent: round(
					weightedMean(
						reports.map(r => r.resources.self.average_cpu_percent),
						hours,
					),
					2,
				),
				average_memory_mb: round(
					weightedMean(
						reports.map(r => r.resources.self.average_memory_mb),
						hours,
					),
					2,
				),
				peak_memory_mb: maxOf(reports.map(r => r.resources.self.peak_memory_mb)),
				peak_event_loop_lag_ms: maxOf(reports.map(r => r.resources.self.peak_event_loop_lag_ms)),
			},
			watched: many ? null : first.resources.watched,
		},
		faults,
		streams: mergeStreams(inputs),
		errors: mergeErrors(inputs),
		anomalies,
		histograms: {
			unit: 'us',
			encoding: 'hdr-compressed-base64',
			operations: operations ? encodeHistogram(operations) : first.histograms.operations,
			soak: soak ? encodeHistogram(soak) : null,
			calls: calls ? encodeHistogram(calls) : first.histograms.calls,
		},
		calls: {
			count: callCount,
			average_ms: round(
				weightedMean(
					reports.map(r => r.calls.average_ms),
					reports.map(r => r.calls.count),
				),
			),
			p99_ms: round(percentileMs(calls, 99)),
		},
		...(chaos.length > 0 ? {chaos} : {}),
		merged: {inputs: inputs.length, sources: inputs.map(x => x.source)},
		machines,
	};
}
