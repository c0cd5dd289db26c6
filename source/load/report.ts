/**
 * The JSON report of a load run (schema `drydock.load-report/1`): configuration, per-name and
 * aggregate figures, failures, thresholds, and every histogram encoded (HDR compressed base64,
 * microseconds) so reports can be merged exactly later with `decodeLoadHistogram`.
 */
import {mkdir, rename, writeFile} from 'node:fs/promises';
import os from 'node:os';
import {join} from 'node:path';
import * as hdr from 'hdr-histogram-js';
import type {Histogram} from 'hdr-histogram-js';
import type {LoadResult} from './runner.js';
import type {LoadMode} from './snapshot.js';
import {summarize, type EntrySummary, type StatsEntry} from './stats.js';
import type {ThresholdResult} from './thresholds.js';
import type {TargetWatchSummary} from './target-watch.js';

export const LOAD_REPORT_SCHEMA = 'drydock.load-report/1';

export interface EncodedHistogram {
	/** Values are microseconds. */
	unit: 'us';
	encoding: 'hdr-compressed-base64';
	data: string;
}

export interface LoadReportEntry extends EntrySummary {
	histogram: EncodedHistogram;
	correctedHistogram?: EncodedHistogram;
}

export interface LoadReportConfig {
	mode: LoadMode;
	users: number;
	spawnRate: number | null;
	runTimeMs: number | null;
	shape: string | null;
	arrivalRate: number | null;
	thresholds: string[];
}

export interface LoadReport {
	schema: typeof LOAD_REPORT_SCHEMA;
	id: string;
	/** The machine that ran it (os.hostname()), naming its row in a merged report; absent in older reports. */
	hostname?: string;
	test_type: 'load';
	scenario: string;
	host: string;
	start_time: string;
	end_time: string;
	duration_seconds: number;
	interrupted: boolean;
	peak_users: number;
	config: LoadReportConfig;
	entries: LoadReportEntry[];
	aggregated: LoadReportEntry;
	failures: Array<{method: string; name: string; error: string; occurrences: number}>;
	task_errors: number;
	dropped_iterations: number;
	thresholds: ThresholdResult[];
	success: boolean;
	/** Every second of the run: requests/s, failures/s, p50/p95/p99 ms of that second, users. */
	timeline?: LoadTimelinePoint[];
	/** Stepped or staged shapes: one row per span at one user count (percentiles exact per step). */
	steps?: LoadStepSummary[];
	/** What the requests cost drydock: CPU seconds of this process over the run, and requests per CPU-second. */
	cost?: {cpu_seconds: number; requests_per_cpu_second: number | null};
	/** `--workers N`: the run was N worker threads, merged. */
	workers?: number;
	/** `--watch-pid`: the target's CPU and memory, sampled once a second. */
	target_process?: TargetWatchSummary;
}

export interface LoadTimelinePoint {
	second: number;
	rps: number;
	failures_per_second: number;
	p50_ms: number;
	p95_ms: number;
	p99_ms: number;
	users: number;
}

export interface LoadStepSummary {
	users: number;
	from_second: number;
	to_second: number;
	requests: number;
	failures: number;
	rps: number;
	p50_ms: number;
	p95_ms: number;
	p99_ms: number;
	max_ms: number;
}

function encode(histogram: Histogram): EncodedHistogram {
	return {unit: 'us', encoding: 'hdr-compressed-base64', data: hdr.encodeIntoCompressedBase64(histogram)};
}

/** The inverse of the report's encoding, for merging reports. */
export function decodeLoadHistogram(encoded: EncodedHistogram): Histogram {
	return hdr.decodeFromCompressedBase64(encoded.data);
}

function reportEntry(entry: StatsEntry, seconds: number): LoadReportEntry {
	const last = Math.floor(seconds);
	return {
		...summarize(entry, seconds, last, 0),
		histogram: encode(entry.histogram),
		...(entry.corrected ? {correctedHistogram: encode(entry.corrected)} : {}),
	};
}

function stepSummary(step: NonNullable<LoadResult['steps']>[number]): LoadStepSummary {
	const max = step.histogram.totalCount ? step.histogram.maxValue / 1000 : 0;
	// HDR gives a bucket's upper edge, which can lie just above the largest value recorded.
	const ms = (p: number) =>
		step.histogram.totalCount ? Math.min(max, step.histogram.getValueAtPercentile(p) / 1000) : 0;
	const span = Math.max(1, step.toSecond - step.fromSecond);
	return {
		users: step.users,
		from_second: step.fromSecond,
		to_second: step.toSecond,
		requests: step.requests,
		failures: step.failures,
		rps: Math.round((step.requests / span) * 100) / 100,
		p50_ms: ms(50),
		p95_ms: ms(95),
		p99_ms: ms(99),
		max_ms: max,
	};
}

export function buildLoadReport(input: {
	id: string;
	scenario: string;
	host: string;
	result: LoadResult;
	config: LoadReportConfig;
	thresholds: ThresholdResult[];
	target?: TargetWatchSummary;
}): LoadReport {
	const {result} = input;
	const seconds = result.elapsedMs / 1000;
	const requests = result.stats.total.requests;
	return {
		schema: LOAD_REPORT_SCHEMA,
		id: input.id,
		hostname: os.hostname(),
		test_type: 'load',
		scenario: input.scenario,
		host: input.host,
		start_time: result.startedAt.toISOString(),
		end_time: result.endedAt.toISOString(),
		duration_seconds: Math.round(seconds * 1000) / 1000,
		interrupted: result.interrupted,
		peak_users: result.peakUsers,
		config: input.config,
		entries: result.stats.sortedEntries().map(entry => reportEntry(entry, seconds)),
		aggregated: reportEntry(result.stats.total, seconds),
		failures: [...result.stats.failures.values()].map(f => ({...f})),
		task_errors: result.stats.taskErrors,
		dropped_iterations: result.stats.droppedIterations,
		thresholds: input.thresholds,
		success: !result.interrupted && input.thresholds.every(t => t.passed),
		timeline: (result.timeline ?? []).map(p => ({
			second: p.second,
			rps: p.rps,
			failures_per_second: p.failuresPerSecond,
			p50_ms: p.p50Ms,
			p95_ms: p.p95Ms,
			p99_ms: p.p99Ms,
			users: p.users,
		})),
		...(result.steps?.length ? {steps: result.steps.map(stepSummary)} : {}),
		...(result.cpuSeconds !== undefined
			? {
					cost: {
						cpu_seconds: Math.round(result.cpuSeconds * 1000) / 1000,
						requests_per_cpu_second: result.cpuSeconds > 0 ? Math.round(requests / result.cpuSeconds) : null,
					},
				}
			: {}),
		...(input.target ? {target_process: input.target} : {}),
	};
}

/** `load-20261122T083500Z`-style id, sortable and unique enough for one machine. */
export function loadRunId(date = new Date()): string {
	return `load-${date
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z')}`;
}

/** Writes `<dir>/<id>/load-report.json` atomically; returns the path. */
export async function writeLoadReport(dir: string, report: LoadReport): Promise<string> {
	const folder = join(dir, report.id);
	await mkdir(folder, {recursive: true});
	const path = join(folder, 'load-report.json');
	const temp = `${path}.${process.pid}.tmp`;
	await writeFile(temp, JSON.stringify(report, null, '\t') + '\n');
	await rename(temp, path);
	return path;
}
