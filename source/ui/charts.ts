/** Sparklines and gauges as plain strings, so a panel only has to place them. */
import type {Glyphs} from './glyphs.js';

/**
 * The last `width` values as a sparkline scaled to [0, max]. Zero maps to the lowest level rather
 * than a blank so that "nothing happened" is visible as a flat line.
 */
export function sparkline(
	values: readonly number[],
	width: number,
	g: Glyphs,
	scale: {min?: number | 'auto'; max?: number} = {},
): string {
	if (width <= 0) return '';
	const shown = values.slice(-width);
	const finite = shown.filter(v => Number.isFinite(v));
	const top = scale.max ?? Math.max(0, ...finite);
	// 'auto' shows the trend of a level that never nears zero (RSS): scale from the window's minimum.
	const bottom = scale.min === 'auto' ? Math.min(top, ...finite) : (scale.min ?? 0);
	const span = top - bottom;
	const levels = g.spark.length;
	let out = '';
	for (const value of shown) {
		if (!Number.isFinite(value) || span <= 0) {
			out += g.spark[0];
			continue;
		}
		const index = Math.min(levels - 1, Math.max(0, Math.round(((value - bottom) / span) * (levels - 1))));
		out += g.spark[index];
	}
	return out;
}

/**
 * A bar of `width` cells for `value` on a scale that keeps `limit` visible (scale = max(value, limit × 1.25)),
 * with the limit's cell marked. Returns the bar and whether the value is over the limit.
 */
export function gauge(
	value: number | null,
	limit: number | null,
	width: number,
	g: Glyphs,
): {bar: string; over: boolean} {
	if (width <= 0) return {bar: '', over: false};
	const v = value !== null && Number.isFinite(value) ? Math.max(0, value) : 0;
	const scale = Math.max(v, limit !== null && limit > 0 ? limit * 1.25 : 0, 1e-9);
	const filled = value === null ? 0 : Math.min(width, Math.round((v / scale) * width));
	const limitCell = limit !== null && limit > 0 ? Math.min(width - 1, Math.floor((limit / scale) * width)) : -1;
	let bar = '';
	for (let i = 0; i < width; i++) {
		if (i === limitCell) bar += g.gaugeLimit;
		else bar += i < filled ? g.gaugeFull : g.gaugeEmpty;
	}
	return {bar, over: limit !== null && limit > 0 && v > limit};
}
