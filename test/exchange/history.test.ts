/** The pagination arithmetic of fetchCandleHistory, with a page function standing in for the venue. */
import {describe, expect, it} from 'vitest';
import {ExchangeError, fetchCandleHistory, timeframeMs, type Candle} from '../../source/exchange/index.js';

const minute = 60_000;

/** A venue with candles every minute from `first` up to `last` that honours since/limit like Binance. */
function venue(first: number, last: number) {
	const calls: Array<{since: number; limit: number}> = [];
	const page = async (since: number, limit: number): Promise<Candle[]> => {
		calls.push({since, limit});
		const out: Candle[] = [];
		let t = Math.max(first, Math.ceil(since / minute) * minute);
		while (t <= last && out.length < limit) {
			out.push({time: t, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3});
			t += minute;
		}
		return out;
	};
	return {calls, page};
}

describe('fetchCandleHistory', () => {
	it('fetches N candles in 1000-candle windows, contiguous and oldest first', async () => {
		const now = 1_700_000_000_000 - (1_700_000_000_000 % minute);
		const {calls, page} = venue(now - 10_000 * minute, now);
		const result = await fetchCandleHistory(page, '1m', 2500, {}, now);
		expect(result.candles).toHaveLength(2500);
		expect(result.requests).toBe(3);
		expect(calls.map(c => c.limit)).toEqual([1000, 1000, 500]);
		for (let i = 1; i < result.candles.length; i++)
			expect(result.candles[i]!.time - result.candles[i - 1]!.time).toBe(minute);
	});

	it('stops at the present when fewer candles exist', async () => {
		const now = 1_700_000_000_000 - (1_700_000_000_000 % minute);
		const {page} = venue(now - 99 * minute, now);
		const result = await fetchCandleHistory(page, '1m', 500, {since: now - 200 * minute}, now);
		expect(result.candles).toHaveLength(100);
		expect(result.requests).toBe(1);
	});

	it('rejects bad counts and timeframes with a typed error', async () => {
		const {page} = venue(0, 0);
		await expect(fetchCandleHistory(page, '1m', 0)).rejects.toBeInstanceOf(ExchangeError);
		expect(() => timeframeMs('7q')).toThrow(/unknown timeframe/);
		expect(timeframeMs('4h')).toBe(4 * 3_600_000);
	});
});
