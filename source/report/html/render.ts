/**
 * report.html: one self-contained page (inline CSS, charts as static SVG, no script, nothing fetched)
 * rendered from a `drydock.report/1` report. Optional fields (`timeline`, `machines`, `hostname`,
 * `chaos`, `resumed_from`) are drawn when present; a panel whose data the report lacks says so instead of drawing an empty chart.
 */
import hdr from 'hdr-histogram-js';
import {targetsOf, type Report, type ReportResourceSeries} from '../model.js';
import {passCount, type CheckResult} from '../../engine/checks.js';
import type {MachineRow} from '../merge/machine-rows.js';
import {barChart, percentileChart, timeChart, type TimeMark, type TimeSeries} from './charts.js';
import {chaosMarks, chaosSection} from './chaos.js';
import {escapeHtml as e} from './escape.js';
import {pageStyle} from './style.js';
import {sutSection} from './sut.js';
import {marketSection} from './market.js';

/** Time series a report may carry (one point per interval); rendered when present. */
export interface ReportTimeline {
	interval_ms: number;
	operations?: {
		at: string;
		operations: number;
		failed: number;
		p50_ms: number | null;
		p95_ms: number | null;
		p99_ms: number | null;
		max_ms: number | null;
	}[];
	errors?: {at: string; kind: string; count: number}[];
	streams?: {at: string; stream: string; rate_per_sec: number; gaps: number; reconnects: number}[];
}

export type HtmlReportInput = Report & {timeline?: ReportTimeline; hostname?: string; machines?: MachineRow[]};

const ms = (iso: string | null | undefined): number | null => {
	if (!iso) return null;
	const t = Date.parse(iso);
	return Number.isFinite(t) ? t : null;
};

function fmt(value: number | null | undefined, digits = 2, unit = ''): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return '—';
	return `${Number(value.toFixed(digits)).toLocaleString('en-US', {maximumFractionDigits: digits})}${unit}`;
}

function fmtDuration(msValue: number | null): string {
	if (msValue === null || !Number.isFinite(msValue)) return '—';
	const s = Math.round(msValue / 1000);
	if (s < 60) return msValue < 10_000 ? `${(msValue / 1000).toFixed(1)}s` : `${s}s`;
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const r = s % 60;
	return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(r).padStart(2, '0')}s`;
}

const badge = (status: string) => `<span class="badge s-${e(status.replace(/[^a-z-]/gi, ''))}">${e(status)}</span>`;

function chartPanel(id: string, title: string, body: string | {noData: string}): string {
	if (typeof body === 'string')
		return `<figure class="chart" data-chart="${e(id)}"><figcaption>${e(title)}</figcaption>${body}</figure>`;
	return `<figure class="chart no-data" data-chart="${e(id)}"><figcaption>${e(title)}</figcaption><div class="empty">no data — ${e(body.noData)}</div></figure>`;
}

/** The run's span on the time axis (start to end, or to the last sample of a checkpoint). */
function runRange(report: Report): [number, number] | undefined {
	const start = ms(report.start_time);
	if (start === null) return undefined;
	const end = ms(report.end_time) ?? start + report.duration_hours * 3_600_000;
	return end > start ? [start, end] : undefined;
}

const operatorLabel: Record<string, string> = {
	'kill-switch-engaged': 'kill switch on',
	'kill-switch-released': 'kill switch off',
	'force-reconnect': 'operator reconnect',
	'breaker-test': 'breaker test',
};

/** Faults (chaos faults with their index and failing verdict), and anomalies, for every time chart's axis. */
function timeMarks(report: Report): TimeMark[] {
	const chaos = chaosMarks(report);
	const marks: TimeMark[] = [...chaos.marks];
	for (const f of report.faults ?? []) {
		if (chaos.covers(f)) continue;
		marks.push({at: f.at, ...(f.recoveredAt !== undefined ? {until: f.recoveredAt} : {}), label: f.kind});
	}
	for (const a of report.anomalies ?? []) {
		const at = ms(a.at);
		if (at !== null) marks.push({at, label: a.metric});
	}
	// What the operator did is part of the record: each action is a mark on every time chart.
	for (const o of report.operator_actions ?? []) {
		const at = ms(o.at);
		if (at !== null) marks.push({at, label: operatorLabel[o.action] ?? o.action});
	}
	return marks;
}

function header(r: HtmlReportInput): string {
	const result = r.checkpoint ? 'checkpoint' : r.interrupted ? 'interrupted' : r.success ? 'pass' : 'fail';
	const start = ms(r.start_time);
	const end = ms(r.end_time);
	const rows: [string, string][] = [
		['Run', r.run_id],
		...(r.hostname ? ([['Host', r.hostname]] as [string, string][]) : []),
		['Profile', `${r.profile.name} (${r.profile.exchange}, ${r.profile.environment}, ${r.profile.execution})`],
		['Symbols', r.profile.symbols.join(', ') || '—'],
		['Plan', `${r.plan.name}: ${r.plan.phases.join(', ')}`],
		['Started', r.start_time],
		['Ended', r.end_time ?? 'still running'],
		['Duration', fmtDuration(start !== null ? (end ?? start + r.duration_hours * 3_600_000) - start : null)],
		['drydock', r.drydock_version],
	];
	if (r.interrupted) rows.push(['Interrupted by', r.interrupted_by ?? 'unknown']);
	return `<header>
<h1>drydock report ${badge(result)}</h1>
${resumedNote(r)}<dl class="meta">${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd${k === 'Host' ? ' data-field="hostname"' : ''}>${e(v)}</dd>`).join('')}<dt>Exit code</dt><dd data-field="exit-code">${e(r.exit_code ?? '—')}</dd></dl>
</header>`;
}

/** A run continued with `drydock run --resume DIR` says which interrupted segment it carries on (its report covers both). */
function resumedNote(r: Report): string {
	const from = r.resumed_from;
	if (!from || typeof from !== 'object' || typeof from.run_id !== 'string') return '';
	const done =
		typeof from.soak_elapsed_ms === 'number' ? `${fmtDuration(from.soak_elapsed_ms)} of soak done there` : null;
	const cancelled =
		typeof from.orders_cancelled === 'number' && from.orders_cancelled > 0
			? `${from.orders_cancelled} open order${from.orders_cancelled === 1 ? '' : 's'} cancelled on resume`
			: null;
	const facts = [done, typeof from.resumed_at === 'string' ? `resumed ${from.resumed_at}` : null, cancelled]
		.filter((x): x is string => x !== null)
		.join('; ');
	return `<p class="resumed" data-field="resumed-from">Resumed from run <strong data-field="resumed-run-id">${e(from.run_id)}</strong>${typeof from.dir === 'string' ? ` (<code>${e(from.dir)}</code>)` : ''}${facts ? `: ${e(facts)}` : ''}. This report covers both segments: finished phases, counters, latency histograms, errors and chaos records carry over from the interrupted run.</p>
`;
}

function targetsCell(r: Report): string {
	const t = targetsOf(r);
	if (t.overall) return 'yes';
	const missed = [t.latency ? null : 'latency', t.success_rate ? null : 'success rate'].filter(Boolean);
	return `no${missed.length > 0 ? ` (${missed.join(', ')})` : ''}`;
}

function cards(r: Report): string {
	const items: [string, string, string][] = [
		['grade', 'Grade', r.performance_grade ?? '—'],
		['success-rate', 'Success rate', fmt(r.success_rate, 3, '%')],
		['operations', 'Operations', fmt(r.total_operations, 0)],
		['avg-latency', 'Average latency', fmt(r.average_latency_ms, 3, ' ms')],
		['p99-latency', 'p99 latency', fmt(r.p99_latency_ms, 3, ' ms')],
		['peak-latency', 'Peak latency', fmt(r.peak_latency_ms, 3, ' ms')],
		['errors', 'Errors (critical)', `${fmt(r.metrics.total_errors, 0)} (${fmt(r.metrics.critical_errors, 0)})`],
		['targets', 'Targets met', targetsCell(r)],
	];
	return `<section class="cards">${items.map(([id, k, v]) => `<div class="card" data-card="${id}"><div class="k">${e(k)}</div><div class="v">${e(v)}</div></div>`).join('')}</section>`;
}

function measuredText(c: {measured: number | string | boolean | null; unit?: string}): string {
	if (c.measured === null || c.measured === undefined) return '—';
	return `${String(c.measured)}${c.unit ? ` ${c.unit}` : ''}`;
}

/** "N/M" passed: informational entries are not checks, and a warning is not a pass. */
function checkCount(checks: readonly CheckResult[]): string {
	const {passed, total} = passCount(checks);
	return `${passed}/${total}`;
}

function phaseTable(r: Report): string {
	const rows = r.phases
		.map(
			p =>
				`<tr class="phase" data-phase="${e(p.id)}" data-status="${e(p.status)}"><td>${e(p.id)}</td><td>${e(p.title)}</td><td>${badge(p.status)}</td><td class="num">${checkCount(p.checks)}</td><td class="num">${e(fmtDuration(p.duration_ms))}</td><td>${e(p.reason ?? '')}</td></tr>`,
		)
		.join('\n');
	const details = r.phases
		.filter(p => p.checks.length > 0)
		.map(p => {
			// Whatever did not pass opens, so its reasons are read without a click.
			const open =
				p.status === 'fail' || p.status === 'no-data' || p.status === 'warn' || p.status === 'interrupted'
					? ' open'
					: '';
			const checks = p.checks
				.map(
					c =>
						`<tr class="check" data-check="${e(c.id)}" data-verdict="${e(c.verdict)}"><td>${badge(c.verdict)}</td><td>${e(c.title)}<div class="sub">${e(c.id)}</div></td><td>${e(measuredText(c))}</td><td>${e(c.threshold ?? '—')}</td><td>${e(c.reason ?? '')}</td></tr>`,
				)
				.join('\n');
			return `<details class="checks" data-phase="${e(p.id)}"${open}><summary>${e(p.title)} — ${badge(p.status)} ${p.checks.length} checks</summary><table><thead><tr><th>Verdict</th><th>Check</th><th>Measured</th><th>Threshold</th><th>Reason</th></tr></thead><tbody>${checks}</tbody></table></details>`;
		})
		.join('\n');
	const why = r.phases.flatMap(p =>
		p.checks
			.filter(c => c.verdict === 'fail' || c.verdict === 'warn' || c.verdict === 'no-data')
			.map(c => ({phase: p.id, c})),
	);
	const reasons =
		why.length > 0
			? `<ul class="reasons" data-field="reasons">${why.map(({phase, c}) => `<li data-check="${e(c.id)}" data-verdict="${e(c.verdict)}">${badge(c.verdict)} <strong>${e(phase)}</strong> ${e(c.title)}: ${e(c.reason ?? `measured ${measuredText(c)}${c.threshold ? `, threshold ${c.threshold}` : ''}`)}</li>`).join('')}</ul>`
			: '';
	return `<section id="phases"><h2>Phases</h2>
${reasons}<table class="phases"><thead><tr><th>Phase</th><th>Title</th><th>Status</th><th>Checks</th><th>Duration</th><th>Reason</th></tr></thead><tbody>
${rows || '<tr><td colspan="6">no phases</td></tr>'}
</tbody></table>
${details}</section>`;
}

function soakSummary(r: Report): string {
	const soak = r.phases.find(p => p.id === 'soak');
	if (r.test_type !== 'soak' && !soak) return '';
	const m = r.metrics;
	const rows: [string, string][] = [
		['Status', soak?.status ?? '—'],
		['Duration (h)', fmt(r.duration_hours, 3)],
		['Operations', fmt(r.total_operations, 0)],
		['Success rate', fmt(r.success_rate, 3, '%')],
		[
			'Latency avg / p50 / p99',
			`${fmt(r.average_latency_ms, 3)} / ${fmt(r.p50_latency_ms, 3)} / ${fmt(r.p99_latency_ms, 3)} ms`,
		],
		['Latency min / peak', `${fmt(r.min_latency_ms, 3)} / ${fmt(r.peak_latency_ms, 3)} ms`],
		['Errors per hour', fmt(m.error_rate_per_hour, 2)],
		['Critical errors', fmt(m.critical_errors, 0)],
		['Memory avg / peak', `${fmt(m.average_memory_mb, 1)} / ${fmt(m.peak_memory_mb, 1)} MB`],
		['RSS slope', fmt(m.rss_slope_mb_per_hour, 2, ' MB/h')],
		['CPU average', fmt(m.average_cpu_percent, 1, '%')],
		[
			'Orders placed / filled / canceled / rejected',
			`${m.orders_placed} / ${m.orders_filled} / ${m.orders_canceled} / ${m.orders_rejected}`,
		],
		['Positions opened / closed', `${m.positions_opened} / ${m.positions_closed}`],
		['Risk rejections', String(m.risk_rejections)],
		['Consistency', r.consistency_valid === null ? 'not checked' : r.consistency_valid ? 'valid' : 'INVALID'],
		['Targets met', targetsCell(r)],
	];
	return `<section id="soak"><h2>Soak <span class="grade" data-field="grade">${e(r.performance_grade ?? '—')}</span></h2>
<table class="kv">${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table></section>`;
}

/** Percentile curve of each encoded histogram in the report (microseconds → ms). */
function distributionChart(r: Report): string {
	const labels: [string, number][] = [
		['50', 50],
		['75', 75],
		['90', 90],
		['95', 95],
		['99', 99],
		['99.9', 99.9],
		['99.99', 99.99],
		['max', 100],
	];
	const series: {name: string; points: {label: string; ms: number}[]}[] = [];
	const h = r.histograms;
	const sources: [string, string | null | undefined][] = [
		['operations', h?.operations],
		['soak', h?.soak],
		['exchange calls', h?.calls],
	];
	for (const [name, data] of sources) {
		if (!data) continue;
		try {
			const hist = hdr.decodeFromCompressedBase64(data);
			if (hist.totalCount > 0)
				series.push({
					name: `${name} (${hist.totalCount})`,
					points: labels.map(([label, p]) => ({label, ms: hist.getValueAtPercentile(p) / 1000})),
				});
		} catch {
			// A damaged histogram leaves its series out; the others still draw.
		}
	}
	return chartPanel(
		'latency-distribution',
		'Latency by percentile (whole run)',
		series.length > 0 ? percentileChart({series}) : {noData: 'no latency recorded'},
	);
}

function resourceCharts(r: Report, marks: TimeMark[]): string {
	const range = runRange(r);
	const tracks: [string, ReportResourceSeries | null | undefined][] = [
		['drydock', r.resources?.self],
		['watched', r.resources?.watched],
	];
	const cpu: TimeSeries[] = [];
	const rss: TimeSeries[] = [];
	for (const [who, track] of tracks) {
		if (!track || track.samples.length === 0) continue;
		const name = `${who}${track.pid !== null ? ` (pid ${track.pid})` : ''}`;
		const pts = (pick: (s: ReportResourceSeries['samples'][number]) => number | null) =>
			track.samples.map(s => [ms(s.at) ?? 0, pick(s)] as const).filter(p => p[0] > 0);
		cpu.push({name, points: pts(s => s.cpu_percent)});
		rss.push({name, points: pts(s => s.rss_mb)});
	}
	for (const machine of (r as HtmlReportInput).machines ?? []) {
		const track = machine.resources;
		if (!track || track.samples.length === 0) continue;
		const name = machine.hostname ?? machine.run_id;
		cpu.push({name, points: track.samples.map(s => [ms(s.at) ?? 0, s.cpu_percent] as const)});
		rss.push({name, points: track.samples.map(s => [ms(s.at) ?? 0, s.rss_mb] as const)});
	}
	const none = {noData: 'no resource samples in this report (one is taken every 30 s)'};
	return (
		chartPanel(
			'cpu',
			'CPU over time (% of one core)',
			cpu.length > 0 ? timeChart({series: cpu, yName: '%', marks, range}) : none,
		) +
		chartPanel(
			'memory',
			'Memory (RSS) over time',
			rss.length > 0 ? timeChart({series: rss, yName: 'MB', marks, range}) : none,
		)
	);
}

function operationCharts(r: HtmlReportInput, marks: TimeMark[]): string {
	const range = runRange(r);
	const ops = r.timeline?.operations ?? [];
	const interval = (r.timeline?.interval_ms ?? 1000) / 1000;
	const none = {noData: 'this report has no operations timeline (timeline.operations)'};
	if (ops.length === 0)
		return (
			chartPanel('latency-over-time', 'Latency percentiles over time', none) +
			chartPanel('ops-per-second', 'Operations per second', none)
		);
	const at = (p: {at: string}) => ms(p.at) ?? 0;
	const latency: TimeSeries[] = [
		{name: 'p50', points: ops.map(p => [at(p), p.p50_ms] as const)},
		{name: 'p95', points: ops.map(p => [at(p), p.p95_ms] as const)},
		{name: 'p99', points: ops.map(p => [at(p), p.p99_ms] as const)},
		{name: 'max', points: ops.map(p => [at(p), p.max_ms] as const)},
	];
	const rate: TimeSeries[] = [
		{name: 'operations/s', points: ops.map(p => [at(p), p.operations / interval] as const), area: true},
		{name: 'failed/s', points: ops.map(p => [at(p), p.failed / interval] as const)},
	];
	return (
		chartPanel(
			'latency-over-time',
			'Latency percentiles over time',
			timeChart({series: latency, yName: 'ms', marks, range}),
		) + chartPanel('ops-per-second', 'Operations per second', timeChart({series: rate, yName: 'ops/s', marks, range}))
	);
}

/** Groups `{at, key, value}` rows into one series per key; with `fillTimes`, missing points are zeros. */
function seriesByKey<T extends {at: string}>(
	rows: readonly T[],
	key: (row: T) => string,
	value: (row: T) => number,
	limit = 8,
	fillTimes?: readonly number[],
): TimeSeries[] {
	const byKey = new Map<string, Map<number, number>>();
	for (const row of rows) {
		const t = ms(row.at);
		if (t === null) continue;
		const k = key(row);
		let points = byKey.get(k);
		if (!points) byKey.set(k, (points = new Map<number, number>()));
		points.set(t, (points.get(t) ?? 0) + value(row));
	}
	return [...byKey.entries()].slice(0, limit).map(([name, points]) => {
		const times = fillTimes ?? [...points.keys()];
		return {
			name,
			points: [...new Set(times)].sort((a, b) => a - b).map(t => [t, points.get(t) ?? 0] as const),
			step: true,
		};
	});
}

function errorCharts(r: HtmlReportInput, marks: TimeMark[]): string {
	const range = runRange(r);
	const rows = r.timeline?.errors ?? [];
	const overTime =
		rows.length > 0
			? chartPanel(
					'errors-over-time',
					'Errors by kind over time',
					timeChart({
						series: seriesByKey(
							rows,
							x => x.kind,
							x => x.count,
							8,
							[...(r.timeline?.operations ?? []), ...rows].map(x => ms(x.at) ?? 0),
						),
						yName: 'errors',
						marks,
						range,
					}),
				)
			: chartPanel('errors-over-time', 'Errors by kind over time', {
					noData:
						r.errors.length === 0 ? 'no errors' : 'this report has no errors timeline (timeline.errors); totals below',
				});
	const kinds = new Map<string, number>();
	for (const g of r.errors) kinds.set(g.kind, (kinds.get(g.kind) ?? 0) + g.count);
	const totals =
		kinds.size > 0
			? chartPanel(
					'errors-by-kind',
					'Errors by kind (whole run)',
					barChart({
						labels: [...kinds.keys()],
						series: [{name: 'errors', values: [...kinds.values()]}],
						yName: 'count',
					}),
				)
			: chartPanel('errors-by-kind', 'Errors by kind (whole run)', {noData: 'no errors'});
	return overTime + totals;
}

/** Trades missed across reconnects, recovered from REST, lost (a lost one shows as a warning); — for a stream that was never backfilled (depth, older reports). */
function backfillCells(s: Report['streams'][number]): string {
	const b = s.backfill;
	if (b === undefined || b.gaps === 0) return '<td class="num">—</td><td class="num">—</td><td class="num">—</td>';
	return `<td class="num" data-backfill="missed">${fmt(b.missed, 0)}</td><td class="num" data-backfill="recovered">${fmt(b.recovered, 0)}</td><td class="num${b.lost > 0 ? ' warn' : ''}" data-backfill="lost">${fmt(b.lost, 0)}</td>`;
}

function streamSection(r: HtmlReportInput, marks: TimeMark[]): string {
	const range = runRange(r);
	const rows = r.timeline?.streams ?? [];
	const rates =
		rows.length > 0
			? chartPanel(
					'stream-rates',
					'Stream message rates over time',
					timeChart({
						series: seriesByKey(
							rows,
							x => x.stream,
							x => x.rate_per_sec,
						),
						yName: 'msg/s',
						marks,
						range,
					}),
				)
			: chartPanel('stream-rates', 'Stream message rates over time', {
					noData:
						r.streams.length === 0
							? 'no streams in this run'
							: 'this report has no stream timeline (timeline.streams); totals below',
				});
	const gapRows = rows.filter(x => x.gaps > 0 || x.reconnects > 0);
	const gaps =
		gapRows.length > 0
			? chartPanel(
					'stream-gaps',
					'Stream gaps and reconnects over time',
					timeChart({
						series: [
							...seriesByKey(
								gapRows,
								x => `${x.stream} gaps`,
								x => x.gaps,
								4,
							),
							...seriesByKey(
								gapRows,
								x => `${x.stream} reconnects`,
								x => x.reconnects,
								4,
							),
						],
						yName: 'count',
						marks,
						range,
					}),
				)
			: r.streams.length > 0
				? chartPanel(
						'stream-gaps',
						'Stream gaps and reconnects (whole run)',
						barChart({
							labels: r.streams.map(s => s.id),
							series: [
								{name: 'gaps', values: r.streams.map(s => s.gaps)},
								{name: 'reconnects', values: r.streams.map(s => s.reconnects)},
							],
							yName: 'count',
						}),
					)
				: chartPanel('stream-gaps', 'Stream gaps and reconnects', {noData: 'no streams in this run'});
	const table =
		r.streams.length > 0
			? `<table class="streams"><thead><tr><th>Stream</th><th>Kind</th><th>Symbol</th><th>Messages</th><th>Gaps</th><th>Reconnects</th><th>Missed</th><th>Recovered</th><th>Lost</th><th>Latency avg</th><th>p99</th></tr></thead><tbody>${r.streams
					.map(
						s =>
							`<tr data-stream="${e(s.id)}"><td>${e(s.id)}</td><td>${e(s.kind)}</td><td>${e(s.symbol)}</td><td class="num">${fmt(s.messages, 0)}</td><td class="num">${fmt(s.gaps, 0)}</td><td class="num">${fmt(s.reconnects, 0)}</td>${backfillCells(s)}<td class="num">${fmt(s.latency_avg_ms, 3, ' ms')}</td><td class="num">${fmt(s.latency_p99_ms, 3, ' ms')}</td></tr>`,
					)
					.join('')}</tbody></table>`
			: '';
	return `<section id="streams"><h2>Streams</h2><div class="grid">${rates}${gaps}</div>${table}</section>`;
}

function eventsSection(r: Report): string {
	const start = ms(r.start_time) ?? 0;
	const rel = (t: number) => `+${fmtDuration(t - start)}`;
	const rows = [
		...(r.faults ?? []).map(f => ({
			at: f.at,
			type: 'fault',
			what: f.kind,
			detail: f.detail,
			recovery:
				f.recoveredAt !== undefined ? `recovered after ${fmtDuration(f.recoveredAt - f.at)}` : 'no recovery seen',
		})),
		...(r.anomalies ?? []).map(a => ({
			at: ms(a.at) ?? 0,
			type: 'anomaly',
			what: a.metric,
			detail: `${a.detail} (${a.value} > ${a.limit})`,
			recovery: '',
		})),
		...(r.operator_actions ?? []).map(o => ({
			at: ms(o.at) ?? 0,
			type: 'operator',
			what: o.action,
			detail: o.detail,
			recovery: '',
		})),
	].sort((a, b) => a.at - b.at);
	if (rows.length === 0)
		return `<section id="events"><h2>Faults, anomalies and operator actions</h2><p class="empty">none recorded</p></section>`;
	return `<section id="events"><h2>Faults, anomalies and operator actions</h2><table><thead><tr><th>When</th><th>Type</th><th>What</th><th>Detail</th><th>Recovery</th></tr></thead><tbody>${rows
		.map(
			x =>
				`<tr data-event="${e(x.type)}"><td>${e(new Date(x.at).toISOString())} <span class="sub">${e(rel(x.at))}</span></td><td>${e(x.type)}</td><td>${e(x.what)}</td><td>${e(x.detail)}</td><td>${e(x.recovery)}</td></tr>`,
		)
		.join('')}</tbody></table></section>`;
}

function errorsTable(r: Report): string {
	if (r.errors.length === 0) return '';
	// Errors drydock caused on purpose (injected faults) are shown apart from the real ones.
	const real = r.errors.map(g => ({g, n: g.count - (g.injected ?? 0)})).filter(x => x.n > 0);
	const injected = r.errors.map(g => ({g, n: g.injected ?? 0})).filter(x => x.n > 0);
	const table = (id: string, title: string, rows: {g: Report['errors'][number]; n: number}[]) =>
		`<h3>${e(title)} (${fmt(
			rows.reduce((sum, x) => sum + x.n, 0),
			0,
		)})</h3><table data-errors="${id}"><thead><tr><th>Kind</th><th>Message</th><th>Phase</th><th>Count</th><th>Critical</th><th>First seen</th><th>Last seen</th></tr></thead><tbody>${rows
			.map(
				({g, n}) =>
					`<tr data-error-kind="${e(g.kind)}"${g.critical ? ' class="critical"' : ''}><td>${e(g.kind)}</td><td>${e(g.message)}</td><td>${e(g.phase ?? '—')}</td><td class="num">${fmt(n, 0)}</td><td>${g.critical ? 'yes' : ''}</td><td>${e(new Date(g.firstSeen).toISOString())}</td><td>${e(new Date(g.lastSeen).toISOString())}</td></tr>`,
			)
			.join('')}</tbody></table>`;
	return `<section id="errors"><h2>Errors</h2>${real.length > 0 ? table('real', 'Real errors', real) : '<p class="empty" data-errors="real">no real errors</p>'}${injected.length > 0 ? table('injected', 'Under injected faults (expected, not counted against the run)', injected) : ''}</section>`;
}

function controlsSection(r: Report): string {
	const b = r.breaker;
	const k = r.kill_switch;
	const rows: [string, string][] = [
		[
			'Circuit breaker',
			b ? `${b.state}, ${b.transitions} transitions, ${b.consecutiveFailures} consecutive failures` : '—',
		],
		['Kill switch', k ? `${k.engaged ? 'ENGAGED' : 'released'}, ${k.ordersCancelled} orders cancelled` : '—'],
		['Orders cancelled on exit', r.orders_cancelled_on_exit === null ? '—' : String(r.orders_cancelled_on_exit)],
		[
			'Exchange calls',
			`${fmt(r.calls?.count, 0)} calls, avg ${fmt(r.calls?.average_ms, 3, ' ms')}, p99 ${fmt(r.calls?.p99_ms, 3, ' ms')}`,
		],
	];
	return `<section id="controls"><h2>Breaker, kill switch, calls</h2><table class="kv">${rows.map(([key, v]) => `<tr><th>${e(key)}</th><td>${e(v)}</td></tr>`).join('')}</table></section>`;
}

function machinesSection(r: HtmlReportInput): string {
	const machines = r.machines ?? [];
	if (machines.length === 0) return '';
	return `<section id="machines"><h2>Machines (${machines.length})</h2><table><thead><tr><th>Host</th><th>Run</th><th>Source</th><th>Started</th><th>Operations</th><th>Success</th><th>avg / p99 ms</th><th>Grade</th><th>Result</th></tr></thead><tbody>${machines
		.map(
			m =>
				`<tr data-machine="${e(m.run_id)}"><td>${e(m.hostname ?? '—')}</td><td>${e(m.run_id)}</td><td>${e(m.source ?? '—')}</td><td>${e(m.start_time)}</td><td class="num">${fmt(m.operations, 0)}</td><td class="num">${fmt(m.success_rate, 3, '%')}</td><td class="num">${fmt(m.average_latency_ms, 3)} / ${fmt(m.p99_latency_ms, 3)}</td><td>${e(m.grade ?? '—')}</td><td>${badge(m.success ? 'pass' : 'fail')}</td></tr>`,
		)
		.join('')}</tbody></table></section>`;
}

/** Renders the whole page. Pure: same report, same HTML. */
export function renderHtmlReport(report: HtmlReportInput): string {
	const marks = timeMarks(report);
	const charts = `<section id="charts"><h2>Over time</h2><p class="legend-note">Dashed red lines mark injected faults (chaos faults as <em>#index fault</em>) and anomalies; shading lasts until recovery.</p><div class="grid">
${operationCharts(report, marks)}
${distributionChart(report)}
${errorCharts(report, marks)}
${resourceCharts(report, marks)}
</div></section>`;
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>drydock ${e(report.run_id)}</title>
<style>${pageStyle}</style></head>
<body>
${header(report)}
${cards(report)}
${phaseTable(report)}
${soakSummary(report)}
${charts}
${sutSection(report, marks, runRange(report))}
${streamSection(report, marks)}
${chaosSection(report)}
${marketSection(report)}
${eventsSection(report)}
${errorsTable(report)}
${controlsSection(report)}
${machinesSection(report)}
<footer>drydock ${e(report.drydock_version)} · schema ${e(report.schema)} · rendered from report.json; charts are static SVG (Apache ECharts, server-side)</footer>
</body></html>
`;
}
