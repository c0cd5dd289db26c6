/**
 * The soak's success criteria that only the engine can measure, as a list of providers: each looks at
 * the run when the soak's own work is done and returns its checks. Another module can contribute more
 * (e.g. the system under test's `sut-*` checks); a check whose id the soak already has is not added twice.
 */
import type {CheckInput} from './checks.js';
import type {ResourceLimits} from './snapshot.js';
import type {RunView} from './run-view.js';
import type {detectLeak} from '../monitor/slope.js';

export interface SoakCriteriaInput {
	view: RunView;
	now: number;
	limits: ResourceLimits & {errorsPerHour?: number};
	/** The RSS leak judgement after warm-up. */
	rssLeak: () => ReturnType<typeof detectLeak>;
}

export type SoakCriteriaProvider = (input: SoakCriteriaInput) => readonly CheckInput[];

export const criticalErrors: SoakCriteriaProvider = ({view}) => [{id: 'critical-errors', title: 'No critical errors', verdict: view.errors.critical === 0 ? 'pass' : 'fail', measured: view.errors.critical, threshold: '= 0'}];

export const errorsPerHour: SoakCriteriaProvider = ({view, now, limits}) => {
	const limit = limits.errorsPerHour;
	if (limit === undefined) return [];
	const stats = view.soakStats;
	const hours = Math.max((now - (view.soakStartedAt ?? now)) / 3_600_000, 5 / 60);
	// Errors drydock caused on purpose (chaos timeline, operator tests) are judged by their own checks (recovery budgets).
	const expected = stats.expectedErrors;
	const perHour = Math.max(0, stats.errors - expected) / hours;
	const faultsName = view.chaos.size > 0 ? 'chaos faults' : 'injected faults';
	return [{id: 'errors-per-hour', title: expected > 0 ? `Errors per hour under the limit (${expected} during ${faultsName} not counted)` : 'Errors per hour under the limit', verdict: perHour <= limit ? 'pass' : 'fail', measured: Math.round(perHour * 100) / 100, threshold: `≤ ${limit}`, unit: '/h'}];
};

export const cpuAverage: SoakCriteriaProvider = ({view, limits}) => {
	const self = view.resources.self;
	if (self.cpuCount === 0) return [{id: 'cpu-average', title: 'Average CPU under the limit', verdict: 'skipped', measured: null, threshold: `≤ ${limits.cpuPercent}%`, reason: 'no resource samples (monitor not running)'}];
	const avg = self.cpuSum / self.cpuCount;
	return [{id: 'cpu-average', title: 'Average CPU under the limit', verdict: avg <= limits.cpuPercent ? 'pass' : 'fail', measured: Math.round(avg * 10) / 10, threshold: `≤ ${limits.cpuPercent}`, unit: '%'}];
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

export const performanceGrade: SoakCriteriaProvider = ({view}) => {
	const stats = view.soakStats;
	const grade = view.currentGrade();
	const excluded = stats.failedDuringFaults;
	const noGrade = stats.operations > 0 ? `all ${stats.operations} soak operations failed under injected faults: nothing left to grade` : 'no soak operation completed';
	return [{id: 'grade', title: excluded > 0 ? `Performance grade (${excluded} failed operations under injected faults not graded)` : 'Performance grade', verdict: grade === null ? 'no-data' : grade === 'C' ? 'warn' : 'pass', measured: grade, threshold: 'A+ / A / B', ...(grade === null ? {reason: noGrade} : grade === 'C' ? {reason: 'below grade B (success rate or average latency)'} : {})}];
};

/** The engine's own soak criteria, in report order. */
export const engineSoakCriteria: readonly SoakCriteriaProvider[] = [criticalErrors, errorsPerHour, cpuAverage, memorySlope, performanceGrade];

/** Adds every provider's checks to the soak, skipping ids the soak already has (a finalizer or the phase may have judged them). */
export function addSoakCriteria(providers: readonly SoakCriteriaProvider[], input: SoakCriteriaInput, check: (input: CheckInput) => void): void {
	const existing = new Set(input.view.phaseState('soak').checks.map(c => c.id));
	for (const provider of providers) {
		for (const criterion of provider(input)) {
			if (!existing.has(criterion.id)) check(criterion);
		}
	}
}
