/**
 * Moves a recorded frame's times to the replay's clock (and, from the second loop on, its ids past the
 * first pass's) by splicing the JSON text: a frame is not parsed and re-serialized just to add a constant.
 */

/** Millisecond timestamps (13 digits) under the keys Binance uses for times: E, T, and a ticker's O and C. */
const TIME_FIELDS = /"([ETOC])":(\d{13})(?=[,}])/g;
/** Ids a bot sequences by: trade and aggregate ids, first/last trade ids, depth update ids. */
const ID_KEYS = new Set(['t', 'a', 'f', 'l', 'F', 'L', 'U', 'u', 'pu', 'lastUpdateId']);
const KLINE_TIME_KEYS = new Set(['t', 'T']);

export interface FrameShift {
	/** Added to every timestamp (0 with --keep-time). */
	timeMs: number;
	/** Added to every sequence id (0 on the first pass). */
	ids: number;
}

export function rewriteFrame(stream: string, json: string, shift: FrameShift): string {
	if (shift.timeMs === 0 && shift.ids === 0) return json;
	const kline = stream.includes('@kline_');
	if (shift.ids === 0 && !kline) {
		const by = shift.timeMs;
		return json.replace(TIME_FIELDS, (_match, key: string, digits: string) => `"${key}":${Number(digits) + by}`);
	}
	// Klines (a candle's open time is a lowercase t) and later loops: rare enough to parse.
	const value = JSON.parse(json) as unknown;
	shiftValue(value, shift, false);
	return JSON.stringify(value);
}

function shiftValue(value: unknown, shift: FrameShift, inKline: boolean): void {
	if (Array.isArray(value)) {
		for (const item of value) shiftValue(item, shift, inKline);
		return;
	}
	if (typeof value !== 'object' || value === null) return;
	const record = value as Record<string, unknown>;
	for (const [key, field] of Object.entries(record)) {
		if (typeof field === 'number') {
			if (
				inKline ? KLINE_TIME_KEYS.has(key) : (key === 'E' || key === 'T' || key === 'O' || key === 'C') && field > 1e12
			)
				record[key] = field + shift.timeMs;
			else if (ID_KEYS.has(key) && field >= 0) record[key] = field + shift.ids;
		} else if (key === 'k') shiftValue(field, shift, true);
	}
}
