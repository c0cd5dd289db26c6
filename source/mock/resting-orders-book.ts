import type {MarketSimulator} from './market/simulator.js';
import type {EngineEvent} from './matching/index.js';

interface Shown {
	symbol: string;
	side: 'bid' | 'ask';
	price: number;
	qty: number;
}

/**
 * Shows the accounts' resting limit orders in the public book: from the matching engine's order events,
 * each working order's remaining quantity is added at its price, and taken off as it fills or goes.
 * Wire it with `engine.onEvent(restingOrdersInBook(market))`.
 */
export function restingOrdersInBook(market: MarketSimulator): (event: EngineEvent) => void {
	const shown = new Map<string, Shown>();
	return event => {
		if (event.kind !== 'order') return;
		const o = event.order;
		const key = `${event.account}:${o.orderId}`;
		const resting =
			o.isWorking && o.price > 0 && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && o.type !== 'MARKET';
		const remaining = resting ? Math.max(0, o.origQty - o.executedQty) : 0;
		const before = shown.get(key);
		const side = o.side === 'BUY' ? 'bid' : 'ask';
		if (before) market.restingOrderChanged(before.symbol, before.side, before.price, -before.qty);
		if (remaining > 0) {
			shown.set(key, {symbol: o.symbol, side, price: o.price, qty: remaining});
			market.restingOrderChanged(o.symbol, side, o.price, remaining);
		} else shown.delete(key);
	};
}
