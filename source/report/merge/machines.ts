/** Per-machine rows kept in a merged report (a merged input contributes its own rows). */
import type {Report} from '../model.js';
import type {LoadReport} from '../../load/report.js';
import type {MachineRow} from './machine-rows.js';

const hostnameOf = (value: unknown): string | null => {
	const host = (value as {hostname?: unknown}).hostname;
	return typeof host === 'string' && host.length > 0 ? host : null;
};

/**
 * Operations that succeeded, from a run report: success_rate is a percentage of total_operations less
 * failures_during_faults (0 in reports from before that field). A null rate with operations means none
 * was left to judge: every one failed under an injected fault.
 */
export function succeededOperations(report: Pick<Report, 'total_operations' | 'success_rate' | 'metrics'>): number {
	const judged = report.total_operations - failuresDuringFaults(report);
	return report.success_rate === null || judged <= 0 ? 0 : Math.round((report.success_rate / 100) * judged);
}

/** metrics.failures_during_faults, 0 when absent (older reports) or not a count. */
export function failuresDuringFaults(report: Pick<Report, 'metrics'>): number {
	const value = report.metrics.failures_during_faults;
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function runMachineRows(report: Report, source: string | null): MachineRow[] {
	const existing = (report as Report & {machines?: MachineRow[]}).machines;
	if (Array.isArray(existing) && existing.length > 0) return existing;
	return [
		{
			hostname: hostnameOf(report),
			run_id: report.run_id,
			source,
			start_time: report.start_time,
			end_time: report.end_time,
			operations: report.total_operations,
			failures: report.total_operations - succeededOperations(report),
			failures_during_faults: failuresDuringFaults(report),
			success_rate: report.success_rate,
			average_latency_ms: report.average_latency_ms,
			p99_latency_ms: report.p99_latency_ms,
			grade: report.performance_grade,
			success: report.success,
			interrupted: report.interrupted,
			exit_code: report.exit_code,
			...(report.resources?.self ? {resources: report.resources.self} : {}),
		},
	];
}

export function loadMachineRows(report: LoadReport, source: string | null): MachineRow[] {
	const existing = (report as LoadReport & {machines?: MachineRow[]}).machines;
	if (Array.isArray(existing) && existing.length > 0) return existing;
	const a = report.aggregated;
	return [
		{
			hostname: hostnameOf(report),
			run_id: report.id,
			source,
			start_time: report.start_time,
			end_time: report.end_time,
			operations: a.requests,
			failures: a.failures,
			success_rate: a.requests === 0 ? null : (1 - a.failures / a.requests) * 100,
			average_latency_ms: a.requests === 0 ? null : a.avgMs,
			p99_latency_ms: a.requests === 0 ? null : (a.percentiles['99%'] ?? null),
			grade: null,
			success: report.success,
			interrupted: report.interrupted,
			exit_code: null,
		},
	];
}
