/**
 * load-report.html: the page for a `drydock.load-report/1` report (one machine or merged): verdict and
 * thresholds, Locust's request and percentile tables, failures, latency by percentile from the HDR
 * histograms, and per-machine rows when merged. Same rules as report.html: no script, nothing fetched.
 */
import hdr from 'hdr-histogram-js';
import type {LoadReport, LoadReportEntry} from '../../load/report.js';
import type {MachineRow} from '../merge/types.js';
import {barChart, percentileChart} from './charts.js';
import {escapeHtml as e} from './escape.js';
import {pageStyle} from './style.js';

export type LoadHtmlInput = LoadReport & {machines?: MachineRow[]; hostname?: string};

const fmt = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toFixed(digits)).toLocaleString('en-US', {maximumFractionDigits: digits}));
const badge = (status: string) => `<span class="badge s-${e(status)}">${e(status)}</span>`;
const label = (entry: Pick<LoadReportEntry, 'method' | 'name'>) => `${entry.method ? `${entry.method} ` : ''}${entry.name}`;

function panel(id: string, title: string, body: string | {noData: string}): string {
	if (typeof body === 'string') return `<figure class="chart" data-chart="${e(id)}"><figcaption>${e(title)}</figcaption>${body}</figure>`;
	return `<figure class="chart no-data" data-chart="${e(id)}"><figcaption>${e(title)}</figcaption><div class="empty">no data — ${e(body.noData)}</div></figure>`;
}

function distribution(report: LoadReport): string {
	const points: [string, number][] = [['50', 50], ['75', 75], ['90', 90], ['95', 95], ['99', 99], ['99.9', 99.9], ['99.99', 99.99], ['max', 100]];
	const series: {name: string; points: {label: string; ms: number}[]}[] = [];
	const sources: [string, string | undefined][] = [
		['response time', report.aggregated.histogram?.data],
		['from intended send (corrected)', report.aggregated.correctedHistogram?.data],
	];
	for (const [name, data] of sources) {
		if (!data) continue;
		try {
			const h = hdr.decodeFromCompressedBase64(data);
			if (h.totalCount > 0) series.push({name, points: points.map(([l, p]) => ({label: l, ms: h.getValueAtPercentile(p) / 1000}))});
		} catch {
			// A damaged histogram is left out.
		}
	}
	return panel('latency-distribution', 'Response time by percentile (all requests)', series.length > 0 ? percentileChart({series}) : {noData: 'no requests'});
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
		['Mode', `${report.config.mode}, ${report.config.users} users${report.config.arrivalRate !== null ? `, ${report.config.arrivalRate}/s arrival rate` : ''}`],
		['Peak users', String(report.peak_users)],
	];
	const thresholds =
		report.thresholds.length === 0
			? '<p class="empty">no thresholds</p>'
			: `<table><thead><tr><th>Threshold</th><th>Actual</th><th>Result</th></tr></thead><tbody>${report.thresholds.map(t => `<tr data-threshold="${e(t.expression)}"><td>${e(t.expression)}</td><td class="num">${fmt(t.actual, 3)}</td><td>${badge(t.passed ? 'pass' : 'fail')}</td></tr>`).join('')}</tbody></table>`;
	const requestRows = rows
		.map(r => `<tr data-entry="${e(label(r))}"><td>${e(r.method)}</td><td>${e(r.name)}</td><td class="num">${fmt(r.requests, 0)}</td><td class="num">${fmt(r.failures, 0)} (${fmt(r.failRatio * 100, 2)}%)</td><td class="num">${fmt(r.avgMs)}</td><td class="num">${fmt(r.minMs)}</td><td class="num">${fmt(r.maxMs)}</td><td class="num">${fmt(r.medianMs)}</td><td class="num">${fmt(r.rps)}</td><td class="num">${fmt(r.failuresPerSecond)}</td></tr>`)
		.join('');
	const percentileRows = rows.map(r => `<tr><td>${e(label(r))}</td>${labels.map(l => `<td class="num">${fmt(r.percentiles[l])}</td>`).join('')}</tr>`).join('');
	const failures =
		report.failures.length === 0
			? '<p class="empty">no failures</p>'
			: `<table><thead><tr><th># occurrences</th><th>Request</th><th>Error</th></tr></thead><tbody>${report.failures.map(f => `<tr data-failure><td class="num">${fmt(f.occurrences, 0)}</td><td>${e(`${f.method} ${f.name}`)}</td><td>${e(f.error)}</td></tr>`).join('')}</tbody></table>`;
	const perEntry = report.entries.length > 0 ? barChart({labels: report.entries.map(label), series: [{name: 'p50 ms', values: report.entries.map(r => r.percentiles['50%'] ?? 0)}, {name: 'p99 ms', values: report.entries.map(r => r.percentiles['99%'] ?? 0)}], yName: 'ms'}) : {noData: 'no requests'};
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
<section id="charts"><h2>Distribution</h2><div class="grid">${distribution(report)}${panel('per-request', 'p50 and p99 per request', perEntry)}</div></section>
<section id="failures"><h2>Failures</h2>${failures}${report.task_errors > 0 ? `<p>Task errors outside any request: ${fmt(report.task_errors, 0)}</p>` : ''}${report.dropped_iterations > 0 ? `<p>Arrival-rate iterations dropped: ${fmt(report.dropped_iterations, 0)}</p>` : ''}</section>
${machineTable}
<footer>drydock · schema ${e(report.schema)} · charts are static SVG (Apache ECharts, server-side)</footer>
</body></html>
`;
}
