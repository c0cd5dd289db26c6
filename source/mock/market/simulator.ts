import type {
	MarketFeed,
	RecordedFrameSink,
	Unsubscribe,
	WireBookTicker,
	WireDepthSnapshot,
	WireDepthUpdate,
	WireKline,
	WireMiniTicker,
	WireTicker,
	WireTrade,
} from '../contracts.js';
import {type Candle, KlineStore, candleOpen, isInterval, nextOpen} from './klines.js';
import {
	effectiveSettings,
	type EffectiveMarketSettings,
	type MarketSymbolSettings,
	type MockMarketSettings,
} from './market-settings.js';
import {OrderBook} from './order-book.js';
import {PriceProcess, type Regime} from './price-process.js';
import {Rng} from './rng.js';
import {PriceShock, type ShockSpec} from './price-shock.js';
import {SharedBody} from './shared-body.js';
import {listingDate, symbolSpec, type SymbolSpec} from './symbols.js';

export interface MarketOptions {
	seed: number;
	symbols: readonly string[];
	/** Daily standard deviation of returns (default 0.02); `market.volatility` (annualised) wins when set. */
	volatility?: number;
	/** The profile's `mock.market` section / `drydock mock` flags / admin settings. */
	market?: MockMarketSettings;
	/** The server clock (wall clock plus any skew), injected so tests can drive time. */
	clock: () => number;
	/** Simulation step; depth diffs go out once per step. Binance's diff stream is 100 ms. */
	stepMs?: number;
	/** Replay: the recording's first price per symbol, so the generated candle history ends near it. */
	anchorPrices?: Readonly<Record<string, number>>;
}

/** A public trade as kept for GET /trades and /aggTrades. */
export interface PublicTrade {
	id: number;
	price: number;
	qty: number;
	time: number;
	buyerIsMaker: boolean;
}

/** A trade notification with the matching engine's extra: whether a user order was the taker. */
export interface MarketTradeEvent {
	symbol: string;
	price: number;
	qty: number;
	time: number;
	buyerIsMaker: boolean;
	fromUser: boolean;
	tradeId: number;
}

/** Public trades kept for /trades, /historicalTrades and /aggTrades paging by fromId. */
const TRADE_HORIZON = 100_000;

/** Book levels offered to a taker order (see `levels`). */
const TAKER_LEVELS = 1_000;

export type SymbolStatus = 'TRADING' | 'BREAK';

interface SymbolState {
	spec: SymbolSpec;
	process: PriceProcess;
	book: OrderBook;
	klines: KlineStore;
	flow: Rng;
	rate: number;
	settings: EffectiveMarketSettings;
	/** Overrides set for this symbol (profile, flags, admin), layered over the defaults. */
	overrides: MarketSymbolSettings;
	shock?: PriceShock;
	status: SymbolStatus;
	/** A halt with a duration resumes by itself at this time (checked on each step and on each order). */
	resumeAt?: number;
	nextTradeId: number;
	recent: PublicTrade[];
	lastPrice: number;
	lastQty: number;
	lastPriceString: string;
	/** Bumped on every change that a cached response depends on. */
	version: number;
	tickerCache?: {version: number; second: number; value: WireTicker};
}

/**
 * The simulated market: per symbol a regime-switching price, a 20-level book following it, a seeded
 * trade flow of 1–10 trades/s and candles for every interval. `step()` advances it by one step;
 * the owner runs it on a timer (tests call it directly with their own clock).
 */
export class MarketSimulator implements MarketFeed {
	readonly specs = new Map<string, SymbolSpec>();
	private readonly state = new Map<string, SymbolState>();
	private readonly symbolList: string[];
	private readonly tradeListeners = new Set<(trade: WireTrade) => void>();
	private readonly depthListeners = new Set<(update: WireDepthUpdate) => void>();
	private readonly marketTradeListeners = new Set<(event: MarketTradeEvent) => void>();
	private readonly clock: () => number;
	paused = false;
	/** Replay mode: the market follows a recording (source/mock/replay) and `step()` makes nothing up. */
	driven = false;

	private readonly defaults: EffectiveMarketSettings;
	private readonly klineCache = new Map<
		string,
		{latest: number; forming: number | undefined; version: number; prefix: Buffer; tail: string; body: SharedBody}
	>();
	private readonly stepMs: number;

	constructor(options: MarketOptions) {
		this.clock = options.clock;
		const stepMs = options.stepMs ?? 100;
		this.stepMs = stepMs;
		const market = options.market ?? {};
		const daily = options.volatility ?? 0.02;
		this.defaults = effectiveSettings(
			{volatility: daily * Math.sqrt(365), drift: 0, regime: 'auto', tradeRate: undefined, spread: 0},
			market,
		);
		this.symbolList = [...options.symbols];
		const now = this.clock();
		for (const symbol of this.symbolList) {
			const spec = symbolSpec(symbol);
			this.specs.set(symbol, spec);
			const rng = (label: string) => new Rng(options.seed, `${symbol}:${label}`);
			const seeded = rng('start');
			const overrides: MarketSymbolSettings = {...market.symbols?.[symbol]};
			const settings = effectiveSettings(this.defaults, overrides);
			const rate = settings.tradeRate ?? seeded.range(1, 10);
			const klines = new KlineStore(symbol, {
				now,
				seed: options.seed,
				symbol,
				listing: listingDate(symbol),
				anchorPrice: options.anchorPrices?.[symbol] ?? spec.startPrice * Math.exp(seeded.range(-0.03, 0.03)),
				priceDecimals: spec.priceDecimals,
				dailySigma: settings.volatility / Math.sqrt(365),
				typicalQty: spec.typicalQty,
				tradesPerSecond: rate,
			});
			const start = klines.startPrice;
			const typicalSteps = Math.max(1, Math.round(spec.typicalQty * 10 ** spec.qtyDecimals));
			const book = new OrderBook(
				symbol,
				spec.priceDecimals,
				spec.qtyDecimals,
				typicalSteps,
				rng('book'),
				1_000_000 + seeded.int(0, 9_000_000),
			);
			const process = new PriceProcess(start, rng('price'), stepMs, settings);
			book.evolve(start, halfSpread(settings, start, spec));
			book.flush(now);
			const nextTradeId = klines.firstLiveTradeId;
			this.state.set(symbol, {
				spec,
				process,
				book,
				klines,
				flow: rng('flow'),
				rate,
				settings,
				overrides,
				status: 'TRADING',
				nextTradeId,
				recent: pastTrades(rng('past-trades'), spec, start, now, nextTradeId, settings.volatility / Math.sqrt(365)),
				lastPrice: start,
				lastQty: spec.typicalQty,
				lastPriceString: start.toFixed(8),
				version: 0,
			});
		}
	}

	/** Kept for callers from the stored-history days: history is now generated on demand. */
	prepareHistory(): void {}

	// ---- MarketFeed ----

	symbols(): readonly string[] {
		return this.symbolList;
	}

	hasSymbol(symbol: string): boolean {
		return this.state.has(symbol);
	}

	now(): number {
		return this.clock();
	}

	depth(symbol: string, limit: number): WireDepthSnapshot {
		return this.get(symbol).book.snapshot(limit);
	}

	bookTicker(symbol: string): WireBookTicker {
		const {book} = this.get(symbol);
		const bid = book.bestBid();
		const ask = book.bestAsk();
		return {
			u: book.updateId,
			s: symbol,
			b: bid ? book.priceString(bid.ticks) : '0.00000000',
			B: bid ? book.qtyString(bid.steps) : '0.00000000',
			a: ask ? book.priceString(ask.ticks) : '0.00000000',
			A: ask ? book.qtyString(ask.steps) : '0.00000000',
		};
	}

	miniTicker(symbol: string): WireMiniTicker {
		const t = this.ticker(symbol);
		return {e: '24hrMiniTicker', E: t.E, s: symbol, c: t.c, o: t.o, h: t.h, l: t.l, v: t.v, q: t.q};
	}

	ticker(symbol: string): WireTicker {
		const s = this.get(symbol);
		const now = this.clock();
		const second = Math.floor(now / 1000);
		// The 24 h window moves by the minute; recompute only when a trade happened or a second passed.
		if (s.tickerCache && s.tickerCache.version === s.version && s.tickerCache.second === second)
			return {...s.tickerCache.value, E: now};
		const w = s.klines.window24h(now);
		const bid = s.book.bestBid();
		const ask = s.book.bestAsk();
		const change = s.lastPrice - w.o;
		const value: WireTicker = {
			e: '24hrTicker',
			E: now,
			s: symbol,
			p: change.toFixed(8),
			P: (w.o > 0 ? (change / w.o) * 100 : 0).toFixed(3),
			w: (w.v > 0 ? w.q / w.v : s.lastPrice).toFixed(8),
			x: w.o.toFixed(8),
			c: s.lastPriceString,
			Q: s.lastQty.toFixed(8),
			b: bid ? s.book.priceString(bid.ticks) : '0.00000000',
			B: bid ? s.book.qtyString(bid.steps) : '0.00000000',
			a: ask ? s.book.priceString(ask.ticks) : '0.00000000',
			A: ask ? s.book.qtyString(ask.steps) : '0.00000000',
			o: w.o.toFixed(8),
			h: Math.max(w.h, s.lastPrice).toFixed(8),
			l: Math.min(w.l, s.lastPrice).toFixed(8),
			v: w.v.toFixed(8),
			q: w.q.toFixed(8),
			O: w.openTime,
			C: now,
			F: w.n > 0 ? w.f : -1,
			L: w.n > 0 ? w.L : -1,
			n: w.n,
		};
		s.tickerCache = {version: s.version, second, value};
		return value;
	}

	currentKline(symbol: string, interval: string): WireKline {
		const s = this.get(symbol);
		const now = this.clock();
		s.klines.advance(now);
		const open = candleOpen(interval, now);
		// A clock skewed back past the stored history still gets a (flat) forming candle.
		const p = s.lastPrice;
		const c = s.klines.candle(interval, open) ?? {
			t: open,
			o: p,
			h: p,
			l: p,
			c: p,
			v: 0,
			q: 0,
			n: 0,
			V: 0,
			Q: 0,
			f: -1,
			L: -1,
		};
		return s.klines.wire(interval, c, false);
	}

	klineAt(symbol: string, interval: string, openTime: number): WireKline | undefined {
		const s = this.state.get(symbol);
		if (!s || !isInterval(interval)) return undefined;
		const now = this.clock();
		s.klines.advance(now);
		if (candleOpen(interval, openTime) !== openTime || openTime >= candleOpen(interval, now)) return undefined;
		const c = s.klines.candle(interval, openTime);
		return c ? s.klines.wire(interval, c, true) : undefined;
	}

	onTrade(listener: (trade: WireTrade) => void): Unsubscribe {
		this.tradeListeners.add(listener);
		return () => this.tradeListeners.delete(listener);
	}

	onDepthUpdate(listener: (update: WireDepthUpdate) => void): Unsubscribe {
		this.depthListeners.add(listener);
		return () => this.depthListeners.delete(listener);
	}

	// ---- for the REST layer and the matching engine ----

	/** Every trade with its numeric fields, for the matching engine's resting orders. */
	onMarketTrade(listener: (event: MarketTradeEvent) => void): Unsubscribe {
		this.marketTradeListeners.add(listener);
		return () => this.marketTradeListeners.delete(listener);
	}

	spec(symbol: string): SymbolSpec | undefined {
		return this.specs.get(symbol);
	}

	lastPriceString(symbol: string): string {
		return this.get(symbol).lastPriceString;
	}

	lastPrice(symbol: string): number {
		return this.get(symbol).lastPrice;
	}

	version(symbol: string): number {
		return this.get(symbol).version;
	}

	recentTrades(symbol: string): readonly PublicTrade[] {
		return this.get(symbol).recent;
	}

	klines(symbol: string, interval: string, limit: number, startTime?: number, endTime?: number) {
		const s = this.get(symbol);
		return s.klines.select(interval, this.clock(), limit, startTime, endTime).map(c => klineRow(interval, c));
	}

	/**
	 * GET /api/v3/klines as a shared body. Closed candles never change, so a page's closed rows are kept
	 * as bytes (a small LRU) and only a forming last candle is re-serialised per request; while that
	 * row is unchanged (no trade since) the same body, and its gzip, is served again. A page is rebuilt
	 * when a new candle opens.
	 */
	klinesBody(symbol: string, interval: string, limit: number, startTime?: number, endTime?: number): SharedBody {
		const s = this.get(symbol);
		const now = this.clock();
		const latest = candleOpen(interval, now);
		const key = `${symbol}|${interval}|${limit}|${startTime ?? ''}|${endTime ?? ''}`;
		const hit = this.klineCache.get(key);
		if (hit && hit.latest === latest) {
			// Within one candle the live row moves only with a trade, and every trade bumps the store's version.
			if (hit.forming === undefined || hit.version === s.klines.version) return hit.body;
			hit.version = s.klines.version;
			s.klines.advance(now);
			const c = s.klines.candle(interval, hit.forming);
			const tail = c ? JSON.stringify(klineRow(interval, c)) : '';
			if (tail !== hit.tail) {
				hit.tail = tail;
				hit.body = klinePage(hit.prefix, tail);
			}
			return hit.body;
		}
		const candles = s.klines.select(interval, now, limit, startTime, endTime);
		const rows = candles.map(c => JSON.stringify(klineRow(interval, c)));
		const forming = candles.length > 0 && candles[candles.length - 1]!.t === latest ? latest : undefined;
		const prefix = Buffer.from(`[${(forming === undefined ? rows : rows.slice(0, -1)).join(',')}`);
		const tail = forming === undefined ? '' : rows[rows.length - 1]!;
		const body = klinePage(prefix, tail);
		if (this.klineCache.size >= 64) this.klineCache.delete(this.klineCache.keys().next().value!);
		this.klineCache.set(key, {latest, forming, version: s.klines.version, prefix, tail, body});
		return body;
	}

	/** Book levels on one side as prices and quantities, best first (what a taker order walks). */
	levels(symbol: string, side: 'bid' | 'ask'): Array<{price: number; qty: number}> {
		const {book} = this.get(symbol);
		// The best 1000 levels: more than any order walks, and copying all 5000 on every order costs.
		const levels = side === 'bid' ? book.bids : book.asks;
		const out: Array<{price: number; qty: number}> = [];
		for (let i = 0; i < levels.length && i < TAKER_LEVELS; i++)
			out.push({price: book.price(levels[i]!.ticks), qty: book.qty(levels[i]!.steps)});
		return out;
	}

	/**
	 * A user's taker fill against a book level: the level shrinks and a public trade is printed.
	 * `side` is the book side taken from (asks for a buy).
	 */
	take(symbol: string, side: 'bid' | 'ask', price: number, qty: number): number {
		const s = this.get(symbol);
		const ticks = Math.round(price * 10 ** s.spec.priceDecimals);
		const steps = Math.round(qty * 10 ** s.spec.qtyDecimals);
		s.book.consume(side, ticks, steps);
		return this.printTrade(s, price, qty, side === 'bid', true);
	}

	/**
	 * Prints a trade at a chosen price (moving the mid there): what the admin API uses so a test can
	 * make the market trade through a resting order deterministically.
	 */
	forceTrade(symbol: string, price: number, qty?: number): void {
		const s = this.get(symbol);
		const rounded = Number(price.toFixed(s.spec.priceDecimals));
		s.process.price = rounded;
		if (!this.driven) s.book.evolve(rounded, halfSpread(s.settings, rounded, s.spec));
		const q = qty ?? s.spec.typicalQty;
		this.printTrade(s, rounded, Number(q.toFixed(s.spec.qtyDecimals)), rounded < s.lastPrice, false);
		this.flushDepth(this.clock());
	}

	// ---- steering (the admin API's /market, the profile, `drydock mock` flags) ----

	/** The settings in force for a symbol and what the market is doing now. */
	marketState(symbol: string): {
		symbol: string;
		settings: EffectiveMarketSettings;
		regime: Regime;
		status: SymbolStatus;
		price: string;
		shock?: ShockSpec & {phase: string; startedAt: number};
		resumeAt?: number;
	} {
		const s = this.get(symbol);
		const now = this.clock();
		this.resumeIfDue(s, now);
		return {
			symbol,
			settings: {...s.settings},
			regime: s.process.regime,
			status: s.status,
			price: s.lastPriceString,
			...(s.shock ? {shock: {...s.shock.spec, phase: s.shock.phase(now), startedAt: s.shock.start}} : {}),
			...(s.resumeAt !== undefined ? {resumeAt: s.resumeAt} : {}),
		};
	}

	/** Changes settings for one symbol, or for every symbol when `symbol` is undefined. */
	configure(symbol: string | undefined, change: MarketSymbolSettings): void {
		for (const name of symbol === undefined ? this.symbolList : [symbol]) {
			const s = this.get(name);
			Object.assign(s.overrides, change);
			s.settings = effectiveSettings(this.defaults, s.overrides);
			s.process.applySettings(s.settings);
			if (change.tradeRate !== undefined) s.rate = change.tradeRate;
		}
	}

	/** Starts a price shock on a symbol (replacing one under way). */
	shock(symbol: string, spec: ShockSpec): void {
		this.get(symbol).shock = new PriceShock(spec, this.clock());
	}

	/** Halts (BREAK) or resumes (TRADING) a symbol: no simulated trades while halted; orders are refused by the order path. */
	setStatus(symbol: string, status: SymbolStatus, resumeAt?: number): void {
		const s = this.get(symbol);
		s.status = status;
		if (status === 'BREAK' && resumeAt !== undefined) s.resumeAt = resumeAt;
		else delete s.resumeAt;
	}

	status(symbol: string): SymbolStatus {
		const s = this.get(symbol);
		this.resumeIfDue(s, this.clock());
		return s.status;
	}

	/** Binance's answer to an order on a symbol that is not trading, or undefined when it trades. */
	orderRefusal(symbol: string): {status: number; code: number; msg: string} | undefined {
		const s = this.state.get(symbol);
		if (s) this.resumeIfDue(s, this.clock());
		return s && s.status !== 'TRADING' ? {status: 400, code: -1013, msg: 'Market is closed.'} : undefined;
	}

	private resumeIfDue(s: SymbolState, now: number): void {
		if (s.resumeAt !== undefined && now >= s.resumeAt) {
			s.status = 'TRADING';
			delete s.resumeAt;
		}
	}

	/**
	 * A resting account order's public quantity changed (placed, partly filled, cancelled, filled):
	 * `deltaQty` is added to the level at `price` on its side, and shows in depth, streams and tickers.
	 */
	restingOrderChanged(symbol: string, side: 'bid' | 'ask', price: number, deltaQty: number): void {
		const s = this.state.get(symbol);
		if (!s || deltaQty === 0) return;
		s.book.changeUser(side, s.book.ticksOf(price), s.book.stepsOf(deltaQty));
		s.version++;
	}

	/** The depth snapshot as a shared body (built once per limit and book version). */
	depthBody(symbol: string, limit: number): SharedBody {
		return this.get(symbol).book.snapshotBody(limit);
	}

	/** The aggregate candle of [from, to) — history and live — for the rolling-window tickers. */
	window(symbol: string, from: number, to: number): Candle | undefined {
		const s = this.get(symbol);
		s.klines.advance(this.clock());
		return s.klines.range(from, to);
	}

	/** Public trades from `fromId` on (within the kept horizon), or the latest `limit` without it. */
	tradesFrom(symbol: string, fromId: number | undefined, limit: number): readonly PublicTrade[] {
		const recent = this.get(symbol).recent;
		if (fromId === undefined) return recent.slice(-limit);
		const first = recent[0]?.id ?? 0;
		const index = Math.max(0, fromId - first);
		return recent.slice(index, index + limit);
	}

	// ---- replay (driven mode): a recording moves the book and prints the trades ----

	private readonly frameSinks = new Set<RecordedFrameSink>();
	/** Streams the recording carries: published from it, never synthesized. */
	recordedStreams: ReadonlySet<string> = new Set();

	onRecordedFrame(sink: RecordedFrameSink): Unsubscribe {
		this.frameSinks.add(sink);
		return () => this.frameSinks.delete(sink);
	}

	wantsRecorded(stream: string): boolean {
		for (const sink of this.frameSinks) if (sink.wants(stream)) return true;
		return false;
	}

	/** Publishes one recorded frame (its data as JSON text) to every WebSocket layer. */
	publishRecorded(stream: string, json: string): void {
		for (const sink of this.frameSinks) sink.frame(stream, json);
	}

	/** Bytes queued for the slowest subscriber of any layer: `--speed max` waits while it is high. */
	backlog(): number {
		let most = 0;
		for (const sink of this.frameSinks) most = Math.max(most, sink.backlog());
		return most;
	}

	/** Switches to driven mode: no synthetic steps, the books are loaded from the recording. */
	drive(recordedStreams: ReadonlySet<string>): void {
		this.recordedStreams = recordedStreams;
		this.driven = true;
		for (const s of this.state.values()) {
			s.book.driven = true;
			s.book.loadSide('bid', []);
			s.book.loadSide('ask', []);
		}
	}

	/** A recorded depth snapshot replaces the symbol's book. */
	replaySnapshot(
		symbol: string,
		lastUpdateId: number,
		bids: ReadonlyArray<readonly [string, string]>,
		asks: ReadonlyArray<readonly [string, string]>,
	): void {
		const s = this.get(symbol);
		s.book.loadSide('bid', bids);
		s.book.loadSide('ask', asks);
		s.book.updateId = lastUpdateId;
		s.version++;
	}

	/** A recorded depth diff: each [price, qty] sets that level (qty 0 removes it). */
	replayDiff(
		symbol: string,
		lastUpdateId: number,
		bids: ReadonlyArray<readonly [string, string]>,
		asks: ReadonlyArray<readonly [string, string]>,
	): void {
		const s = this.get(symbol);
		const {book} = s;
		for (const [p, q] of bids) book.setLevel('bid', book.ticksOf(Number(p)), book.stepsOf(Number(q)));
		for (const [p, q] of asks) book.setLevel('ask', book.ticksOf(Number(p)), book.stepsOf(Number(q)));
		const first = book.updateId + 1;
		book.updateId = lastUpdateId;
		s.version++;
		// Derived streams the recording lacks (bookTicker, the 1 s diff) follow the replayed book.
		if (this.depthListeners.size > 0) {
			const update: WireDepthUpdate = {
				e: 'depthUpdate',
				E: this.clock(),
				s: symbol,
				U: first,
				u: lastUpdateId,
				b: bids as Array<[string, string]>,
				a: asks as Array<[string, string]>,
			};
			for (const listener of this.depthListeners) listener(update);
		}
	}

	/** The recorded size at a price on a side (account orders excluded), for queue-position estimates. */
	recordedQty(symbol: string, side: 'bid' | 'ask', price: number): number {
		const {book} = this.get(symbol);
		return book.qty(book.recordedSteps(side, book.ticksOf(price)));
	}

	/**
	 * A recorded public trade: last price, candles, /trades and the matching engine's listeners follow it;
	 * the stream frame itself is published from the recording, so the trade listeners are not told.
	 */
	replayTrade(symbol: string, id: number, price: number, qty: number, buyerIsMaker: boolean): void {
		const s = this.get(symbol);
		if (id >= s.nextTradeId || s.recent.length === 0) s.nextTradeId = id;
		this.printTrade(s, price, qty, buyerIsMaker, false, false);
	}

	/** One simulation step: price, book, trades, then the batched depth diff. */
	step(): void {
		if (this.paused) return;
		const now = this.clock();
		if (this.driven) {
			for (const s of this.state.values()) s.klines.advance(now);
			return;
		}
		for (const s of this.state.values()) {
			s.klines.advance(now);
			this.resumeIfDue(s, now);
			// A halted symbol neither moves nor trades until it is resumed.
			if (s.status !== 'TRADING') continue;
			let mid = s.process.step();
			if (s.shock) {
				mid *= Math.exp(s.shock.offset(now));
				if (s.shock.phase(now) === 'over') s.shock = undefined;
			}
			this.crossRestingOrders(s, mid);
			s.book.evolve(mid, halfSpread(s.settings, mid, s.spec));
			// Trade intensity wanders between 1 and 10 per second unless set.
			if (s.settings.tradeRate === undefined) s.rate = Math.min(10, Math.max(1, s.rate + s.flow.normal() * 0.2));
			else s.rate = s.settings.tradeRate;
			const count = s.flow.poisson((s.rate * this.stepMs) / 1000);
			for (let i = 0; i < count; i++) {
				const buy = s.flow.next() < (s.process.regime === 'trending' ? 0.6 : 0.5);
				const wanted = Math.max(1, Math.round(s.flow.exponential(s.spec.typicalQty * 10 ** s.spec.qtyDecimals)));
				this.flowTrade(s, buy, wanted);
			}
		}
		this.flushDepth(now);
	}

	/**
	 * One trade of the simulated flow: it takes the best public price, which is an account's resting
	 * order when that order is better than (or, after the simulated size, level with) the simulated best.
	 */
	private flowTrade(s: SymbolState, buy: boolean, wanted: number): void {
		const side = buy ? 'ask' : 'bid';
		const sim = s.book.bestSimulated(side);
		const user = s.book.bestUser(side);
		const userFirst = user !== undefined && (!sim || (buy ? user < sim.ticks : user > sim.ticks));
		if (userFirst) {
			const steps = Math.min(wanted, s.book.userSteps(side, user));
			// The matching engine fills the resting orders from this trade (buyer is maker when a bid rests).
			this.printTrade(s, s.book.price(user), s.book.qty(steps), !buy, false);
			return;
		}
		if (!sim) return;
		const steps = s.book.consume(side, sim.ticks, wanted);
		this.printTrade(s, s.book.price(sim.ticks), s.book.qty(steps), !buy, false);
	}

	/** The mid moved through resting account orders: the flow trades them at their price first. */
	private crossRestingOrders(s: SymbolState, mid: number): void {
		const midTicks = mid * 10 ** s.spec.priceDecimals;
		for (let guard = 0; guard < 100; guard++) {
			const bid = s.book.bestUser('bid');
			if (bid === undefined || bid <= midTicks) break;
			const before = s.book.userSteps('bid', bid);
			this.printTrade(s, s.book.price(bid), s.book.qty(before), true, false);
			// Nobody filled it (no engine listening): take it off the public book rather than loop.
			if (s.book.userSteps('bid', bid) === before) s.book.changeUser('bid', bid, -before);
		}
		for (let guard = 0; guard < 100; guard++) {
			const ask = s.book.bestUser('ask');
			if (ask === undefined || ask >= midTicks) break;
			const before = s.book.userSteps('ask', ask);
			this.printTrade(s, s.book.price(ask), s.book.qty(before), false, false);
			if (s.book.userSteps('ask', ask) === before) s.book.changeUser('ask', ask, -before);
		}
	}

	private flushDepth(now: number): void {
		for (const s of this.state.values()) {
			const update = s.book.flush(now);
			if (update) for (const listener of this.depthListeners) listener(update);
		}
	}

	private printTrade(
		s: SymbolState,
		price: number,
		qty: number,
		buyerIsMaker: boolean,
		fromUser: boolean,
		publish = true,
	): number {
		const time = this.clock();
		const id = s.nextTradeId++;
		s.klines.addTrade(time, price, qty, !buyerIsMaker, id);
		s.lastPrice = price;
		s.lastQty = qty;
		s.lastPriceString = price.toFixed(8);
		s.version++;
		s.recent.push({id, price, qty, time, buyerIsMaker});
		if (s.recent.length > TRADE_HORIZON * 1.2) s.recent.splice(0, s.recent.length - TRADE_HORIZON);
		if (publish && this.tradeListeners.size > 0) {
			const wire: WireTrade = {
				e: 'trade',
				E: time,
				s: s.spec.symbol,
				t: id,
				p: s.lastPriceString,
				q: qty.toFixed(8),
				T: time,
				m: buyerIsMaker,
				M: true,
			};
			for (const listener of this.tradeListeners) listener(wire);
		}
		for (const listener of this.marketTradeListeners)
			listener({symbol: s.spec.symbol, price, qty, time, buyerIsMaker, fromUser, tradeId: id});
		return id;
	}

	private get(symbol: string): SymbolState {
		const s = this.state.get(symbol);
		if (!s) throw new Error(`unknown symbol ${symbol}`);
		return s;
	}
}

/** A klines page: the closed rows' bytes (`[` + rows) and the forming row's JSON ('' when none). */
function klinePage(prefix: Buffer, tail: string): SharedBody {
	const end = tail === '' ? ']' : `${prefix.length > 1 ? ',' : ''}${tail}]`;
	return SharedBody.fromBytes(Buffer.concat([prefix, Buffer.from(end)]));
}

function klineRow(interval: string, c: Candle) {
	return [
		c.t,
		c.o.toFixed(8),
		c.h.toFixed(8),
		c.l.toFixed(8),
		c.c.toFixed(8),
		c.v.toFixed(8),
		nextOpen(interval, c.t) - 1,
		c.q.toFixed(8),
		c.n,
		c.V.toFixed(8),
		c.Q.toFixed(8),
		'0',
	];
}

/** Half the quoted spread in ticks: the setting in basis points of the mid, at least half a tick. */
function halfSpread(settings: EffectiveMarketSettings, mid: number, spec: SymbolSpec): number {
	return Math.max(0.5, (mid * settings.spread) / 20_000 / spec.tickSize);
}

/**
 * The last minute of trades before the simulation started, ending at the start price, so a client that
 * asks for recent trades right after start gets some (as on a real venue).
 */
function pastTrades(
	rng: Rng,
	spec: SymbolSpec,
	start: number,
	now: number,
	nextId: number,
	volatility: number,
): PublicTrade[] {
	const count = 200;
	const scale = 10 ** spec.priceDecimals;
	const sigma = volatility * Math.sqrt(300 / 86_400_000);
	const out: PublicTrade[] = [];
	let price = start;
	for (let i = 0; i < count; i++) {
		const qty = Math.max(spec.stepSize, Number(rng.exponential(spec.typicalQty).toFixed(spec.qtyDecimals)));
		out.push({id: nextId - 1 - i, price, qty, time: now - 1 - i * 300, buyerIsMaker: rng.next() < 0.5});
		price = Math.max(1, Math.round(price * Math.exp(sigma * rng.normal()) * scale)) / scale;
	}
	return out.reverse();
}
