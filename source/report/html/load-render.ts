/**
 * load-report.html: the page for a `drydock.load-report/1` report (one machine or merged): verdict and
 * thresholds, Locust's request and percentile tables, failures, latency by percentile from the HDR
 * histograms, and per-machine rows when merged. Same rules as report.html: no script, nothing fetched.
 */
import hdr from 'hdr-histogram-js';
import type {LoadReport, LoadReportEntry} from '../../load/report.js';
import type {MachineRow} from '../merge/machine-rows.js';
import {barChart, percentileChart, timeChart, type TimeSeries} from './charts.js';
import {escapeHtml as e} from './escape.js';
import {pageStyle} from './style.js';

export type LoadHtmlInput = LoadReport & {machines?: MachineRow[]; hostname?: string};

const fmt = (v: number | null | undefined, digits = 2) =>
	v === null || v === undefined || !Number.isFinite(v)
		? '—'
		: Number(v.toFixed(digits)).toLocaleString('en-US', {maximumFractionDigits: digits});
const badge = (status: string) => `<span class="badge s-${e(status)}">${e(status)}</span>`;
const label = (entry: Pick<LoadReportEntry, 'method' | 'name'>) =>
	`${entry.method ? `${entry.method} ` : ''}${entry.name}`;

function panel(id: string, title: string, body: string | {noData: string}): string {
	if (typeof body === 'string')
		return `<figure class="chart" data-chart="${e(id)}"><figcaption>${e(title)}</figcaption>${body}</figure>`;
	return `<figure class="chart no-data" data-chart="${e(id)}"><figcaption>${e(title)}</figcaption><div class="empty">no data — ${e(body.noData)}</div></figure>`;
}

function distribution(report: LoadReport): string {
	const points: [string, number][] = [
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
	const sources: [string, string | undefined][] = [
		['response time', report.aggregated.histogram?.data],
		['from intended send (corrected)', report.aggregated.correctedHistogram?.data],
	];
	for (const [name, data] of sources) {
		if (!data) continue;
		try {
			const h = hdr.decodeFromCompressedBase64(data);
			if (h.totalCount > 0)
				series.push({name, points: points.map(([l, p]) => ({label: l, ms: h.getValueAtPercentile(p) / 1000}))});
		} catch {
			// A damaged histogram is left out.
		}
	}
	return panel(
		'latency-distribution',
		'Response time by percentile (all requests)',
		series.length > 0 ? percentileChart({series}) : {noData: 'no requests'},
	);
}

/** Requests/s, latency percentiles and users per second of the run, and the target's CPU and memory. */
/** Long runs: at most ~600 points per chart (means per bucket; the percentiles keep each bucket's worst second). */
function downsample(points: NonNullable<LoadReport['timeline']>): NonNullable<LoadReport['timeline']> {
	const size = Math.ceil(points.length / 600);
	if (size <= 1) return points;
	const out: NonNullable<LoadReport['timeline']> = [];
	for (let i = 0; i < points.length; i += size) {
		const bucket = points.slice(i, i + size);
		const mean = (pick: (p: (typeof bucket)[number]) => number) =>
			bucket.reduce((sum, p) => sum + pick(p), 0) / bucket.length;
		const worst = (pick: (p: (typeof bucket)[number]) => number) => Math.max(...bucket.map(pick));
		out.push({
			second: bucket[0]!.second,
			rps: mean(p => p.rps),
			failures_per_second: mean(p => p.failures_per_second),
			p50_ms: worst(p => p.p50_ms),
			p95_ms: worst(p => p.p95_ms),
			p99_ms: worst(p => p.p99_ms),
			users: mean(p => p.users),
		});
	}
	return out;
}

function overTime(report: LoadReport): string {
	const timeline = downsample(report.timeline ?? []);
	const start = Date.parse(report.start_time);
	const at = (second: number) => start + second * 1000;
	const range = [start, at(Math.max(1, report.duration_seconds))] as const;
	const series = (name: string, pick: (p: NonNullable<LoadReport['timeline']>[number]) => number): TimeSeries => ({
		name,
		points: timeline.map(p => [at(p.second), pick(p)] as const),
	});
	const none = {noData: 'no whole second recorded'};
	const charts = [
		panel(
			'rps-over-time',
			'Requests per second',
			timeline.length
				? timeChart({
						series: [series('requests/s', p => p.rps), series('failures/s', p => p.failures_per_second)],
						yName: 'req/s',
						range,
					})
				: none,
		),
		panel(
			'latency-over-time',
			'Response time per second (ms)',
			timeline.length
				? timeChart({
						series: [series('p50', p => p.p50_ms), series('p95', p => p.p95_ms), series('p99', p => p.p99_ms)],
						yName: 'ms',
						range,
					})
				: none,
		),
		panel(
			'users-over-time',
			'Users',
			timeline.length ? timeChart({series: [series('users', p => p.users)], yName: 'users', range}) : none,
		),
	];
	const target = report.target_process;
	if (target) {
		const samples = target.samples;
		const points = (pick: (s: (typeof samples)[number]) => number) =>
			samples.map(s => [at(s.second), pick(s)] as const);
		const empty = {noData: `no sample of pid ${target.pid}${target.exited ? ' (it exited)' : ''}`};
		charts.push(
			panel(
				'target-cpu',
				`Target pid ${target.pid}: CPU (% of a core)`,
				target.samples.length
					? timeChart({series: [{name: 'CPU %', points: points(s => s.cpuPercent)}], yName: '%', range})
					: empty,
			),
		);
		charts.push(
			panel(
				'target-memory',
				`Target pid ${target.pid}: memory (RSS MB)`,
				target.samples.length
					? timeChart({series: [{name: 'RSS MB', points: points(s => s.rssMb)}], yName: 'MB', range})
					: empty,
			),
		);
	}
	return `<section id="over-time"><h2>Over time</h2><div class="grid">${charts.join('')}</div></section>`;
}

function stepTable(report: LoadReport): string {
	const steps = report.steps ?? [];
	if (steps.length === 0) return '';
	const rows = steps
		.map(
			s =>
				`<tr data-step="${s.users}"><td class="num">${fmt(s.users, 0)}</td><td class="num">${fmt(s.from_second, 0)}–${fmt(s.to_second, 0)} s</td><td class="num">${fmt(s.requests, 0)}</td><td class="num">${fmt(s.failures, 0)}</td><td class="num">${fmt(s.rps)}</td><td class="num">${fmt(s.p50_ms)}</td><td class="num">${fmt(s.p95_ms)}</td><td class="num">${fmt(s.p99_ms)}</td><td class="num">${fmt(s.max_ms)}</td></tr>`,
		)
		.join('');
	return `<section id="steps"><h2>Per step</h2><table><thead><tr><th>Users</th><th>Span</th><th># reqs</th><th># fails</th><th>req/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function costLines(report: LoadReport): [string, string][] {
	const lines: [string, string][] = [];
	if (report.cost)
		lines.push([
			'drydock CPU',
			`${fmt(report.cost.cpu_seconds, 2)} s (${fmt(report.cost.requests_per_cpu_second, 0)} requests per CPU-second)`,
		]);
	const t = report.target_process;
	if (t)
		lines.push([
			`Target pid ${t.pid}`,
			`CPU avg ${fmt(t.cpu_avg_percent, 1)} % / max ${fmt(t.cpu_max_percent, 1)} %, RSS max ${fmt(t.rss_max_mb, 1)} MB${t.exited ? ' (exited during the run)' : ''}`,
		]);
	return lines;
}

export function renderLoadHtmlReport(report: LoadHtmlInput): string {
	const result = report.interrupted ? 'interrupted' : report.success ? 'pass' : 'fail';
	const rows = [...report.entries, report.aggregated];
	const labels = Object.keys(report.aggregated.percentiles);
	const meta: [string, string][] = [
		['Run', report.id],
		...(report.hostname ? ([['Host', report.hostname]] as [string, string][]) : []),
		['Scenario', report.scenario],
		['Target', report.host],
		['Started', report.start_time],
		['Ended', report.end_time],
		['Duration', `${fmt(report.duration_seconds, 1)} s`],
		[
			'Mode',
			`${report.config.mode}, ${report.config.users} users${report.config.arrivalRate !== null ? `, ${report.config.arrivalRate}/s arrival rate` : ''}`,
		],
		['Peak users', String(report.peak_users)],
		...costLines(report),
	];
	const thresholds =
		report.thresholds.length === 0
			? '<p class="empty">no thresholds</p>'
			: `<table><thead><tr><th>Threshold</th><th>Actual</th><th>Result</th></tr></thead><tbody>${report.thresholds.map(t => `<tr data-threshold="${e(t.expression)}"><td>${e(t.expression)}</td><td class="num">${fmt(t.actual, 3)}</td><td>${badge(t.passed ? 'pass' : 'fail')}</td></tr>`).join('')}</tbody></table>`;
	const requestRows = rows
		.map(
			r =>
				`<tr data-entry="${e(label(r))}"><td>${e(r.method)}</td><td>${e(r.name)}</td><td class="num">${fmt(r.requests, 0)}</td><td class="num">${fmt(r.failures, 0)} (${fmt(r.failRatio * 100, 2)}%)</td><td class="num">${fmt(r.avgMs)}</td><td class="num">${fmt(r.minMs)}</td><td class="num">${fmt(r.maxMs)}</td><td class="num">${fmt(r.medianMs)}</td><td class="num">${fmt(r.rps)}</td><td class="num">${fmt(r.failuresPerSecond)}</td></tr>`,
		)
		.join('');
	const percentileRows = rows
		.map(
			r =>
				`<tr><td>${e(label(r))}</td>${labels.map(l => `<td class="num">${fmt(r.percentiles[l])}</td>`).join('')}</tr>`,
		)
		.join('');
	const failures =
		report.failures.length === 0
			? '<p class="empty">no failures</p>'
			: `<table><thead><tr><th># occurrences</th><th>Request</th><th>Error</th></tr></thead><tbody>${report.failures.map(f => `<tr data-failure><td class="num">${fmt(f.occurrences, 0)}</td><td>${e(`${f.method} ${f.name}`)}</td><td>${e(f.error)}</td></tr>`).join('')}</tbody></table>`;
	const perEntry =
		report.entries.length > 0
			? barChart({
					labels: report.entries.map(label),
					series: [
						{name: 'p50 ms', values: report.entries.map(r => r.percentiles['50%'] ?? 0)},
						{name: 'p99 ms', values: report.entries.map(r => r.percentiles['99%'] ?? 0)},
					],
					yName: 'ms',
				})
			: {noData: 'no requests'};
	const machines = report.machines ?? [];
	const machineTable =
		machines.length === 0
			? ''
			: `<section id="machines"><h2>Machines (${machines.length})</h2><table><thead><tr><th>Host</th><th>Run</th><th>Source</th><th>Started</th><th>Requests</th><th>Failures</th><th>avg / p99 ms</th><th>Result</th></tr></thead><tbody>${machines.map(m => `<tr data-machine="${e(m.run_id)}"><td>${e(m.hostname ?? '—')}</td><td>${e(m.run_id)}</td><td>${e(m.source ?? '—')}</td><td>${e(m.start_time)}</td><td class="num">${fmt(m.operations, 0)}</td><td class="num">${fmt(m.failures, 0)}</td><td class="num">${fmt(m.average_latency_ms)} / ${fmt(m.p99_latency_ms)}</td><td>${badge(m.success ? 'pass' : 'fail')}</td></tr>`).join('')}</tbody></table></section>`;
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>drydock load ${e(report.id)}</title>
<style>${pageStyle}</style></head>
<body>
<header><h1>drydock load report ${badge(result)}</h1>
<dl class="meta">${meta.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl></header>
<section id="thresholds"><h2>Thresholds</h2>${thresholds}</section>
<section id="requests"><h2>Requests</h2><table><thead><tr><th>Type</th><th>Name</th><th># reqs</th><th># fails</th><th>Avg ms</th><th>Min</th><th>Max</th><th>Median</th><th>req/s</th><th>failures/s</th></tr></thead><tbody>${requestRows}</tbody></table>
<h2>Response time percentiles (ms)</h2><table><thead><tr><th>Request</th>${labels.map(l => `<th>${e(l)}</th>`).join('')}</tr></thead><tbody>${percentileRows}</tbody></table></section>
${overTime(report)}
${stepTable(report)}
<section id="charts"><h2>Distribution</h2><div class="grid">${distribution(report)}${panel('per-request', 'p50 and p99 per request', perEntry)}</div></section>
<section id="failures"><h2>Failures</h2>${failures}${report.task_errors > 0 ? `<p>Task errors outside any request: ${fmt(report.task_errors, 0)}</p>` : ''}${report.dropped_iterations > 0 ? `<p>Arrival-rate iterations dropped: ${fmt(report.dropped_iterations, 0)}</p>` : ''}</section>
${machineTable}
<footer>drydock · schema ${e(report.schema)} · charts are static SVG (Apache ECharts, server-side)</footer>
</body></html>
`;
}
