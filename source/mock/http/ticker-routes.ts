import type {MockContext, Route} from './route.js';
import {ApiError, errors} from './errors.js';
import type {Params} from './params.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MAX_SYMBOLS = 100;

/** `symbol` or `symbols` (a JSON array), exactly one of them; each must be a listed symbol. */
function requestedSymbols(ctx: MockContext, params: Params): {one: boolean; list: string[]} {
	const one = params.symbol();
	const raw = params.raw('symbols');
	if (one !== undefined && raw !== undefined) throw errors.notRequired('symbols');
	if (one !== undefined) {
		if (!ctx.market.hasSymbol(one)) throw errors.badSymbol();
		return {one: true, list: [one]};
	}
	if (raw === undefined) throw errors.missing('symbol');
	let list: unknown;
	try {
		list = JSON.parse(raw);
	} catch {
		list = undefined;
	}
	if (
		!Array.isArray(list) ||
		list.length === 0 ||
		!list.every(s => typeof s === 'string' && /^[A-Z0-9-_.]{1,20}$/.test(s))
	) {
		throw errors.illegal('symbols', '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$');
	}
	if (list.length > MAX_SYMBOLS)
		throw new ApiError(-1101, `Too many values sent for parameter 'symbols', max allowed is ${MAX_SYMBOLS}.`);
	for (const s of list as string[]) if (!ctx.market.hasSymbol(s)) throw errors.badSymbol();
	return {one: false, list: list as string[]};
}

/** 4 per symbol, capped at 200 once more than 50 symbols are asked (Binance's rule for both tickers). */
function perSymbolWeight(params: Params): number {
	if (!params.has('symbols')) return 4;
	const n = (params.raw('symbols') ?? '').split(',').length;
	return n > 50 ? 200 : 4 * n;
}

/** windowSize: 1m–59m, 1h–23h, 1d–7d (default 1d) → ms; undefined when malformed. */
export function windowSizeMs(value: string): number | undefined {
	const m = /^([1-9][0-9]?)([mhd])$/.exec(value);
	if (!m) return undefined;
	const n = Number(m[1]);
	if (m[2] === 'm') return n <= 59 ? n * MINUTE : undefined;
	if (m[2] === 'h') return n <= 23 ? n * HOUR : undefined;
	return n <= 7 ? n * DAY : undefined;
}

/** timeZone: hours (`8`, `-1`) or hours:minutes (`05:45`, `-1:00`), −12:00 … +14:00 → offset ms. */
export function timeZoneMs(value: string): number | undefined {
	const m = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(value);
	if (!m) return undefined;
	const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
	const signed = m[1] === '-' ? -minutes : minutes;
	if (Number(m[3] ?? 0) >= 60 || signed < -12 * 60 || signed > 14 * 60) return undefined;
	return signed * MINUTE;
}

function stats(
	ctx: MockContext,
	symbol: string,
	openTime: number,
	closeTime: number,
	until: number,
	mini: boolean,
): Record<string, unknown> {
	const w = ctx.market.window(symbol, openTime, until + 1);
	const last = ctx.market.lastPrice(symbol);
	const o = w?.o ?? last;
	const c = w?.c ?? last;
	const v = w?.v ?? 0;
	const q = w?.q ?? 0;
	const n = w?.n ?? 0;
	const common = {
		openPrice: o.toFixed(8),
		highPrice: (w?.h ?? last).toFixed(8),
		lowPrice: (w?.l ?? last).toFixed(8),
		lastPrice: c.toFixed(8),
		volume: v.toFixed(8),
		quoteVolume: q.toFixed(8),
		openTime,
		closeTime,
		firstId: n > 0 ? w!.f : -1,
		lastId: n > 0 ? w!.L : -1,
		count: n,
	};
	if (mini) return {symbol, ...common};
	return {
		symbol,
		priceChange: (c - o).toFixed(8),
		priceChangePercent: (o > 0 ? ((c - o) / o) * 100 : 0).toFixed(3),
		weightedAvgPrice: (v > 0 ? q / v : c).toFixed(8),
		...common,
	};
}

function typeParam(params: Params): boolean {
	const type = params.string('type') ?? 'FULL';
	if (type !== 'FULL' && type !== 'MINI') throw errors.illegal('type', 'FULL, MINI');
	return type === 'MINI';
}

/** GET /api/v3/ticker (rolling window) and GET /api/v3/ticker/tradingDay, computed from the candles. */
export const tickerRoutes: Record<string, Route> = {
	'GET /api/v3/ticker': {
		security: 'NONE',
		weight: perSymbolWeight,
		handle(ctx, {params}) {
			const {one, list} = requestedSymbols(ctx, params);
			const raw = params.string('windowSize') ?? '1d';
			const size = windowSizeMs(raw);
			if (size === undefined)
				throw new ApiError(
					-1100,
					`Illegal characters found in parameter 'windowSize'; legal range is '1m-59m, 1h-23h, 1d-7d'.`,
				);
			const mini = typeParam(params);
			params.string('symbolStatus');
			const now = ctx.now();
			// openTime starts on a minute, closeTime is now: the window is up to 59 999 ms wider than asked.
			const openTime = Math.floor((now - size) / MINUTE) * MINUTE;
			const rows = list.map(s => stats(ctx, s, openTime, now, now, mini));
			return {body: JSON.stringify(one ? rows[0] : rows)};
		},
	},
	'GET /api/v3/ticker/tradingDay': {
		security: 'NONE',
		weight: perSymbolWeight,
		handle(ctx, {params}) {
			const {one, list} = requestedSymbols(ctx, params);
			const tz = params.string('timeZone') ?? '0';
			const offset = timeZoneMs(tz);
			if (offset === undefined)
				throw new ApiError(
					-1100,
					`Illegal characters found in parameter 'timeZone'; legal range is '-12:00 to +14:00'.`,
				);
			const mini = typeParam(params);
			params.string('symbolStatus');
			const now = ctx.now();
			const openTime = Math.floor((now + offset) / DAY) * DAY - offset;
			const rows = list.map(s => stats(ctx, s, openTime, openTime + DAY - 1, now, mini));
			return {body: JSON.stringify(one ? rows[0] : rows)};
		},
	},
};
