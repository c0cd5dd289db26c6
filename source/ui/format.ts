/** Number formatting for panels: short, fixed-ish width, `—` for nothing measured. */
import {formatDuration} from '../util/duration.js';

export const none = '—';

export function formatCount(value: number): string {
	if (!Number.isFinite(value)) return none;
	if (Math.abs(value) >= 10_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
	if (Math.abs(value) >= 100_000) return `${(value / 1000).toFixed(0)}k`;
	return Math.round(value).toLocaleString('en-US');
}

export function formatMs(value: number | null | undefined): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return none;
	if (value >= 10_000) return formatDuration(value);
	if (value >= 100) return `${Math.round(value)}ms`;
	if (value >= 10) return `${value.toFixed(1)}ms`;
	return `${value.toFixed(2)}ms`;
}

export function formatPercent(ratio: number | null | undefined, digits = 2): string {
	if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return none;
	return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatRate(perSecond: number): string {
	if (!Number.isFinite(perSecond)) return none;
	if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k/s`;
	if (perSecond >= 10) return `${perSecond.toFixed(0)}/s`;
	return `${perSecond.toFixed(1)}/s`;
}

export function formatMb(value: number | null | undefined): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return none;
	if (value >= 1000) return `${(value / 1024).toFixed(2)}GB`;
	return `${value.toFixed(value >= 100 ? 0 : 1)}MB`;
}

/** Age of a timestamp relative to `now`: `0.4s`, `12s`, `3m05s`, `2h01m00s`. */
export function formatAge(at: number | null, now: number): string {
	if (at === null) return none;
	const age = Math.max(0, now - at);
	if (age < 10_000) return `${(age / 1000).toFixed(1)}s`;
	return formatDuration(age);
}

/** `null` durations (not started) become `—`. */
export function formatElapsed(ms: number | null | undefined): string {
	if (ms === null || ms === undefined) return none;
	return formatDuration(ms);
}

/** Wall-clock time of day, UTC, `HH:MM:SS` — the same in every SSH session. */
export function formatClock(at: number): string {
	return new Date(at).toISOString().slice(11, 19);
}

export function formatMeasured(measured: number | string | boolean | null, unit?: string): string {
	if (measured === null) return none;
	if (typeof measured === 'boolean') return measured ? 'yes' : 'no';
	if (typeof measured === 'number') {
		const shown = Number.isInteger(measured) ? String(measured) : measured.toFixed(Math.abs(measured) >= 100 ? 0 : 2);
		return unit ? `${shown} ${unit}` : shown;
	}
	return unit ? `${measured} ${unit}` : measured;
}

/** At most 7 cells: `340ms`, `1.2s`, `12s`, `59m59s`, `23h59m` — for table columns. Under a second in ms: `0.0s` said nothing. */
export function formatShortDuration(ms: number | null | undefined): string {
	if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return none;
	if (ms < 1000) return `${Math.round(ms)}ms`;
	if (ms >= 3_600_000) {
		const h = Math.floor(ms / 3_600_000);
		const m = Math.floor((ms % 3_600_000) / 60_000);
		return `${h}h${String(m).padStart(2, '0')}m`;
	}
	return formatDuration(ms);
}
