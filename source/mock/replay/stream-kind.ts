/** What a recorded stream name carries, from its suffix (`btcusdt@depth@100ms` → diff depth of BTCUSDT). */
export type RecordedKind = 'trade' | 'aggTrade' | 'diffDepth' | 'partialDepth' | 'bookTicker' | 'kline' | 'other';

export interface RecordedStream {
	symbol: string;
	kind: RecordedKind;
}

export function recordedStream(stream: string): RecordedStream | undefined {
	const at = stream.indexOf('@');
	if (at <= 0) return undefined;
	const symbol = stream.slice(0, at).toUpperCase();
	const rest = stream.slice(at + 1);
	let kind: RecordedKind = 'other';
	if (rest === 'trade') kind = 'trade';
	else if (rest === 'aggTrade') kind = 'aggTrade';
	else if (rest === 'depth' || rest.startsWith('depth@')) kind = 'diffDepth';
	else if (/^depth\d+/.test(rest)) kind = 'partialDepth';
	else if (rest === 'bookTicker') kind = 'bookTicker';
	else if (rest.startsWith('kline_')) kind = 'kline';
	return {symbol, kind};
}
