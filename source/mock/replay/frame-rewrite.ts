/**
 * Moves a recorded frame's times to the replay's clock (and, from the second loop on, its ids past the
 * first pass's) by splicing the JSON text: a frame is not parsed and re-serialized just to add a constant.
 */

/** Keys Binance uses for times: E and T, and a ticker's O and C (open and close of its window). */
const EVENT_KEYS = ['"E":', '"T":'];
const TICKER_KEYS = ['"E":', '"O":', '"C":'];
/** Ids a bot sequences by, and the series each belongs to: trade ids (t; an aggTrade's f/l, a kline's f/L,
 * a ticker's F/L), aggregate trade ids (a) and depth update ids (U/u/pu, a bookTicker's u). Each series is
 * a symbol's own, so each loops by its own span. */
const SERIES_OF_KEY: Readonly<Record<string, IdSeries>> = {
	t: 'trade',
	f: 'trade',
	l: 'trade',
	F: 'trade',
	L: 'trade',
	a: 'aggTrade',
	U: 'update',
	u: 'update',
	pu: 'update',
	lastUpdateId: 'update',
};
const KLINE_TIME_KEYS = new Set(['t', 'T']);

export type IdSeries = 'trade' | 'aggTrade' | 'update';

/** The key of one symbol's id series in `FrameShift.ids`. */
export function idKey(symbol: string, series: IdSeries): string {
	return `${symbol}|${series}`;
}

export interface FrameShift {
	/** Added to every timestamp (0 with --keep-time). */
	timeMs: number;
	/** Added to a symbol's ids of one series (`idKey`) from the second loop on: the loops done × that series'
	 * span in one pass, so each stream's ids carry on where the last pass ended. Empty on the first pass. */
	ids: ReadonlyMap<string, number>;
}

/** The offset for one symbol's series (0 when it has none). */
export function idOffset(shift: FrameShift, symbol: string, series: IdSeries): number {
	return shift.ids.size === 0 ? 0 : (shift.ids.get(idKey(symbol, series)) ?? 0);
}

export function rewriteFrame(stream: string, json: string, shift: FrameShift): string {
	const ids = shift.ids.size > 0;
	if (shift.timeMs === 0 && !ids) return json;
	const kline = stream.includes('@kline_');
	if (!ids && !kline) {
		const ticker = stream.includes('icker') && !stream.endsWith('@bookTicker');
		// An array stream (!ticker@arr) holds many objects: parse it rather than splice out of order.
		if (!ticker) return shiftTimes(json, shift.timeMs);
		if (!json.startsWith('[')) return shiftTimes(json, shift.timeMs, TICKER_KEYS);
	}
	// Klines (a candle's open time is a lowercase t) and later loops: rare enough to parse.
	const value = JSON.parse(json) as unknown;
	const at = stream.indexOf('@');
	shiftValue(value, shift, at > 0 ? stream.slice(0, at).toUpperCase() : '', false);
	return JSON.stringify(value);
}

/** Adds `by` to every 13-digit number under a time key, by splicing (no regex, no parse). */
export function shiftTimes(json: string, by: number, keys: readonly string[] = EVENT_KEYS): string {
	let out = '';
	let copied = 0;
	// Binance writes E before T (and E, O, C in that order), so one forward scan per key suffices.
	let from = 0;
	for (const key of keys) {
		let at = json.indexOf(key, from);
		while (at >= 0) {
			const start = at + 4;
			const end = start + 13;
			const next = json.charCodeAt(end);
			// Exactly 13 digits then a delimiter: a millisecond timestamp, not an id or a price.
			if ((next === 44 || next === 125) && isDigits(json, start, end)) {
				out += json.slice(copied, start) + shifted(json.slice(start, end), by);
				copied = end;
				from = end;
			}
			at = json.indexOf(key, end);
		}
	}
	return copied === 0 ? json : out + json.slice(copied);
}

/** The last timestamp shifted: a trade's E and T are equal and frames come in bursts of one millisecond. */
let lastDigits = '';
let lastBy = 0;
let lastOut = '';

function shifted(digits: string, by: number): string {
	if (digits !== lastDigits || by !== lastBy) {
		lastDigits = digits;
		lastBy = by;
		lastOut = String(Number(digits) + by);
	}
	return lastOut;
}

function isDigits(text: string, from: number, to: number): boolean {
	for (let i = from; i < to; i++) {
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

function shiftValue(value: unknown, shift: FrameShift, streamSymbol: string, inKline: boolean): void {
	if (Array.isArray(value)) {
		for (const item of value) shiftValue(item, shift, streamSymbol, inKline);
		return;
	}
	if (typeof value !== 'object' || value === null) return;
	const record = value as Record<string, unknown>;
	// An array stream (!ticker@arr) names each object's symbol in it.
	const symbol = typeof record.s === 'string' ? record.s : streamSymbol;
	for (const [key, field] of Object.entries(record)) {
		if (typeof field === 'number') {
			if (
				inKline ? KLINE_TIME_KEYS.has(key) : (key === 'E' || key === 'T' || key === 'O' || key === 'C') && field > 1e12
			)
				record[key] = field + shift.timeMs;
			else if (field >= 0 && SERIES_OF_KEY[key] !== undefined)
				record[key] = field + idOffset(shift, symbol, SERIES_OF_KEY[key]);
		} else if (key === 'k') shiftValue(field, shift, symbol, true);
	}
}
