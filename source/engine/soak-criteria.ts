/**
 * The soak's success criteria that only the engine can measure, as a list of providers: each looks at
 * the run when the soak's own work is done and returns its checks. Another module can contribute more
 * (e.g. the system under test's `sut-*` checks); a check whose id the soak already has is not added twice.
 */
import type {CheckInput} from './checks.js';
import {defaultGradeRules, type Grade, type GradeRules} from './grade.js';
import type {ResourceLimits} from './snapshot.js';
import type {RunView} from './run-view.js';
import type {detectLeak} from '../monitor/slope.js';

/** The guides' pass criteria a soak is held to (the profile's `thresholds.minGrade`, `thresholds.peakLatencyMs`, `grades`). */
export interface SoakTargets {
	/** The lowest grade that passes (default B): its success rate and average latency are the targets. */
	minGrade: Grade;
	/** The slowest single operation allowed (default 500 ms, the guides' "whole trade execution < 500 ms"). */
	peakLatencyMs: number;
	rules: GradeRules;
}

export const defaultSoakTargets: SoakTargets = {minGrade: 'B', peakLatencyMs: 500, rules: defaultGradeRules};

/** The guides' "< 1 error per hour" (errors under injected faults excluded). */
export const DEFAULT_ERRORS_PER_HOUR = 1;

const gradeRank: Record<Grade, number> = {'A+': 0, A: 1, B: 2, C: 3};

export interface SoakCriteriaInput {
	view: RunView;
	now: number;
	limits: ResourceLimits & {errorsPerHour?: number};
	targets?: SoakTargets;
	/** The RSS leak judgement after warm-up. */
	rssLeak: () => ReturnType<typeof detectLeak>;
}

export type SoakCriteriaProvider = (input: SoakCriteriaInput) => readonly CheckInput[];

export const criticalErrors: SoakCriteriaProvider = ({view}) => [
	{
		id: 'critical-errors',
		title: 'No critical errors',
		verdict: view.errors.critical === 0 ? 'pass' : 'fail',
		measured: view.errors.critical,
		threshold: '= 0',
	},
];

export const errorsPerHour: SoakCriteriaProvider = ({view, now, limits}) => {
	const limit = limits.errorsPerHour ?? DEFAULT_ERRORS_PER_HOUR;
	const stats = view.soakStats;
	const hours = Math.max((now - (view.soakStartedAt ?? now)) / 3_600_000, 5 / 60);
	// Errors drydock caused on purpose (chaos timeline, operator tests) are judged by their own checks (recovery budgets).
	const expected = stats.expectedErrors;
	const real = Math.max(0, stats.errors - expected);
	const perHour = real / hours;
	const faultsName = view.chaos.size > 0 ? 'chaos faults' : 'injected faults';
	// The guides' criterion is strict ("< 1 per hour"); no error at all always passes, even against a limit of 0.
	const ok = real === 0 || perHour < limit;
	return [
		{
			id: 'errors-per-hour',
			title:
				expected > 0
					? `Errors per hour under the limit (${expected} during ${faultsName} not counted)`
					: 'Errors per hour under the limit',
			verdict: ok ? 'pass' : 'fail',
			measured: Math.round(perHour * 100) / 100,
			threshold: `< ${limit}`,
			unit: '/h',
			...(ok
				? {}
				: {reason: `${real} real errors in ${Math.round(hours * 60 * 10) / 10} min (at least 5 min counted)`}),
		},
	];
};

export const cpuAverage: SoakCriteriaProvider = ({view, limits}) => {
	const self = view.resources.self;
	if (self.cpuCount === 0)
		return [
			{
				id: 'cpu-average',
				title: 'Average CPU under the limit',
				verdict: 'skipped',
				measured: null,
				threshold: `≤ ${limits.cpuPercent}%`,
				reason: 'no resource samples (monitor not running)',
			},
		];
	const avg = self.cpuSum / self.cpuCount;
	return [
		{
			id: 'cpu-average',
			title: 'Average CPU under the limit',
			verdict: avg <= limits.cpuPercent ? 'pass' : 'fail',
			measured: Math.round(avg * 10) / 10,
			threshold: `≤ ${limits.cpuPercent}`,
			unit: '%',
			...(avg <= limits.cpuPercent ? {} : {reason: `drydock averaged ${Math.round(avg * 10) / 10} % of one core`}),
		},
	];
};

/** The process memory ceiling (the guides' "< 500 MB"): drydock's peak RSS over the run. */
export const memoryCeiling: SoakCriteriaProvider = ({view, limits}) => {
	const peak = view.resources.self.rssPeak;
	if (peak === null)
		return [
			{
				id: 'memory-ceiling',
				title: 'Peak memory under the ceiling',
				verdict: 'skipped',
				measured: null,
				threshold: `< ${limits.rssMb} MB`,
				reason: 'no resource samples (monitor not running)',
			},
		];
	const ok = peak < limits.rssMb;
	return [
		{
			id: 'memory-ceiling',
			title: 'Peak memory under the ceiling',
			verdict: ok ? 'pass' : 'fail',
			measured: Math.round(peak * 10) / 10,
			threshold: `< ${limits.rssMb}`,
			unit: 'MB',
			...(ok ? {} : {reason: `drydock's RSS reached ${Math.round(peak)} MB`}),
		},
	];
};

/** The success rate as graded (failures under injected faults left out) against the minimum grade's. */
export const successRate: SoakCriteriaProvider = ({view, targets = defaultSoakTargets}) => {
	const stats = view.soakStats;
	const min = targets.minGrade === 'C' ? 0 : targets.rules[targets.minGrade].minSuccessRate;
	const threshold = `≥ ${Math.round(min * 100_000) / 1000}`;
	if (stats.successRate === null)
		return [
			{
				id: 'success-rate',
				title: 'Success rate at the target',
				verdict: 'no-data',
				measured: null,
				threshold,
				unit: '%',
				reason:
					stats.operations > 0 ? 'every soak operation failed under injected faults' : 'no soak operation completed',
			},
		];
	const ok = stats.successRate >= min;
	const failed = stats.failed - stats.failedDuringFaults;
	return [
		{
			id: 'success-rate',
			title: `Success rate at the target (grade ${targets.minGrade})`,
			verdict: ok ? 'pass' : 'fail',
			measured: Math.round(stats.successRate * 100_000) / 1000,
			threshold,
			unit: '%',
			...(ok ? {} : {reason: `${failed} of ${stats.operations - stats.failedDuringFaults} operations failed`}),
		},
	];
};

/** Average and peak latency of the soak's operations against the minimum grade's average and the peak limit. */
export const latencyTargets: SoakCriteriaProvider = ({view, targets = defaultSoakTargets}) => {
	const latency = view.soakStats.latency;
	if (latency.count === 0) return [];
	const maxAvg = targets.minGrade === 'C' ? Infinity : targets.rules[targets.minGrade].maxAvgLatencyMs;
	const avg = latency.avgMs ?? 0;
	const peak = latency.maxMs ?? 0;
	const round = (n: number) => Math.round(n * 1000) / 1000;
	const avgOk = avg < maxAvg;
	const peakOk = peak <= targets.peakLatencyMs;
	return [
		{
			id: 'average-latency',
			title: `Average latency at the target (grade ${targets.minGrade})`,
			verdict: avgOk ? 'pass' : 'fail',
			measured: round(avg),
			threshold: maxAvg === Infinity ? 'any' : `< ${maxAvg}`,
			unit: 'ms',
			...(avgOk ? {} : {reason: `average ${round(avg)} ms over ${latency.count} operations`}),
		},
		{
			id: 'peak-latency',
			title: 'Peak latency under the limit',
			verdict: peakOk ? 'pass' : 'fail',
			measured: round(peak),
			threshold: `≤ ${targets.peakLatencyMs}`,
			unit: 'ms',
			...(peakOk ? {} : {reason: `the slowest operation took ${round(peak)} ms`}),
		},
	];
};

export const memorySlope: SoakCriteriaProvider = ({limits, rssLeak}) => {
	const leak = rssLeak();
	return [
		{
			id: 'memory-slope',
			title: 'Memory stable (RSS slope after warm-up)',
			verdict: leak.slopePerHour === null ? 'skipped' : leak.leaking ? (leak.conclusive ? 'fail' : 'warn') : 'pass',
			measured: leak.slopePerHour === null ? null : Math.round(leak.slopePerHour * 100) / 100,
			threshold: `≤ ${limits.rssSlopeMbPerHour}`,
			unit: 'MB/h',
			...(leak.slopePerHour === null || leak.leaking ? {reason: leak.reason} : {}),
		},
	];
};

export const performanceGrade: SoakCriteriaProvider = ({view, targets = defaultSoakTargets}) => {
	const stats = view.soakStats;
	const grade = view.currentGrade();
	const excluded = stats.failedDuringFaults;
	const noGrade =
		stats.operations > 0
			? `all ${stats.operations} soak operations failed under injected faults: nothing left to grade`
			: 'no soak operation completed';
	const allowed = (['A+', 'A', 'B', 'C'] as const).filter(g => gradeRank[g] <= gradeRank[targets.minGrade]);
	const below = grade !== null && gradeRank[grade] > gradeRank[targets.minGrade];
	return [
		{
			id: 'grade',
			title:
				excluded > 0
					? `Performance grade (${excluded} failed operations under injected faults not graded)`
					: 'Performance grade',
			verdict: grade === null ? 'no-data' : below ? 'fail' : 'pass',
			measured: grade,
			threshold: allowed.join(' / '),
			...(grade === null
				? {reason: noGrade}
				: below
					? {reason: `below grade ${targets.minGrade} (success rate or average latency)`}
					: {}),
		},
	];
};

/** The engine's own soak criteria, in report order. */
export const engineSoakCriteria: readonly SoakCriteriaProvider[] = [
	criticalErrors,
	errorsPerHour,
	successRate,
	latencyTargets,
	cpuAverage,
	memoryCeiling,
	memorySlope,
	performanceGrade,
];

/** Adds every provider's checks to the soak, skipping ids the soak already has (a finalizer or the phase may have judged them). */
export function addSoakCriteria(
	providers: readonly SoakCriteriaProvider[],
	input: SoakCriteriaInput,
	check: (input: CheckInput) => void,
): void {
	const existing = new Set(input.view.phaseState('soak').checks.map(c => c.id));
	for (const provider of providers) {
		for (const criterion of provider(input)) {
			if (!existing.has(criterion.id)) check(criterion);
		}
	}
}
