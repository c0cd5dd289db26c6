import type {InstrumentRules} from '../matching/order-model.js';
import {unitHash} from './rng.js';

/**
 * One tradable pair: the matching engine's rules (Binance filters; tick and step sizes are powers of
 * ten, kept as decimals) plus what the simulation needs.
 */
export interface SymbolSpec extends InstrumentRules {
	/** The price the simulation starts from. */
	startPrice: number;
	/** Typical size of one simulated trade, in base units. */
	typicalQty: number;
}

/** Open orders per symbol per account (MAX_NUM_ORDERS). */
export const MAX_OPEN_ORDERS = 200;

const QUOTES = ['USDT', 'USDC', 'FDUSD', 'TUSD', 'BUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY', 'BRL', 'JPY'];

const KNOWN: Record<
	string,
	{price: number; priceDecimals: number; qtyDecimals: number; typicalQty: number; listed: string}
> = {
	BTCUSDT: {price: 92_000, priceDecimals: 2, qtyDecimals: 5, typicalQty: 0.02, listed: '2017-08-17'},
	ETHUSDT: {price: 3_100, priceDecimals: 2, qtyDecimals: 4, typicalQty: 0.4, listed: '2017-08-17'},
	BNBUSDT: {price: 620, priceDecimals: 2, qtyDecimals: 3, typicalQty: 2, listed: '2017-11-06'},
	SOLUSDT: {price: 140, priceDecimals: 2, qtyDecimals: 3, typicalQty: 8, listed: '2020-08-11'},
	XRPUSDT: {price: 2.1, priceDecimals: 4, qtyDecimals: 1, typicalQty: 500, listed: '2019-05-04'},
	ETHBTC: {price: 0.034, priceDecimals: 5, qtyDecimals: 4, typicalQty: 0.4, listed: '2017-07-14'},
};

const DAY_MS = 86_400_000;

/** The symbol's fixed listing day (UTC midnight): Binance's for the majors, else a day in 2018–2022 derived from the name. */
export function listingDate(symbol: string): number {
	const known = KNOWN[symbol];
	if (known) return Date.parse(`${known.listed}T00:00:00Z`);
	const from = Date.UTC(2018, 0, 1);
	return from + Math.floor(unitHash(`${symbol}:listed`) * 5 * 365) * DAY_MS;
}

/** Splits BTCUSDT into BTC / USDT by the known quote assets; undefined when no quote matches. */
export function splitSymbol(symbol: string): {base: string; quote: string} | undefined {
	if (!/^[A-Z0-9]{2,20}$/.test(symbol)) return undefined;
	for (const quote of QUOTES) {
		if (symbol.length > quote.length + 1 && symbol.endsWith(quote))
			return {base: symbol.slice(0, -quote.length), quote};
	}
	return undefined;
}

/** The spec for a symbol: hand-set for the majors, otherwise derived deterministically from its name. */
export function symbolSpec(symbol: string): SymbolSpec {
	const parts = splitSymbol(symbol);
	if (!parts)
		throw new Error(
			`"${symbol}" is not a symbol of the form BASEQUOTE with a known quote asset (${QUOTES.join(', ')})`,
		);
	const known = KNOWN[symbol];
	let price: number;
	let priceDecimals: number;
	let qtyDecimals: number;
	let typicalQty: number;
	if (known) {
		({price, priceDecimals, qtyDecimals, typicalQty} = known);
	} else {
		const fiatLike = !['BTC', 'ETH', 'BNB'].includes(parts.quote);
		// Log-uniform start price: 0.01..10000 in a fiat quote, 1e-6..0.1 in a crypto quote.
		const exponent = fiatLike ? -2 + unitHash(symbol) * 6 : -6 + unitHash(symbol) * 5;
		const magnitude = Math.floor(exponent);
		price = Number((10 ** exponent).toPrecision(5));
		// About five significant digits of price, and a lot worth roughly 1e-4..1e-3 of a quote unit's scale.
		priceDecimals = Math.min(8, Math.max(0, 4 - magnitude));
		qtyDecimals = Math.min(8, Math.max(0, magnitude + 3));
		typicalQty = Number(((fiatLike ? 1_000 : 0.02) / price).toPrecision(2));
	}
	const tickSize = 10 ** -priceDecimals;
	const stepSize = 10 ** -qtyDecimals;
	const quoteIsCrypto = ['BTC', 'ETH', 'BNB'].includes(parts.quote);
	return {
		symbol,
		baseAsset: parts.base,
		quoteAsset: parts.quote,
		priceDecimals,
		qtyDecimals,
		tickSize,
		stepSize,
		minPrice: tickSize,
		maxPrice: Number((price * 100).toFixed(priceDecimals)) || 1_000_000,
		minQty: stepSize,
		maxQty: price >= 100 ? 9_000 : roundTo(Math.min(92_000_000_000, 900_000 / price), qtyDecimals),
		marketMaxQty: roundTo(Math.max(stepSize, 10_000_000 / price), qtyDecimals),
		minNotional: quoteIsCrypto ? 0.0001 : 5,
		maxNotional: quoteIsCrypto ? 100 : 9_000_000,
		startPrice: price,
		typicalQty,
	};
}

function roundTo(value: number, decimals: number): number {
	const f = 10 ** decimals;
	return Math.round(value * f) / f;
}

/** exchangeInfo's `filters[]` for a spec, in Binance's field names and string numbers. */
export function wireFilters(spec: SymbolSpec): Array<Record<string, unknown>> {
	const f8 = (n: number) => n.toFixed(8);
	return [
		{filterType: 'PRICE_FILTER', minPrice: f8(spec.minPrice), maxPrice: f8(spec.maxPrice), tickSize: f8(spec.tickSize)},
		{filterType: 'LOT_SIZE', minQty: f8(spec.minQty), maxQty: f8(spec.maxQty), stepSize: f8(spec.stepSize)},
		{filterType: 'MARKET_LOT_SIZE', minQty: f8(0), maxQty: f8(spec.marketMaxQty), stepSize: f8(0)},
		{
			filterType: 'NOTIONAL',
			minNotional: f8(spec.minNotional),
			applyMinToMarket: true,
			maxNotional: f8(spec.maxNotional),
			applyMaxToMarket: false,
			avgPriceMins: 5,
		},
		{filterType: 'MAX_NUM_ORDERS', maxNumOrders: MAX_OPEN_ORDERS},
	];
}
