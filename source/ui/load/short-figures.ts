/** Compact figures for the Load screen's narrow table cells (5–7 cells), `—` for nothing measured. */
import {none} from '../format.js';

/** At most 5 cells: `0.42`, `12.3`, `123`, `4567`, `12.3s`, `123s`, `12m`. */
export function shortMs(value: number, measured = true): string {
	if (!measured || !Number.isFinite(value)) return none;
	if (value < 10) return value.toFixed(2);
	if (value < 100) return value.toFixed(1);
	if (value < 10_000) return String(Math.round(value));
	if (value < 100_000) return `${(value / 1000).toFixed(1)}s`;
	if (value < 1_000_000) return `${Math.round(value / 1000)}s`;
	return `${Math.round(value / 60_000)}m`;
}

/** At most 7 cells: `123456`, `1.23M`, `123.4M`. */
export function shortCount(value: number): string {
	if (!Number.isFinite(value)) return none;
	if (value < 1_000_000) return String(Math.round(value));
	if (value < 1_000_000_000) return `${(value / 1_000_000).toFixed(value < 100_000_000 ? 2 : 1)}M`;
	return `${(value / 1_000_000_000).toFixed(2)}G`;
}

/** At most 6 cells: `0.0`, `12.3`, `1234`, `12.3k`. */
export function shortRps(value: number): string {
	if (!Number.isFinite(value)) return none;
	if (value < 100) return value.toFixed(1);
	if (value < 10_000) return String(Math.round(value));
	return `${(value / 1000).toFixed(1)}k`;
}
