import {describe, expect, it} from 'vitest';
import {renderLoadHtmlReport} from '../../../source/report/html/index.js';
import {mergeReports, type MergedLoadReport} from '../../../source/report/merge/index.js';
import {loadReport} from '../merge/helpers.js';

describe('renderLoadHtmlReport', () => {
	it('renders thresholds, request and percentile tables, failures, machines and the distribution chart', () => {
		const samples = Array.from({length: 900}, (_, i) => 0.5 + (i % 50) / 5);
		const merged = mergeReports([
			loadReport(samples.slice(0, 400), 30, ['p99<5']),
			{...loadReport(samples.slice(400), 30, ['fail_ratio<0.5']), hostname: 'pod-<1>'},
		]) as MergedLoadReport;
		const html = renderLoadHtmlReport(merged);
		expect(html).not.toMatch(/<script/i);
		expect(html).toContain('<span class="badge s-fail">fail</span>'); // p99 < 5 ms is missed
		expect(html).toContain('data-threshold="p99&lt;5"');
		expect(html).toContain('data-entry="GET /ticker"');
		expect(html).toContain('data-entry="Aggregated"');
		expect(html).toContain(`<td class="num">${merged.aggregated.requests}</td>`);
		expect(html).toContain('HTTP 503');
		expect(html).toContain('<h2>Machines (2)</h2>');
		expect(html).toContain('pod-&lt;1&gt;');
		expect(html).toMatch(/data-chart="latency-distribution"><figcaption>[^<]*<\/figcaption><svg/);
		expect(html).toMatch(/data-chart="per-request"><figcaption>[^<]*<\/figcaption><svg/);
	});
});
