/** Checks and verdicts: what a phase reports, and how a phase's status follows from its checks. */

/** The outcome of one check. `no-data` is its own verdict: connected but nothing arrived is not a pass. */
/** `info`: a figure recorded for the reader, not a check that passes (never counted in "N/M passed"). */
export type Verdict = 'pass' | 'warn' | 'fail' | 'no-data' | 'skipped' | 'info';

/**
 * A phase's status: its verdict once finished, derived from its checks (see derivePhaseStatus).
 * `interrupted`: the run was stopped while the phase ran — it proved nothing either way and never passes.
 */
export type PhaseStatus = 'pending' | 'running' | 'interrupted' | Verdict;

/** Verdicts that count in "N/M passed": `info` is a figure, not a check; `warn` is not a pass either. */
export const countsAsCheck = (verdict: Verdict): boolean => verdict !== 'info';

/** "N/M passed" over a phase's checks: passes over every check that is not informational. */
export function passCount(checks: readonly Pick<CheckResult, 'verdict'>[]): {passed: number; total: number} {
	const counted = checks.filter(c => countsAsCheck(c.verdict));
	return {passed: counted.filter(c => c.verdict === 'pass').length, total: counted.length};
}

export interface CheckResult {
	/** Stable id within the phase, e.g. `clock-skew`. */
	id: string;
	title: string;
	verdict: Verdict;
	/** What was measured, e.g. 12.4, "3 gaps", true. null when nothing could be measured. */
	measured: number | string | boolean | null;
	/** The threshold the value was held to, human-readable: "< 1000 ms", "= 0", "withdrawals off". */
	threshold: string | null;
	unit?: string;
	/** Why it failed, warned, had no data or was skipped. */
	reason?: string;
	at: number;
}

export interface CheckInput {
	id: string;
	title: string;
	verdict: Verdict;
	measured?: number | string | boolean | null;
	threshold?: string | null;
	unit?: string;
	reason?: string;
}

/** Derives a finished phase's status from its checks (informational ones ignored): any fail → fail; else any no-data → no-data; else any warn → warn; all skipped → skipped; else pass. */
export function derivePhaseStatus(all: readonly Pick<CheckResult, 'verdict'>[]): Verdict {
	const checks = all.filter(c => countsAsCheck(c.verdict));
	if (checks.length === 0) return 'no-data';
	if (checks.some(c => c.verdict === 'fail')) return 'fail';
	if (checks.some(c => c.verdict === 'no-data')) return 'no-data';
	if (checks.some(c => c.verdict === 'warn')) return 'warn';
	if (checks.every(c => c.verdict === 'skipped')) return 'skipped';
	return 'pass';
}
