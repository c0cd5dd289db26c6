/**
 * Merges `drydock.load-report/1` reports (one per machine or pod) into one of the same schema. Each
 * entry is rebuilt as the load runner's own StatsEntry (histograms added exactly) and summarised by the
 * runner's `summarize`, so the merged figures are computed the way a single run computes them.
 */
import {LOAD_REPORT_SCHEMA, type EncodedHistogram, type LoadReport, type LoadReportEntry} from '../../load/report.js';
import {StatsEntry, summarize} from '../../load/stats.js';
import {evaluateThresholds, parseThreshold} from '../../load/thresholds.js';
import {decodeHistogram, encodeHistogram} from './histogram.js';
import {loadMachineRows} from './machines.js';
import type {MergeInfo, Sourced} from './run-reports.js';
import type {MachineRow} from './machine-rows.js';

export type MergedLoadReport = LoadReport & {merged: MergeInfo; machines: MachineRow[]};

const label = (s: Sourced<unknown>, i: number) => s.source ?? `report ${i + 1}`;
const encoded = (data: string): EncodedHistogram => ({unit: 'us', encoding: 'hdr-compressed-base64', data});

/** One merged entry from the same (method, name) entry of several machines. */
function mergeEntry(parts: readonly {entry: LoadReportEntry; where: string}[], seconds: number): LoadReportEntry {
	const first = parts[0]!.entry;
	const stats = new StatsEntry(first.method, first.name);
	let currentRps = 0;
	let currentFps = 0;
	for (const {entry, where} of parts) {
		stats.histogram.add(decodeHistogram(entry.histogram.data, `${where}: histogram`));
		if (entry.correctedHistogram) {
			const corrected = decodeHistogram(entry.correctedHistogram.data, `${where}: correctedHistogram`);
			if (stats.corrected) stats.corrected.add(corrected);
			else stats.corrected = corrected;
		}
		stats.requests += entry.requests;
		stats.failures += entry.failures;
		stats.totalUs += entry.avgMs * 1000 * entry.requests;
		stats.contentBytes += entry.avgContentSize * entry.requests;
		if (entry.requests > 0) {
			stats.minUs = Math.min(stats.minUs, entry.minMs * 1000);
			stats.maxUs = Math.max(stats.maxUs, entry.maxMs * 1000);
		}
		// "Current" rates are the last 10 s of each machine: running side by side, they add up.
		currentRps += entry.currentRps;
		currentFps += entry.currentFailuresPerSecond;
	}
	const summary = summarize(stats, seconds, 0, 0);
	return {
		...summary,
		currentRps,
		currentFailuresPerSecond: currentFps,
		histogram: encoded(encodeHistogram(stats.histogram)),
		...(stats.corrected ? {correctedHistogram: encoded(encodeHistogram(stats.corrected))} : {}),
	};
}

export function mergeLoadReports(inputs: readonly Sourced<LoadReport>[]): MergedLoadReport {
	const reports = inputs.map(x => x.report);
	const first = reports[0]!;
	const many = inputs.length > 1;
	const startMs = Math.min(...reports.map(r => Date.parse(r.start_time)));
	const endMs = Math.max(...reports.map(r => Date.parse(r.end_time)));
	// Rates over the fleet's wall time: machines that ran side by side add their throughput.
	const seconds = Math.max(...reports.map(r => (Date.parse(r.start_time) - startMs) / 1000 + r.duration_seconds));

	const order: string[] = [];
	const byKey = new Map<string, {entry: LoadReportEntry; where: string}[]>();
	reports.forEach((report, i) => {
		report.entries.forEach((entry, j) => {
			const key = `${entry.method} ${entry.name}`;
			let list = byKey.get(key);
			if (!list) {
				byKey.set(key, (list = []));
				order.push(key);
			}
			list.push({entry, where: `${label(inputs[i]!, i)}: entries[${j}]`});
		});
	});
	const entries = order
		.map(key => mergeEntry(byKey.get(key)!, seconds))
		.sort((a, b) =>
			a.name < b.name ? -1 : a.name > b.name ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0,
		);
	const aggregated = mergeEntry(
		reports.map((r, i) => ({entry: r.aggregated, where: `${label(inputs[i]!, i)}: aggregated`})),
		seconds,
	);

	const failures = new Map<string, LoadReport['failures'][number]>();
	for (const r of reports) {
		for (const f of r.failures) {
			const key = `${f.method}\u0000${f.name}\u0000${f.error}`;
			const seen = failures.get(key);
			failures.set(key, seen ? {...seen, occurrences: seen.occurrences + f.occurrences} : {...f});
		}
	}
	const expressions = [...new Set(reports.flatMap(r => r.config.thresholds))];
	const thresholds = evaluateThresholds(expressions.map(parseThreshold), aggregated);
	const interrupted = reports.some(r => r.interrupted);
	const sumOrNull = (values: (number | null)[]) =>
		values.every(v => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0);
	const unique = (values: string[]) => [...new Set(values)].join(', ');
	const hosts = [
		...new Set(reports.map(r => (typeof r.hostname === 'string' && r.hostname.length > 0 ? r.hostname : null))),
	];

	return {
		schema: LOAD_REPORT_SCHEMA,
		id: many ? `merged-${first.id}-x${inputs.length}` : first.id,
		// One host for the whole report only when every input ran there; otherwise see machines[].
		...(hosts.length === 1 && hosts[0] !== null ? {hostname: hosts[0]} : {}),
		test_type: 'load',
		scenario: unique(reports.map(r => r.scenario)),
		host: unique(reports.map(r => r.host)),
		start_time: new Date(startMs).toISOString(),
		end_time: new Date(endMs).toISOString(),
		duration_seconds: Math.round(seconds * 1000) / 1000,
		interrupted,
		// Machines run side by side: their users add up.
		peak_users: reports.reduce((a, r) => a + r.peak_users, 0),
		config: {
			mode: first.config.mode,
			users: reports.reduce((a, r) => a + r.config.users, 0),
			spawnRate: sumOrNull(reports.map(r => r.config.spawnRate)),
			runTimeMs: reports.every(r => r.config.runTimeMs === null)
				? null
				: Math.max(...reports.map(r => r.config.runTimeMs ?? 0)),
			shape: first.config.shape,
			arrivalRate: sumOrNull(reports.map(r => r.config.arrivalRate)),
			thresholds: expressions,
		},
		entries,
		aggregated,
		failures: [...failures.values()].sort((a, b) => b.occurrences - a.occurrences),
		task_errors: reports.reduce((a, r) => a + r.task_errors, 0),
		dropped_iterations: reports.reduce((a, r) => a + r.dropped_iterations, 0),
		thresholds,
		success: !interrupted && reports.every(r => r.success) && thresholds.every(t => t.passed),
		merged: {inputs: inputs.length, sources: inputs.map(x => x.source)},
		machines: inputs.flatMap(x => loadMachineRows(x.report, x.source)),
	};
}
