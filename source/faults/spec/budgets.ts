/**
 * Default fault durations and recovery budgets per kind (a pure leaf). A chaos entry or profile may set
 * its own `duration` and `recoveryBudget`; these fill the gaps.
 */
import type {FaultKind} from './kinds.js';

/** Faults that last until cleared unless given a duration get this one. */
export const defaultFaultDurationMs: Record<FaultKind, number> = {
	latency: 30_000,
	'error-rate': 30_000,
	'rate-limit-storm': 20_000,
	'drop-websockets': 0,
	'stall-streams': 30_000,
	'clock-skew': 60_000,
	'pause-market': 30_000,
	'connection-reset': 30_000,
	timeout: 30_000,
	// The move (over + hold); the mock's own recovery follows (see chaos/schema.ts).
	'price-shock': 3_000,
	halt: 10_000,
};

/** Time allowed from the fault's end to the first sign of health (streams back, a call succeeding). */
export const defaultRecoveryBudgetMs: Record<FaultKind, number> = {
	latency: 5_000,
	'error-rate': 10_000,
	// Retry-After (1 s by default on the mock) plus the breaker's open time and a probe.
	'rate-limit-storm': 15_000,
	'drop-websockets': 5_000,
	'stall-streams': 5_000,
	'clock-skew': 5_000,
	'pause-market': 5_000,
	// A call made after the fault ends succeeds at once; one caught in it fails by its own timeout first.
	'connection-reset': 10_000,
	timeout: 10_000,
	// A shock's budget is its recovery time plus this (chaos/schema.ts); a halt: trading seen again.
	'price-shock': 5_000,
	halt: 5_000,
};
