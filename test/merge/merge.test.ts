/**
 * Merging reports from several machines: one set of samples is split across two reports built by the
 * real report code (engine store + buildReport; load StatsRegistry + buildLoadReport), and the merge
 * must equal one report over the union: same totals, same percentiles (histograms added exactly).
 */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import {describe, expect, it} from 'vitest';
import {loadReport} from './load-fixture.js';
import {isMergedRunReport, mergeReportFiles, mergeReports, type MergedLoadReport, type MergedRunReport} from '../../source/report/merge/index.js';
import {UsageError} from '../../source/util/usage-error.js';
import {buildFixtureReport} from '../report-html/fixture.js';

/** Deterministic, wide-ranging latencies (ms): most fast, a long tail up to seconds. */
function latencies(n: number, seed: number): number[] {
	let x = seed;
	const out: number[] = [];
	for (let i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) % 2 ** 31;
		const u = x / 2 ** 31;
		out.push(u < 0.9 ? 0.05 + u * 3 : u < 0.99 ? 5 + u * 80 : 200 + u * 1800);
	}
	return out;
}

const percentiles = [1, 25, 50, 75, 90, 95, 99, 99.9, 100];
const decode = (data: string) => hdr.decodeFromCompressedBase64(data);

describe('mergeReports: drydock.report/1', () => {
	const all = latencies(600, 7);
	const start = Date.parse('2026-11-22T08:00:00Z');
	const union = buildFixtureReport({runId: 'run-union', latencies: all, failEvery: 50, start});
	const a = {...buildFixtureReport({runId: 'run-a', latencies: all.slice(0, 300), failEvery: 50, start}), hostname: 'box-a'};
	const b = {...buildFixtureReport({runId: 'run-b', latencies: all.slice(300), failEvery: 50, start}), hostname: 'box-b'};

	it('gives the totals and percentiles of one report over the union of samples', () => {
		const merged = mergeReports([a, b], {sources: ['a/report.json', 'b/report.json']}) as MergedRunReport;
		expect(isMergedRunReport(merged)).toBe(true);
		expect(merged.schema).toBe('drydock.report/1');
		expect(merged.total_operations).toBe(union.total_operations);
		expect(merged.total_operations).toBe(600);
		expect(merged.success_rate).toBe(union.success_rate);
		expect(merged.p50_latency_ms).toBe(union.p50_latency_ms);
		expect(merged.p99_latency_ms).toBe(union.p99_latency_ms);
		expect(merged.min_latency_ms).toBe(union.min_latency_ms);
		expect(merged.peak_latency_ms).toBe(union.peak_latency_ms);
		expect(merged.average_latency_ms).toBeCloseTo(union.average_latency_ms!, 2);
		expect(merged.performance_grade).toBe(union.performance_grade);
		expect(merged.metrics.orders_placed).toBe(union.metrics.orders_placed);
		const m = decode(merged.histograms.soak!);
		const u = decode(union.histograms.soak!);
		expect(m.totalCount).toBe(u.totalCount);
		for (const p of percentiles) expect(m.getValueAtPercentile(p), `p${p}`).toBe(u.getValueAtPercentile(p));
		// Averaging the two halves' p99 would not give the union's p99 here: the merge did not average.
		expect(union.p99_latency_ms).not.toBe((a.p99_latency_ms! + b.p99_latency_ms!) / 2);
	});

	it('keeps one row per machine and sums counters across machines', () => {
		const merged = mergeReports([a, b], {sources: ['a/report.json', 'b/report.json']}) as MergedRunReport;
		expect(merged.machines.map(r => [r.hostname, r.run_id, r.source, r.operations])).toEqual([
			['box-a', 'run-a', 'a/report.json', 300],
			['box-b', 'run-b', 'b/report.json', 300],
		]);
		expect(merged.metrics.total_errors).toBe(a.metrics.total_errors + b.metrics.total_errors);
		expect(merged.streams.find(s => s.id === 'btcusdt@trade')?.messages).toBe(100);
		expect(merged.streams.find(s => s.id === 'btcusdt@trade')?.gaps).toBe(4);
		const timeouts = merged.errors.filter(g => g.kind === 'timeout').reduce((n, g) => n + g.count, 0);
		expect(timeouts).toBe(union.errors.filter(g => g.kind === 'timeout').reduce((n, g) => n + g.count, 0));
		expect(merged.faults).toHaveLength(2);
		expect(merged.faults[0]!.detail).toMatch(/^box-(a|b): /);
		// A failed phase on one machine is a failed phase of the merged run.
		const c = buildFixtureReport({runId: 'run-c', verdicts: {orders: ['fail']}});
		const withFailure = mergeReports([a, c]) as MergedRunReport;
		expect(withFailure.phases.find(p => p.id === 'orders')?.status).toBe('fail');
		expect(withFailure.phases.find(p => p.id === 'orders')?.checks).toHaveLength(2);
		expect(withFailure.success).toBe(false);
		// A merged report merges again without losing its machines.
		expect((mergeReports([merged, c]) as MergedRunReport).machines).toHaveLength(3);
	});

	it('reads files, names the file and field in errors, refuses mixed kinds', async () => {
		const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-merge-'));
		const fa = path.join(dir, 'a.json');
		const fb = path.join(dir, 'b.json');
		await writeFile(fa, JSON.stringify(a));
		await writeFile(fb, JSON.stringify(b));
		const out = path.join(dir, 'out', 'merged.json');
		const merged = await mergeReportFiles([fa, fb], out);
		expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(merged)));
		await writeFile(fb, '{"schema":"drydock.report/1", "run_id": 3}');
		await expect(mergeReportFiles([fa, fb], out)).rejects.toThrow(`${fb}: run_id: expected a string`);
		await writeFile(fb, 'nope');
		await expect(mergeReportFiles([fa, fb], out)).rejects.toBeInstanceOf(UsageError);
		await expect(mergeReportFiles([fa, path.join(dir, 'missing.json')], out)).rejects.toThrow('missing.json: no such file');
		expect(() => mergeReports([a, {...b, histograms: {...b.histograms, operations: 'garbage!'}}], {sources: ['A', 'B']})).toThrow(/B: histograms.operations: not a valid HDR histogram/);
		expect(() => mergeReports([a, loadReport([1, 2], 0)])).toThrow(/cannot be merged/);
	});
});

describe('mergeReports: drydock.load-report/1', () => {
	it('gives the totals and percentiles of one run over the union of samples, per entry and aggregated', () => {
		const all = latencies(3000, 11);
		const union = loadReport(all, 40, ['p99<500', 'fail_ratio<0.01']);
		const a = loadReport(all.slice(0, 1200), 40, ['p99<500']);
		const b = loadReport(all.slice(1200), 40, ['fail_ratio<0.01']);
		const merged = mergeReports([a, b]) as MergedLoadReport;
		expect(merged.schema).toBe('drydock.load-report/1');
		expect(merged.aggregated.requests).toBe(3000);
		expect(merged.aggregated.failures).toBe(union.aggregated.failures);
		expect(merged.aggregated.percentiles).toEqual(union.aggregated.percentiles);
		expect(merged.aggregated.medianMs).toBe(union.aggregated.medianMs);
		expect(merged.aggregated.minMs).toBe(union.aggregated.minMs);
		expect(merged.aggregated.maxMs).toBe(union.aggregated.maxMs);
		expect(merged.aggregated.avgMs).toBeCloseTo(union.aggregated.avgMs, 6);
		expect(merged.aggregated.rps).toBeCloseTo(union.aggregated.rps, 6);
		expect(merged.entries.map(e => [e.method, e.name, e.requests, e.failures])).toEqual(union.entries.map(e => [e.method, e.name, e.requests, e.failures]));
		merged.entries.forEach((entry, i) => expect(entry.percentiles, entry.name).toEqual(union.entries[i]!.percentiles));
		expect(decode(merged.aggregated.histogram.data).totalCount).toBe(3000);
		expect(merged.failures).toEqual(union.failures.map(f => ({...f})).sort((x, y) => y.occurrences - x.occurrences));
		// Thresholds are evaluated again on the merged figures.
		expect(merged.thresholds.map(t => [t.expression, t.actual, t.passed])).toEqual(
			[...merged.config.thresholds].map(expression => {
				const metric = expression.startsWith('p99') ? merged.aggregated.percentiles['99%'] : merged.aggregated.failRatio;
				return [expression, metric, expression.startsWith('p99') ? metric! < 500 : metric! < 0.01];
			}),
		);
		expect(merged.machines.map(m => [m.run_id, m.operations])).toEqual([
			['load-1200', 1200],
			['load-1800', 1800],
		]);
		expect(merged.peak_users).toBe(20);
	});
});
