/**
 * `X-MBX-TIME-UNIT: MICROSECOND` (REST) and `?timeUnit=MICROSECOND` (WebSocket API): every time field of a
 * JSON answer in microseconds. The mock's clock has millisecond resolution, so the µs values end in 000.
 */
import {errors} from './errors.js';

/** Object keys that hold a time in the spot API's JSON answers (orders, lists, trades, tickers, account, server time). */
const TIME_KEYS = new Set([
	'serverTime',
	'transactTime',
	'transactionTime',
	'time',
	'updateTime',
	'workingTime',
	'openTime',
	'closeTime',
	'T',
	'E',
	'O',
	'C',
	'authorizedSince',
	'connectedSince',
	'timestamp',
]);

/** Reads the header or URL value: undefined (milliseconds) or true (microseconds); anything else is -1100. */
export function wantsMicroseconds(value: string | undefined, name: string): boolean {
	if (value === undefined || value === '') return false;
	const unit = value.toUpperCase();
	if (unit === 'MICROSECOND') return true;
	if (unit === 'MILLISECOND') return false;
	throw errors.illegal(name, 'MILLISECOND, MICROSECOND');
}

function convert(value: unknown, klines: boolean): unknown {
	if (Array.isArray(value)) {
		// A kline row: open time at [0], close time at [6].
		if (klines && value.length >= 7 && typeof value[0] === 'number' && typeof value[6] === 'number')
			return value.map((v: unknown, i) => (i === 0 || i === 6 ? (v as number) * 1000 : v));
		return value.map(v => convert(v, klines));
	}
	if (value === null || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [key, v] of Object.entries(value))
		out[key] = TIME_KEYS.has(key) && typeof v === 'number' && v > 0 ? v * 1000 : convert(v, klines);
	return out;
}

/** The parsed answer with its times in µs; `path` tells kline rows (arrays) from the rest. */
export function toMicroseconds(value: unknown, path: string): unknown {
	return convert(
		value,
		path.endsWith('Klines') || path.endsWith('/klines') || path === 'klines' || path === 'uiKlines',
	);
}

/** A serialised answer with its times in µs. */
export function bodyInMicroseconds(body: string, path: string): string {
	try {
		return JSON.stringify(toMicroseconds(JSON.parse(body), path));
	} catch {
		return body;
	}
}

/** Binance accepts timestamps in ms or µs: a 16-digit value is taken as µs. */
export function timestampMs(value: number): number {
	return value >= 1e14 ? Math.floor(value / 1000) : value;
}
