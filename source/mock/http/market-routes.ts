import {isInterval} from '../market/klines.js';
import type {PublicTrade} from '../market/simulator.js';
import {wireFilters} from '../market/symbols.js';
import {tickerRoutes} from './ticker-routes.js';
import {TRADING_CAPABILITIES, TRAILING_DELTA_FILTER} from '../matching/index.js';
import type {MockContext, Route} from './route.js';
import {ApiError, errors} from './errors.js';
import type {Params} from './params.js';
import {sharedReply} from './wire-body.js';

const json = (value: unknown) => ({body: JSON.stringify(value)});

/** The `symbols` parameter: a JSON array of symbol names. */
function symbolsParam(ctx: MockContext, params: Params): string[] | undefined {
	const raw = params.raw('symbols');
	if (raw === undefined) return undefined;
	let list: unknown;
	try {
		list = JSON.parse(raw);
	} catch {
		list = undefined;
	}
	if (
		!Array.isArray(list) ||
		list.length === 0 ||
		list.length > 1000 ||
		!list.every(s => typeof s === 'string' && /^[A-Z0-9-_.]{1,20}$/.test(s))
	) {
		throw errors.illegal('symbols', '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$');
	}
	for (const s of list as string[]) if (!ctx.market.hasSymbol(s)) throw errors.badSymbol();
	return list as string[];
}

function knownSymbol(ctx: MockContext, params: Params): string {
	const symbol = params.requiredSymbol();
	if (!ctx.market.hasSymbol(symbol)) throw errors.badSymbol();
	return symbol;
}

function optionalSymbol(ctx: MockContext, params: Params): string | undefined {
	const symbol = params.symbol();
	if (symbol !== undefined && !ctx.market.hasSymbol(symbol)) throw errors.badSymbol();
	return symbol;
}

/** Weight of the 24hr ticker: 2 for one symbol, by count for a list, 80 for all. */
function tickerWeight(params: Params): number {
	if (params.has('symbol')) return 2;
	const raw = params.has('symbols') ? (params.raw('symbols') ?? '') : undefined;
	if (raw === undefined) return 80;
	const n = raw.split(',').length;
	return n <= 20 ? 2 : n <= 100 ? 40 : 80;
}

function rateLimitsOf(ctx: MockContext): Array<Record<string, unknown>> {
	const ms = ctx.limiter.options.windowMs;
	const weightWindow =
		ms % 60_000 === 0
			? {interval: 'MINUTE', intervalNum: ms / 60_000}
			: {interval: 'SECOND', intervalNum: Math.max(1, Math.round(ms / 1000))};
	return [
		{rateLimitType: 'REQUEST_WEIGHT', ...weightWindow, limit: ctx.limiter.options.weightPerWindow},
		{rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: ctx.orders.per10s},
		{rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: ctx.orders.perDay},
		{rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: ctx.limiter.options.rawPer5m},
	];
}

function symbolInfo(ctx: MockContext, symbol: string): Record<string, unknown> {
	const spec = ctx.market.spec(symbol)!;
	return {
		symbol,
		status: ctx.market.status(symbol),
		baseAsset: spec.baseAsset,
		baseAssetPrecision: 8,
		quoteAsset: spec.quoteAsset,
		quotePrecision: 8,
		quoteAssetPrecision: 8,
		baseCommissionPrecision: 8,
		quoteCommissionPrecision: 8,
		// What the trading side supports, from one place (source/mock/matching/capabilities.ts).
		orderTypes: [...TRADING_CAPABILITIES.orderTypes],
		icebergAllowed: TRADING_CAPABILITIES.icebergAllowed,
		ocoAllowed: TRADING_CAPABILITIES.ocoAllowed,
		otoAllowed: TRADING_CAPABILITIES.otoAllowed,
		opoAllowed: TRADING_CAPABILITIES.opoAllowed,
		quoteOrderQtyMarketAllowed: TRADING_CAPABILITIES.quoteOrderQtyMarketAllowed,
		allowTrailingStop: TRADING_CAPABILITIES.allowTrailingStop,
		cancelReplaceAllowed: TRADING_CAPABILITIES.cancelReplaceAllowed,
		amendAllowed: TRADING_CAPABILITIES.amendAllowed,
		pegInstructionsAllowed: TRADING_CAPABILITIES.pegInstructionsAllowed,
		isSpotTradingAllowed: true,
		isMarginTradingAllowed: false,
		filters: [...wireFilters(spec), TRAILING_DELTA_FILTER],
		permissions: [],
		permissionSets: [['SPOT']],
		defaultSelfTradePreventionMode: TRADING_CAPABILITIES.defaultSelfTradePreventionMode,
		allowedSelfTradePreventionModes: [...TRADING_CAPABILITIES.allowedSelfTradePreventionModes],
	};
}

function ticker24(ctx: MockContext, symbol: string, mini: boolean): Record<string, unknown> {
	const t = ctx.market.ticker(symbol);
	if (mini) {
		return {
			symbol,
			openPrice: t.o,
			highPrice: t.h,
			lowPrice: t.l,
			lastPrice: t.c,
			volume: t.v,
			quoteVolume: t.q,
			openTime: t.O,
			closeTime: t.C,
			firstId: t.F,
			lastId: t.L,
			count: t.n,
		};
	}
	return {
		symbol,
		priceChange: t.p,
		priceChangePercent: t.P,
		weightedAvgPrice: t.w,
		prevClosePrice: t.x,
		lastPrice: t.c,
		lastQty: t.Q,
		bidPrice: t.b,
		bidQty: t.B,
		askPrice: t.a,
		askQty: t.A,
		openPrice: t.o,
		highPrice: t.h,
		lowPrice: t.l,
		volume: t.v,
		quoteVolume: t.q,
		openTime: t.O,
		closeTime: t.C,
		firstId: t.F,
		lastId: t.L,
		count: t.n,
	};
}

function bookTicker(ctx: MockContext, symbol: string) {
	const b = ctx.market.bookTicker(symbol);
	return {symbol, bidPrice: b.b, bidQty: b.B, askPrice: b.a, askQty: b.A};
}

function klineRoute(): Route {
	return {
		security: 'NONE',
		weight: 2,
		handle(ctx, {params}) {
			const symbol = knownSymbol(ctx, params);
			const interval = params.requiredString('interval');
			if (!isInterval(interval)) throw errors.badInterval();
			const startTime = params.integer('startTime', 0);
			const endTime = params.integer('endTime', 0);
			params.string('timeZone');
			const limit = params.integer('limit', 1, 1000) ?? 500;
			if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw errors.outOfRange('startTime');
			return sharedReply(ctx.market.klinesBody(symbol, interval, limit, startTime, endTime));
		},
	};
}

export const marketRoutes: Record<string, Route> = {
	'GET /api/v3/ping': {security: 'NONE', weight: 1, handle: () => ({body: '{}'})},
	'GET /api/v3/time': {security: 'NONE', weight: 1, handle: ctx => ({body: `{"serverTime":${ctx.now()}}`})},
	'GET /api/v3/exchangeInfo': {
		security: 'NONE',
		weight: 20,
		handle(ctx, {params}) {
			const one = optionalSymbol(ctx, params);
			const many = symbolsParam(ctx, params);
			params.string('permissions');
			params.string('showPermissionSets');
			params.string('symbolStatus');
			const list = one !== undefined ? [one] : (many ?? ctx.market.symbols());
			return json({
				timezone: 'UTC',
				serverTime: ctx.now(),
				rateLimits: rateLimitsOf(ctx),
				exchangeFilters: [],
				symbols: list.map(s => symbolInfo(ctx, s)),
				sors: [],
			});
		},
	},
	'GET /api/v3/depth': {
		security: 'NONE',
		weight: params => {
			const limit = Number(params.has('limit') ? params.raw('limit') : 100);
			return !(limit <= 100) ? (limit <= 500 ? 25 : limit <= 1000 ? 50 : 250) : 5;
		},
		handle(ctx, {params}) {
			const symbol = knownSymbol(ctx, params);
			const limit = params.integer('limit', 1, 5000) ?? 100;
			return sharedReply(ctx.market.depthBody(symbol, limit));
		},
	},
	'GET /api/v3/trades': {
		security: 'NONE',
		weight: 25,
		handle(ctx, {params}) {
			const symbol = knownSymbol(ctx, params);
			const limit = params.integer('limit', 1, 1000) ?? 500;
			return json(ctx.market.tradesFrom(symbol, undefined, limit).map(t => tradeRow(t)));
		},
	},
	'GET /api/v3/historicalTrades': {
		security: 'NONE',
		weight: 25,
		handle(ctx, {params}) {
			const symbol = knownSymbol(ctx, params);
			const limit = params.integer('limit', 1, 1000) ?? 500;
			const fromId = params.integer('fromId', 0);
			return json(ctx.market.tradesFrom(symbol, fromId, limit).map(t => tradeRow(t)));
		},
	},
	'GET /api/v3/aggTrades': {
		security: 'NONE',
		weight: 4,
		handle(ctx, {params}) {
			const symbol = knownSymbol(ctx, params);
			const fromId = params.integer('fromId', 0);
			const startTime = params.integer('startTime', 0);
			const endTime = params.integer('endTime', 0);
			const limit = params.integer('limit', 1, 1000) ?? 500;
			if (startTime !== undefined && endTime !== undefined && (endTime < startTime || endTime - startTime > 3_600_000))
				throw errors.outOfRange('endTime');
			let rows: readonly PublicTrade[];
			if (fromId !== undefined) rows = ctx.market.tradesFrom(symbol, fromId, limit);
			else if (startTime === undefined && endTime === undefined) rows = ctx.market.tradesFrom(symbol, undefined, limit);
			else {
				const all = ctx.market.recentTrades(symbol);
				const inTime = all.filter(
					t => (startTime === undefined || t.time >= startTime) && (endTime === undefined || t.time <= endTime),
				);
				rows = startTime !== undefined ? inTime.slice(0, limit) : inTime.slice(-limit);
			}
			return json(
				rows.map(t => ({
					a: t.id,
					p: t.price.toFixed(8),
					q: t.qty.toFixed(8),
					f: t.id,
					l: t.id,
					T: t.time,
					m: t.buyerIsMaker,
					M: true,
				})),
			);
		},
	},
	'GET /api/v3/klines': klineRoute(),
	'GET /api/v3/uiKlines': klineRoute(),
	'GET /api/v3/avgPrice': {
		security: 'NONE',
		weight: 2,
		handle(ctx, {params}) {
			const symbol = knownSymbol(ctx, params);
			const rows = ctx.market.klines(symbol, '1m', 5);
			let v = 0;
			let q = 0;
			for (const r of rows) {
				v += Number(r[5]);
				q += Number(r[7]);
			}
			const price = v > 0 ? q / v : ctx.market.lastPrice(symbol);
			return json({mins: 5, price: price.toFixed(8), closeTime: ctx.now()});
		},
	},
	'GET /api/v3/ticker/24hr': {
		security: 'NONE',
		weight: tickerWeight,
		handle(ctx, {params}) {
			const one = optionalSymbol(ctx, params);
			const many = symbolsParam(ctx, params);
			if (one !== undefined && many !== undefined) throw errors.notRequired('symbols');
			const type = params.string('type') ?? 'FULL';
			if (type !== 'FULL' && type !== 'MINI') throw errors.illegal('type', 'FULL, MINI');
			if (one !== undefined) return json(ticker24(ctx, one, type === 'MINI'));
			return json((many ?? ctx.market.symbols()).map(s => ticker24(ctx, s, type === 'MINI')));
		},
	},
	'GET /api/v3/ticker/price': {
		security: 'NONE',
		weight: params => (params.has('symbol') ? 2 : 4),
		handle(ctx, {params}) {
			const one = optionalSymbol(ctx, params);
			if (one !== undefined) return {body: `{"symbol":"${one}","price":"${ctx.market.lastPriceString(one)}"}`};
			const list = symbolsParam(ctx, params) ?? ctx.market.symbols();
			let body = '[';
			for (let i = 0; i < list.length; i++)
				body += `${i ? ',' : ''}{"symbol":"${list[i]}","price":"${ctx.market.lastPriceString(list[i]!)}"}`;
			return {body: body + ']'};
		},
	},
	'GET /api/v3/ticker/bookTicker': {
		security: 'NONE',
		weight: params => (params.has('symbol') ? 2 : 4),
		handle(ctx, {params}) {
			const one = optionalSymbol(ctx, params);
			if (one !== undefined) return json(bookTicker(ctx, one));
			return json((symbolsParam(ctx, params) ?? ctx.market.symbols()).map(s => bookTicker(ctx, s)));
		},
	},
	...tickerRoutes,
	'GET /sapi/v1/system/status': {security: 'NONE', weight: 1, handle: () => ({body: '{"status":0,"msg":"normal"}'})},
};

/** An order on a halted symbol (status BREAK) gets Binance's answer: 400 {"code":-1013,"msg":"Market is closed."}. */
export function refuseWhenHalted(ctx: MockContext, symbol: string | undefined): void {
	const refusal = symbol === undefined ? undefined : ctx.market.orderRefusal(symbol);
	if (refusal) throw new ApiError(refusal.code, refusal.msg, refusal.status);
}

function tradeRow(t: {id: number; price: number; qty: number; time: number; buyerIsMaker: boolean}) {
	return {
		id: t.id,
		price: t.price.toFixed(8),
		qty: t.qty.toFixed(8),
		quoteQty: (t.price * t.qty).toFixed(8),
		time: t.time,
		isBuyerMaker: t.buyerIsMaker,
		isBestMatch: true,
	};
}
