/** Checks and verdicts: what a phase reports, and how a phase's status follows from its checks. */

/** The outcome of one check. `no-data` is its own verdict: connected but nothing arrived is not a pass. */
/** `info`: a figure recorded for the reader, not a check that passes (never counted in "N/M passed"). */
export type Verdict = 'pass' | 'warn' | 'fail' | 'no-data' | 'skipped' | 'info';

/** A phase's status: its verdict once finished, derived from its checks (see derivePhaseStatus). */
export type PhaseStatus = 'pending' | 'running' | Verdict;

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

/** Derives a finished phase's status from its checks: any fail → fail; else any no-data → no-data; else any warn → warn; all skipped → skipped; else pass. */
export function derivePhaseStatus(checks: readonly Pick<CheckResult, 'verdict'>[]): Verdict {
	if (checks.length === 0) return 'no-data';
	if (checks.some(c => c.verdict === 'fail')) return 'fail';
	if (checks.some(c => c.verdict === 'no-data')) return 'no-data';
	if (checks.some(c => c.verdict === 'warn')) return 'warn';
	if (checks.every(c => c.verdict === 'skipped')) return 'skipped';
	return 'pass';
}
