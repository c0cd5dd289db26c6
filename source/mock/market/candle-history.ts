import {Rng} from './rng.js';

/** One candle's numbers; `f` is the first trade id (−1 when no trade), ids run on without gaps. */
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

export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface HistoryOptions {
	seed: number;
	symbol: string;
	/** First day of trading (UTC midnight, ms). */
	listing: number;
	/** Where history ends and the live market takes over (ms, a whole second). */
	end: number;
	/** Price the history's last day closes near. */
	anchorPrice: number;
	priceDecimals: number;
	/** Daily standard deviation of log returns. */
	dailySigma: number;
	typicalQty: number;
	tradesPerSecond: number;
}

const CACHE = 512;

/**
 * A symbol's history from its listing day to `end`, generated top-down so no candle is stored: a table
 * of daily candles (a few thousand numbers), each day split into 24 hours, each hour into 60 minutes,
 * each minute into 60 seconds by a seeded Brownian bridge from the parent's open to its close. Children
 * carry the parent's high and low exactly and split its volume, trade count and trade ids exactly, so a
 * candle of any interval is the aggregate of its finer candles by construction.
 */
export class CandleHistory {
	private readonly days: Candle[] = [];
	private readonly firstDay: number;
	private readonly cache = new Map<string, Candle[]>();
	private readonly scale: number;

	constructor(private readonly options: HistoryOptions) {
		this.scale = 10 ** options.priceDecimals;
		this.firstDay = Math.floor(options.listing / DAY);
		const lastDay = Math.floor((options.end - 1) / DAY);
		const rng = new Rng(options.seed, `${options.symbol}:history:days`);
		const sigma = options.dailySigma;
		const perDay = options.typicalQty * options.tradesPerSecond * 86_400;
		// Backwards from the anchor, with a mild pull towards it so years of history stay in a sensible range.
		let c = this.round(options.anchorPrice * Math.exp(rng.range(-0.02, 0.02)));
		const out: Candle[] = [];
		for (let d = lastDay; d >= this.firstDay; d--) {
			const pull = -0.002 * Math.log(c / options.anchorPrice);
			const o = this.round(c / Math.exp(sigma * rng.normal() + pull));
			const h = Math.max(o, c, this.round(Math.max(o, c) * Math.exp(Math.abs(rng.normal()) * sigma * 0.5)));
			const l = Math.min(o, c, this.round(Math.min(o, c) / Math.exp(Math.abs(rng.normal()) * sigma * 0.5)));
			const v = Math.round(perDay * Math.exp(0.3 * rng.normal()) * 1e8) / 1e8;
			const n = Math.max(1, Math.round(v / options.typicalQty));
			const avg = (o + h + l + c) / 4;
			const V = v * rng.range(0.45, 0.55);
			out.push({t: d * DAY, o, h, l, c, v, q: v * avg, n, V, Q: V * avg, f: 0, L: 0});
			c = o;
		}
		out.reverse();
		let id = 0;
		for (const day of out) {
			day.f = id;
			id += day.n;
			day.L = id - 1;
		}
		this.days = out;
	}

	/** Open time of the first candle (the listing day). */
	get start(): number {
		return this.firstDay * DAY;
	}

	get end(): number {
		return this.options.end;
	}

	/** Trade ids of history are 0 … lastTradeId(); the live market numbers on from there. */
	tradesBefore(time: number): number {
		const c = this.range(this.start, Math.min(time, this.end));
		return c ? c.L + 1 : 0;
	}

	/** Close of the last history second: where the live market starts. */
	lastPrice(): number {
		const c = this.range(this.end - SECOND, this.end);
		return c ? c.c : this.options.anchorPrice;
	}

	/** The aggregate of history in [from, to) (whole seconds, clipped to the history); undefined when empty. */
	range(from: number, to: number): Candle | undefined {
		let t = Math.max(from, this.start);
		const stop = Math.min(to, this.end);
		let acc: Candle | undefined;
		while (t < stop) {
			let size: number;
			let c: Candle;
			if (t % DAY === 0 && t + DAY <= stop) {
				size = DAY;
				c = this.days[Math.floor(t / DAY) - this.firstDay]!;
			} else if (t % HOUR === 0 && t + HOUR <= stop) {
				size = HOUR;
				c = this.hours(Math.floor(t / DAY))[Math.floor((t % DAY) / HOUR)]!;
			} else if (t % MINUTE === 0 && t + MINUTE <= stop) {
				size = MINUTE;
				c = this.minutes(Math.floor(t / HOUR))[Math.floor((t % HOUR) / MINUTE)]!;
			} else {
				size = SECOND;
				c = this.seconds(Math.floor(t / MINUTE))[Math.floor((t % MINUTE) / SECOND)]!;
			}
			acc = acc ? merge(acc, c) : {...c, t: from};
			t += size;
		}
		return acc;
	}

	private hours(day: number): Candle[] {
		return this.children(`h${day}`, () => this.days[day - this.firstDay]!, 24, HOUR);
	}

	private minutes(hour: number): Candle[] {
		return this.children(`m${hour}`, () => this.hours(Math.floor((hour * HOUR) / DAY))[hour % 24]!, 60, MINUTE);
	}

	private seconds(minute: number): Candle[] {
		return this.children(
			`s${minute}`,
			() => this.minutes(Math.floor((minute * MINUTE) / HOUR))[minute % 60]!,
			60,
			SECOND,
		);
	}

	private children(key: string, parent: () => Candle, n: number, dt: number): Candle[] {
		let out = this.cache.get(key);
		if (out) return out;
		out = split(
			parent(),
			n,
			dt,
			new Rng(this.options.seed, `${this.options.symbol}:history:${key}`),
			this.options.dailySigma * Math.sqrt(dt / DAY),
			this.scale,
		);
		if (this.cache.size >= CACHE) this.cache.delete(this.cache.keys().next().value!);
		this.cache.set(key, out);
		return out;
	}

	private round(x: number): number {
		return Math.max(1, Math.round(x * this.scale)) / this.scale;
	}
}

/** Appends `c` (the later candle) to `acc` in place. */
export function merge(acc: Candle, c: Candle): Candle {
	if (c.h > acc.h) acc.h = c.h;
	if (c.l < acc.l) acc.l = c.l;
	acc.c = c.c;
	acc.v += c.v;
	acc.q += c.q;
	acc.V += c.V;
	acc.Q += c.Q;
	acc.n += c.n;
	if (acc.f < 0 && c.f >= 0) acc.f = c.f;
	if (c.L >= 0) acc.L = c.L;
	return acc;
}

/** Splits a candle into `n` children by a Brownian bridge from its open to its close, keeping its totals. */
function split(p: Candle, n: number, dt: number, rng: Rng, sigma: number, scale: number): Candle[] {
	const round = (x: number) => Math.min(p.h, Math.max(p.l, Math.round(x * scale) / scale));
	const walk = [0];
	for (let i = 1; i <= n; i++) walk.push(walk[i - 1]! + sigma * rng.normal());
	const lo = Math.log(p.o);
	const lc = Math.log(p.c);
	const x: number[] = [p.o];
	for (let i = 1; i < n; i++) x.push(round(Math.exp(lo + ((lc - lo) * i) / n + walk[i]! - (walk[n]! * i) / n)));
	x.push(p.c);
	const out: Candle[] = [];
	let iH = 0;
	let iL = 0;
	for (let i = 0; i < n; i++) {
		const o = x[i]!;
		const c = x[i + 1]!;
		const h = Math.max(o, c, round(Math.max(o, c) * Math.exp(Math.abs(rng.normal()) * sigma * 0.5)));
		const l = Math.min(o, c, round(Math.min(o, c) / Math.exp(Math.abs(rng.normal()) * sigma * 0.5)));
		out.push({t: p.t + i * dt, o, h, l, c, v: 0, q: 0, n: 0, V: 0, Q: 0, f: -1, L: -1});
		if (Math.max(o, c) > Math.max(out[iH]!.o, out[iH]!.c)) iH = i;
		if (Math.min(o, c) < Math.min(out[iL]!.o, out[iL]!.c)) iL = i;
	}
	// The parent's extremes happen in the child whose body comes nearest to them.
	out[iH]!.h = p.h;
	out[iL]!.l = p.l;
	// Volume, value and taker-buy shares by random weights; normalised so the sums are the parent's.
	const w: number[] = [];
	const b: number[] = [];
	let wSum = 0;
	for (let i = 0; i < n; i++) {
		w.push(Math.exp(0.5 * rng.normal()));
		b.push(rng.range(0.48, 0.52));
		wSum += w[i]!;
	}
	let qSum = 0;
	let VSum = 0;
	let QSum = 0;
	for (let i = 0; i < n; i++) {
		const c = out[i]!;
		c.v = (p.v * w[i]!) / wSum;
		const avg = (c.o + c.h + c.l + c.c) / 4;
		qSum += c.v * avg;
		VSum += c.v * b[i]!;
		QSum += c.v * b[i]! * avg;
	}
	for (let i = 0; i < n; i++) {
		const c = out[i]!;
		const avg = (c.o + c.h + c.l + c.c) / 4;
		c.q = qSum > 0 ? (p.q * c.v * avg) / qSum : 0;
		c.V = VSum > 0 ? (p.V * c.v * b[i]!) / VSum : 0;
		c.Q = QSum > 0 ? (p.Q * c.v * b[i]! * avg) / QSum : 0;
	}
	// Trade counts: proportional shares, the rounding remainder to the largest children; ids follow on.
	let given = 0;
	for (let i = 0; i < n; i++) {
		out[i]!.n = Math.floor((p.n * w[i]!) / wSum);
		given += out[i]!.n;
	}
	const order = [...out.keys()].sort((a, z) => w[z]! - w[a]!);
	for (let k = 0; given < p.n; k = (k + 1) % n, given++) out[order[k]!]!.n++;
	let id = p.f;
	for (const c of out) {
		c.f = c.n > 0 ? id : -1;
		id += c.n;
		c.L = c.n > 0 ? id - 1 : -1;
	}
	return out;
}
