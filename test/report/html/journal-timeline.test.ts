/** Over-time series rebuilt from a real events.ndjson (written by the engine's Journal). */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {Journal} from '../../../source/report/journal.js';
import {timelineFromJournal, writeHtmlReport} from '../../../source/report/html/index.js';
import {buildFixtureReport} from './helpers.js';

async function fixtureWithJournal(options: Parameters<typeof buildFixtureReport>[0] = {}) {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-journal-'));
	const file = path.join(dir, 'events.ndjson');
	const journal = new Journal(file);
	const report = buildFixtureReport({...options, onEvent: event => journal.append(event)});
	await journal.close();
	return {dir, file, report};
}

describe('timelineFromJournal', () => {
	it('buckets operations, failures, latency percentiles and errors by kind over the run', async () => {
		const latencies = Array.from({length: 400}, (_, i) => (i < 200 ? 1 + (i % 10) / 10 : 20 + (i % 10)));
		const {file, report} = await fixtureWithJournal({latencies, failEvery: 25});
		const timeline = (await timelineFromJournal(file, report))!;
		// Buckets hold 50 operations on average at least, so their p50 and p99 can differ.
		const span = Date.parse(report.end_time!) - Date.parse(report.start_time);
		expect(timeline.interval_ms).toBe(
			Math.max(1000, Math.ceil(Math.max(span / 720, (span * 50) / report.total_operations) / 1000) * 1000),
		);
		const ops = timeline.operations!;
		expect(ops.reduce((n, p) => n + p.operations, 0)).toBe(report.total_operations);
		expect(ops.reduce((n, p) => n + p.failed, 0)).toBe(16);
		// Latency rose half way through the soak: early buckets sit near 1–2 ms, late ones at 20–30 ms.
		const withOps = ops.filter(p => p.operations > 0);
		expect(withOps[0]!.p99_ms!).toBeLessThan(2.1);
		expect(withOps[withOps.length - 1]!.p50_ms!).toBeGreaterThanOrEqual(20);
		for (const p of withOps) expect(p.p50_ms!).toBeLessThanOrEqual(p.p99_ms!);
		const byKind = new Map<string, number>();
		for (const e of timeline.errors!) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + e.count);
		for (const group of report.errors)
			expect(byKind.get(group.kind), group.kind).toBe(
				report.errors.filter(g => g.kind === group.kind).reduce((n, g) => n + g.count, 0),
			);
	});

	it('stays within maxPoints, skips damaged lines and returns null without a journal', async () => {
		const {file, report} = await fixtureWithJournal();
		await writeFile(file, (await readFile(file, 'utf8')) + '{"type":"operation", broken\n');
		const timeline = (await timelineFromJournal(file, report, {maxPoints: 10}))!;
		expect(timeline.operations!.length).toBeLessThanOrEqual(11);
		expect(timeline.operations!.reduce((n, p) => n + p.operations, 0)).toBe(report.total_operations);
		expect(await timelineFromJournal(path.join(path.dirname(file), 'missing.ndjson'), report)).toBeNull();
	});

	it('lets writeHtmlReport draw the over-time panels from the journal beside the report', async () => {
		const {dir, file, report} = await fixtureWithJournal({failEvery: 30});
		const out = path.join(dir, 'report.html');
		await writeHtmlReport(out, report, {journal: file});
		const html = await readFile(out, 'utf8');
		for (const id of ['latency-over-time', 'ops-per-second', 'errors-over-time'])
			expect(html).toMatch(new RegExp(`data-chart="${id}"><figcaption>[^<]*</figcaption><svg`));
		expect(html).toMatch(/data-chart="stream-rates"><figcaption>[^<]*<\/figcaption><div class="empty">no data/);
	});
});
