/**
 * Circuit breaker: closed → (failureThreshold consecutive failures) → open → (openMs) → half-open, where
 * up to halfOpenProbes calls go through; that many successes close it, any failure reopens it.
 */
import type {BreakerState, BreakerView} from './snapshot.js';

export interface BreakerOptions {
	failureThreshold: number;
	openMs: number;
	halfOpenProbes: number;
	now?: () => number;
	onTransition?: (view: BreakerView, from: BreakerState) => void;
}

export class BreakerOpenError extends Error {
	override readonly name = 'BreakerOpenError';
	readonly kind = 'breaker-open';
	constructor(readonly retryAt: number | null) {
		super('circuit breaker is open: call not attempted');
	}
}

export class CircuitBreaker {
	private stateValue: BreakerState = 'closed';
	private failures = 0;
	private transitions = 0;
	private lastTransitionAt: number | null = null;
	private openedAt: number | null = null;
	private probesInFlight = 0;
	private probeSuccesses = 0;
	private readonly now: () => number;

	constructor(private readonly options: BreakerOptions) {
		this.now = options.now ?? Date.now;
	}

	get state(): BreakerState {
		this.refresh();
		return this.stateValue;
	}

	view(): BreakerView {
		this.refresh();
		return {
			state: this.stateValue,
			consecutiveFailures: this.failures,
			transitions: this.transitions,
			lastTransitionAt: this.lastTransitionAt,
			retryAt: this.stateValue === 'open' && this.openedAt !== null ? this.openedAt + this.options.openMs : null,
		};
	}

	/** Asks to make a call. Returns false when the breaker rejects it; true means call, then report with success()/failure(). */
	tryAcquire(): boolean {
		this.refresh();
		if (this.stateValue === 'closed') return true;
		if (this.stateValue === 'open') return false;
		if (this.probesInFlight + this.probeSuccesses >= this.options.halfOpenProbes) return false;
		this.probesInFlight++;
		return true;
	}

	success(): void {
		if (this.stateValue === 'half-open') {
			this.probesInFlight = Math.max(0, this.probesInFlight - 1);
			this.probeSuccesses++;
			if (this.probeSuccesses >= this.options.halfOpenProbes) this.transition('closed');
			return;
		}
		if (this.stateValue === 'closed') this.failures = 0;
	}

	failure(): void {
		this.failures++;
		if (this.stateValue === 'half-open') {
			this.transition('open');
			return;
		}
		if (this.stateValue === 'closed' && this.failures >= this.options.failureThreshold) this.transition('open');
	}

	/** A call that was acquired but neither succeeded nor failed (e.g. aborted): frees its probe slot. */
	release(): void {
		if (this.stateValue === 'half-open') this.probesInFlight = Math.max(0, this.probesInFlight - 1);
	}

	/** Forces the breaker open now (the console's breaker test). */
	trip(): void {
		this.transition('open');
	}

	/** Moves open → half-open once openMs has passed; called lazily on every read. */
	private refresh(): void {
		if (this.stateValue === 'open' && this.openedAt !== null && this.now() - this.openedAt >= this.options.openMs)
			this.transition('half-open');
	}

	private transition(to: BreakerState): void {
		const from = this.stateValue;
		const at = this.now();
		this.stateValue = to;
		this.transitions++;
		this.lastTransitionAt = at;
		this.probesInFlight = 0;
		this.probeSuccesses = 0;
		if (to === 'open') this.openedAt = at;
		if (to === 'closed') this.failures = 0;
		this.options.onTransition?.(this.view(), from);
	}
}
