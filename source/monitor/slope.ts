/**
 * The leak detector: least-squares slope of RSS over time after a warm-up, in MB per hour. Pure, so it
 * can be tested on synthetic series.
 */
export interface Point {
	at: number;
	value: number;
}

export interface SlopeResult {
	/** MB per hour. */
	slopePerHour: number;
	points: number;
	spanMs: number;
}

/** Least-squares slope per hour of the points at or after `fromAt`; null with fewer than `minPoints` or no time span. */
export function leastSquaresSlopePerHour(
	points: readonly Point[],
	fromAt = -Infinity,
	minPoints = 5,
): SlopeResult | null {
	const used = points.filter(p => p.at >= fromAt && Number.isFinite(p.value));
	if (used.length < minPoints) return null;
	const t0 = used[0]!.at;
	let sumX = 0;
	let sumY = 0;
	for (const p of used) {
		sumX += (p.at - t0) / 3_600_000;
		sumY += p.value;
	}
	const n = used.length;
	const meanX = sumX / n;
	const meanY = sumY / n;
	let num = 0;
	let den = 0;
	for (const p of used) {
		const dx = (p.at - t0) / 3_600_000 - meanX;
		num += dx * (p.value - meanY);
		den += dx * dx;
	}
	if (den === 0) return null;
	return {slopePerHour: num / den, points: n, spanMs: used[n - 1]!.at - t0};
}

export interface LeakVerdict {
	leaking: boolean;
	/** False when the window after warm-up is shorter than `minSpanMs`: a slope over minutes is RSS noise and V8 heap sizing, not a leak. */
	conclusive: boolean;
	slopePerHour: number | null;
	reason: string;
}

/** Below this, a few MB of heap growth extrapolate to a "leak" of tens of MB/h: report, don't fail. */
export const LEAK_MIN_SPAN_MS = 30 * 60_000;

/** Flags a leak when the slope after warm-up exceeds the limit (MB/h); conclusive only over at least `minSpanMs`. */
export function detectLeak(
	points: readonly Point[],
	options: {warmupUntil: number; limitMbPerHour: number; minPoints?: number; minSpanMs?: number},
): LeakVerdict {
	const result = leastSquaresSlopePerHour(points, options.warmupUntil, options.minPoints ?? 5);
	if (!result)
		return {leaking: false, conclusive: false, slopePerHour: null, reason: 'not enough samples after warm-up'};
	const leaking = result.slopePerHour > options.limitMbPerHour;
	const minSpan = options.minSpanMs ?? LEAK_MIN_SPAN_MS;
	const conclusive = result.spanMs >= minSpan;
	const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
	return {
		leaking,
		conclusive,
		slopePerHour: result.slopePerHour,
		reason: `RSS slope ${result.slopePerHour.toFixed(2)} MB/h over ${result.points} samples in ${minutes(result.spanMs)} (limit ${options.limitMbPerHour} MB/h)${conclusive ? '' : `; window under ${minutes(minSpan)}, too short to call a leak`}`,
	};
}
