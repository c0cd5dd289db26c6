/** Paginated kline history: N candles fetched in since/limit windows, oldest first, no duplicates. */
import {ExchangeError} from './errors.js';
import type {Candle, HistoryOptions, HistoryResult} from './exchange-client.js';

const unitMs: Record<string, number> = {
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
	w: 604_800_000,
	M: 2_592_000_000,
};

/** `1m` → 60000; months count as 30 days (only used to pick the first window). */
export function timeframeMs(timeframe: string): number {
	const match = /^(\d+)([smhdwM])$/.exec(timeframe);
	if (!match)
		throw new ExchangeError({
			kind: 'bad-request',
			message: `unknown timeframe "${timeframe}" (expected e.g. 1m, 5m, 1h, 1d)`,
		});
	return Number(match[1]) * unitMs[match[2]!]!;
}

export type CandlePage = (since: number, limit: number) => Promise<Candle[]>;

export async function fetchCandleHistory(
	fetchPage: CandlePage,
	timeframe: string,
	count: number,
	options: HistoryOptions = {},
	now = Date.now(),
): Promise<HistoryResult> {
	if (!Number.isInteger(count) || count <= 0)
		throw new ExchangeError({kind: 'bad-request', message: `candle count must be a positive integer, got ${count}`});
	const step = timeframeMs(timeframe);
	const pageSize = Math.max(1, Math.min(options.pageSize ?? 1000, 1000));
	const started = performance.now();
	const candles: Candle[] = [];
	let since = options.since ?? now - (count + 1) * step;
	let lastTime = -Infinity;
	let requests = 0;
	while (candles.length < count) {
		options.signal?.throwIfAborted();
		const want = Math.min(pageSize, count - candles.length);
		const page = await fetchPage(since, want);
		requests++;
		let added = 0;
		for (const candle of page) {
			if (candle.time > lastTime && candles.length < count) {
				candles.push(candle);
				lastTime = candle.time;
				added++;
			}
		}
		options.onPage?.({candles: candles.length, requests, elapsedMs: performance.now() - started});
		// A short or stale page means we reached the present.
		if (added === 0 || page.length < want) break;
		since = lastTime + 1;
	}
	return {candles, requests, elapsedMs: performance.now() - started};
}
