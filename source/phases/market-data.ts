/**
 * market-data: klines over 1m/5m/1h (fresh and sane), paginated bulk history of at least 5000 (5m) candles
 * with its throughput, the integrity of every candle, and the order book and ticker being coherent.
 */
import {isTransientError} from '../exchange/errors.js';
import {timeframeMs} from '../exchange/history.js';
import {checkCandles, integrityProblems} from './candles.js';
import {fail, failFromError, limit, pass} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {round} from './stats.js';

export const historyCandles = 5_000;
/** 5000 × 5m is about 17 days: deep enough to need pagination (1000 per page), shallow enough for any venue's history. */
export const historyTimeframe = '5m';
const timeframes = ['1m', '5m', '1h'] as const;

async function checkTimeframe(ctx: PhaseCtx, symbol: string, timeframe: string): Promise<void> {
	const {exchange, clock} = ctx.services;
	const title = `klines ${timeframe} (${symbol})`;
	try {
		const candles = await ctx.call(
			`fetchOHLCV ${timeframe}`,
			() => exchange.fetchOHLCV(symbol, timeframe, undefined, 200),
			{isTransient: isTransientError},
		);
		if (candles.length === 0) {
			ctx.check({
				id: `klines-${timeframe}`,
				title,
				verdict: 'no-data',
				measured: 0,
				threshold: '> 0 candles, sane, fresh',
				reason: 'the venue returned no candles',
			});
			return;
		}
		const step = timeframeMs(timeframe);
		const integrity = checkCandles(candles, step);
		const last = candles[candles.length - 1]!;
		const serverNow = Date.now() + clock.offsetMs;
		// The newest candle is the one forming now (or the one just closed).
		const staleBy = serverNow - (last.time + step);
		if (integrityProblems(integrity) > 0)
			fail(
				ctx,
				`klines-${timeframe}`,
				title,
				integrity.firstProblem ?? 'integrity problems',
				integrityProblems(integrity),
				'0 problems',
			);
		else if (staleBy > step)
			fail(
				ctx,
				`klines-${timeframe}`,
				title,
				`the newest candle opened ${new Date(last.time).toISOString()}: ${round(staleBy / 1000, 0)} s stale`,
				`${candles.length} candles`,
				'fresh',
			);
		else pass(ctx, `klines-${timeframe}`, title, `${candles.length} candles`, 'sane, no gaps, fresh');
	} catch (error) {
		failFromError(ctx, `klines-${timeframe}`, title, error);
	}
}

async function checkHistory(ctx: PhaseCtx, symbol: string): Promise<void> {
	const {exchange} = ctx.services;
	const title = `paginated history ≥ ${historyCandles} × ${historyTimeframe} candles`;
	let pages = 0;
	try {
		const result = await ctx.call(
			'fetchOHLCVHistory',
			signal =>
				exchange.fetchOHLCVHistory(symbol, historyTimeframe, historyCandles, {
					signal,
					onPage: page => (pages = page.requests),
				}),
			{isTransient: isTransientError, timeoutMs: Math.max(60_000, ctx.profile.timeouts.requestMs * 10)},
		);
		limit(ctx, {
			id: 'history-count',
			title,
			measured: result.candles.length,
			min: historyCandles,
			unit: 'candles',
			reason: `only ${result.candles.length} candles came back over ${result.requests} requests`,
		});
		const throughput = result.candles.length / Math.max(result.elapsedMs / 1000, 0.001);
		limit(ctx, {
			id: 'history-throughput',
			title: `history throughput (${result.requests} requests, ${round(result.elapsedMs, 0)} ms)`,
			measured: round(throughput, 0),
			min: 500,
			unit: 'candles/s',
		});
		const integrity = checkCandles(result.candles, timeframeMs(historyTimeframe));
		const problems = integrityProblems(integrity);
		const detail = `non-monotonic ${integrity.nonMonotonic}, gaps ${integrity.gaps}, bad OHLC ${integrity.badOhlc}, negative volume ${integrity.negativeVolume}, misaligned ${integrity.misaligned}`;
		if (problems > 0)
			fail(
				ctx,
				'history-integrity',
				'history integrity (monotonic, no gaps, low ≤ open,close ≤ high, volume ≥ 0)',
				`${detail}; first: ${integrity.firstProblem}`,
				problems,
				'= 0',
			);
		else
			pass(
				ctx,
				'history-integrity',
				'history integrity (monotonic, no gaps, low ≤ open,close ≤ high, volume ≥ 0)',
				0,
				'= 0 problems',
			);
	} catch (error) {
		failFromError(ctx, 'history-count', `${title} (${pages} pages before the failure)`, error);
	}
}

async function checkBookAndTicker(ctx: PhaseCtx, symbol: string): Promise<void> {
	const {exchange} = ctx.services;
	try {
		const book = await ctx.call('fetchOrderBook', () => exchange.fetchOrderBook(symbol, 100), {
			isTransient: isTransientError,
		});
		const problems: string[] = [];
		if (book.bids.length === 0 || book.asks.length === 0) problems.push('one side of the book is empty');
		for (let i = 1; i < book.bids.length; i++)
			if (book.bids[i]![0] >= book.bids[i - 1]![0]) problems.push('bids not descending');
		for (let i = 1; i < book.asks.length; i++)
			if (book.asks[i]![0] <= book.asks[i - 1]![0]) problems.push('asks not ascending');
		const bestBid = book.bids[0]?.[0];
		const bestAsk = book.asks[0]?.[0];
		if (bestBid !== undefined && bestAsk !== undefined && bestBid >= bestAsk)
			problems.push(`crossed: bid ${bestBid} ≥ ask ${bestAsk}`);
		if ([...book.bids, ...book.asks].some(([, amount]) => !(amount > 0)))
			problems.push('a level with a non-positive amount');
		const title = `order book snapshot (${symbol})`;
		if (problems.length > 0)
			fail(
				ctx,
				'order-book',
				title,
				[...new Set(problems)].join('; '),
				book.bids.length + book.asks.length,
				'sorted, uncrossed',
			);
		else
			pass(
				ctx,
				'order-book',
				title,
				`${book.bids.length}+${book.asks.length} levels, spread ${round(bestAsk! - bestBid!, 8)}`,
				'sorted, uncrossed',
			);
	} catch (error) {
		failFromError(ctx, 'order-book', `order book snapshot (${symbol})`, error);
	}
	try {
		const [ticker, trades] = await Promise.all([
			ctx.call('fetchTicker', () => exchange.fetchTicker(symbol), {isTransient: isTransientError}),
			ctx.call('fetchTrades', () => exchange.fetchTrades(symbol, undefined, 100), {isTransient: isTransientError}),
		]);
		const title = `ticker and recent trades (${symbol})`;
		if (ticker.last === null || !(ticker.last > 0))
			fail(ctx, 'ticker-trades', title, 'the ticker has no last price', null, 'last > 0, trades present');
		else if (trades.length === 0)
			ctx.check({
				id: 'ticker-trades',
				title,
				verdict: 'no-data',
				measured: 0,
				threshold: '> 0 trades',
				reason: 'no recent trades',
			});
		else if (trades.some((trade, i) => i > 0 && trade.timestamp < trades[i - 1]!.timestamp))
			fail(ctx, 'ticker-trades', title, 'recent trades are not in time order', trades.length, 'ordered');
		else pass(ctx, 'ticker-trades', title, `last ${ticker.last}, ${trades.length} trades`, 'last > 0, trades ordered');
	} catch (error) {
		failFromError(ctx, 'ticker-trades', `ticker and recent trades (${symbol})`, error);
	}
}

export const marketDataPhase: Phase = {
	id: 'market-data',
	title: 'Market data',
	async run(ctx) {
		const symbol = ctx.profile.symbols[0]!;
		for (const timeframe of timeframes) await checkTimeframe(ctx, symbol, timeframe);
		await checkHistory(ctx, symbol);
		await checkBookAndTicker(ctx, symbol);
	},
};
