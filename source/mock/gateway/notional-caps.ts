/** Mainnet limits on what the SUT may send through the gateway: maxOrderNotional / maxRunNotional are the profile's live.perOrderNotionalCap / live.perRunNotionalCap (source/profiles/schema.ts), and the refusals name those fields. */
export interface NotionalCapOptions {
	maxOrderNotional?: number;
	maxRunNotional?: number;
}

export type CapVerdict = {ok: true; notional: number} | {ok: false; msg: string};

/** Order parameters by name, from the query string, the form body or a WS API request's params. */
export type OrderParams = (name: string) => string | undefined;

const positive = (raw: string | undefined): number | undefined => {
	if (raw === undefined) return undefined;
	const n = Number(raw);
	return Number.isFinite(n) && n > 0 ? n : undefined;
};

/**
 * Decides whether an order may reach the venue: its notional (price × quantity, quoteOrderQty, or for a
 * MARKET order the mark price × quantity) against the per-order cap, and the run's running total against
 * the run cap. An order let through reserves its notional; `release` gives it back when the venue refuses it.
 */
export class NotionalCaps {
	private runTotal = 0;
	refusals = 0;

	constructor(
		private readonly caps: NotionalCapOptions,
		private readonly markPrice: (symbol: string) => number | undefined,
	) {}

	get active(): boolean {
		return this.caps.maxOrderNotional !== undefined || this.caps.maxRunNotional !== undefined;
	}

	get total(): number {
		return this.runTotal;
	}

	check(param: OrderParams): CapVerdict {
		if (!this.active) return {ok: true, notional: 0};
		const notional = this.notionalOf(param);
		if (notional === undefined) {
			this.refusals++;
			return {
				ok: false,
				msg: `drydock gateway: no price known for ${param('symbol') ?? 'the order'} to check the notional cap (send a price or quoteOrderQty, or wait for a trade on the streams)`,
			};
		}
		const {maxOrderNotional, maxRunNotional} = this.caps;
		if (maxOrderNotional !== undefined && notional > maxOrderNotional) {
			this.refusals++;
			return {
				ok: false,
				msg: `drydock gateway: order notional ${round(notional)} exceeds the cap ${maxOrderNotional} (profile live.perOrderNotionalCap)`,
			};
		}
		if (maxRunNotional !== undefined && this.runTotal + notional > maxRunNotional) {
			this.refusals++;
			return {
				ok: false,
				msg: `drydock gateway: order notional ${round(notional)} would take the run total ${round(this.runTotal)} over the cap ${maxRunNotional} (profile live.perRunNotionalCap)`,
			};
		}
		this.runTotal += notional;
		return {ok: true, notional};
	}

	release(notional: number): void {
		this.runTotal = Math.max(0, this.runTotal - notional);
	}

	private notionalOf(param: OrderParams): number | undefined {
		const quote = positive(param('quoteOrderQty'));
		if (quote !== undefined) return quote;
		const qty = positive(param('quantity'));
		if (qty === undefined) return undefined;
		const price =
			positive(param('price')) ?? positive(param('stopPrice')) ?? this.markPrice((param('symbol') ?? '').toUpperCase());
		return price === undefined ? undefined : price * qty;
	}
}

const round = (n: number): number => Math.round(n * 1e8) / 1e8;
