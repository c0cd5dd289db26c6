/**
 * The kill switch's flatten: trades every profile symbol back to where drydock's own orders started it
 * (sells what they bought, buys back what they sold; fees aside), in market orders each within the
 * notional caps (the risk limit's maxOrderNotional, and the live per-order cap on mainnet). Runs outside
 * any phase (the engine's `flattenPositions` hook), so it talks to the exchange directly and records
 * its orders in the run's tracker.
 */
import type {ExchangeClient, Order} from '../../exchange/exchange-client.js';
import type {Profile} from '../../profiles/schema.js';
import {roundAmount} from './sizing.js';
import type {OrderTracker} from './tracker.js';

export interface FlattenedSymbol {
	symbol: string;
	side: 'buy' | 'sell';
	/** What was to be traded back. */
	wanted: number;
	filled: number;
	orders: number;
	/** Why the rest was not traded (below the venue's minimum, no balance, an error). */
	left?: string;
}

export interface FlattenReport {
	orders: number;
	symbols: FlattenedSymbol[];
	failed: string[];
}

/** At most this many orders per symbol: a cap far below the position must not turn into thousands of orders. */
const MAX_ORDERS_PER_SYMBOL = 50;

function notionalCap(profile: Profile): number {
	const live = profile.environment === 'mainnet' && profile.execution === 'exchange';
	return live
		? Math.min(profile.risk.maxOrderNotional, profile.live.perOrderNotionalCap)
		: profile.risk.maxOrderNotional;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

async function flattenSymbol(
	exchange: ExchangeClient,
	profile: Profile,
	orders: OrderTracker,
	symbol: string,
): Promise<FlattenedSymbol | null> {
	const net = orders.netPosition(symbol);
	const market = exchange.market(symbol);
	if (roundAmount(market, Math.abs(net), 'floor') <= 0) return null;
	const side = net > 0 ? 'sell' : 'buy';
	const result: FlattenedSymbol = {symbol, side, wanted: Math.abs(net), filled: 0, orders: 0};
	let remaining = Math.abs(net);
	if (side === 'sell') {
		const balance = await exchange.fetchBalance();
		remaining = Math.min(remaining, balance.assets[market.base]?.free ?? 0);
	}
	const ticker = await exchange.fetchTicker(symbol);
	const price = (side === 'sell' ? ticker.bid : ticker.ask) ?? ticker.last;
	if (price === null || !(price > 0)) return {...result, left: 'no price to size the orders within the notional cap'};
	const chunk = roundAmount(market, notionalCap(profile) / price, 'floor');
	const minimum = Math.max(
		market.marketMinQty ?? market.minQty ?? 0,
		market.minNotional !== null ? market.minNotional / price : 0,
	);
	if (chunk <= 0 || chunk < minimum)
		return {...result, left: `the notional cap ${notionalCap(profile)} is below the venue's minimum order`};
	while (result.orders < MAX_ORDERS_PER_SYMBOL) {
		const amount = roundAmount(market, Math.min(chunk, remaining), 'floor');
		if (amount <= 0 || amount < minimum) {
			if (remaining > 1e-12 && amount > 0) result.left = `${amount} ${market.base} below the venue's minimum order`;
			break;
		}
		const clientOrderId = orders.nextClientOrderId('flat');
		orders.register({clientOrderId, symbol, side, type: 'market', amount, price: null});
		let order: Order;
		try {
			order = await exchange.createOrder({symbol, side, type: 'market', amount, clientOrderId});
		} catch (error) {
			orders.mark(clientOrderId, 'unknown');
			result.left = `${side} ${amount} failed: ${message(error)}`;
			break;
		}
		orders.apply(order);
		result.orders += 1;
		result.filled += order.filled;
		remaining -= order.filled;
		if (order.filled <= 0) {
			result.left = `${side} ${amount}: nothing filled (${order.venueStatus ?? order.status})`;
			break;
		}
	}
	if (result.left === undefined && remaining > 1e-12 && result.orders >= MAX_ORDERS_PER_SYMBOL)
		result.left = `stopped after ${MAX_ORDERS_PER_SYMBOL} orders`;
	return result;
}

/** Trades each profile symbol back to its starting position within the notional caps; never throws. */
export async function flattenPositions(
	exchange: ExchangeClient,
	profile: Profile,
	orders: OrderTracker,
): Promise<FlattenReport> {
	const report: FlattenReport = {orders: 0, symbols: [], failed: []};
	for (const symbol of profile.symbols) {
		try {
			const result = await flattenSymbol(exchange, profile, orders, symbol);
			if (result === null) continue;
			report.symbols.push(result);
			report.orders += result.orders;
			if (result.left !== undefined) report.failed.push(`${symbol}: ${result.left}`);
		} catch (error) {
			report.failed.push(`${symbol}: ${message(error)}`);
		}
	}
	return report;
}
