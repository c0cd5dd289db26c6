/** Per-machine rows kept in a merged report (a merged input contributes its own rows). */
import type {Report} from '../model.js';
import type {LoadReport} from '../../load/report.js';
import type {MachineRow} from './types.js';

const hostnameOf = (value: unknown): string | null => {
	const host = (value as {hostname?: unknown}).hostname;
	return typeof host === 'string' && host.length > 0 ? host : null;
};

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
			failures: report.success_rate === null ? 0 : Math.round(report.total_operations * (1 - report.success_rate / 100)),
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
