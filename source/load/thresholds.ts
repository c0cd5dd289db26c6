/**
 * Pass/fail thresholds on the aggregate: `p95<2000`, `fail_ratio<0.01`, `rps>=16`, `avg<300`,
 * `max<=5000`, `requests>1000`. Latencies in ms; in arrival-rate mode percentiles and avg/max use
 * the coordinated-omission-corrected figures (the honest ones).
 */
import {UsageError} from '../util/usage-error.js';
import type {EntrySummary} from './stats.js';

type Operator = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
	expression: string;
	metric: string;
	operator: Operator;
	value: number;
}

export interface ThresholdResult extends Threshold {
	actual: number;
	passed: boolean;
}

const METRICS = [
	'p50',
	'p66',
	'p75',
	'p80',
	'p90',
	'p95',
	'p98',
	'p99',
	'p99.9',
	'p99.99',
	'p100',
	'avg',
	'min',
	'max',
	'median',
	'rps',
	'fail_ratio',
	'failures',
	'requests',
	'fps',
] as const;

export function parseThreshold(expression: string): Threshold {
	const match = /^\s*([a-z_]+[0-9.]*)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/i.exec(expression);
	if (!match)
		throw new UsageError(
			`--threshold: cannot read "${expression}" (expected METRIC OP NUMBER, e.g. p95<2000, fail_ratio<0.01, rps>=16)`,
		);
	const metric = match[1]!.toLowerCase();
	if (!(METRICS as readonly string[]).includes(metric))
		throw new UsageError(`--threshold "${expression}": unknown metric "${metric}" (known: ${METRICS.join(', ')})`);
	return {expression: expression.trim(), metric, operator: match[2] as Operator, value: Number(match[3])};
}

function actualValue(metric: string, total: EntrySummary): number {
	const percentiles = total.correctedPercentiles ?? total.percentiles;
	if (metric.startsWith('p')) return percentiles[`${metric.slice(1)}%`] ?? Number.NaN;
	switch (metric) {
		case 'avg':
			return total.correctedAvgMs ?? total.avgMs;
		case 'max':
			return total.correctedMaxMs ?? total.maxMs;
		case 'min':
			return total.minMs;
		case 'median':
			return percentiles['50%'] ?? total.medianMs;
		case 'rps':
			return total.rps;
		case 'fps':
			return total.failuresPerSecond;
		case 'fail_ratio':
			return total.failRatio;
		case 'failures':
			return total.failures;
		case 'requests':
			return total.requests;
		default:
			return Number.NaN;
	}
}

function holds(actual: number, operator: Operator, value: number): boolean {
	switch (operator) {
		case '<':
			return actual < value;
		case '<=':
			return actual <= value;
		case '>':
			return actual > value;
		case '>=':
			return actual >= value;
		case '==':
			return actual === value;
	}
}

export function evaluateThresholds(thresholds: Threshold[], total: EntrySummary): ThresholdResult[] {
	return thresholds.map(threshold => {
		const actual = actualValue(threshold.metric, total);
		return {
			...threshold,
			actual,
			passed: Number.isFinite(actual) && holds(actual, threshold.operator, threshold.value),
		};
	});
}
