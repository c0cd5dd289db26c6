/**
 * The stream names `drydock record --streams` takes (Binance's per-symbol suffixes), checked before
 * anything connects so a typo is a one-line usage error, not a 400 from the venue an hour later.
 */

export const DEFAULT_RECORD_STREAMS = ['trade', 'aggTrade', 'depth@100ms', 'bookTicker', 'kline_1m'] as const;

const KLINE_INTERVALS = [
	'1s',
	'1m',
	'3m',
	'5m',
	'15m',
	'30m',
	'1h',
	'2h',
	'4h',
	'6h',
	'8h',
	'12h',
	'1d',
	'3d',
	'1w',
	'1M',
];
const FIXED = new Set(['trade', 'aggTrade', 'bookTicker', 'miniTicker', 'ticker', 'depth', 'depth@100ms']);

/** True when `suffix` is a per-symbol market stream Binance serves (case-sensitive: `kline_1M` is a month). */
export function isStreamSuffix(suffix: string): boolean {
	if (FIXED.has(suffix)) return true;
	if (suffix.startsWith('kline_')) return KLINE_INTERVALS.includes(suffix.slice('kline_'.length));
	return /^depth(5|10|20)(@100ms)?$/.test(suffix);
}

export type ParsedList = {ok: true; values: string[]} | {ok: false; message: string};

/** `trade,depth@100ms` → the suffixes, deduplicated; the first unknown one is named. */
export function parseStreamList(text: string): ParsedList {
	const values = [
		...new Set(
			text
				.split(',')
				.map(s => s.trim())
				.filter(s => s !== ''),
		),
	];
	if (values.length === 0) return {ok: false, message: 'give at least one stream, e.g. trade,depth@100ms'};
	for (const value of values) {
		if (!isStreamSuffix(value))
			return {
				ok: false,
				message: `"${value}" is not a Binance market stream (known: trade, aggTrade, bookTicker, miniTicker, ticker, depth, depth@100ms, depth5|10|20[@100ms], kline_<1s|1m|…|1M>)`,
			};
	}
	return {ok: true, values};
}

/** `btcusdt,ETHUSDT` → upper-case symbols; the first that is not letters and digits is named. */
export function parseSymbolList(text: string): ParsedList {
	const values = [
		...new Set(
			text
				.split(',')
				.map(s => s.trim().toUpperCase().replace('/', ''))
				.filter(s => s !== ''),
		),
	];
	if (values.length === 0) return {ok: false, message: 'give at least one symbol, e.g. BTCUSDT,ETHUSDT'};
	for (const value of values) {
		if (!/^[A-Z0-9]{2,20}$/.test(value))
			return {ok: false, message: `"${value}" is not a symbol like BTCUSDT (letters and digits only)`};
	}
	return {ok: true, values};
}

/** Every `<symbol>@<suffix>` name, lower-case symbol as Binance writes it. */
export function combinedStreamNames(symbols: readonly string[], suffixes: readonly string[]): string[] {
	return symbols.flatMap(symbol => suffixes.map(suffix => `${symbol.toLowerCase()}@${suffix}`));
}

/** The combined-stream URL on a market-stream base (`wss://stream.binance.com:9443` → `…/stream?streams=a/b`). */
export function combinedStreamUrl(wsBase: string, names: readonly string[]): string {
	return `${wsBase.replace(/\/+$/, '')}/stream?streams=${names.join('/')}`;
}
