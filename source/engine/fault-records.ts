/** Records of faults drydock injected: fault marks on the run's timeline and the chaos timeline's records (report.json `chaos[]`). */
import type {Verdict} from './checks.js';
import type {BreakerState} from './breaker-state.js';

export interface FaultMark {
	at: number;
	kind: string;
	detail: string;
	/** Set when the engine saw the system recover. */
	recoveredAt?: number;
}

/** One order whose placement failed in a way that leaves its fate unknown (timeout, 5xx), and what became of it. */
export interface UnknownOrderRecord {
	client_order_id: string;
	/** ms after the fault was injected. */
	at_ms: number;
	error: string;
	/** `found open|closed|canceled…` (the venue had it), `not placed` (venue: unknown order), `unresolved`. */
	resolution: string;
	/** How it was resolved: e.g. `fetchOrder by clientOrderId`. */
	resolved_by: string | null;
	/** createOrder calls sent with this clientOrderId: more than 1 means it was placed twice. */
	placements: number;
}

/** What one scheduled fault did and how the system came back (report.json `chaos[]`). Times in ms after injection. */
export interface ChaosRecord {
	index: number;
	fault: string;
	label: string;
	params: Record<string, unknown>;
	/** Planned start, ms after the soak's start. */
	scheduled_ms: number;
	duration_ms: number;
	recovery_budget_ms: number;
	injected_at: string | null;
	/** First failed call, stream drop or stream silence seen. */
	detected_after_ms: number | null;
	detected_by: string | null;
	/** Streams: first reconnect, and every watched stream delivering again. */
	reconnected_after_ms: number | null;
	resubscribed_after_ms: number | null;
	/** First sign of health after the fault ended (streams back / a call succeeding). */
	recovered_after_ms: number | null;
	/** recovered − fault end: what the budget is held to. */
	recovery_ms: number | null;
	messages_missed: number;
	book_resyncs: number;
	failed_calls: number;
	unknown_orders: UnknownOrderRecord[];
	breaker_transitions: {after_ms: number; state: BreakerState}[];
	verdict: Verdict | 'pending' | 'active';
	reason: string | null;
}
