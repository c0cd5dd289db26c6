/** Integrity of a candle series: monotonic open times, no gaps, sane OHLC, non-negative volume. */
import type {Candle} from '../exchange/exchange-client.js';

export interface CandleIntegrity {
	count: number;
	/** Open times not strictly increasing. */
	nonMonotonic: number;
	/** Missing intervals between consecutive candles (sum of missing candles). */
	gaps: number;
	/** Candles whose low > min(open, close) or high < max(open, close) or low > high. */
	badOhlc: number;
	negativeVolume: number;
	/** Open times not on the timeframe's grid. */
	misaligned: number;
	firstProblem: string | null;
}

export function checkCandles(candles: readonly Candle[], stepMs: number): CandleIntegrity {
	const result: CandleIntegrity = {
		count: candles.length,
		nonMonotonic: 0,
		gaps: 0,
		badOhlc: 0,
		negativeVolume: 0,
		misaligned: 0,
		firstProblem: null,
	};
	const note = (text: string) => {
		if (result.firstProblem === null) result.firstProblem = text;
	};
	let previous: Candle | null = null;
	for (const candle of candles) {
		const at = new Date(candle.time).toISOString();
		if (![candle.open, candle.high, candle.low, candle.close, candle.volume].every(Number.isFinite)) {
			result.badOhlc += 1;
			note(`candle ${at} has a non-numeric field`);
		} else {
			if (
				candle.low > Math.min(candle.open, candle.close) ||
				candle.high < Math.max(candle.open, candle.close) ||
				candle.low > candle.high
			) {
				result.badOhlc += 1;
				note(
					`candle ${at}: low ${candle.low} / high ${candle.high} do not bound open ${candle.open} / close ${candle.close}`,
				);
			}
			if (candle.volume < 0) {
				result.negativeVolume += 1;
				note(`candle ${at}: negative volume ${candle.volume}`);
			}
		}
		// Months have no fixed length; only check the grid for fixed-size steps up to a week.
		if (stepMs < 604_800_000 && candle.time % stepMs !== 0) {
			result.misaligned += 1;
			note(`candle ${at} is not aligned to the timeframe`);
		}
		if (previous) {
			const delta = candle.time - previous.time;
			if (delta <= 0) {
				result.nonMonotonic += 1;
				note(`candle ${at} does not follow ${new Date(previous.time).toISOString()}`);
			} else if (delta > stepMs) {
				const missing = Math.round(delta / stepMs) - 1;
				if (missing > 0) {
					result.gaps += missing;
					note(`${missing} candle(s) missing after ${new Date(previous.time).toISOString()}`);
				}
			}
		}
		previous = candle;
	}
	return result;
}

export function integrityProblems(integrity: CandleIntegrity): number {
	return integrity.nonMonotonic + integrity.gaps + integrity.badOhlc + integrity.negativeVolume + integrity.misaligned;
}
