/**
 * A fault spec (a pure leaf): what to inject — kind and parameters — for how long, and, once scheduled,
 * when it starts and how long recovery may take after it ends. The phases send FaultRequests; the chaos
 * timeline's entries are TimedFaults; the parameters per place are checked by mock-spec and proxy-spec.
 */
import type {FaultKind} from './kinds.js';

/** A fault to inject now. */
export interface FaultRequest {
	fault: FaultKind;
	params?: Record<string, unknown>;
	/** The fault ends by itself after this long (absent: until cleared). */
	durationMs?: number;
}

/** A fault on a timeline: its window and its recovery budget, in milliseconds. */
export interface TimedFault {
	fault: FaultKind;
	params: Record<string, unknown>;
	/** From the start of the timeline (the soak's). */
	startMs: number;
	/** 0 for an instantaneous fault (a drop). */
	durationMs: number;
	/** Allowed from the fault's end to the first sign of health (defaults: budgets.ts). */
	recoveryBudgetMs: number;
}
