import type {WireKline} from '../contracts.js';
import {CandleHistory, DAY, HOUR, MINUTE, SECOND, merge, type Candle, type HistoryOptions} from './candle-history.js';

export type {Candle} from './candle-history.js';

/** Interval name → length in ms (1M is calendar months, listed as 30 days only for sizing). */
export const INTERVALS: Record<string, number> = {
	'1s': SECOND,
	'1m': MINUTE,
	'3m': 3 * MINUTE,
	'5m': 5 * MINUTE,
	'15m': 15 * MINUTE,
	'30m': 30 * MINUTE,
	'1h': HOUR,
	'2h': 2 * HOUR,
	'4h': 4 * HOUR,
	'6h': 6 * HOUR,
	'8h': 8 * HOUR,
	'12h': 12 * HOUR,
	'1d': DAY,
	'3d': 3 * DAY,
	'1w': 7 * DAY,
	'1M': 30 * DAY,
};

export function isInterval(name: string): boolean {
	return Object.hasOwn(INTERVALS, name);
}

/** Binance's weeks open on Monday 00:00 UTC; the epoch was a Thursday. */
const WEEK_OFFSET = 4 * DAY;

/** The open time of the candle of `interval` that contains `time`. */
export function candleOpen(interval: string, time: number): number {
	if (interval === '1M') {
		const d = new Date(time);
		return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
	}
	const ms = INTERVALS[interval]!;
	const offset = interval === '1w' ? WEEK_OFFSET : 0;
	return Math.floor((time - offset) / ms) * ms + offset;
}

/** The open time of the next candle after the one opening at `open`. */
export function nextOpen(interval: string, open: number): number {
	if (interval === '1M') {
		const d = new Date(open);
		return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
	}
	return open + INTERVALS[interval]!;
}

function previousOpen(interval: string, open: number): number {
	if (interval === '1M') {
		const d = new Date(open);
		return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
	}
	return open - INTERVALS[interval]!;
}

/** A contiguous run of equal-length live candles: candles[i] opens at start + i * dt. */
class Level {
	readonly candles: Candle[] = [];
	constructor(
		readonly dt: number,
		public start: number,
		private readonly keep: number,
		private readonly firstPrice: number,
	) {}

	get end(): number {
		return this.start + this.candles.length * this.dt;
	}

	at(t: number): Candle | undefined {
		if (t < this.start) return undefined;
		return this.candles[Math.floor((t - this.start) / this.dt)];
	}

	/** Appends flat candles (no trades, at the last close) until the one containing `time` exists. */
	advance(time: number): void {
		while (this.end <= time) {
			const last = this.candles[this.candles.length - 1];
			const c = last?.c ?? this.firstPrice;
			this.candles.push({t: this.end, o: c, h: c, l: c, c, v: 0, q: 0, n: 0, V: 0, Q: 0, f: -1, L: -1});
		}
		// Bounded memory during long soaks: drop the oldest half once twice the retention is held.
		if (this.candles.length > this.keep * 2) {
			const drop = this.candles.length - this.keep;
			this.candles.splice(0, drop);
			this.start += drop * this.dt;
		}
	}
}

export type KlineHistoryOptions = Omit<HistoryOptions, 'end'> & {now: number};

/**
 * Candles of one symbol for every interval: the generated history (source/mock/market/candle-history.ts)
 * up to the second the market started, live candles from the simulator's trades after it. Any candle
 * is the aggregate of history seconds/minutes/hours/days before the start and live seconds/minutes
 * after it, so a 1h candle is always its sixty 1m candles, live or not. Live candles are kept per
 * second for an hour and per minute for 30 days (bounded memory).
 */
export class KlineStore {
	readonly history: CandleHistory;
	private readonly sec: Level;
	private readonly min: Level;
	/** Bumped by every trade booked: a cached page's live candle is current while this is unchanged. */
	version = 0;

	constructor(
		readonly symbol: string,
		options: KlineHistoryOptions,
	) {
		const end = Math.floor(options.now / SECOND) * SECOND;
		this.history = new CandleHistory({...options, end});
		const price = this.history.lastPrice();
		this.sec = new Level(SECOND, end, 3_600, price);
		this.min = new Level(MINUTE, Math.floor(end / MINUTE) * MINUTE, 43_200, price);
		this.advance(options.now);
	}

	/** Where the live market starts: the last history close. */
	get startPrice(): number {
		return this.history.lastPrice();
	}

	/** The first live trade id (history's trades are numbered 0 … this − 1). */
	get firstLiveTradeId(): number {
		return this.history.tradesBefore(this.history.end);
	}

	/** Kept for callers that prepared the old stored history; generation is now on demand. */
	prepare(): void {}

	/** Makes sure the live candle containing `now` exists (flat if nothing traded yet). */
	advance(now: number): void {
		this.sec.advance(now);
		this.min.advance(now);
	}

	/** Records one live trade in its second and minute. */
	addTrade(time: number, price: number, qty: number, buyerIsTaker: boolean, tradeId: number): void {
		this.version++;
		for (const level of [this.sec, this.min]) {
			level.advance(time);
			// A skewed clock can move backwards: book such a trade into the newest candle.
			const candle = level.at(time) ?? level.candles[level.candles.length - 1]!;
			if (candle.n === 0) {
				candle.o = price;
				candle.h = price;
				candle.l = price;
				candle.f = tradeId;
			}
			if (price > candle.h) candle.h = price;
			if (price < candle.l) candle.l = price;
			candle.c = price;
			candle.v += qty;
			candle.q += qty * price;
			candle.n++;
			candle.L = tradeId;
			if (buyerIsTaker) {
				candle.V += qty;
				candle.Q += qty * price;
			}
		}
	}

	/** The aggregate of everything in [from, to): history before the live start, live after it. */
	range(from: number, to: number): Candle | undefined {
		const split = this.history.end;
		const past = from < split ? this.history.range(from, Math.min(to, split)) : undefined;
		let acc = past ? {...past, t: from} : undefined;
		let t = Math.max(from, split);
		while (t < to) {
			const minute = Math.floor(t / MINUTE) * MINUTE;
			let c: Candle | undefined;
			// A live minute holds only live trades, so the minute the market started in counts whole.
			if ((t === minute || t === split) && minute + MINUTE <= to) {
				c = this.min.at(minute);
				t = minute + MINUTE;
			} else {
				c = this.sec.at(t);
				t += SECOND;
			}
			if (c) acc = acc ? merge(acc, c) : {...c, t: from};
		}
		return acc;
	}

	/** The candle of `interval` opening at `open`. */
	candle(interval: string, open: number): Candle | undefined {
		const c = this.range(Math.max(open, this.history.start), nextOpen(interval, open));
		return c ? {...c, t: open} : undefined;
	}

	/** Open time of the oldest candle of `interval` (the one holding the listing day). */
	earliest(interval: string): number {
		return candleOpen(interval, this.history.start);
	}

	/**
	 * GET /api/v3/klines selection: with startTime the candles opening at or after it; with only
	 * endTime the last `limit` opening at or before it; with neither the latest `limit`.
	 */
	select(interval: string, now: number, limit: number, startTime?: number, endTime?: number): Candle[] {
		this.advance(now);
		const earliest = this.earliest(interval);
		const latest = candleOpen(interval, now);
		const last = Math.min(latest, endTime === undefined ? latest : candleOpen(interval, endTime));
		const out: Candle[] = [];
		if (startTime !== undefined) {
			let open = Math.max(earliest, candleOpen(interval, startTime));
			if (open < startTime) open = nextOpen(interval, open);
			for (; open <= last && out.length < limit; open = nextOpen(interval, open)) {
				const c = this.candle(interval, open);
				if (c) out.push(c);
			}
			return out;
		}
		for (let open = last; open >= earliest && out.length < limit; open = previousOpen(interval, open)) {
			const c = this.candle(interval, open);
			if (c) out.push(c);
		}
		return out.reverse();
	}

	/** The rolling window of the last 24 h (by minutes), for the 24hr tickers. */
	window24h(now: number): Candle & {openTime: number} {
		this.advance(now);
		const from = Math.floor((now - DAY) / MINUTE) * MINUTE + MINUTE;
		const c = this.range(from, now + 1) ?? flat(from, 0);
		return {...c, openTime: now - DAY};
	}

	wire(interval: string, c: Candle, closed: boolean): WireKline {
		return {
			t: c.t,
			T: nextOpen(interval, c.t) - 1,
			s: this.symbol,
			i: interval,
			f: c.f,
			L: c.L,
			o: c.o.toFixed(8),
			c: c.c.toFixed(8),
			h: c.h.toFixed(8),
			l: c.l.toFixed(8),
			v: c.v.toFixed(8),
			n: c.n,
			x: closed,
			q: c.q.toFixed(8),
			V: c.V.toFixed(8),
			Q: c.Q.toFixed(8),
			B: '0',
		};
	}
}

function flat(t: number, price: number): Candle {
	return {t, o: price, h: price, l: price, c: price, v: 0, q: 0, n: 0, V: 0, Q: 0, f: -1, L: -1};
}
