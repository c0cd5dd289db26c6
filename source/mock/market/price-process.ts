import type {Rng} from './rng.js';

export type Regime = 'trending' | 'ranging' | 'volatile';

const DAY_MS = 86_400_000;

/**
 * The mid price of one symbol as a regime-switching log random walk. `volatility` is the daily
 * standard deviation of returns in the ranging regime (0.02 = 2 %/day); trending adds a drift,
 * volatile triples the noise, ranging pulls back towards an anchor.
 */
export class PriceProcess {
	price: number;
	regime: Regime = 'ranging';
	private anchor: number;
	private drift = 0;
	private stepsLeft = 0;

	constructor(
		start: number,
		private readonly rng: Rng,
		private readonly volatility: number,
		private readonly stepMs: number,
	) {
		this.price = start;
		this.anchor = start;
		this.switchRegime();
	}

	/** Advances one step and returns the new mid price. */
	step(): number {
		if (--this.stepsLeft <= 0) this.switchRegime();
		const sigma = this.volatility * Math.sqrt(this.stepMs / DAY_MS) * (this.regime === 'volatile' ? 3 : 1);
		let mu = 0;
		if (this.regime === 'trending') mu = this.drift * sigma;
		else if (this.regime === 'ranging') mu = -0.002 * Math.log(this.price / this.anchor);
		this.price *= Math.exp(mu + sigma * this.rng.normal());
		return this.price;
	}

	private switchRegime(): void {
		const r = this.rng.next();
		this.regime = r < 0.35 ? 'trending' : r < 0.85 ? 'ranging' : 'volatile';
		this.drift = (this.rng.next() < 0.5 ? -1 : 1) * this.rng.range(0.05, 0.3);
		this.anchor = this.price;
		// Regimes last 30 s to 10 min of simulated steps.
		this.stepsLeft = Math.round(this.rng.range(30_000, 600_000) / this.stepMs);
	}
}
