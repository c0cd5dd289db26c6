import type {WireKline} from '../contracts.js';
import type {Rng} from './rng.js';

/** One stored candle ("atom") of a storage level, or an aggregate of several. */
export interface Candle {
	t: number;
	o: number;
	h: number;
	l: number;
	c: number;
	v: number;
	q: number;
	n: number;
	V: number;
	Q: number;
	f: number;
	L: number;
}

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

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

/** A contiguous run of equal-length candles: candles[i] opens at start + i * dt. */
class Level {
	readonly candles: Candle[] = [];
	constructor(
		readonly dt: number,
		public start: number,
		private readonly keep: number,
	) {}

	get end(): number {
		return this.start + this.candles.length * this.dt;
	}

	at(t: number): Candle | undefined {
		return this.candles[Math.floor((t - this.start) / this.dt)];
	}

	/** Appends flat candles (no trades, at the last close) until the one containing `time` exists. */
	advance(time: number): void {
		while (this.end <= time) {
			const last = this.candles[this.candles.length - 1];
			const c = last?.c ?? 0;
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

/** Which storage level feeds an interval: the coarsest one that divides it. */
function sourceFor(interval: string): '1s' | '1m' | '1h' | '1d' {
	if (interval === '1s') return '1s';
	if (interval.endsWith('m')) return '1m';
	if (interval.endsWith('h')) return '1h';
	return '1d';
}

export interface KlineBackfillOptions {
	now: number;
	/** The last close of the history, i.e. the live market's starting price. */
	price: number;
	priceDecimals: number;
	/** Daily return standard deviation. */
	volatility: number;
	/** Typical size of one trade in base units. */
	typicalQty: number;
	/** Average trades per second, for volumes. */
	tradesPerSecond: number;
}

/**
 * Candles of one symbol for every interval. Four storage levels (1s, 1m, 1h, 1d) hold the history;
 * each finer level's window is aggregated into the coarser levels, older coarse candles are generated
 * backwards from where the finer window begins, so any interval's candle equals the aggregate of its
 * finer candles wherever both exist. Live trades update all four levels at once.
 */
export class KlineStore {
	private built?: Record<'1s' | '1m' | '1h' | '1d', Level>;
	/** Live trades seen before the history was first needed, replayed into it then. */
	private pending: Array<{time: number; price: number; qty: number; buyerIsTaker: boolean; tradeId: number}> = [];

	/**
	 * The history is generated on first use (≈ 50 000 candles per symbol), not at start: a mock that
	 * never serves candles or 24 h tickers starts in milliseconds.
	 */
	constructor(
		readonly symbol: string,
		private readonly rng: (label: string) => Rng,
		private readonly options: KlineBackfillOptions,
	) {}

	private get levels(): Record<'1s' | '1m' | '1h' | '1d', Level> {
		if (!this.built) this.build();
		return this.built!;
	}

	private build(): void {
		const {rng, options} = this;
		const {now, price} = options;
		// Enough history for ≥ 1000 candles of every interval fed by each level, plus a margin.
		const sec = new Level(SECOND, Math.floor(now / SECOND) * SECOND - 3_600 * SECOND, 3_600);
		const min = new Level(MINUTE, 0, 31_000);
		const hour = new Level(HOUR, 0, 12_100);
		const day = new Level(DAY, 0, 7_100);
		this.built = {'1s': sec, '1m': min, '1h': hour, '1d': day};
		const scale = 10 ** options.priceDecimals;
		const round = (x: number) => Math.max(1, Math.round(x * scale)) / scale;
		const generate = (level: Level, count: number, endOpen: number, close: number, r: Rng): Candle[] => {
			const sigma = options.volatility * Math.sqrt(level.dt / DAY);
			const volume = options.typicalQty * options.tradesPerSecond * (level.dt / SECOND);
			const out: Candle[] = [];
			let c = close;
			for (let i = 0; i < count; i++) {
				const t = endOpen - (i + 1) * level.dt;
				// Mild pull towards the start price keeps decades of history in a sensible range.
				const o = round(c / Math.exp(sigma * r.normal() - 0.01 * Math.log(c / price) * Math.min(1, level.dt / DAY)));
				const h = round(Math.max(o, c) * Math.exp(Math.abs(r.normal()) * sigma * 0.4));
				const l = round(Math.min(o, c) / Math.exp(Math.abs(r.normal()) * sigma * 0.4));
				const v = Math.round(volume * Math.exp(0.5 * r.normal()) * 1e8) / 1e8;
				const n = Math.max(1, Math.round(v / options.typicalQty));
				const avg = (o + c + h + l) / 4;
				const buy = r.range(0.3, 0.7);
				out.push({t, o, h, l, c: round(c), v, q: v * avg, n, V: v * buy, Q: v * buy * avg, f: -1, L: -1});
				c = o;
			}
			return out.reverse();
		};
		// 1s: an hour of history ending with the forming (flat) second at the start price.
		sec.candles.push(...generate(sec, 3_600, sec.start + 3_600 * SECOND, price, rng('k1s')));
		sec.advance(now);
		// Each coarser level: aggregate the finer window, then generate older candles before it.
		const build = (level: Level, finer: Level, count: number, label: string) => {
			const firstOpen = Math.floor(finer.start / level.dt) * level.dt;
			const aggregated: Candle[] = [];
			for (let t = firstOpen; t <= now; t += level.dt) aggregated.push(aggregate(finer, t, t + level.dt) ?? flat(t, price));
			const older = generate(level, count - aggregated.length, firstOpen, aggregated[0]!.o, rng(label));
			level.start = firstOpen - older.length * level.dt;
			level.candles.push(...older, ...aggregated);
		};
		build(min, sec, 31_000, 'k1m');
		build(hour, min, 12_100, 'k1h');
		build(day, hour, 7_100, 'k1d');
		const pending = this.pending;
		this.pending = [];
		for (const t of pending) this.addTrade(t.time, t.price, t.qty, t.buyerIsTaker, t.tradeId);
	}

	/** Makes sure the candle containing `now` exists at every level (flat if nothing traded yet). */
	advance(now: number): void {
		if (!this.built) return;
		for (const level of Object.values(this.built)) level.advance(now);
	}

	/** Records one trade in the forming candle of every level. */
	addTrade(time: number, price: number, qty: number, buyerIsTaker: boolean, tradeId: number): void {
		if (!this.built) {
			this.pending.push({time, price, qty, buyerIsTaker, tradeId});
			// A long run nobody asked candles of: build rather than buffer without bound.
			if (this.pending.length > 50_000) this.build();
			return;
		}
		for (const level of Object.values(this.levels)) {
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

	/** The candle of `interval` opening at `open`, aggregated from its storage level. */
	candle(interval: string, open: number): Candle | undefined {
		return aggregate(this.levels[sourceFor(interval)], open, nextOpen(interval, open));
	}

	/** Open time of the oldest complete candle of `interval` that the history holds. */
	earliest(interval: string): number {
		const level = this.levels[sourceFor(interval)];
		let open = candleOpen(interval, level.start);
		if (open < level.start) open = nextOpen(interval, open);
		return open;
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
		const c = aggregate(this.levels['1m'], from, now + 1) ?? flat(from, 0);
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

/** OHLCV of the level's candles opening in [from, to); undefined when none are held. */
function aggregate(level: Level, from: number, to: number): Candle | undefined {
	const first = Math.max(0, Math.ceil((from - level.start) / level.dt));
	const stop = Math.min(level.candles.length, Math.ceil((to - level.start) / level.dt));
	if (first >= stop) return undefined;
	const head = level.candles[first]!;
	const out: Candle = {t: from, o: head.o, h: head.h, l: head.l, c: head.c, v: 0, q: 0, n: 0, V: 0, Q: 0, f: -1, L: -1};
	for (let i = first; i < stop; i++) {
		const c = level.candles[i]!;
		if (c.h > out.h) out.h = c.h;
		if (c.l < out.l) out.l = c.l;
		out.c = c.c;
		out.v += c.v;
		out.q += c.q;
		out.n += c.n;
		out.V += c.V;
		out.Q += c.Q;
		if (c.f >= 0 && out.f < 0) out.f = c.f;
		if (c.L >= 0) out.L = c.L;
	}
	return out;
}
