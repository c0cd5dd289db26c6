/** Binance market stream names (`btcusdt@trade`, `btcusdt@depth20@100ms`, `!ticker@arr`) parsed into what to push. */

export const KLINE_INTERVALS: ReadonlySet<string> = new Set([
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
]);

export type StreamKind =
	| {kind: 'trade'}
	| {kind: 'aggTrade'}
	| {kind: 'bookTicker'}
	| {kind: 'miniTicker'}
	| {kind: 'ticker'}
	| {kind: 'kline'; interval: string}
	| {kind: 'diffDepth'; speedMs: 100 | 1000}
	| {kind: 'partialDepth'; levels: 5 | 10 | 20; speedMs: 100 | 1000}
	| {kind: 'allMiniTickers'}
	| {kind: 'allTickers'};

export type StreamSpec = StreamKind & {
	/** Canonical name as Binance writes it (lowercase symbol). */
	name: string;
	/** Uppercase symbol, or undefined for all-market streams. */
	symbol: string | undefined;
};

export type ParsedStream = {ok: true; spec: StreamSpec} | {ok: false; error: string};

function kindOf(suffix: string): StreamKind | undefined {
	switch (suffix) {
		case 'trade':
			return {kind: 'trade'};
		case 'aggTrade':
			return {kind: 'aggTrade'};
		case 'bookTicker':
			return {kind: 'bookTicker'};
		case 'miniTicker':
			return {kind: 'miniTicker'};
		case 'ticker':
			return {kind: 'ticker'};
		case 'depth':
			return {kind: 'diffDepth', speedMs: 1000};
		case 'depth@100ms':
			return {kind: 'diffDepth', speedMs: 100};
		default:
			break;
	}
	if (suffix.startsWith('kline_')) {
		const interval = suffix.slice('kline_'.length);
		return KLINE_INTERVALS.has(interval) ? {kind: 'kline', interval} : undefined;
	}
	const partial = /^depth(5|10|20)(@100ms)?$/.exec(suffix);
	if (partial) {
		const levels = Number(partial[1]) as 5 | 10 | 20;
		return {kind: 'partialDepth', levels, speedMs: partial[2] ? 100 : 1000};
	}
	return undefined;
}

/**
 * Parses one stream name. The symbol part is matched case-insensitively (Binance documents lowercase);
 * the suffix is case-sensitive (`kline_1M` is a month, `kline_1m` a minute).
 */
export function parseStreamName(raw: string, hasSymbol: (symbol: string) => boolean): ParsedStream {
	if (raw === '!miniTicker@arr') return {ok: true, spec: {kind: 'allMiniTickers', name: raw, symbol: undefined}};
	if (raw === '!ticker@arr') return {ok: true, spec: {kind: 'allTickers', name: raw, symbol: undefined}};
	const at = raw.indexOf('@');
	if (at <= 0 || raw.length > 200) return {ok: false, error: `invalid stream name '${truncate(raw)}'`};
	const symbolPart = raw.slice(0, at);
	const suffix = raw.slice(at + 1);
	const kind = kindOf(suffix);
	if (!kind) return {ok: false, error: `unknown stream '${truncate(raw)}'`};
	const symbol = symbolPart.toUpperCase();
	if (!/^[A-Z0-9]+$/.test(symbol) || !hasSymbol(symbol)) {
		return {ok: false, error: `invalid symbol '${truncate(symbolPart)}' in stream '${truncate(raw)}'`};
	}
	return {ok: true, spec: {...kind, name: `${symbolPart.toLowerCase()}@${suffix}`, symbol}};
}

function truncate(text: string): string {
	return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
