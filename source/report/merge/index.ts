/**
 * `drydock report merge A.json B.json … -o OUT.json`: combines reports of one kind from several
 * machines. Input mistakes are UsageErrors naming the file and the field (exit 2, one line).
 */
import {readFile} from 'node:fs/promises';
import {REPORT_SCHEMA, type Report} from '../model.js';
import {LOAD_REPORT_SCHEMA, type LoadReport} from '../../load/report.js';
import {UsageError} from '../../util/usage-error.js';
import {writeFileAtomic} from '../json.js';
import {mergeLoadReports, type MergedLoadReport} from './load-reports.js';
import {mergeRunReports, type MergedRunReport} from './run-reports.js';

export type {MachineRow} from './machine-rows.js';
export type {MergedLoadReport} from './load-reports.js';
export type {MergedRunReport, MergeInfo} from './run-reports.js';

export type MergedReport = MergedRunReport | MergedLoadReport;

export interface MergeOptions {
	/** Where each report came from (file paths), for messages and the machines table. */
	sources?: readonly (string | null)[];
}

type Check = [path: string, test: (v: unknown) => boolean, expected: string];
const isString = (v: unknown) => typeof v === 'string';
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isArray = (v: unknown) => Array.isArray(v);
const isStringOrNull = (v: unknown) => v === null || typeof v === 'string';

const runChecks: Check[] = [
	['run_id', isString, 'a string'],
	['start_time', isString, 'an ISO time'],
	['duration_hours', isNumber, 'a number'],
	['total_operations', isNumber, 'a number'],
	['phases', isArray, 'an array'],
	['streams', isArray, 'an array'],
	['errors', isArray, 'an array'],
	['faults', isArray, 'an array'],
	['anomalies', isArray, 'an array'],
	['metrics.total_errors', isNumber, 'a number'],
	['histograms.operations', isString, 'an encoded histogram'],
	['histograms.soak', isStringOrNull, 'an encoded histogram or null'],
	['histograms.calls', isString, 'an encoded histogram'],
	['calls.count', isNumber, 'a number'],
	['breaker.state', isString, 'a string'],
	['kill_switch.ordersCancelled', isNumber, 'a number'],
	['resources.self', v => typeof v === 'object' && v !== null, 'an object'],
];
const loadChecks: Check[] = [
	['id', isString, 'a string'],
	['start_time', isString, 'an ISO time'],
	['end_time', isString, 'an ISO time'],
	['duration_seconds', isNumber, 'a number'],
	['entries', isArray, 'an array'],
	['aggregated.requests', isNumber, 'a number'],
	['aggregated.histogram.data', isString, 'an encoded histogram'],
	['failures', isArray, 'an array'],
	['config.thresholds', isArray, 'an array'],
];

function at(value: unknown, path: string): unknown {
	let current = value;
	for (const key of path.split('.')) {
		if (typeof current !== 'object' || current === null) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

function validate(value: unknown, checks: readonly Check[], where: string): void {
	for (const [path, test, expected] of checks) {
		if (!test(at(value, path))) throw new UsageError(`${where}: ${path}: expected ${expected}`);
	}
	for (const key of ['start_time', 'end_time'] as const) {
		const t = at(value, key);
		if (typeof t === 'string' && !Number.isFinite(Date.parse(t)))
			throw new UsageError(`${where}: ${key}: "${t}" is not a time`);
	}
}

/**
 * Merges run reports (`drydock.report/1`) or load reports (`drydock.load-report/1`), never a mix.
 * Histograms are added exactly and percentiles recomputed; counters summed; machines kept as rows.
 */
export function mergeReports(reports: readonly unknown[], options: MergeOptions = {}): MergedReport {
	if (reports.length === 0) throw new UsageError('report merge: no reports to merge');
	const where = (i: number) => options.sources?.[i] ?? `report ${i + 1}`;
	const schemas = reports.map((r, i) => {
		const schema = typeof r === 'object' && r !== null ? (r as {schema?: unknown}).schema : undefined;
		if (schema !== REPORT_SCHEMA && schema !== LOAD_REPORT_SCHEMA)
			throw new UsageError(
				`${where(i)}: schema is ${JSON.stringify(schema)}, expected "${REPORT_SCHEMA}" or "${LOAD_REPORT_SCHEMA}"`,
			);
		return schema;
	});
	const kind = schemas[0]!;
	const other = schemas.findIndex(s => s !== kind);
	if (other >= 0)
		throw new UsageError(`${where(other)}: a ${schemas[other]} report cannot be merged with ${where(0)} (${kind})`);
	reports.forEach((r, i) => validate(r, kind === REPORT_SCHEMA ? runChecks : loadChecks, where(i)));
	const sourced = <T>(r: unknown, i: number) => ({report: r as T, source: options.sources?.[i] ?? null});
	return kind === REPORT_SCHEMA
		? mergeRunReports(reports.map((r, i) => sourced<Report>(r, i)))
		: mergeLoadReports(reports.map((r, i) => sourced<LoadReport>(r, i)));
}

export function isMergedRunReport(report: MergedReport): report is MergedRunReport {
	return report.schema === REPORT_SCHEMA;
}

/** Reads and parses report files, naming the file in every error. */
export async function readReportFiles(files: readonly string[]): Promise<unknown[]> {
	return Promise.all(
		files.map(async file => {
			let text: string;
			try {
				text = await readFile(file, 'utf8');
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code;
				throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
			}
			try {
				return JSON.parse(text) as unknown;
			} catch (error) {
				throw new UsageError(`${file}: not valid JSON: ${(error as Error).message}`);
			}
		}),
	);
}

/** Reads the files, merges them and writes the result atomically to `out`. */
export async function mergeReportFiles(files: readonly string[], out: string): Promise<MergedReport> {
	if (files.length < 2) throw new UsageError(`report merge: give at least two reports (got ${files.length})`);
	const merged = mergeReports(await readReportFiles(files), {sources: files});
	await writeFileAtomic(out, JSON.stringify(merged, null, '\t') + '\n');
	return merged;
}
