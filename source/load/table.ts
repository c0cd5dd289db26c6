/**
 * The end-of-run text in Locust's layout: the request table, the percentile table, the error
 * report; plus the corrected percentiles in arrival-rate mode and the threshold verdicts.
 */
import {percentileLabel, PERCENTILES, type EntrySummary, type FailureKind} from './stats.js';
import type {ThresholdResult} from './thresholds.js';

const TYPE_WIDTH = 8;
const NAME_WIDTH = 60;

const pad = (text: string, width: number): string =>
	text.length >= width ? text : text + ' '.repeat(width - text.length);
const padLeft = (text: string, width: number): string =>
	text.length >= width ? text : ' '.repeat(width - text.length) + text;
/** Locust's `%d` truncates; sub-millisecond figures would all read 0, so keep one decimal under 10 ms. */
const ms = (value: number): string => (value < 10 ? value.toFixed(1) : String(Math.round(value)));

function requestRow(entry: EntrySummary, nameWidth: number): string {
	const fails = `${entry.failures}(${(entry.failRatio * 100).toFixed(2)}%)`;
	return (
		`${pad(entry.method, TYPE_WIDTH)} ${pad(entry.name, nameWidth)} ${padLeft(String(entry.requests), 7)} ${padLeft(fails, 12)} |` +
		`${padLeft(ms(entry.avgMs), 7)} ${padLeft(ms(entry.minMs), 7)} ${padLeft(ms(entry.maxMs), 7)}${padLeft(ms(entry.medianMs), 7)} | ` +
		`${padLeft(entry.rps.toFixed(2), 7)} ${padLeft(entry.failuresPerSecond.toFixed(2), 11)}`
	);
}

export function requestTable(entries: readonly EntrySummary[], total: EntrySummary): string[] {
	const nameWidth = NAME_WIDTH - TYPE_WIDTH + 4;
	const header = `${pad('Type', TYPE_WIDTH)} ${pad('Name', nameWidth)} ${padLeft('# reqs', 7)} ${padLeft('# fails', 12)} |${padLeft('Avg', 7)} ${padLeft('Min', 7)} ${padLeft('Max', 7)}${padLeft('Med', 7)} | ${padLeft('req/s', 7)} ${padLeft('failures/s', 11)}`;
	const separator = `${'-'.repeat(TYPE_WIDTH)}|${'-'.repeat(nameWidth)}|${'-'.repeat(7)}|${'-'.repeat(13)}|${'-'.repeat(7)}|${'-'.repeat(7)}|${'-'.repeat(7)}|${'-'.repeat(7)}|${'-'.repeat(8)}|${'-'.repeat(11)}`;
	return [
		header,
		separator,
		...entries.map(entry => requestRow(entry, nameWidth)),
		separator,
		requestRow(total, nameWidth),
	];
}

export function percentileTable(entries: readonly EntrySummary[], total: EntrySummary, corrected = false): string[] {
	const pick = (entry: EntrySummary) => (corrected ? entry.correctedPercentiles : entry.percentiles);
	const title = corrected
		? 'Response time percentiles, corrected for coordinated omission (from the intended send time)'
		: 'Response time percentiles (exact, HDR histogram)';
	const header = `${pad('Type', TYPE_WIDTH)} ${pad('Name', NAME_WIDTH)} ${padLeft('# reqs', 8)} ${PERCENTILES.map(p => padLeft(percentileLabel(p), 6)).join(' ')}`;
	const separator = `${'-'.repeat(TYPE_WIDTH)}|${'-'.repeat(NAME_WIDTH)}|${'-'.repeat(8)}|${PERCENTILES.map(() => '-'.repeat(6)).join('|')}`;
	const row = (entry: EntrySummary): string => {
		const values = pick(entry) ?? {};
		return `${pad(entry.method, TYPE_WIDTH)} ${pad(entry.name, NAME_WIDTH)} ${padLeft(String(entry.requests), 8)} ${PERCENTILES.map(p => padLeft(ms(values[percentileLabel(p)] ?? 0), 6)).join(' ')}`;
	};
	return [
		title,
		header,
		separator,
		...entries.filter(entry => entry.requests > 0).map(row),
		separator,
		...(total.requests > 0 ? [row(total)] : []),
	];
}

export function errorReport(failures: readonly FailureKind[]): string[] {
	if (failures.length === 0) return [];
	const lines = [
		'Error report',
		`${pad('# occurrences', 18)} ${'Error'}`,
		`${'-'.repeat(18)}|${'-'.repeat(80 + NAME_WIDTH - 19)}`,
	];
	for (const failure of failures)
		lines.push(`${pad(String(failure.occurrences), 18)} ${failure.method} ${failure.name}: ${failure.error}`.trimEnd());
	lines.push(`${'-'.repeat(18)}|${'-'.repeat(80 + NAME_WIDTH - 19)}`);
	return lines;
}

export function thresholdLines(results: readonly ThresholdResult[]): string[] {
	if (results.length === 0) return [];
	return [
		'Thresholds',
		...results.map(
			r =>
				`  ${r.passed ? 'pass' : 'FAIL'}  ${r.expression}  (actual ${Number.isFinite(r.actual) ? Number(r.actual.toFixed(4)) : 'n/a'})`,
		),
	];
}
