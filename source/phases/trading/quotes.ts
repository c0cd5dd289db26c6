/** The market a phase trades and where it stands now: filters plus the touch from a small book snapshot. */
import {isTransientError} from '../../exchange/errors.js';
import type {MarketInfo} from '../../exchange/exchange-client.js';
import type {PhaseCtx} from '../phase-contract.js';

export interface Quote {
	market: MarketInfo;
	bid: number;
	bidQty: number;
	ask: number;
	askQty: number;
	mid: number;
}

export class NoQuoteError extends Error {
	override readonly name = 'NoQuoteError';
}

export async function quote(ctx: PhaseCtx, symbol: string): Promise<Quote> {
	const {exchange} = ctx.services;
	await ctx.call('loadMarkets', () => exchange.loadMarkets(), {isTransient: isTransientError});
	const market = exchange.market(symbol);
	const book = await ctx.call('fetchOrderBook', () => exchange.fetchOrderBook(symbol, 5), {
		isTransient: isTransientError,
	});
	const bid = book.bids[0];
	const ask = book.asks[0];
	if (!bid || !ask) throw new NoQuoteError(`${symbol}: the order book has an empty side; cannot price orders`);
	return {market, bid: bid[0], bidQty: bid[1], ask: ask[0], askQty: ask[1], mid: (bid[0] + ask[0]) / 2};
}
