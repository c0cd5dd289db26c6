/**
 * The simulated market as the run sees it (the mock's GET {admin}/market, polled by runtime/market-watch):
 * per symbol the regime, trading status and any shock under way, for the console's header, and its
 * history — regime spans, shocks and halts — for report.json's `market` section. Plain data, bounded.
 */

export interface MarketShockView {
	percent: number;
	phase: string;
	startedAt: number;
}

export interface MarketSymbolView {
	symbol: string;
	/** What the market is doing now: trending, ranging or volatile. */
	regime: string;
	/** The setting: auto, or the regime it is held to. */
	regimeSetting: string;
	volatility: number;
	status: string;
	shock: MarketShockView | null;
	/** A halt with a duration resumes then. */
	resumeAt: number | null;
}

export interface MarketView {
	at: number;
	symbols: readonly MarketSymbolView[];
}

/** report.json `market`: times are ISO strings, spans end null while open. */
export interface MarketReport {
	regimes: {symbol: string; regime: string; setting: string; from: string; to: string | null}[];
	shocks: {symbol: string; percent: number; at: string; phase: string}[];
	halts: {symbol: string; from: string; to: string | null}[];
	/** Spans dropped to stay bounded. */
	dropped: number;
}

const MAX_SPANS = 500;

interface Span<T> {
	value: T;
	from: number;
	to: number | null;
}

/** Regime spans, shocks and halts over the run, bounded to the newest MAX_SPANS of each. */
export class MarketHistory {
	view: MarketView | null = null;
	private regimes: Array<Span<{symbol: string; regime: string; setting: string}>> = [];
	private shocks: Array<{symbol: string; percent: number; at: number; phase: string}> = [];
	private halts: Array<Span<{symbol: string}>> = [];
	private dropped = 0;

	/** A new run: history starts again from what the market is doing now (the watch only reports changes). */
	reset(at: number): void {
		const current = this.view;
		this.regimes = [];
		this.shocks = [];
		this.halts = [];
		this.dropped = 0;
		if (current) this.apply({...current, at});
	}

	apply(view: MarketView): void {
		const at = view.at;
		for (const s of view.symbols) {
			const open = this.regimes.findLast(r => r.value.symbol === s.symbol && r.to === null);
			if (!open || open.value.regime !== s.regime || open.value.setting !== s.regimeSetting) {
				if (open) open.to = at;
				this.regimes.push({value: {symbol: s.symbol, regime: s.regime, setting: s.regimeSetting}, from: at, to: null});
			}
			if (s.shock) {
				const known = this.shocks.find(k => k.symbol === s.symbol && k.at === s.shock!.startedAt);
				if (known) known.phase = s.shock.phase;
				else
					this.shocks.push({symbol: s.symbol, percent: s.shock.percent, at: s.shock.startedAt, phase: s.shock.phase});
			} else {
				// A shock no longer reported has run its course.
				for (const k of this.shocks) if (k.symbol === s.symbol) k.phase = 'over';
			}
			const halt = this.halts.findLast(h => h.value.symbol === s.symbol && h.to === null);
			if (s.status !== 'TRADING' && !halt) this.halts.push({value: {symbol: s.symbol}, from: at, to: null});
			else if (s.status === 'TRADING' && halt) halt.to = at;
		}
		this.dropped += trim(this.regimes) + trim(this.shocks) + trim(this.halts);
		this.view = view;
	}

	report(): MarketReport {
		const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
		return {
			regimes: this.regimes.map(r => ({...r.value, from: iso(r.from)!, to: iso(r.to)})),
			shocks: this.shocks.map(k => ({symbol: k.symbol, percent: k.percent, at: iso(k.at)!, phase: k.phase})),
			halts: this.halts.map(h => ({symbol: h.value.symbol, from: iso(h.from)!, to: iso(h.to)})),
			dropped: this.dropped,
		};
	}
}

function trim(list: unknown[]): number {
	const extra = list.length - MAX_SPANS;
	if (extra <= 0) return 0;
	list.splice(0, extra);
	return extra;
}
