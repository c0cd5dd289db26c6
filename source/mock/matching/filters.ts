import {isMarketLike, type EngineError, type InstrumentRules, type NewOrderRequest} from './order-model.js';
import {isMultiple} from './numbers.js';

const failure = (name: string): EngineError => ({code: -1013, msg: `Filter failure: ${name}`});

/**
 * Binance's symbol filters for a new order, in the order Binance applies them. `reference` is the
 * price a market order's notional is judged by.
 */
export function checkFilters(
	rules: InstrumentRules,
	order: NewOrderRequest,
	reference: number,
): EngineError | undefined {
	const marketLike = isMarketLike(order.type);
	const badPrice = (price: number) =>
		price < rules.minPrice || (rules.maxPrice > 0 && price > rules.maxPrice) || !isMultiple(price, rules.priceDecimals);
	if (!marketLike && badPrice(order.price ?? 0)) return failure('PRICE_FILTER');
	if (order.stopPrice !== undefined && badPrice(order.stopPrice)) return failure('PRICE_FILTER');
	if (order.quantity !== undefined) {
		const qty = order.quantity;
		if (qty < rules.minQty || qty > rules.maxQty || !isMultiple(qty, rules.qtyDecimals)) return failure('LOT_SIZE');
		if (marketLike && qty > rules.marketMaxQty) return failure('MARKET_LOT_SIZE');
	}
	// A stop market order is judged at its trigger price, a market order at the reference price.
	const marketPrice = order.stopPrice ?? reference;
	const notional = marketLike
		? (order.quoteOrderQty ?? (order.quantity ?? 0) * marketPrice)
		: (order.price ?? 0) * (order.quantity ?? 0);
	if (notional < rules.minNotional) return failure('NOTIONAL');
	if (!marketLike && rules.maxNotional > 0 && notional > rules.maxNotional) return failure('NOTIONAL');
	return undefined;
}
