/** The console summary at the end of a run (and for `drydock report`): phase table + soak final block. */
import {targetsOf, type Report, type TargetsMet} from './model.js';
import {passCount, type PhaseStatus} from '../engine/checks.js';
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
	interrupted: 'INTERRUPTED',
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
	const notGraded = r.failuresDuringFaults
		? ` (${r.failuresDuringFaults} failed under injected faults not counted)`
		: '';
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

/** "targets met", or which of the guides' targets were missed. */
export function targetsText(t: TargetsMet): string {
	if (t.overall) return 'targets met';
	const missed = [t.latency ? null : 'latency', t.success_rate ? null : 'success rate'].filter(Boolean);
	return `targets MISSED${missed.length > 0 ? ` (${missed.join(', ')})` : ' (run incomplete or a soak check failed)'}`;
}

/** Trades missed on the streams across reconnects and what REST gave back; null when nothing was missed. */
export function backfillLine(report: Report): string | null {
	const backfilled = report.streams.filter(s => s.backfill && s.backfill.gaps > 0);
	if (backfilled.length === 0) return null;
	const total = (key: 'missed' | 'recovered' | 'lost') => backfilled.reduce((n, s) => n + (s.backfill?.[key] ?? 0), 0);
	const per = backfilled.map(s => `${s.id} ${s.backfill?.recovered}/${s.backfill?.missed}`).join(', ');
	return `  backfill      ${total('missed')} trades missed across reconnects, ${total('recovered')} recovered from REST, ${total('lost')} lost (${per})`;
}

export function formatSummary(report: Report, reportPath?: string): string {
	const lines: string[] = [];
	lines.push(
		`drydock run ${report.run_id} — profile ${report.profile.name} (${report.profile.environment}, ${report.profile.execution}), plan ${report.plan.name}`,
	);
	lines.push(`  ${pad('PHASE', 13)} ${pad('STATUS', 11)} ${pad('CHECKS', 7)} ${pad('TIME', 9)} NOTE`);
	for (const phase of report.phases) {
		// "N/M passed": informational entries are not checks, and a warning is not a pass.
		const {passed, total} = passCount(phase.checks);
		const note =
			phase.status === 'pass' ? '' : (phase.reason ?? phase.checks.find(c => c.verdict !== 'pass')?.reason ?? '');
		lines.push(
			`  ${pad(phase.id, 13)} ${pad(statusLabel[phase.status], 11)} ${pad(`${passed}/${total}`, 7)} ${pad(phase.duration_ms === null ? '—' : formatDuration(phase.duration_ms), 9)} ${note.replace(/\s+/g, ' ').slice(0, 90)}`,
		);
	}
	if (report.test_type === 'soak') {
		const soak = report.phases.find(p => p.id === 'soak');
		const grade = report.performance_grade ?? '—';
		lines.push(
			formatSoakBlock('soak: final', {
				duration:
					soak?.duration_ms == null
						? '—'
						: `${formatDuration(soak.duration_ms)} of ${formatDuration(report.plan.soak_duration_ms)}`,
				operations: report.total_operations,
				successRate: report.success_rate,
				avgMs: report.average_latency_ms,
				peakMs: report.peak_latency_ms,
				// The soak's own errors; reports written before soak_errors existed only have the run's.
				errors: report.metrics.soak_errors ?? report.metrics.total_errors,
				expectedErrors: report.metrics.soak_errors == null ? null : (report.metrics.soak_expected_errors ?? null),
				failuresDuringFaults: report.metrics.failures_during_faults ?? null,
				status: `grade ${grade}, ${targetsText(targetsOf(report))}, consistency ${report.consistency_valid === null ? 'not checked' : report.consistency_valid ? 'valid' : 'INVALID'}`,
			}),
		);
		const m = report.metrics;
		const backfill = backfillLine(report);
		if (backfill) lines.push(backfill);
		lines.push(
			`  resources     cpu avg ${m.average_cpu_percent ?? '—'}%, rss avg ${m.average_memory_mb ?? '—'} MB, peak ${m.peak_memory_mb ?? '—'} MB, slope ${m.rss_slope_mb_per_hour ?? '—'} MB/h`,
		);
	}
	if (report.chaos && report.chaos.length > 0) {
		lines.push('── chaos ──');
		for (const c of report.chaos) {
			const figures = [
				c.detected_after_ms !== null ? `detect ${c.detected_after_ms} ms` : null,
				c.resubscribed_after_ms !== null ? `resub ${c.resubscribed_after_ms} ms` : null,
				c.recovery_ms !== null ? `recover ${c.recovery_ms}/${c.recovery_budget_ms} ms` : null,
				c.messages_missed > 0 ? `${c.messages_missed} missed` : null,
				c.unknown_orders.length > 0 ? `${c.unknown_orders.length} unknown-fate orders` : null,
			]
				.filter(Boolean)
				.join(', ');
			lines.push(
				`  ${pad(c.verdict.toUpperCase(), 8)} ${c.label}${figures ? ` — ${figures}` : ''}${c.reason && c.verdict !== 'pass' ? ` (${c.reason.slice(0, 120)})` : ''}`,
			);
		}
	}
	const actions = report.operator_actions ?? [];
	if (actions.length > 0) {
		lines.push('── operator actions ──');
		for (const a of actions) lines.push(`  ${a.at.slice(11, 19)}  ${pad(a.action, 21)} ${a.detail}`);
	}
	if (report.resumed_from)
		lines.push(
			`  resumed from  ${report.resumed_from.run_id} (${formatDuration(report.resumed_from.soak_elapsed_ms)} of soak done before)`,
		);
	const verdict = report.interrupted
		? `INTERRUPTED (${report.interrupted_by ?? 'signal'})`
		: report.success
			? 'PASSED'
			: 'FAILED';
	lines.push(
		`Result: ${verdict}${report.exit_code !== null ? ` (exit ${report.exit_code})` : ''}${reportPath ? `  report: ${reportPath}` : ''}`,
	);
	return lines.join('\n') + '\n';
}
