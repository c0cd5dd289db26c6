/**
 * A client-side, weight-aware throttle: keeps our request weight under the venue's per-minute budget
 * minus the profile's headroom, learning the venue's own count from X-MBX-USED-WEIGHT-1M. Two guards:
 * a token bucket spreads a burst at budget/60 per second (so no minute can be blown in a second), and
 * the venue-reported minute total (plus what is in flight) never passes the limit — past it, wait for
 * the next minute.
 */
import {pause} from './abort.js';

export interface WeightThrottleOptions {
	budgetPerMinute: number;
	/** Fraction of the budget kept free (0..1). */
	headroom: number;
	/** Seconds of refill the bucket holds (burst allowance). */
	burstSeconds?: number;
	now?: () => number;
}

export class WeightThrottle {
	readonly limit: number;
	readonly ratePerSecond: number;
	private readonly capacity: number;
	private tokens: number;
	private refilledAt: number;
	private reportedWeight = 0;
	private reportedMinute = -1;
	private inFlight = 0;
	private chain: Promise<unknown> = Promise.resolve();
	private readonly now: () => number;
	/** Total time callers spent waiting, and how many waited. */
	waitedMs = 0;
	delayed = 0;
	peakReported = 0;

	constructor(options: WeightThrottleOptions) {
		this.now = options.now ?? Date.now;
		this.limit = Math.max(1, Math.floor(options.budgetPerMinute * (1 - options.headroom)));
		this.ratePerSecond = this.limit / 60;
		this.capacity = Math.max(1, this.ratePerSecond * (options.burstSeconds ?? 1));
		this.tokens = this.capacity;
		this.refilledAt = this.now();
	}

	/** Feed the venue's X-MBX-USED-WEIGHT-1M after every response. */
	observe(usedWeight1m: number | null, at = this.now()): void {
		if (usedWeight1m === null || !Number.isFinite(usedWeight1m)) return;
		const minute = Math.floor(at / 60_000);
		if (minute !== this.reportedMinute || usedWeight1m > this.reportedWeight) {
			this.reportedMinute = minute;
			this.reportedWeight = usedWeight1m;
		}
		this.peakReported = Math.max(this.peakReported, usedWeight1m);
	}

	/** The weight the venue counted this minute, as far as we know. */
	get reported(): number {
		return Math.floor(this.now() / 60_000) === this.reportedMinute ? this.reportedWeight : 0;
	}

	/** Waits until `weight` may be spent; resolves with the ms waited. Callers are served in order. */
	acquire(weight: number, signal: AbortSignal): Promise<number> {
		const turn = this.chain.then(() => this.wait(weight, signal));
		this.chain = turn.catch(() => undefined);
		return turn;
	}

	/** Call when the request that acquired `weight` completed (its weight is then in the reported count). */
	release(weight: number): void {
		this.inFlight = Math.max(0, this.inFlight - weight);
	}

	private refill(): void {
		const now = this.now();
		this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
		this.refilledAt = now;
	}

	private async wait(weight: number, signal: AbortSignal): Promise<number> {
		const started = this.now();
		for (;;) {
			signal.throwIfAborted();
			this.refill();
			const minuteFull = this.reported + this.inFlight + weight > this.limit;
			const needTokens = Math.min(weight, this.capacity);
			if (!minuteFull && this.tokens >= needTokens) {
				this.tokens -= needTokens;
				this.inFlight += weight;
				const waited = this.now() - started;
				if (waited > 0) {
					this.waitedMs += waited;
					this.delayed += 1;
				}
				return waited;
			}
			const untilTokens = ((needTokens - this.tokens) / this.ratePerSecond) * 1000;
			const untilMinute = 60_000 - (this.now() % 60_000) + 5;
			const delay = minuteFull ? untilMinute : Math.max(1, Math.ceil(untilTokens));
			if (!(await pause(Math.min(delay, 250), signal))) signal.throwIfAborted();
		}
	}
}
