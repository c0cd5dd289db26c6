/** ccxt's unified structures → drydock's plain types (source/exchange/types.ts). */
import type {
	Balances,
	Market,
	OHLCV,
	Order as CcxtOrder,
	OrderBook as CcxtOrderBook,
	Ticker as CcxtTicker,
	Trade as CcxtTrade,
} from 'ccxt';
import type {
	Balance,
	BookLevel,
	BookTicker,
	Candle,
	Fee,
	Fill,
	MarketInfo,
	MyTrade,
	Order,
	OrderBook,
	OrderStatus,
	Side,
	Ticker,
	Trade,
} from './exchange-client.js';

type Json = Record<string, unknown>;

function n(value: unknown): number | null {
	if (typeof value === 'number') return Number.isFinite(value) ? value : null;
	if (typeof value === 'string' && value.trim() !== '') {
		const parsed = Number(value);
		return Number.isFinite(parsed) ? parsed : null;
	}
	return null;
}

function positive(value: unknown): number | null {
	const v = n(value);
	return v === null || v === 0 ? null : v;
}

function side(value: unknown): Side | null {
	return value === 'buy' || value === 'sell' ? value : null;
}

function fee(value: unknown): Fee | null {
	if (value === null || typeof value !== 'object') return null;
	const f = value as {cost?: unknown; currency?: unknown};
	const cost = n(f.cost);
	return cost === null || typeof f.currency !== 'string' ? null : {cost, currency: f.currency};
}

export function toMarketInfo(market: NonNullable<Market>): MarketInfo {
	const info = (market.info ?? {}) as Json;
	const filters = (Array.isArray(info['filters']) ? info['filters'] : []) as Json[];
	const filter = (type: string) => filters.find(f => f['filterType'] === type);
	const price = filter('PRICE_FILTER');
	const lot = filter('LOT_SIZE');
	const marketLot = filter('MARKET_LOT_SIZE');
	const notional = filter('NOTIONAL') ?? filter('MIN_NOTIONAL');
	return {
		symbol: market.symbol,
		id: String(market.id),
		base: market.base,
		quote: market.quote,
		status: typeof info['status'] === 'string' ? info['status'] : market.active ? 'TRADING' : 'UNKNOWN',
		active: market.active === true,
		orderTypes: Array.isArray(info['orderTypes']) ? (info['orderTypes'] as unknown[]).map(String) : [],
		tickSize: positive(price?.['tickSize']),
		minPrice: positive(price?.['minPrice']),
		maxPrice: positive(price?.['maxPrice']),
		stepSize: positive(lot?.['stepSize']),
		minQty: positive(lot?.['minQty']),
		maxQty: positive(lot?.['maxQty']),
		marketMinQty: positive(marketLot?.['minQty']) ?? positive(lot?.['minQty']),
		marketMaxQty: positive(marketLot?.['maxQty']) ?? positive(lot?.['maxQty']),
		minNotional: positive(notional?.['minNotional']),
		maxNotional: positive(notional?.['maxNotional']),
		filters: filters.map(f => ({...f})),
	};
}

export function toTicker(t: CcxtTicker): Ticker {
	return {
		symbol: String(t.symbol),
		timestamp: n(t.timestamp),
		last: n(t.last),
		bid: n(t.bid),
		bidQty: n(t.bidVolume),
		ask: n(t.ask),
		askQty: n(t.askVolume),
		open: n(t.open),
		high: n(t.high),
		low: n(t.low),
		volume: n(t.baseVolume),
		quoteVolume: n(t.quoteVolume),
		change: n(t.change),
		percentage: n(t.percentage),
	};
}

export function toBookTicker(t: CcxtTicker): BookTicker {
	const info = (t.info ?? {}) as Json;
	return {
		symbol: String(t.symbol),
		bid: n(t.bid),
		bidQty: n(t.bidVolume),
		ask: n(t.ask),
		askQty: n(t.askVolume),
		updateId: n(info['u']),
		timestamp: n(t.timestamp),
	};
}

export function toCandle(row: OHLCV): Candle {
	return {
		time: n(row[0]) ?? 0,
		open: n(row[1]) ?? 0,
		high: n(row[2]) ?? 0,
		low: n(row[3]) ?? 0,
		close: n(row[4]) ?? 0,
		volume: n(row[5]) ?? 0,
	};
}

function levels(side: readonly (readonly unknown[])[] | undefined, max: number): BookLevel[] {
	if (!Array.isArray(side)) return [];
	const count = Math.min(side.length, max);
	const out: BookLevel[] = new Array<BookLevel>(count);
	let kept = 0;
	for (let i = 0; i < count; i++) {
		const level: unknown = side[i];
		if (!Array.isArray(level)) continue;
		const price = Number(level[0]);
		const amount = Number(level[1]);
		// A venue's garbage level (NaN, Infinity) is dropped, not passed on as a number.
		if (Number.isFinite(price) && Number.isFinite(amount)) out[kept++] = [price, amount];
	}
	out.length = kept;
	return out;
}

export function toOrderBook(book: CcxtOrderBook, symbol: string, max = Number.POSITIVE_INFINITY): OrderBook {
	return {
		symbol: book.symbol ?? symbol,
		timestamp: n(book.timestamp),
		nonce: n(book.nonce),
		bids: levels(book.bids, max),
		asks: levels(book.asks, max),
	};
}

export function toTrade(t: CcxtTrade): Trade {
	const price = n(t.price) ?? 0;
	const amount = n(t.amount) ?? 0;
	return {
		id: String(t.id),
		symbol: String(t.symbol),
		timestamp: n(t.timestamp) ?? 0,
		price,
		amount,
		cost: n(t.cost) ?? price * amount,
		side: side(t.side),
	};
}

export function toMyTrade(t: CcxtTrade): MyTrade {
	const base = toTrade(t);
	return {
		id: base.id,
		orderId: t.order === undefined || t.order === null ? null : String(t.order),
		symbol: base.symbol,
		side: base.side,
		price: base.price,
		amount: base.amount,
		cost: base.cost,
		fee: fee(t.fee),
		takerOrMaker: t.takerOrMaker === 'taker' || t.takerOrMaker === 'maker' ? t.takerOrMaker : null,
		timestamp: base.timestamp,
	};
}

const statuses: readonly OrderStatus[] = ['open', 'closed', 'canceled', 'expired', 'rejected'];

export function toOrder(o: CcxtOrder): Order {
	const info = (o.info ?? {}) as Json;
	const rawFills = Array.isArray(info['fills']) ? (info['fills'] as Json[]) : [];
	const fills: Fill[] = rawFills.map(f => ({
		price: n(f['price']) ?? 0,
		amount: n(f['qty']) ?? 0,
		fee:
			typeof f['commissionAsset'] === 'string' && n(f['commission']) !== null
				? {cost: n(f['commission'])!, currency: f['commissionAsset']}
				: null,
		tradeId: typeof f['tradeId'] === 'string' || typeof f['tradeId'] === 'number' ? String(f['tradeId']) : null,
	}));
	const status = statuses.find(s => s === o.status) ?? 'unknown';
	const venueStatus =
		typeof info['status'] === 'string' ? info['status'] : typeof info['X'] === 'string' ? info['X'] : null;
	return {
		id: String(o.id),
		clientOrderId: o.clientOrderId ? String(o.clientOrderId) : null,
		symbol: String(o.symbol),
		side: side(o.side) ?? 'buy',
		type: String(o.type ?? 'unknown'),
		timeInForce: o.timeInForce ?? null,
		status,
		venueStatus,
		price: positive(o.price),
		average: n(o.average),
		amount: n(o.amount),
		filled: n(o.filled) ?? 0,
		remaining: n(o.remaining),
		cost: n(o.cost) ?? 0,
		timestamp: n(o.timestamp),
		lastUpdateTimestamp: n(o.lastUpdateTimestamp),
		fee: fee(o.fee),
		fills,
	};
}

export function toBalance(b: Balances): Balance {
	const assets: Balance['assets'] = {};
	const free = (b['free'] ?? {}) as unknown as Record<string, unknown>;
	const used = (b['used'] ?? {}) as unknown as Record<string, unknown>;
	const total = (b['total'] ?? {}) as unknown as Record<string, unknown>;
	for (const code of Object.keys(total)) {
		const f = n(free[code]) ?? 0;
		const u = n(used[code]) ?? 0;
		assets[code] = {free: f, used: u, total: n(total[code]) ?? f + u};
	}
	return {timestamp: n(b.timestamp), assets};
}
