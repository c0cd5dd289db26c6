/**
 * The capital/risk manager between a strategy's signal and the venue: max notional per order, max
 * position per symbol, max open orders, daily loss limit, and — on mainnet real orders — the live caps.
 * A rejection is a decision (ctx.riskRejection), never an error.
 */

export interface RiskLimits {
	maxOrderNotional: number;
	/** Base-asset position per symbol, absolute. */
	maxPosition: number;
	maxOpenOrders: number;
	/** Realised loss in quote currency since the start of the (UTC) day that stops new orders. */
	dailyLossLimit: number;
}

export interface LiveCaps {
	perOrderNotionalCap: number;
	perRunNotionalCap: number;
}

export interface RiskOrder {
	symbol: string;
	side: 'buy' | 'sell';
	amount: number;
	/** Price used for the notional (limit price, or the market's reference price for a market order). */
	price: number;
}

export type RiskDecision =
	| {ok: true}
	| {
			ok: false;
			rule:
				'max-order-notional' | 'max-position' | 'max-open-orders' | 'daily-loss' | 'live-order-cap' | 'live-run-cap';
			reason: string;
	  };

interface PositionState {
	amount: number;
	/** Average entry price of the open position (quote per base). */
	entry: number;
}

export class RiskManager {
	private readonly positions = new Map<string, PositionState>();
	private openOrders = 0;
	/** Reserved by orders in flight: base amount per symbol, signed. */
	private readonly pending = new Map<string, number>();
	private realized = 0;
	private day = utcDay(Date.now());
	private liveSpent = 0;

	constructor(
		readonly limits: RiskLimits,
		/** Set only when real orders go to mainnet. */
		readonly live: LiveCaps | null = null,
		private readonly now: () => number = Date.now,
	) {}

	/** Checks an order and, when accepted, reserves its open-order slot and position until settle(). */
	evaluate(order: RiskOrder): RiskDecision {
		this.rollDay();
		const notional = order.amount * order.price;
		const signed = order.side === 'buy' ? order.amount : -order.amount;
		const projected = this.position(order.symbol) + (this.pending.get(order.symbol) ?? 0) + signed;
		if (notional > this.limits.maxOrderNotional)
			return reject('max-order-notional', `order notional ${fmt(notional)} > max ${fmt(this.limits.maxOrderNotional)}`);
		if (Math.abs(projected) > this.limits.maxPosition + 1e-12)
			return reject('max-position', `position would be ${fmt(projected)} > max ${fmt(this.limits.maxPosition)}`);
		if (this.openOrders + 1 > this.limits.maxOpenOrders)
			return reject('max-open-orders', `${this.openOrders} open orders already (max ${this.limits.maxOpenOrders})`);
		if (-this.realized >= this.limits.dailyLossLimit)
			return reject(
				'daily-loss',
				`daily loss ${fmt(-this.realized)} reached the limit ${fmt(this.limits.dailyLossLimit)}`,
			);
		if (this.live) {
			if (notional > this.live.perOrderNotionalCap)
				return reject(
					'live-order-cap',
					`live order notional ${fmt(notional)} > cap ${fmt(this.live.perOrderNotionalCap)}`,
				);
			if (this.liveSpent + notional > this.live.perRunNotionalCap)
				return reject(
					'live-run-cap',
					`live notional this run would reach ${fmt(this.liveSpent + notional)} > cap ${fmt(this.live.perRunNotionalCap)}`,
				);
			this.liveSpent += notional;
		}
		this.openOrders += 1;
		this.pending.set(order.symbol, (this.pending.get(order.symbol) ?? 0) + signed);
		return {ok: true};
	}

	/** The order that evaluate() accepted is done (filled, cancelled or rejected): frees its reservation. */
	settle(order: RiskOrder): void {
		this.openOrders = Math.max(0, this.openOrders - 1);
		const signed = order.side === 'buy' ? order.amount : -order.amount;
		this.pending.set(order.symbol, (this.pending.get(order.symbol) ?? 0) - signed);
	}

	/** A fill: updates the position and the realised P&L (fee in quote currency). */
	fill(
		symbol: string,
		side: 'buy' | 'sell',
		amount: number,
		price: number,
		feeQuote = 0,
	): {opened: boolean; closed: boolean} {
		this.rollDay();
		const state = this.positions.get(symbol) ?? {amount: 0, entry: 0};
		const before = state.amount;
		const signed = side === 'buy' ? amount : -amount;
		if (before === 0 || Math.sign(before) === Math.sign(signed)) {
			const total = Math.abs(before) + amount;
			state.entry = total === 0 ? 0 : (state.entry * Math.abs(before) + price * amount) / total;
			state.amount = before + signed;
		} else {
			const closing = Math.min(Math.abs(before), amount);
			this.realized += (price - state.entry) * closing * Math.sign(before);
			state.amount = before + signed;
			if (Math.abs(state.amount) < 1e-12) state.amount = 0;
			if (Math.sign(state.amount) !== Math.sign(before) && state.amount !== 0) state.entry = price;
		}
		this.realized -= feeQuote;
		this.positions.set(symbol, state);
		return {opened: before === 0 && state.amount !== 0, closed: before !== 0 && isFlat(state.amount, amount)};
	}

	position(symbol: string): number {
		return this.positions.get(symbol)?.amount ?? 0;
	}

	get open(): number {
		return this.openOrders;
	}

	get realizedPnl(): number {
		return this.realized;
	}

	private rollDay(): void {
		const today = utcDay(this.now());
		if (today !== this.day) {
			this.day = today;
			this.realized = 0;
		}
	}
}

function isFlat(amount: number, lastFill: number): boolean {
	// Rounding of amounts can leave dust; a position smaller than a millionth of the last fill is flat.
	return Math.abs(amount) <= Math.abs(lastFill) * 1e-6;
}

function reject(rule: Exclude<RiskDecision, {ok: true}>['rule'], reason: string): RiskDecision {
	return {ok: false, rule, reason};
}

function utcDay(ms: number): number {
	return Math.floor(ms / 86_400_000);
}

function fmt(value: number): string {
	return Number(value.toPrecision(6)).toString();
}
