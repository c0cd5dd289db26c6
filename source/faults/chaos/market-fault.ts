/**
 * How a market fault (price-shock, halt) is seen and judged recovered: the venue's own view of the
 * symbol (the mock's GET {admin}/market through the injector) polled while the fault is active.
 * - price-shock: detected once the price has moved at least half the shock from where it was before;
 *   recovered once, after the move (and hold) ended, it is back within the tolerance (default 1 %).
 * - halt: detected when the symbol's status is no longer TRADING; recovered when it trades again after
 *   the halt's end.
 * The recovery budget and the verdict stay spec/recovery.ts's.
 */
import type {FaultInjector} from '../injector.js';
import {DEFAULT_SHOCK_TOLERANCE_PERCENT} from '../spec/market.js';
import type {ChaosEntry} from './schema.js';

export interface MarketPoll {
	at: number;
	/** How it was detected, the first time it is. */
	detected: string | null;
	recovered: boolean;
}

export class MarketFaultWatch {
	private detectedOnce = false;
	/** The furthest the price got from before, in percent (for the detection text). */
	private extreme = 0;

	private constructor(
		private readonly entry: ChaosEntry,
		private readonly symbol: string,
		private readonly faults: FaultInjector,
		readonly before: number | null,
	) {}

	/** Reads the market before the fault is injected (the price a shock must return to). */
	static async before(
		entry: ChaosEntry,
		params: Record<string, unknown>,
		faults: FaultInjector,
	): Promise<MarketFaultWatch> {
		const symbol = String(params.symbol);
		const state = await faults.marketState?.(symbol).catch(() => null);
		return new MarketFaultWatch(entry, symbol, faults, state?.price ?? null);
	}

	async poll(now: number, endAt: number): Promise<MarketPoll> {
		const state = await this.faults.marketState?.(this.symbol).catch(() => null);
		const out: MarketPoll = {at: now, detected: null, recovered: false};
		if (!state) return out;
		if (this.entry.fault === 'halt') {
			if (state.status !== 'TRADING' && !this.detectedOnce) {
				this.detectedOnce = true;
				out.detected = `${this.symbol} status ${state.status}`;
			}
			out.recovered = now > endAt && state.status === 'TRADING';
			return out;
		}
		if (this.before === null) return out;
		const movedPercent = (state.price / this.before - 1) * 100;
		if (Math.abs(movedPercent) > Math.abs(this.extreme)) this.extreme = movedPercent;
		const percent = Number(this.entry.params.percent);
		if (
			!this.detectedOnce &&
			Math.abs(movedPercent) >= Math.abs(percent) / 2 &&
			Math.sign(movedPercent) === Math.sign(percent)
		) {
			this.detectedOnce = true;
			out.detected = `${this.symbol} price ${movedPercent.toFixed(1)} % from ${this.before}`;
		}
		const tolerance = Number(this.entry.params.tolerancePercent ?? DEFAULT_SHOCK_TOLERANCE_PERCENT);
		out.recovered = now > endAt && this.detectedOnce && Math.abs(movedPercent) <= tolerance;
		return out;
	}
}
