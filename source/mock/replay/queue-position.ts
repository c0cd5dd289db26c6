/**
 * Where an account's resting order stands in the recorded queue at its price. At placement it is behind
 * the whole recorded size there; recorded trades at that price, and the level shrinking (cancels are
 * assumed to be ahead of it), move it up. Only what trades beyond the queue reaches the order.
 */
import type {EngineEvent} from '../matching/index.js';

interface Place {
	symbol: string;
	side: 'bid' | 'ask';
	price: number;
	ahead: number;
}

export class QueuePositions {
	private readonly orders = new Map<string, Place>();
	private readonly perSymbol = new Map<string, number>();

	/** `recordedQty` is the recorded size at a price, without the accounts' own orders. */
	constructor(private readonly recordedQty: (symbol: string, side: 'bid' | 'ask', price: number) => number) {}

	/** The matching engine's order events: a new resting limit order joins the back of its level. */
	onEngineEvent = (event: EngineEvent): void => {
		if (event.kind !== 'order') return;
		const o = event.order;
		const key = `${event.account}:${o.orderId}`;
		const resting =
			o.isWorking && o.price > 0 && o.type !== 'MARKET' && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED');
		const known = this.orders.get(key);
		if (!resting) {
			if (known) {
				this.orders.delete(key);
				this.count(known.symbol, -1);
			}
			return;
		}
		if (known) return;
		const side = o.side === 'BUY' ? 'bid' : 'ask';
		this.orders.set(key, {symbol: o.symbol, side, price: o.price, ahead: this.recordedQty(o.symbol, side, o.price)});
		this.count(o.symbol, 1);
	};

	tracks(symbol: string): boolean {
		return (this.perSymbol.get(symbol) ?? 0) > 0;
	}

	/** A recorded level changed size: the queue ahead cannot be longer than the level. */
	levelChanged(symbol: string, side: 'bid' | 'ask', price: number, qty: number): void {
		for (const place of this.orders.values())
			if (place.symbol === symbol && place.side === side && place.price === price && place.ahead > qty)
				place.ahead = qty;
	}

	/**
	 * A recorded trade of `qty` at `price`: the quantity left for account orders resting exactly there once
	 * the queue ahead of the first of them is worked off (orders the trade went through fill regardless).
	 */
	tradeQty(symbol: string, price: number, qty: number): number {
		let firstAhead: number | undefined;
		for (const place of this.orders.values()) {
			if (place.symbol !== symbol || place.price !== price) continue;
			if (firstAhead === undefined || place.ahead < firstAhead) firstAhead = place.ahead;
			place.ahead = Math.max(0, round8(place.ahead - qty));
		}
		return firstAhead === undefined ? qty : Math.max(0, round8(qty - firstAhead));
	}

	/** Queue ahead of each tracked order, for the admin view and tests. */
	list(): Array<{order: string} & Place> {
		return [...this.orders].map(([order, place]) => ({order, ...place}));
	}

	private count(symbol: string, delta: number): void {
		this.perSymbol.set(symbol, (this.perSymbol.get(symbol) ?? 0) + delta);
	}
}

function round8(value: number): number {
	return Math.round(value * 1e8) / 1e8;
}
