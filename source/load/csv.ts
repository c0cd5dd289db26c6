/**
 * Locust-compatible CSV output: PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv with
 * Locust's exact column headers, order and quoting (Python csv QUOTE_MINIMAL, CRLF), so existing
 * spreadsheets and scripts keep working. Response times are in ms; where Locust writes integers we
 * keep two decimals, because loopback latencies are sub-millisecond.
 */
import {createWriteStream, type WriteStream} from 'node:fs';
import {mkdir, writeFile} from 'node:fs/promises';
import {dirname} from 'node:path';
import {percentileLabel, PERCENTILES, type EntrySummary, type FailureKind} from './stats.js';
import type {SecondTick} from './runner.js';

const LABELS = PERCENTILES.map(percentileLabel);

export const STATS_COLUMNS = [
	'Type',
	'Name',
	'Request Count',
	'Failure Count',
	'Median Response Time',
	'Average Response Time',
	'Min Response Time',
	'Max Response Time',
	'Average Content Size',
	'Requests/s',
	'Failures/s',
	...LABELS,
];
export const HISTORY_COLUMNS = [
	'Timestamp',
	'User Count',
	'Type',
	'Name',
	'Requests/s',
	'Failures/s',
	...LABELS,
	'Total Request Count',
	'Total Failure Count',
	'Total Median Response Time',
	'Total Average Response Time',
	'Total Min Response Time',
	'Total Max Response Time',
	'Total Average Content Size',
];
export const FAILURES_COLUMNS = ['Method', 'Name', 'Error', 'Occurrences'];

function field(value: string | number): string {
	const text = typeof value === 'number' ? String(value) : value;
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: Array<string | number>): string {
	return values.map(field).join(',') + '\r\n';
}

const round = (value: number, digits = 2): number => {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
};

function percentileFields(entry: EntrySummary): Array<string | number> {
	if (entry.requests === 0) return LABELS.map(() => 'N/A');
	return LABELS.map(label => round(entry.percentiles[label] ?? 0));
}

export function statsRow(entry: EntrySummary): Array<string | number> {
	return [
		entry.method,
		entry.name,
		entry.requests,
		entry.failures,
		round(entry.medianMs),
		round(entry.avgMs, 6),
		round(entry.minMs, 3),
		round(entry.maxMs, 3),
		round(entry.avgContentSize, 6),
		round(entry.rps, 6),
		round(entry.failuresPerSecond, 6),
		...percentileFields(entry),
	];
}

export function historyRow(tick: SecondTick): Array<string | number> {
	const t = tick.total;
	return [
		tick.timestamp,
		tick.users,
		t.method,
		t.name,
		t.currentRps.toFixed(6),
		t.currentFailuresPerSecond.toFixed(6),
		...percentileFields(t),
		t.requests,
		t.failures,
		round(t.medianMs),
		round(t.avgMs, 6),
		round(t.minMs, 3),
		round(t.maxMs, 3),
		round(t.avgContentSize, 6),
	];
}

export async function writeStatsCsv(
	prefix: string,
	entries: readonly EntrySummary[],
	total: EntrySummary,
): Promise<string> {
	const path = `${prefix}_stats.csv`;
	await mkdir(dirname(path), {recursive: true});
	await writeFile(path, csvLine(STATS_COLUMNS) + [...entries, total].map(entry => csvLine(statsRow(entry))).join(''));
	return path;
}

export async function writeFailuresCsv(prefix: string, failures: readonly FailureKind[]): Promise<string> {
	const path = `${prefix}_failures.csv`;
	await mkdir(dirname(path), {recursive: true});
	const sorted = [...failures].sort((a, b) =>
		a.name + a.method < b.name + b.method ? -1 : a.name + a.method > b.name + b.method ? 1 : 0,
	);
	await writeFile(
		path,
		csvLine(FAILURES_COLUMNS) + sorted.map(f => csvLine([f.method, f.name, f.error, f.occurrences])).join(''),
	);
	return path;
}

/** Appends one aggregate row per second while the run goes on (nothing accumulates in memory). */
export class HistoryCsvWriter {
	private readonly stream: WriteStream;
	readonly path: string;

	private constructor(path: string) {
		this.path = path;
		this.stream = createWriteStream(path);
		this.stream.on('error', () => {});
		this.stream.write(csvLine(HISTORY_COLUMNS));
	}

	static async open(prefix: string): Promise<HistoryCsvWriter> {
		const path = `${prefix}_stats_history.csv`;
		await mkdir(dirname(path), {recursive: true});
		return new HistoryCsvWriter(path);
	}

	append(tick: SecondTick): void {
		this.stream.write(csvLine(historyRow(tick)));
	}

	close(): Promise<void> {
		return new Promise(resolve => this.stream.end(resolve));
	}
}
