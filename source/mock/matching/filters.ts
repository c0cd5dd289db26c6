import type {EngineError, InstrumentRules, NewOrderRequest} from './types.js';
import {isMultiple} from './numbers.js';

const failure = (name: string): EngineError => ({code: -1013, msg: `Filter failure: ${name}`});

/**
 * Binance's symbol filters for a new order, in the order Binance applies them. `reference` is the
 * price a market order's notional is judged by.
 */
export function checkFilters(rules: InstrumentRules, order: NewOrderRequest, reference: number): EngineError | undefined {
	if (order.type !== 'MARKET') {
		const price = order.price ?? 0;
		if (price < rules.minPrice || (rules.maxPrice > 0 && price > rules.maxPrice) || !isMultiple(price, rules.priceDecimals)) return failure('PRICE_FILTER');
	}
	if (order.quantity !== undefined) {
		const qty = order.quantity;
		if (qty < rules.minQty || qty > rules.maxQty || !isMultiple(qty, rules.qtyDecimals)) return failure('LOT_SIZE');
		if (order.type === 'MARKET' && qty > rules.marketMaxQty) return failure('MARKET_LOT_SIZE');
	}
	const notional = order.type === 'MARKET' ? (order.quoteOrderQty ?? (order.quantity ?? 0) * reference) : (order.price ?? 0) * (order.quantity ?? 0);
	if (notional < rules.minNotional) return failure('NOTIONAL');
	if (order.type !== 'MARKET' && rules.maxNotional > 0 && notional > rules.maxNotional) return failure('NOTIONAL');
	return undefined;
}
