/**
 * report.html's "System under test" section, drawn from report.json's `sut` (report/sut-report.ts):
 * the process (state, exit, restarts), its CPU and RSS beside drydock's own, what it did on the venue
 * (requests, weight, 429/418, Retry-After, errors by code), its orders, its stream drops and
 * resubscriptions, orphans and consistency, StatsD, the last log lines, and the sut-* checks with their
 * reasons. report.json is read from disk: every figure is checked, a missing one reads as —.
 */
import type {Report} from '../model.js';
import type {SutReport, SutReportLatency} from '../sut-report.js';
import {timeChart, type TimeMark, type TimeSeries} from './charts.js';
import {escapeHtml as e} from './escape.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function fmt(value: unknown, digits = 0, unit = ''): string {
	const v = num(value);
	if (v === null) return '—';
	return `${Number(v.toFixed(digits)).toLocaleString('en-US', {maximumFractionDigits: digits})}${unit}`;
}

function when(iso: unknown): number | null {
	if (typeof iso !== 'string') return null;
	const t = Date.parse(iso);
	return Number.isFinite(t) ? t : null;
}

const badge = (status: string) => `<span class="badge s-${e(status.replace(/[^a-z-]/gi, ''))}">${e(status)}</span>`;

const kvTable = (cls: string, rows: readonly (readonly [string, string])[]) =>
	`<table class="kv ${cls}">${rows.map(([k, v]) => `<tr data-field="${e(k)}"><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>`;

function byCode(codes: unknown): string {
	if (typeof codes !== 'object' || codes === null) return '—';
	const entries = Object.entries(codes as Record<string, unknown>).filter(
		([, n]) => num(n) !== null && (n as number) > 0,
	);
	if (entries.length === 0) return 'none';
	return entries
		.sort((a, b) => (b[1] as number) - (a[1] as number))
		.map(([code, n]) => `${code} × ${fmt(n)}`)
		.join(', ');
}

function latencyText(l: SutReportLatency | null | undefined): string {
	if (!l || !num(l.count)) return 'none served';
	return `${fmt(l.count)} acks: avg ${fmt(l.avg_ms, 2)} / p50 ${fmt(l.p50_ms, 2)} / p99 ${fmt(l.p99_ms, 2)} / max ${fmt(l.max_ms, 2)} ms`;
}

/** The sut-* checks wherever the run recorded them (the soak, normally). */
function sutChecks(report: Report) {
	return report.phases.flatMap(p => p.checks.filter(c => c.id.startsWith('sut-')).map(c => ({phase: p.id, check: c})));
}

function checksTable(report: Report): string {
	const checks = sutChecks(report);
	if (checks.length === 0)
		return '<p class="empty" data-field="sut-checks">no sut-* checks in this report (the soak did not judge the SUT)</p>';
	const measured = (c: {measured: number | string | boolean | null; unit?: string}) =>
		c.measured === null || c.measured === undefined ? '—' : `${String(c.measured)}${c.unit ? ` ${c.unit}` : ''}`;
	return `<table class="sut-checks"><thead><tr><th>Verdict</th><th>Check</th><th>Measured</th><th>Threshold</th><th>Reason</th></tr></thead><tbody>${checks
		.map(
			({check: c}) =>
				`<tr class="check" data-check="${e(c.id)}" data-verdict="${e(c.verdict)}"><td>${badge(c.verdict)}</td><td>${e(c.title)}<div class="sub">${e(c.id)}</div></td><td>${e(measured(c))}</td><td>${e(c.threshold ?? '—')}</td><td>${e(c.reason ?? '')}</td></tr>`,
		)
		.join('')}</tbody></table>`;
}

function processTable(s: SutReport): string {
	const exit = s.exit
		? [
				s.exit.code !== null ? `code ${s.exit.code}` : null,
				s.exit.signal ? `signal ${s.exit.signal}` : null,
				s.exit.requested ? 'asked to stop' : 'on its own',
			]
				.filter(Boolean)
				.join(', ')
		: 'still running / not recorded';
	const r = s.resources;
	const rows: [string, string][] = [
		['Command', s.command],
		['State', s.state],
		['Pid', s.pid === null ? '—' : String(s.pid)],
		['Exit', exit],
		...(s.start_failure ? ([['Start failure', s.start_failure]] as [string, string][]) : []),
		['Restarts', fmt(s.restarts)],
		['Unexpected exits', fmt(s.unexpected_exits)],
		['CPU avg / peak', `${fmt(r?.cpu_avg_percent, 1, '%')} / ${fmt(r?.cpu_peak_percent, 1, '%')}`],
		['RSS avg / peak', `${fmt(r?.rss_avg_mb, 1)} / ${fmt(r?.rss_peak_mb, 1)} MB`],
		['RSS slope', fmt(r?.rss_slope_mb_per_hour, 2, ' MB/h')],
		['Processes (peak) · samples', `${fmt(r?.peak_processes)} · ${fmt(r?.samples)}`],
		['Log error lines (expected)', `${fmt(s.logs?.error_lines)} (${fmt(s.logs?.expected_error_lines)})`],
		['Log file', s.logs?.file ?? '—'],
		[
			'Operations for the grade',
			s.operations_source === 'statsd'
				? 'its StatsD'
				: s.operations_source === 'venue'
					? 'venue side (order placements)'
					: 'none',
		],
	];
	return kvTable('sut-process', rows);
}

/** CPU and RSS of the SUT's process tree beside drydock's own, on the run's time axis. */
function resourceCharts(
	report: Report,
	s: SutReport,
	marks: readonly TimeMark[],
	range?: readonly [number, number],
): string {
	const cpu: TimeSeries[] = [];
	const rss: TimeSeries[] = [];
	const sutPoints = (s.resources?.samples_series ?? [])
		.map(p => ({at: when(p.at), cpu: num(p.cpu_percent), rss: num(p.rss_mb)}))
		.filter((p): p is {at: number; cpu: number | null; rss: number | null} => p.at !== null);
	if (sutPoints.length > 0) {
		const name = `SUT${s.pid !== null ? ` (pid ${s.pid})` : ''}`;
		cpu.push({name, points: sutPoints.map(p => [p.at, p.cpu] as const)});
		rss.push({name, points: sutPoints.map(p => [p.at, p.rss] as const)});
	}
	const self = report.resources?.self;
	if (self && self.samples.length > 0) {
		const pts = self.samples
			.map(x => ({at: when(x.at), cpu: x.cpu_percent, rss: x.rss_mb}))
			.filter((p): p is {at: number; cpu: number | null; rss: number | null} => p.at !== null);
		cpu.push({name: 'drydock', points: pts.map(p => [p.at, p.cpu] as const)});
		rss.push({name: 'drydock', points: pts.map(p => [p.at, p.rss] as const)});
	}
	const panel = (id: string, title: string, series: TimeSeries[], yName: string) =>
		sutPoints.length > 0
			? `<figure class="chart" data-chart="${id}"><figcaption>${e(title)}</figcaption>${timeChart({series, yName, marks, ...(range ? {range} : {})})}</figure>`
			: `<figure class="chart no-data" data-chart="${id}"><figcaption>${e(title)}</figcaption><div class="empty">no data — no samples of the SUT's process tree in this report</div></figure>`;
	return `<div class="grid">${panel('sut-cpu', 'CPU: SUT vs drydock (% of one core)', cpu, '%')}${panel('sut-memory', 'Memory (RSS): SUT vs drydock', rss, 'MB')}</div>`;
}

function venueSection(s: SutReport): string {
	const v = s.venue;
	if (!v)
		return '<h3>Venue</h3><p class="empty" data-field="sut-venue">the venue\'s activity for the SUT could not be read</p>';
	const o = v.orders;
	const venueRows: [string, string][] = [
		['Requests', `${fmt(v.requests)} (${fmt(v.requests_per_minute, 1)}/min)`],
		['Weight used / limit', `${fmt(v.weight_used)} / ${fmt(v.weight_limit)}`],
		['HTTP 429', fmt(v.status_429)],
		['HTTP 418 (bans)', fmt(v.status_418)],
		['Requests inside Retry-After', fmt(v.requests_inside_retry_after)],
		['Errors by code', byCode(v.errors_by_code)],
		['Events missed', fmt(v.missed_events)],
	];
	const orderRows: [string, string][] = o
		? [
				['Placed', fmt(o.placed)],
				['Filled / partially filled', `${fmt(o.filled)} / ${fmt(o.partially_filled)}`],
				['Canceled', fmt(o.canceled)],
				['Rejected', `${fmt(o.rejected)}${num(o.rejected) ? ` (${byCode(o.rejected_by_code)})` : ''}`],
				['Duplicate clientOrderIds', fmt(o.duplicate_client_order_ids)],
				['Orders per 10 s (max / limit)', `${fmt(o.max_orders_per_10s)} / ${fmt(o.orders_per_10s_limit)}`],
				['Open at the end', fmt(o.open)],
				['Ack latency (as served)', latencyText(o.ack_latency)],
			]
		: [['Orders', '—']];
	const st = v.streams;
	const subs = st?.subscriptions ?? [];
	const streamRows: [string, string][] = [
		['Connections open / total', `${fmt(st?.connections_open)} / ${fmt(st?.connections_total)}`],
		['Subscriptions', subs.length > 0 ? subs.join(', ') : 'none'],
	];
	return `<div class="grid sut-tables"><div><h3>Venue (its key only)</h3>${kvTable('sut-venue', venueRows)}</div><div><h3>Orders</h3>${kvTable('sut-orders', orderRows)}</div></div>
<h3>Streams</h3>${kvTable('sut-streams', streamRows)}${dropsTable(s)}`;
}

function dropsTable(s: SutReport): string {
	const drops = s.venue?.drops ?? [];
	if (drops.length === 0) return '<p class="empty" data-field="sut-drops">no stream drops during the run</p>';
	return `<table class="sut-drops"><thead><tr><th>Drop</th><th>When</th><th>Kind</th><th>Streams it held</th><th>Resubscribed after</th><th>Budget</th></tr></thead><tbody>${drops
		.map(d => {
			const late = d.pending || (num(d.after_ms) !== null && d.after_ms! > d.budget_ms);
			const after = d.pending || d.after_ms === null ? 'never (pending)' : fmt(d.after_ms, 0, ' ms');
			return `<tr data-drop="${e(d.drop_id)}" data-late="${late}"${late ? ' class="critical"' : ''}><td>${e(d.drop_id)}</td><td>${e(d.at)}</td><td>${e(d.kind)}</td><td>${e((d.streams ?? []).join(', ') || '—')}</td><td class="num">${e(after)}</td><td class="num">${fmt(d.budget_ms, 0, ' ms')}</td></tr>`;
		})
		.join('')}</tbody></table>`;
}

function endSection(s: SutReport): string {
	const o = s.orphans;
	const c = s.consistency;
	const orphans = !o
		? 'not checked'
		: o.open_orders === null
			? `could not be read${o.error ? `: ${o.error}` : ''}`
			: o.open_orders === 0
				? 'none'
				: `${o.open_orders} open (${o.client_order_ids.join(', ')})`;
	const balances = !c
		? 'not checked'
		: c.balances_match === null
			? `not reconciled${c.reason ? `: ${c.reason}` : ''}`
			: c.balances_match
				? 'explained by its fills'
				: `MISMATCH${c.reason ? `: ${c.reason}` : ''}`;
	const rows: [string, string][] = [
		['Orphans (open orders after it stopped)', orphans],
		['Balances', balances],
		['Duplicate clientOrderIds', fmt(c?.duplicate_client_order_ids)],
	];
	const mismatches =
		c && c.mismatches.length > 0
			? `<table class="sut-mismatches"><thead><tr><th>Asset</th><th>Expected</th><th>Actual</th></tr></thead><tbody>${c.mismatches.map(m => `<tr class="critical" data-asset="${e(m.asset)}"><td>${e(m.asset)}</td><td class="num">${fmt(m.expected, 8)}</td><td class="num">${fmt(m.actual, 8)}</td></tr>`).join('')}</tbody></table>`
			: '';
	return `<h3>After it stopped</h3>${kvTable('sut-end', rows)}${mismatches}`;
}

function statsdSection(s: SutReport): string {
	const d = s.statsd;
	if (!d)
		return '<h3>StatsD</h3><p class="empty" data-field="sut-statsd">the SUT sent no StatsD; its operations come from the venue side</p>';
	return `<h3>StatsD (its own figures)</h3>${kvTable('sut-statsd', [
		['Operations (ok / failed)', `${fmt(d.operations)} (${fmt(d.succeeded)} / ${fmt(d.failed)})`],
		['Failures during injected faults', fmt(d.failures_during_faults)],
		['Success rate', fmt(d.success_rate, 3, '%')],
		[
			'Latency avg / p99 / min / peak',
			`${fmt(d.avg_latency_ms, 2)} / ${fmt(d.p99_latency_ms, 2)} / ${fmt(d.min_latency_ms, 2)} / ${fmt(d.peak_latency_ms, 2)} ms`,
		],
		['Packets (malformed, unmapped)', `${fmt(d.packets)} (${fmt(d.malformed)}, ${fmt(d.unmapped)})`],
	])}`;
}

function logSection(s: SutReport): string {
	const lines = s.logs?.last_lines ?? [];
	if (lines.length === 0) return '';
	return `<h3>Last log lines</h3><pre class="sut-log">${lines.map(l => `<span data-stream="${e(l.stream)}"${l.error ? ' class="error"' : ''}>${e(l.at)} ${l.error ? '✘ ' : ''}${e(l.line)}</span>`).join('\n')}</pre>`;
}

/** The section, or nothing for a report without a SUT. */
export function sutSection(report: Report, marks: readonly TimeMark[], range?: readonly [number, number]): string {
	const s = (report as {sut?: SutReport | null}).sut;
	if (!s || typeof s !== 'object') return '';
	const checks = sutChecks(report);
	const count = (...verdicts: string[]) => checks.filter(c => verdicts.includes(c.check.verdict)).length;
	const failed = count('fail');
	const status = checks.length === 0 ? 'no-data' : failed > 0 ? 'fail' : 'pass';
	const others = checks.length - count('pass', 'warn', 'fail');
	const summary =
		checks.length === 0
			? 'not judged'
			: `${count('pass', 'warn')}/${checks.length} checks passed${others > 0 ? `, ${others} not judged (skipped or no data)` : ''}`;
	return `<section id="sut"><h2>System under test ${badge(status)} <span class="sub">${e(summary)}</span></h2>
<style>pre.sut-log{font-size:12px;background:#f6f7f9;padding:8px;overflow-x:auto;white-space:pre}pre.sut-log .error{color:var(--fail);font-weight:600}h3{font-size:14px;margin:16px 0 4px}</style>
${checksTable(report)}
${processTable(s)}
${resourceCharts(report, s, marks, range)}
${venueSection(s)}
${endSection(s)}
${statsdSection(s)}
${logSection(s)}
</section>`;
}
