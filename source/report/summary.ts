/** The console summary at the end of a run (and for `drydock report`): phase table + soak final block. */
import type {Report} from './model.js';
import type {PhaseStatus} from '../engine/checks.js';
import {formatDuration} from '../util/duration.js';

export const statusLabel: Record<PhaseStatus, string> = {
	pending: 'PENDING',
	running: 'RUNNING',
	pass: 'PASS',
	warn: 'WARN',
	fail: 'FAIL',
	'no-data': 'NO-DATA',
	skipped: 'SKIPPED',
	info: 'INFO',
};

const ms = (n: number | null) => (n === null ? '—' : `${n.toFixed(n < 10 ? 2 : 1)} ms`);
const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(3)}%`);

function pad(text: string, width: number): string {
	return text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length);
}

export interface SoakBlock {
	duration: string;
	operations: number;
	/** Percent, as graded (failures under injected faults left out). */
	successRate: number | null;
	avgMs: number | null;
	peakMs: number | null;
	/** The soak's errors, expected ones included. */
	errors: number;
	/** Of `errors`, those recorded while drydock had a fault injected. */
	expectedErrors?: number | null;
	/** Failed operations left out of the success rate (an injected fault was active while they ran). */
	failuresDuringFaults?: number | null;
	status: string;
}

export function formatSoakBlock(title: string, r: SoakBlock): string {
	const notGraded = r.failuresDuringFaults ? ` (${r.failuresDuringFaults} failed under injected faults not counted)` : '';
	const expected = r.expectedErrors ? ` (${r.expectedErrors} during injected faults)` : '';
	return [
		`── ${title} ──`,
		`  duration      ${r.duration}`,
		`  operations    ${r.operations}`,
		`  success rate  ${pct(r.successRate)}${notGraded}`,
		`  latency       avg ${ms(r.avgMs)}, peak ${ms(r.peakMs)}`,
		`  errors        ${r.errors}${expected}`,
		`  status        ${r.status}`,
	].join('\n');
}

export function formatSummary(report: Report, reportPath?: string): string {
	const lines: string[] = [];
	lines.push(`drydock run ${report.run_id} — profile ${report.profile.name} (${report.profile.environment}, ${report.profile.execution}), plan ${report.plan.name}`);
	lines.push(`  ${pad('PHASE', 13)} ${pad('STATUS', 8)} ${pad('CHECKS', 7)} ${pad('TIME', 9)} NOTE`);
	for (const phase of report.phases) {
		const passed = phase.checks.filter(c => c.verdict === 'pass' || c.verdict === 'warn').length;
		const note = phase.status === 'pass' ? '' : (phase.reason ?? phase.checks.find(c => c.verdict !== 'pass')?.reason ?? '');
		lines.push(`  ${pad(phase.id, 13)} ${pad(statusLabel[phase.status], 8)} ${pad(`${passed}/${phase.checks.length}`, 7)} ${pad(phase.duration_ms === null ? '—' : formatDuration(phase.duration_ms), 9)} ${note.replace(/\s+/g, ' ').slice(0, 90)}`);
	}
	if (report.test_type === 'soak') {
		const soak = report.phases.find(p => p.id === 'soak');
		const grade = report.performance_grade ?? '—';
		lines.push(
			formatSoakBlock('soak: final', {
				duration: soak?.duration_ms == null ? '—' : `${formatDuration(soak.duration_ms)} of ${formatDuration(report.plan.soak_duration_ms)}`,
				operations: report.total_operations,
				successRate: report.success_rate,
				avgMs: report.average_latency_ms,
				peakMs: report.peak_latency_ms,
				// The soak's own errors; reports written before soak_errors existed only have the run's.
				errors: report.metrics.soak_errors ?? report.metrics.total_errors,
				expectedErrors: report.metrics.soak_errors == null ? null : (report.metrics.soak_expected_errors ?? null),
				failuresDuringFaults: report.metrics.failures_during_faults ?? null,
				status: `grade ${grade}, targets ${report.targets_met ? 'met' : 'MISSED'}, consistency ${report.consistency_valid === null ? 'not checked' : report.consistency_valid ? 'valid' : 'INVALID'}`,
			}),
		);
		const m = report.metrics;
		lines.push(`  resources     cpu avg ${m.average_cpu_percent ?? '—'}%, rss avg ${m.average_memory_mb ?? '—'} MB, peak ${m.peak_memory_mb ?? '—'} MB, slope ${m.rss_slope_mb_per_hour ?? '—'} MB/h`);
	}
	if (report.chaos && report.chaos.length > 0) {
		lines.push('── chaos ──');
		for (const c of report.chaos) {
			const figures = [c.detected_after_ms !== null ? `detect ${c.detected_after_ms} ms` : null, c.resubscribed_after_ms !== null ? `resub ${c.resubscribed_after_ms} ms` : null, c.recovery_ms !== null ? `recover ${c.recovery_ms}/${c.recovery_budget_ms} ms` : null, c.messages_missed > 0 ? `${c.messages_missed} missed` : null, c.unknown_orders.length > 0 ? `${c.unknown_orders.length} unknown-fate orders` : null].filter(Boolean).join(', ');
			lines.push(`  ${pad(c.verdict.toUpperCase(), 8)} ${c.label}${figures ? ` — ${figures}` : ''}${c.reason && c.verdict !== 'pass' ? ` (${c.reason.slice(0, 120)})` : ''}`);
		}
	}
	if (report.resumed_from) lines.push(`  resumed from  ${report.resumed_from.run_id} (${formatDuration(report.resumed_from.soak_elapsed_ms)} of soak done before)`);
	const verdict = report.interrupted ? `INTERRUPTED (${report.interrupted_by ?? 'signal'})` : report.success ? 'PASSED' : 'FAILED';
	lines.push(`Result: ${verdict}${report.exit_code !== null ? ` (exit ${report.exit_code})` : ''}${reportPath ? `  report: ${reportPath}` : ''}`);
	return lines.join('\n') + '\n';
}
