import {UsageError} from './usage-error.js';

const units: Record<string, number> = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
};

/**
 * Parses `90s`, `5m`, `1h30m`, `24h`, `1.5h`, or a bare number of seconds into milliseconds.
 * `what` names the flag or field in the error message.
 */
export function parseDuration(text: string, what = 'duration'): number {
	const trimmed = text.trim();
	if (trimmed === '') throw new UsageError(`${what}: empty duration (expected e.g. 30s, 5m, 24h)`);
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
	let total = 0;
	let consumed = 0;
	for (const match of trimmed.matchAll(pattern)) {
		total += Number(match[1]) * units[match[2]!]!;
		consumed += match[0].length;
	}
	if (consumed !== trimmed.length || !Number.isFinite(total)) {
		throw new UsageError(`${what}: cannot read "${text}" as a duration (expected e.g. 30s, 5m, 1h30m, 24h)`);
	}
	return Math.round(total);
}

/** `3723000` → `1h02m03s`; short and fixed-width enough for headers. */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) return '—';
	const totalSeconds = Math.floor(ms / 1000);
	const h = Math.floor(totalSeconds / 3600);
	const m = Math.floor((totalSeconds % 3600) / 60);
	const s = totalSeconds % 60;
	if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
	if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
	if (ms < 10_000 && ms % 1000 !== 0) return `${(ms / 1000).toFixed(1)}s`;
	return `${s}s`;
}
