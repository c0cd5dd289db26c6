/**
 * JUnit XML: a testsuite per phase, a testcase per check. fail → <failure>; no-data and skipped →
 * <skipped message>; warn passes with the warning in <system-out> (JUnit has no warning state, and
 * failing CI on a warning would be a verdict of its own). `info` entries are figures, not checks: they
 * are the suite's <properties>, never a testcase, so no CI tool counts them as passed tests.
 */
import type {Report} from './model.js';
import type {CheckResult} from '../engine/checks.js';

export function escapeXml(text: string): string {
	return (
		text
			// Characters XML 1.0 cannot carry at all: removing them is the point of this pattern.
			// eslint-disable-next-line no-control-regex
			.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
			.replace(/&/g, '&amp;')
			.replace(/</g, '&lt;')
			.replace(/>/g, '&gt;')
			.replace(/"/g, '&quot;')
			.replace(/'/g, '&apos;')
	);
}

function describe(check: CheckResult): string {
	const measured =
		check.measured === null
			? 'nothing measured'
			: `measured ${String(check.measured)}${check.unit ? ` ${check.unit}` : ''}`;
	const threshold = check.threshold ? `, threshold ${check.threshold}` : '';
	return `${measured}${threshold}${check.reason ? ` — ${check.reason}` : ''}`;
}

export function toJUnit(report: Report, mask: (text: string) => string = t => t): string {
	const e = (text: string) => escapeXml(mask(text));
	const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
	const all = report.phases.flatMap(p => p.checks).filter(c => c.verdict !== 'info');
	const failures = all.filter(c => c.verdict === 'fail').length;
	const skipped = all.filter(c => c.verdict === 'skipped' || c.verdict === 'no-data').length;
	const totalSeconds = report.duration_hours * 3600;
	lines.push(
		`<testsuites name="drydock ${e(report.profile.name)} ${e(report.plan.name)}" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${totalSeconds.toFixed(3)}">`,
	);
	for (const phase of report.phases) {
		const checks = phase.checks.filter(c => c.verdict !== 'info');
		const infos = phase.checks.filter(c => c.verdict === 'info');
		// A phase that produced no checks still shows up, as one testcase carrying its status.
		if (checks.length === 0) {
			const verdict =
				phase.status === 'pending' || phase.status === 'running' || phase.status === 'interrupted'
					? 'skipped'
					: phase.status;
			checks.push({
				id: 'phase',
				title: phase.title,
				verdict,
				measured: null,
				threshold: null,
				reason: phase.reason ?? (phase.status === 'pending' ? 'not run' : 'the phase reported no checks'),
				at: 0,
			});
		}
		const f = checks.filter(c => c.verdict === 'fail').length;
		const s = checks.filter(c => c.verdict === 'skipped' || c.verdict === 'no-data').length;
		const seconds = (phase.duration_ms ?? 0) / 1000;
		lines.push(
			`\t<testsuite name="${e(phase.id)}" tests="${checks.length}" failures="${f}" errors="0" skipped="${s}" time="${seconds.toFixed(3)}"${phase.started_at ? ` timestamp="${e(phase.started_at)}"` : ''}>`,
		);
		if (infos.length > 0) {
			lines.push('\t\t<properties>');
			for (const info of infos)
				lines.push(`\t\t\t<property name="${e(`${info.id}: ${info.title}`)}" value="${e(describe(info))}"/>`);
			lines.push('\t\t</properties>');
		}
		for (const check of checks) {
			const open = `\t\t<testcase classname="drydock.${e(phase.id)}" name="${e(`${check.id}: ${check.title}`)}" time="0">`;
			const detail = describe(check);
			switch (check.verdict) {
				case 'fail':
					lines.push(
						open,
						`\t\t\t<failure message="${e(check.reason ?? 'failed')}" type="fail">${e(detail)}</failure>`,
						'\t\t</testcase>',
					);
					break;
				case 'no-data':
					lines.push(open, `\t\t\t<skipped message="${e(`no data: ${check.reason ?? detail}`)}"/>`, '\t\t</testcase>');
					break;
				case 'skipped':
					lines.push(open, `\t\t\t<skipped message="${e(check.reason ?? 'skipped')}"/>`, '\t\t</testcase>');
					break;
				case 'warn':
					lines.push(open, `\t\t\t<system-out>${e(`WARN ${detail}`)}</system-out>`, '\t\t</testcase>');
					break;
				default:
					lines.push(open, `\t\t\t<system-out>${e(detail)}</system-out>`, '\t\t</testcase>');
			}
		}
		lines.push('\t</testsuite>');
	}
	lines.push('</testsuites>');
	return lines.join('\n') + '\n';
}
