/**
 * Order sizes and prices that satisfy a market's filters (LOT_SIZE, PRICE_FILTER, NOTIONAL), so an
 * order we mean to succeed is never rejected for rounding — and one we mean to fail breaks exactly
 * one filter.
 */
import type {MarketInfo} from '../../exchange/exchange-client.js';

function decimals(step: number): number {
	if (!Number.isFinite(step) || step <= 0) return 8;
	const text = step.toString();
	if (text.includes('e-')) return Number(text.split('e-')[1]);
	const dot = text.indexOf('.');
	return dot < 0 ? 0 : text.length - dot - 1;
}

function toStep(value: number, step: number | null, mode: 'floor' | 'ceil' | 'round'): number {
	if (step === null || step <= 0) return value;
	const units = value / step;
	const whole =
		mode === 'floor' ? Math.floor(units + 1e-9) : mode === 'ceil' ? Math.ceil(units - 1e-9) : Math.round(units);
	return Number((whole * step).toFixed(decimals(step)));
}

export function roundPrice(market: MarketInfo, price: number, mode: 'floor' | 'ceil' | 'round' = 'round'): number {
	return toStep(price, market.tickSize, mode);
}

export function roundAmount(market: MarketInfo, amount: number, mode: 'floor' | 'ceil' | 'round' = 'floor'): number {
	return toStep(amount, market.stepSize, mode);
}

/** The smallest valid amount at `price` whose notional is at least `notional` (and the market minimums). */
export function amountForNotional(market: MarketInfo, notional: number, price: number): number {
	const target = Math.max(notional, (market.minNotional ?? 0) * 1.05);
	let amount = roundAmount(market, target / price, 'ceil');
	if (market.minQty !== null && amount < market.minQty) amount = roundAmount(market, market.minQty, 'ceil');
	return amount;
}

/** A buy price far below the market that still passes PRICE_FILTER (and typical percent-price bands). */
export function restingBuyPrice(market: MarketInfo, reference: number, distance = 0.1): number {
	let price = roundPrice(market, reference * (1 - distance), 'floor');
	if (market.minPrice !== null && market.minPrice > 0 && price < market.minPrice) price = market.minPrice;
	return price;
}

/** A sell price far above the market. */
export function restingSellPrice(market: MarketInfo, reference: number, distance = 0.1): number {
	let price = roundPrice(market, reference * (1 + distance), 'ceil');
	if (market.maxPrice !== null && market.maxPrice > 0 && price > market.maxPrice) price = market.maxPrice;
	return price;
}

/** An amount that violates LOT_SIZE: off the step grid (or below minQty when there is no step). */
export function offStepAmount(market: MarketInfo, validAmount: number): number | null {
	if (market.stepSize !== null && market.stepSize > 0) return validAmount + market.stepSize / 3;
	if (market.minQty !== null && market.minQty > 0) return market.minQty / 2;
	return null;
}

/** A price that violates PRICE_FILTER: off the tick grid. */
export function offTickPrice(market: MarketInfo, validPrice: number): number | null {
	if (market.tickSize !== null && market.tickSize > 0) return validPrice + market.tickSize / 3;
	return null;
}
