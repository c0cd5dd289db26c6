/**
 * Binance's request-weight budget per IP in fixed windows (1 minute by default), 429 past it, and an
 * IP ban (418) for a client that keeps sending after being told to stop. Window and ban lengths are
 * options so tests run in seconds.
 */
export interface RateLimitOptions {
	weightPerWindow: number;
	windowMs: number;
	/** 429s answered within one window before the IP is banned. */
	banAfter429s: number;
	/** The first ban's length; each further ban of the same IP doubles it, up to 3 days (Binance: 2 min to 3 days). */
	banMs: number;
	/** RAW_REQUESTS: requests of any weight per IP per 5 minutes. */
	rawPer5m: number;
}

export type WeightVerdict =
	| {kind: 'ok'; used: number}
	| {kind: 'limited'; used: number; retryAfterSec: number; raw?: boolean}
	| {kind: 'banned'; used: number; retryAfterSec: number; until: number};

interface IpState {
	window: number;
	used: number;
	rejected: number;
	bannedUntil: number;
	bans: number;
	rawWindow: number;
	raw: number;
}

const RAW_WINDOW_MS = 300_000;

const MAX_BAN_MS = 3 * 86_400_000;

export class WeightLimiter {
	private readonly ips = new Map<string, IpState>();

	constructor(readonly options: RateLimitOptions) {}

	/** Charges `weight` to `ip` unless it is banned or over budget. */
	charge(ip: string, weight: number, now: number): WeightVerdict {
		const window = Math.floor(now / this.options.windowMs);
		let s = this.ips.get(ip);
		if (!s) {
			s = {window, used: 0, rejected: 0, bannedUntil: 0, bans: 0, rawWindow: 0, raw: 0};
			this.ips.set(ip, s);
		} else if (s.window !== window) {
			s.window = window;
			s.used = 0;
			s.rejected = 0;
		}
		if (s.bannedUntil > now)
			return {
				kind: 'banned',
				used: s.used,
				retryAfterSec: Math.max(1, Math.ceil((s.bannedUntil - now) / 1000)),
				until: s.bannedUntil,
			};
		const rawWindow = Math.floor(now / RAW_WINDOW_MS);
		if (s.rawWindow !== rawWindow) {
			s.rawWindow = rawWindow;
			s.raw = 0;
		}
		if (++s.raw > this.options.rawPer5m) {
			return {
				kind: 'limited',
				used: s.used,
				retryAfterSec: Math.max(1, Math.ceil(((rawWindow + 1) * RAW_WINDOW_MS - now) / 1000)),
				raw: true,
			};
		}
		if (s.used + weight > this.options.weightPerWindow) {
			s.rejected++;
			if (s.rejected > this.options.banAfter429s) {
				const length = Math.min(MAX_BAN_MS, this.options.banMs * 2 ** s.bans);
				s.bans++;
				s.rejected = 0;
				s.bannedUntil = now + length;
				return {
					kind: 'banned',
					used: s.used,
					retryAfterSec: Math.max(1, Math.ceil(length / 1000)),
					until: s.bannedUntil,
				};
			}
			const windowEnd = (window + 1) * this.options.windowMs;
			return {kind: 'limited', used: s.used, retryAfterSec: Math.max(1, Math.ceil((windowEnd - now) / 1000))};
		}
		s.used += weight;
		return {kind: 'ok', used: s.used};
	}

	used(ip: string, now: number): number {
		const s = this.ips.get(ip);
		if (!s || s.window !== Math.floor(now / this.options.windowMs)) return 0;
		return s.used;
	}
}

/** Orders placed per account in a rolling-by-bucket 10 s window and per UTC day. */
export class OrderCounter {
	private readonly accounts = new Map<string, {bucket10s: number; count10s: number; day: number; countDay: number}>();

	constructor(
		readonly per10s: number,
		readonly perDay: number,
	) {}

	/** Counts one new order; returns the counts after it, or `exceeded` naming the limit. */
	count(apiKey: string, now: number): {count10s: number; countDay: number; exceeded?: '10s' | 'day'} {
		const bucket = Math.floor(now / 10_000);
		const day = Math.floor(now / 86_400_000);
		let s = this.accounts.get(apiKey);
		if (!s) {
			s = {bucket10s: bucket, count10s: 0, day, countDay: 0};
			this.accounts.set(apiKey, s);
		}
		if (s.bucket10s !== bucket) {
			s.bucket10s = bucket;
			s.count10s = 0;
		}
		if (s.day !== day) {
			s.day = day;
			s.countDay = 0;
		}
		if (s.count10s >= this.per10s) return {count10s: s.count10s, countDay: s.countDay, exceeded: '10s'};
		if (s.countDay >= this.perDay) return {count10s: s.count10s, countDay: s.countDay, exceeded: 'day'};
		s.count10s++;
		s.countDay++;
		return {count10s: s.count10s, countDay: s.countDay};
	}

	current(apiKey: string, now: number): {count10s: number; countDay: number} {
		const s = this.accounts.get(apiKey);
		if (!s) return {count10s: 0, countDay: 0};
		return {
			count10s: s.bucket10s === Math.floor(now / 10_000) ? s.count10s : 0,
			countDay: s.day === Math.floor(now / 86_400_000) ? s.countDay : 0,
		};
	}
}
