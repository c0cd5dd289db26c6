import {describe, expect, it} from 'vitest';
import {renderHtmlReport} from '../../../source/report/html/index.js';
import {mergeReports, type MergedRunReport} from '../../../source/report/merge/index.js';
import {buildFixtureReport} from './helpers.js';

describe('renderHtmlReport', () => {
	it('renders the phase table, checks with reasons, soak grade and charts as inline SVG', () => {
		const report = buildFixtureReport({
			verdicts: {orders: ['pass', 'fail'], connectivity: ['pass', 'warn']},
			failEvery: 50,
		});
		const html = renderHtmlReport(report);
		expect(html.startsWith('<!doctype html>')).toBe(true);
		for (const phase of report.phases) expect(html).toContain(`data-phase="${phase.id}" data-status="${phase.status}"`);
		expect(report.phases.find(p => p.id === 'orders')?.status).toBe('fail');
		expect(html).toContain('orders check 1 was fail: measured 1500 ms');
		expect(html).toContain(`data-field="grade">${report.performance_grade}<`);
		const svgs = html.match(/<svg[\s>]/g) ?? [];
		expect(svgs.length).toBeGreaterThanOrEqual(5);
		expect(html).toContain('data-chart="cpu"');
		expect(html).toContain('data-chart="memory"');
		// Faults and anomalies are marked on time charts.
		expect(html).toContain('drop-streams');
	});

	it('fetches nothing, runs no script and escapes every string from the report', () => {
		const html = renderHtmlReport(buildFixtureReport());
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
		expect(html).not.toMatch(/url\((?!#)/i);
		expect(html).not.toContain('<ethusdt>');
		expect(html).toContain('&lt;ethusdt&gt;@depth');
		expect(html).toContain('Filter failure: &lt;LOT_SIZE&gt; &amp; &quot;x&quot;');
	});

	it('says "no data" for series the report does not carry and draws them when it does', () => {
		const report = buildFixtureReport({withResources: false});
		const bare = renderHtmlReport(report);
		expect(bare).toMatch(/data-chart="latency-over-time"><figcaption>[^<]*<\/figcaption><div class="empty">no data/);
		expect(bare).toMatch(/data-chart="cpu"><figcaption>[^<]*<\/figcaption><div class="empty">no data/);
		const t0 = Date.parse(report.start_time);
		const timeline = {
			interval_ms: 1000,
			operations: Array.from({length: 30}, (_, i) => ({
				at: new Date(t0 + i * 1000).toISOString(),
				operations: 4,
				failed: i === 10 ? 1 : 0,
				p50_ms: 1,
				p95_ms: 2,
				p99_ms: 3 + i / 10,
				max_ms: 5,
			})),
			errors: [{at: new Date(t0 + 10_000).toISOString(), kind: 'timeout', count: 1}],
			streams: [
				{at: new Date(t0).toISOString(), stream: 'btcusdt@trade', rate_per_sec: 10, gaps: 0, reconnects: 0},
				{at: new Date(t0 + 1000).toISOString(), stream: 'btcusdt@trade', rate_per_sec: 12, gaps: 2, reconnects: 1},
			],
		};
		const full = renderHtmlReport({...report, timeline});
		for (const id of ['latency-over-time', 'ops-per-second', 'errors-over-time', 'stream-rates', 'stream-gaps'])
			expect(full).toMatch(new RegExp(`data-chart="${id}"><figcaption>[^<]*</figcaption><svg`));
	});

	it("renders a merged report: one row per machine and each machine's resources on the charts", () => {
		const a = {...buildFixtureReport({runId: 'run-a'}), hostname: 'box-a'};
		const b = {...buildFixtureReport({runId: 'run-b', verdicts: {orders: ['fail']}}), hostname: 'box-b'};
		const merged = mergeReports([a, b], {sources: ['a.json', 'b.json']}) as MergedRunReport;
		const html = renderHtmlReport(merged);
		expect(html).toContain('<h2>Machines (2)</h2>');
		expect(html).toContain('data-machine="run-a"');
		expect(html).toContain('data-machine="run-b"');
		expect(html).toContain(`data-phase="orders" data-status="fail"`);
		const cpu = /data-chart="cpu"><figcaption>[^<]*<\/figcaption>(<svg[\s\S]*?<\/svg>)/.exec(html)?.[1] ?? '';
		expect(cpu).toContain('box-a');
		expect(cpu).toContain('box-b');
	});

	it('renders checkpoints, interrupted runs and damaged or empty fields without throwing', () => {
		const report = buildFixtureReport();
		const html = renderHtmlReport({
			...report,
			end_time: null,
			checkpoint: true,
			interrupted: true,
			interrupted_by: 'SIGINT',
			success: false,
			exit_code: null,
			phases: [],
			errors: [],
			streams: [],
			faults: [],
			anomalies: [],
			histograms: {...report.histograms, operations: 'not-a-histogram', soak: null},
			resources: {self: {...report.resources.self, samples: []}, watched: null},
		});
		expect(html).toContain('<span class="badge s-checkpoint">checkpoint</span>');
		expect(html).toContain('<dd>still running</dd>');
		expect(html).toContain('<dt>Interrupted by</dt><dd>SIGINT</dd>');
		expect(html).toContain('no phases');
		// The damaged histogram is left out; the calls histogram (empty) gives nothing to draw.
		expect(html).toMatch(/data-chart="latency-distribution"><figcaption>[^<]*<\/figcaption><div class="empty">no data/);
	});
});
