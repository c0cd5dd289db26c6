/**
 * The recovery judgement (a pure leaf): a fault passes when the system under test recovered within its
 * budget after the fault ended, without placing an order twice. The chaos runner measures; this decides.
 */

export interface RecoveryFacts {
	/** Allowed time from the fault's end to the first sign of health. */
	budgetMs: number;
	/** Time from the fault's end to recovery (0 when it recovered before the end); null: not recovered. */
	recoveryMs: number | null;
	/** When the fault ended (or will end), and now. */
	endAt: number;
	now: number;
	/** At the soak's end: an unrecovered fault is judged even within its budget. */
	final: boolean;
	/** Already judged past its budget: that verdict stands until a recovery is seen. */
	closed: boolean;
	/** Whether anything noticed the fault (a failed call, a dropped or silent stream). */
	detected: boolean;
	/** clientOrderIds sent more than once during the fault or its recovery. */
	placedTwice: readonly string[];
}

export interface RecoveryVerdict {
	verdict: 'pass' | 'fail' | 'no-data';
	reason: string | null;
}

/** The verdict on a fault, or null when it is too early to judge (still within its budget). */
export function judgeRecovery(facts: RecoveryFacts): RecoveryVerdict | null {
	const {budgetMs: budget, placedTwice: twice} = facts;
	const twiceReason =
		twice.length > 0 ? `; ${twice.length} order(s) placed twice (${twice.slice(0, 3).join(', ')})` : '';
	if (facts.recoveryMs !== null) {
		const ms = facts.recoveryMs;
		const ok = ms <= budget && twice.length === 0;
		return {
			verdict: ok ? 'pass' : 'fail',
			reason: ok
				? null
				: `${ms > budget ? `recovered ${ms} ms after the fault ended, over the ${budget} ms budget` : 'recovered in budget'}${twiceReason}`,
		};
	}
	// Not recovered: judged now only at the soak's end or once past its end + budget (never again once closed: its verdict stands).
	if (!facts.final && (facts.closed || facts.now - facts.endAt <= budget)) return null;
	if (facts.now < facts.endAt)
		return {
			verdict: 'no-data',
			reason: `the soak ended while the fault was still on (${facts.endAt - facts.now} ms left)${twiceReason}`,
		};
	const waited = facts.now - facts.endAt;
	if (waited > budget)
		return {
			verdict: 'fail',
			reason: `not recovered ${waited} ms after the fault ended (budget ${budget} ms)${facts.detected ? '' : '; never detected'}${twiceReason}`,
		};
	return {
		verdict: twice.length > 0 ? 'fail' : 'no-data',
		reason: `the soak ended ${waited} ms after the fault ended, before recovery was seen (budget ${budget} ms)${twiceReason}`,
	};
}
