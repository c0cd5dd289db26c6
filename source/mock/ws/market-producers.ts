import type {MarketFeed, Unsubscribe, WireBookTicker, WireDepthUpdate, WireKline, WireTrade} from '../contracts.js';
import type {StreamEntry, StreamHub} from './stream-hub.js';

/** Base tick: the fastest timed streams (`@depthN@100ms`) run on it; 1 s and 2 s streams run on boundaries of the server clock. */
const TICK_MS = 100;

interface PendingDiff {
	U: number;
	u: number;
	bids: Map<string, string>;
	asks: Map<string, string>;
}

interface KlineState {
	openTime: number;
	last: WireKline;
}

/**
 * Turns the MarketFeed into stream events: trades and 100 ms diff depth as they arrive, everything else
 * on timers, and only for streams somebody subscribed to.
 */
export class MarketProducers {
	private readonly lower = new Map<string, string>();
	private readonly pendingDiffs = new Map<string, PendingDiff>();
	private readonly lastBookTicker = new Map<string, WireBookTicker>();
	private readonly klines = new Map<string, KlineState>();
	private readonly unsubscribes: Unsubscribe[] = [];
	private timer: NodeJS.Timeout | undefined;
	private lastSecond = 0;
	private lastTwoSeconds = 0;

	constructor(
		private readonly market: MarketFeed,
		private readonly hub: StreamHub,
	) {}

	start(): void {
		this.unsubscribes.push(this.market.onTrade(trade => this.safely(() => this.onTrade(trade))));
		this.unsubscribes.push(this.market.onDepthUpdate(update => this.safely(() => this.onDepth(update))));
		const hub = this.hub;
		const sink = this.market.onRecordedFrame?.({
			wants: stream => hub.has(stream),
			frame: (stream, json) => hub.publishRaw(stream, json),
			backlog: () => hub.backlog(),
		});
		if (sink) this.unsubscribes.push(sink);
		const now = this.market.now();
		this.lastSecond = Math.floor(now / 1000);
		this.lastTwoSeconds = Math.floor(now / 2000);
		this.timer = setInterval(() => this.safely(() => this.tick()), TICK_MS);
		this.timer.unref();
	}

	stop(): void {
		for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}

	/** Called by the hub when a stream gets its first subscriber. */
	streamAdded(entry: StreamEntry): void {
		const {spec} = entry;
		if (spec.kind === 'kline' && spec.symbol) {
			const {symbol, interval} = spec;
			this.safely(() => {
				const current = this.market.currentKline(symbol, interval);
				this.klines.set(spec.name, {openTime: current.t, last: current});
			});
		}
	}

	/** Called by the hub when a stream loses its last subscriber: drop per-stream state so a later subscriber starts clean. */
	streamRemoved(entry: StreamEntry): void {
		const {spec} = entry;
		this.klines.delete(spec.name);
		if (spec.symbol && spec.kind === 'diffDepth' && spec.speedMs === 1000) this.pendingDiffs.delete(spec.symbol);
		if (spec.symbol && spec.kind === 'bookTicker') this.lastBookTicker.delete(spec.symbol);
	}

	private lowerOf(symbol: string): string {
		let lower = this.lower.get(symbol);
		if (lower === undefined) {
			lower = symbol.toLowerCase();
			this.lower.set(symbol, lower);
		}
		return lower;
	}

	private onTrade(trade: WireTrade): void {
		const lower = this.lowerOf(trade.s);
		this.hub.publish(`${lower}@trade`, trade);
		const aggName = `${lower}@aggTrade`;
		if (this.hub.has(aggName)) {
			// One aggregate per simulated trade, so the aggregate id can be the trade id (matches a REST aggTrades built the same way).
			this.hub.publish(aggName, {
				e: 'aggTrade',
				E: trade.E,
				s: trade.s,
				a: trade.t,
				p: trade.p,
				q: trade.q,
				f: trade.t,
				l: trade.t,
				T: trade.T,
				m: trade.m,
				M: true,
			});
		}
	}

	/** A replayed market publishes these streams from the recording. */
	private recorded(name: string): boolean {
		return this.market.recordedStreams?.has(name) ?? false;
	}

	private onDepth(update: WireDepthUpdate): void {
		const lower = this.lowerOf(update.s);
		const diffName = `${lower}@depth@100ms`;
		if (!this.recorded(diffName)) this.hub.publish(diffName, update);
		if (this.hub.has(`${lower}@depth`) && !this.recorded(`${lower}@depth`)) this.mergeDiff(update);
		const bookTickerName = `${lower}@bookTicker`;
		if (this.hub.has(bookTickerName) && !this.recorded(bookTickerName)) {
			// Book changes arrive in 100 ms batches, which is the natural throttle; push only if the top of book moved.
			const ticker = this.market.bookTicker(update.s);
			const previous = this.lastBookTicker.get(update.s);
			if (
				!previous ||
				previous.b !== ticker.b ||
				previous.B !== ticker.B ||
				previous.a !== ticker.a ||
				previous.A !== ticker.A
			) {
				this.lastBookTicker.set(update.s, ticker);
				this.hub.publish(bookTickerName, ticker);
			}
		}
	}

	/** The 1000 ms diff stream merges consecutive 100 ms updates so its U..u ranges stay contiguous. */
	private mergeDiff(update: WireDepthUpdate): void {
		let pending = this.pendingDiffs.get(update.s);
		if (!pending) {
			pending = {U: update.U, u: update.u, bids: new Map(), asks: new Map()};
			this.pendingDiffs.set(update.s, pending);
		}
		pending.u = update.u;
		for (const [price, quantity] of update.b) pending.bids.set(price, quantity);
		for (const [price, quantity] of update.a) pending.asks.set(price, quantity);
	}

	private tick(): void {
		const now = this.market.now();
		const second = Math.floor(now / 1000);
		const twoSeconds = Math.floor(now / 2000);
		const newSecond = second !== this.lastSecond;
		const newTwoSeconds = twoSeconds !== this.lastTwoSeconds;
		this.lastSecond = second;
		this.lastTwoSeconds = twoSeconds;
		for (const entry of this.hub.entries()) {
			this.safely(() => this.tickStream(entry, now, newSecond, newTwoSeconds));
		}
	}

	private tickStream(entry: StreamEntry, now: number, newSecond: boolean, newTwoSeconds: boolean): void {
		const {spec} = entry;
		if (this.recorded(spec.name)) return;
		switch (spec.kind) {
			case 'partialDepth':
				if (spec.symbol && (spec.speedMs === 100 || newSecond)) {
					this.hub.publishTo(entry, this.market.depth(spec.symbol, spec.levels));
				}
				return;
			case 'diffDepth':
				if (spec.symbol && spec.speedMs === 1000 && newSecond) this.flushDiff(entry, spec.symbol, now);
				return;
			case 'miniTicker':
				if (spec.symbol && newSecond) this.hub.publishTo(entry, this.market.miniTicker(spec.symbol));
				return;
			case 'ticker':
				if (spec.symbol && newSecond) this.hub.publishTo(entry, this.market.ticker(spec.symbol));
				return;
			case 'allMiniTickers':
				if (newSecond)
					this.hub.publishTo(
						entry,
						this.market.symbols().map(symbol => this.market.miniTicker(symbol)),
					);
				return;
			case 'allTickers':
				if (newSecond)
					this.hub.publishTo(
						entry,
						this.market.symbols().map(symbol => this.market.ticker(symbol)),
					);
				return;
			case 'kline':
				if (spec.symbol && (spec.interval === '1s' ? newSecond : newTwoSeconds)) {
					this.pushKline(entry, spec.symbol, spec.interval, now);
				}
				return;
			default:
				return;
		}
	}

	private flushDiff(entry: StreamEntry, symbol: string, now: number): void {
		const pending = this.pendingDiffs.get(symbol);
		if (!pending) return;
		this.pendingDiffs.delete(symbol);
		this.hub.publishTo(entry, {
			e: 'depthUpdate',
			E: now,
			s: symbol,
			U: pending.U,
			u: pending.u,
			b: [...pending.bids],
			a: [...pending.asks],
		});
	}

	/** Pushes the forming candle; when its open time rolled over, first pushes the finished one with x:true. */
	private pushKline(entry: StreamEntry, symbol: string, interval: string, now: number): void {
		const current = this.market.currentKline(symbol, interval);
		const state = this.klines.get(entry.spec.name);
		if (state && current.t !== state.openTime) {
			const closed = this.market.klineAt(symbol, interval, state.openTime) ?? state.last;
			this.hub.publishTo(entry, {e: 'kline', E: now, s: symbol, k: {...closed, x: true}});
		}
		this.klines.set(entry.spec.name, {openTime: current.t, last: current});
		this.hub.publishTo(entry, {e: 'kline', E: now, s: symbol, k: current});
	}

	/** A feed method that throws must not stop the timer or the other streams. */
	private safely(action: () => void): void {
		try {
			action();
		} catch {
			// Skipped this event; the next tick or event tries again.
		}
	}
}
