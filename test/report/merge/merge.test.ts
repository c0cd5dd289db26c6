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
import {loadReport} from './helpers.js';
import {
	isMergedRunReport,
	mergeReportFiles,
	mergeReports,
	type MergedLoadReport,
	type MergedRunReport,
} from '../../../source/report/merge/index.js';
import {UsageError} from '../../../source/util/usage-error.js';
import {buildFixtureReport, chaosRecords} from '../html/helpers.js';
import {renderHtmlReport} from '../../../source/report/html/index.js';
import type {Report} from '../../../source/report/model.js';

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
	const a = {
		...buildFixtureReport({runId: 'run-a', latencies: all.slice(0, 300), failEvery: 50, start}),
		hostname: 'box-a',
	};
	const b = {
		...buildFixtureReport({runId: 'run-b', latencies: all.slice(300), failEvery: 50, start}),
		hostname: 'box-b',
	};

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
		await expect(mergeReportFiles([fa, path.join(dir, 'missing.json')], out)).rejects.toThrow(
			'missing.json: no such file',
		);
		expect(() =>
			mergeReports([a, {...b, histograms: {...b.histograms, operations: 'garbage!'}}], {sources: ['A', 'B']}),
		).toThrow(/B: histograms.operations: not a valid HDR histogram/);
		expect(() => mergeReports([a, loadReport([1, 2], 0)])).toThrow(/cannot be merged/);
	});
});

describe('mergeReports: hostnames and chaos', () => {
	const start = Date.parse('2026-11-22T08:00:00Z');
	const withHost = (
		runId: string,
		hostname: string | null,
		options: Parameters<typeof buildFixtureReport>[0] = {},
	): Report => {
		const {hostname: _built, ...report} = buildFixtureReport({
			runId,
			start,
			latencies: [1, 2, 3, 4, 5, 6],
			...options,
		}) as Report & {hostname?: string};
		return hostname === null ? report : {...report, hostname};
	};

	it("machine rows carry each report's hostname (null for a report from before the field) and name merged checks by it", () => {
		const merged = mergeReports([withHost('run-a', 'soak-01'), withHost('run-b', 'soak-02'), withHost('run-c', null)], {
			sources: ['a.json', 'b.json', 'c.json'],
		}) as MergedRunReport;
		expect(merged.machines.map(m => [m.run_id, m.hostname])).toEqual([
			['run-a', 'soak-01'],
			['run-b', 'soak-02'],
			['run-c', null],
		]);
		expect(merged.phases.find(p => p.id === 'orders')!.checks.map(c => c.title)).toEqual([
			'orders check 0 [soak-01]',
			'orders check 0 [soak-02]',
			'orders check 0 [c.json]',
		]);
		// Hosts differ: the merged report names none itself (the machines table does).
		expect('hostname' in merged).toBe(false);
		const html = renderHtmlReport(merged);
		expect(html).toContain('<tr data-machine="run-a"><td>soak-01</td>');
		expect(html).toContain('<tr data-machine="run-c"><td>—</td>');
		expect(html).not.toContain('<dt>Host</dt>');
	});

	it("reports written by drydock carry the machine's hostname, so merged machine rows name it", () => {
		const merged = mergeReports(
			[buildFixtureReport({runId: 'run-x', start}), buildFixtureReport({runId: 'run-y', start})],
			{sources: ['x.json', 'y.json']},
		) as MergedRunReport;
		expect(merged.machines.map(m => m.hostname)).toEqual([os.hostname(), os.hostname()]);
		expect(merged.hostname).toBe(os.hostname());
	});

	it('two runs on one host are told apart by file; the merged report keeps that one host', () => {
		const merged = mergeReports([withHost('run-a', 'box'), withHost('run-b', 'box')], {
			sources: ['a.json', 'b.json'],
		}) as MergedRunReport;
		expect(merged.machines.map(m => m.hostname)).toEqual(['box', 'box']);
		expect(merged.hostname).toBe('box');
		expect(merged.faults.map(f => f.detail.split(':')[0])).toEqual(['box (a.json)', 'box (b.json)']);
		expect(renderHtmlReport(merged)).toContain('<dt>Host</dt><dd data-field="hostname">box</dd>');
	});

	it("keeps every machine's chaos records, labelled by machine, and the merged page shows them", () => {
		const a = withHost('run-a', 'soak-01', {chaos: chaosRecords});
		const b = withHost('run-b', 'soak-02');
		const merged = mergeReports([a, b]) as MergedRunReport;
		expect(merged.chaos?.map(c => [c.index, c.label, c.verdict])).toEqual([
			[0, 'soak-01: drop-websockets at 5s', 'pass'],
			[1, 'soak-01: error-rate 10s–15s {"probability":0.3,"status":503}', 'fail'],
		]);
		expect(merged.chaos![1]!.unknown_orders).toEqual(a.chaos![1]!.unknown_orders);
		expect(renderHtmlReport(merged)).toContain('2 faults: 1 pass, 1 fail');
		// Without chaos anywhere there is no chaos field at all.
		expect('chaos' in (mergeReports([b, withHost('run-c', 'soak-03')]) as MergedRunReport)).toBe(false);
	});
});

describe('mergeReports: failures and errors under injected faults', () => {
	const start = Date.parse('2026-11-22T08:00:00Z');
	const ramp = (n: number) => Array.from({length: n}, (_, i) => 1 + (i % 5));
	// Real reports (engine store + buildReport); the fixture's fault window catches some failures.
	// a: 300 ops, 42 failed, 2 of them under the fault: 258 of 298 judged. 43 errors, 2 expected.
	const a = {...buildFixtureReport({runId: 'run-a', start, latencies: ramp(300), failEvery: 7}), hostname: 'box-a'};
	// b: 60 ops, 15 failed, 4 under the fault: 45 of 56 judged. 16 errors, 4 expected.
	const b = {...buildFixtureReport({runId: 'run-b', start, latencies: ramp(60), failEvery: 4}), hostname: 'box-b'};
	/** A report written before these fields: none of the four metrics, success_rate of all operations. */
	const older = (runId: string): Report => {
		const report = buildFixtureReport({runId, start, latencies: ramp(30), failEvery: 3, withFaults: false});
		const {
			expected_errors: _e,
			failures_during_faults: _f,
			soak_errors: _s,
			soak_expected_errors: _se,
			...metrics
		} = report.metrics;
		return {...report, metrics};
	};
	// c: 30 ops, 10 failed: 20 of 30. 11 errors.
	const c = older('run-c');

	it('the inputs are what the comments say (so the figures below are worked out by hand)', () => {
		expect([
			a.total_operations,
			a.success_rate,
			a.metrics.failures_during_faults,
			a.metrics.total_errors,
			a.metrics.expected_errors,
			a.metrics.soak_errors,
			a.metrics.soak_expected_errors,
		]).toEqual([300, 86.5772, 2, 43, 2, 42, 2]);
		expect([
			b.total_operations,
			b.success_rate,
			b.metrics.failures_during_faults,
			b.metrics.total_errors,
			b.metrics.expected_errors,
			b.metrics.soak_errors,
			b.metrics.soak_expected_errors,
		]).toEqual([60, 80.3571, 4, 16, 4, 15, 4]);
		expect([
			c.total_operations,
			c.success_rate,
			c.metrics.total_errors,
			'failures_during_faults' in c.metrics,
			'expected_errors' in c.metrics,
		]).toEqual([30, 66.6667, 11, false, false]);
		expect([a.duration_hours, b.duration_hours, c.duration_hours]).toEqual([0.022222, 0.005556, 0.003472]);
	});

	it('the success rate is of the operations judged; failures are counted in full; the new metrics are summed', () => {
		const merged = mergeReports([a, b, c], {sources: ['a.json', 'b.json', 'c.json']}) as MergedRunReport;
		expect(merged.total_operations).toBe(390);
		expect(merged.metrics.failures_during_faults).toBe(6);
		// (258 + 45 + 20) of (390 − 6). Rate × all operations per machine would give 328 of 390 = 84.1026.
		expect(merged.success_rate).toBe(84.1146);
		expect(
			merged.machines.map(m => [m.hostname, m.operations, m.failures, m.failures_during_faults, m.success_rate]),
		).toEqual([
			['box-a', 300, 42, 2, 86.5772],
			['box-b', 60, 15, 4, 80.3571],
			[os.hostname(), 30, 10, 0, 66.6667],
		]);
		expect(merged.metrics.total_errors).toBe(70);
		expect(merged.metrics.expected_errors).toBe(6);
		// c has no soak figures: the sum is of those that have them.
		expect(merged.metrics.soak_errors).toBe(57);
		expect(merged.metrics.soak_expected_errors).toBe(6);
		// (70 − 6) errors over the fleet's 0.022222 h (all started together; a ran longest).
		expect(merged.metrics.uptime_hours).toBe(0.022222);
		expect(merged.metrics.error_rate_per_hour).toBe(2880.029);
		// The merged report reads back the same way: merging it again changes none of it.
		const again = mergeReports([merged, older('run-d')]) as MergedRunReport;
		expect(again.total_operations).toBe(420);
		expect(again.metrics.failures_during_faults).toBe(6);
		expect(again.success_rate).toBe(Math.round(((323 + 20) / 414) * 100 * 10_000) / 10_000);
		expect(again.machines.map(m => m.failures)).toEqual([42, 15, 10, 10]);
	});

	it('reports from before the fields merge as before: rate × operations, every error in the rate, no soak figures', () => {
		const merged = mergeReports([c, older('run-d')]) as MergedRunReport;
		expect(merged.success_rate).toBe(66.6667);
		expect(merged.machines.map(m => [m.failures, m.failures_during_faults])).toEqual([
			[10, 0],
			[10, 0],
		]);
		expect(merged.metrics.failures_during_faults).toBe(0);
		expect(merged.metrics.expected_errors).toBe(0);
		expect(merged.metrics.soak_errors).toBeNull();
		expect(merged.metrics.soak_expected_errors).toBeNull();
		// All 22 errors; 0.003472 h is under the one-minute floor a single run uses too.
		expect(merged.metrics.error_rate_per_hour).toBe(22 * 60);
	});

	it('a machine whose every operation failed under a fault (null rate) counts them all as failures, none succeeded', () => {
		const allUnderFault = {...c, success_rate: null, metrics: {...c.metrics, failures_during_faults: 30}};
		const merged = mergeReports([a, allUnderFault]) as MergedRunReport;
		expect(merged.machines[1]!.failures).toBe(30);
		// 258 of (330 − 32).
		expect(merged.success_rate).toBe(Math.round((258 / 298) * 100 * 10_000) / 10_000);
		expect(merged.metrics.failures_during_faults).toBe(32);
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
		expect(merged.entries.map(e => [e.method, e.name, e.requests, e.failures])).toEqual(
			union.entries.map(e => [e.method, e.name, e.requests, e.failures]),
		);
		merged.entries.forEach((entry, i) => expect(entry.percentiles, entry.name).toEqual(union.entries[i]!.percentiles));
		expect(decode(merged.aggregated.histogram.data).totalCount).toBe(3000);
		expect(merged.failures).toEqual(union.failures.map(f => ({...f})).sort((x, y) => y.occurrences - x.occurrences));
		// Thresholds are evaluated again on the merged figures.
		expect(merged.thresholds.map(t => [t.expression, t.actual, t.passed])).toEqual(
			[...merged.config.thresholds].map(expression => {
				const metric = expression.startsWith('p99')
					? merged.aggregated.percentiles['99%']
					: merged.aggregated.failRatio;
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
