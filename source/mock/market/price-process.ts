import type {EffectiveMarketSettings} from './market-settings.js';
import type {Rng} from './rng.js';

export type Regime = 'trending' | 'ranging' | 'volatile';

const YEAR_MS = 365 * 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Regime noise multipliers and how often `auto` picks each; normalised so the mix has the set volatility. */
const REGIMES: Record<Regime, {share: number; noise: number}> = {
	ranging: {share: 0.5, noise: 0.85},
	trending: {share: 0.35, noise: 1},
	volatile: {share: 0.15, noise: 1.45},
};
const MIX_RMS = Math.sqrt(Object.values(REGIMES).reduce((sum, r) => sum + r.share * r.noise ** 2, 0));

/**
 * The mid price of one symbol as a regime-switching log random walk whose long-run realised volatility
 * is the setting: each regime scales the noise (the `auto` mix averages to the setting, a fixed regime
 * scales it by that regime's factor), trending adds a trend of half a minute's sigma per minute, ranging
 * pulls gently (half-life ≈ 40 min) back towards where the regime began.
 */
export class PriceProcess {
	price: number;
	regime: Regime = 'ranging';
	private anchor: number;
	private trendSign = 1;
	private stepsLeft = 0;

	constructor(
		start: number,
		private readonly rng: Rng,
		private readonly stepMs: number,
		public settings: EffectiveMarketSettings,
	) {
		this.price = start;
		this.anchor = start;
		this.switchRegime();
	}

	/** The per-step noise multiplier of the current regime. */
	noise(): number {
		const r = REGIMES[this.regime].noise;
		return this.settings.regime === 'auto' ? r / MIX_RMS : r / REGIMES.trending.noise;
	}

	/** Takes a fixed regime setting at once, so GET /market shows it right after POST /market (not a step later). */
	applySettings(settings: EffectiveMarketSettings): void {
		this.settings = settings;
		if (settings.regime !== 'auto' && this.regime !== settings.regime) {
			this.regime = settings.regime;
			this.anchor = this.price;
		}
	}

	/** Advances one step and returns the new mid price. */
	step(): number {
		if (this.settings.regime !== 'auto') this.applySettings(this.settings);
		else if (--this.stepsLeft <= 0) this.switchRegime();
		const sigma = this.settings.volatility * Math.sqrt(this.stepMs / YEAR_MS) * this.noise();
		let mu = (this.settings.drift * this.stepMs) / YEAR_MS;
		if (this.regime === 'trending') mu += (this.trendSign * 0.5 * sigma) / Math.sqrt(MINUTE_MS / this.stepMs);
		else if (this.regime === 'ranging') mu -= (this.stepMs / HOUR_MS) * Math.log(this.price / this.anchor);
		this.price *= Math.exp(mu + sigma * this.rng.normal());
		return this.price;
	}

	private switchRegime(): void {
		const r = this.rng.next();
		this.regime =
			r < REGIMES.ranging.share
				? 'ranging'
				: r < REGIMES.ranging.share + REGIMES.trending.share
					? 'trending'
					: 'volatile';
		this.trendSign = this.rng.next() < 0.5 ? -1 : 1;
		this.anchor = this.price;
		// Regimes last 30 s to 10 min of simulated time.
		this.stepsLeft = Math.round(this.rng.range(30_000, 600_000) / this.stepMs);
	}
}
