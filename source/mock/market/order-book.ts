import type {WireDepthSnapshot, WireDepthUpdate} from '../contracts.js';
import type {Rng} from './rng.js';

/** A price level in integer units: price in ticks, quantity in lot steps (exact arithmetic, exact map keys). */
export interface Level {
	ticks: number;
	steps: number;
}

export const BOOK_LEVELS = 20;

/**
 * One symbol's simulated book: 20 levels a side that follow the mid price. Every change to a level
 * takes the next update id and is remembered until `flush`, which turns the changes since the last
 * flush into one diff event with U = first id, u = last id — so a snapshot's lastUpdateId always sits
 * inside or right before the next diff, as Binance's sync procedure expects.
 */
export class OrderBook {
	/** Best first: bids descending, asks ascending. */
	readonly bids: Level[] = [];
	readonly asks: Level[] = [];
	updateId: number;
	private pendingFirst = 0;
	private readonly pendingBids = new Map<number, number>();
	private readonly pendingAsks = new Map<number, number>();
	private readonly tickScale: number;
	private readonly stepScale: number;

	constructor(
		readonly symbol: string,
		private readonly priceDecimals: number,
		private readonly qtyDecimals: number,
		private readonly typicalSteps: number,
		private readonly rng: Rng,
		firstUpdateId: number,
	) {
		this.tickScale = 10 ** priceDecimals;
		this.stepScale = 10 ** qtyDecimals;
		this.updateId = firstUpdateId;
	}

	price(ticks: number): number {
		return ticks / this.tickScale;
	}

	qty(steps: number): number {
		return steps / this.stepScale;
	}

	priceString(ticks: number): string {
		return (ticks / this.tickScale).toFixed(8);
	}

	qtyString(steps: number): string {
		return (steps / this.stepScale).toFixed(8);
	}

	bestBid(): Level | undefined {
		return this.bids[0];
	}

	bestAsk(): Level | undefined {
		return this.asks[0];
	}

	/** Moves the book to a new mid: crossed levels go, the top is refilled around the mid, sizes wander. */
	evolve(mid: number): void {
		const midTicks = mid * this.tickScale;
		let topBid = Math.floor(midTicks - 0.5);
		let topAsk = Math.ceil(midTicks + 0.5);
		if (topAsk <= topBid) topAsk = topBid + 1;
		if (topBid < 1) topBid = 1;
		if (topAsk <= topBid) topAsk = topBid + 1;
		// Drop levels the new mid has crossed.
		while (this.bids.length > 0 && this.bids[0]!.ticks >= topAsk) this.remove('bid', 0);
		while (this.asks.length > 0 && this.asks[0]!.ticks <= topBid) this.remove('ask', 0);
		this.refillTop('bid', topBid);
		this.refillTop('ask', topAsk);
		this.fillDepth('bid');
		this.fillDepth('ask');
		// A few resting sizes change each step, as other participants add and cancel.
		const changes = this.rng.int(1, 4);
		for (let i = 0; i < changes; i++) {
			const side = this.rng.next() < 0.5 ? 'bid' : 'ask';
			const levels = side === 'bid' ? this.bids : this.asks;
			const index = Math.min(levels.length - 1, Math.floor(this.rng.exponential(4)));
			const level = levels[index];
			if (level) this.set(side, index, this.randomSize());
		}
	}

	/** Takes quantity out of a level (a trade against it); the level goes when empty. Returns steps taken. */
	consume(side: 'bid' | 'ask', ticks: number, steps: number): number {
		const levels = side === 'bid' ? this.bids : this.asks;
		const index = levels.findIndex((l) => l.ticks === ticks);
		if (index < 0) return 0;
		const level = levels[index]!;
		const taken = Math.min(steps, level.steps);
		if (taken === level.steps) this.remove(side, index);
		else this.set(side, index, level.steps - taken);
		return taken;
	}

	snapshot(limit: number): WireDepthSnapshot {
		const n = Math.min(limit, BOOK_LEVELS);
		const bids: Array<[string, string]> = [];
		const asks: Array<[string, string]> = [];
		for (let i = 0; i < n && i < this.bids.length; i++) bids.push([this.priceString(this.bids[i]!.ticks), this.qtyString(this.bids[i]!.steps)]);
		for (let i = 0; i < n && i < this.asks.length; i++) asks.push([this.priceString(this.asks[i]!.ticks), this.qtyString(this.asks[i]!.steps)]);
		return {lastUpdateId: this.updateId, bids, asks};
	}

	/** The diff since the last flush, or undefined when nothing changed. */
	flush(eventTime: number): WireDepthUpdate | undefined {
		if (this.pendingFirst === 0) return undefined;
		const b: Array<[string, string]> = [];
		const a: Array<[string, string]> = [];
		for (const [ticks, steps] of this.pendingBids) b.push([this.priceString(ticks), this.qtyString(steps)]);
		for (const [ticks, steps] of this.pendingAsks) a.push([this.priceString(ticks), this.qtyString(steps)]);
		const update: WireDepthUpdate = {e: 'depthUpdate', E: eventTime, s: this.symbol, U: this.pendingFirst, u: this.updateId, b, a};
		this.pendingFirst = 0;
		this.pendingBids.clear();
		this.pendingAsks.clear();
		return update;
	}

	private randomSize(): number {
		return Math.max(1, Math.round(this.rng.exponential(this.typicalSteps * 1.5)));
	}

	private record(side: 'bid' | 'ask', ticks: number, steps: number): void {
		this.updateId++;
		if (this.pendingFirst === 0) this.pendingFirst = this.updateId;
		(side === 'bid' ? this.pendingBids : this.pendingAsks).set(ticks, steps);
	}

	private set(side: 'bid' | 'ask', index: number, steps: number): void {
		const level = (side === 'bid' ? this.bids : this.asks)[index]!;
		level.steps = steps;
		this.record(side, level.ticks, steps);
	}

	private remove(side: 'bid' | 'ask', index: number): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		const [level] = levels.splice(index, 1);
		if (level) this.record(side, level.ticks, 0);
	}

	private insert(side: 'bid' | 'ask', index: number, ticks: number): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		const level = {ticks, steps: this.randomSize()};
		levels.splice(index, 0, level);
		this.record(side, ticks, level.steps);
	}

	/** Makes the best level sit at `top`, filling any gap down to the old best with 1–3 tick spacing. */
	private refillTop(side: 'bid' | 'ask', top: number): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		const dir = side === 'bid' ? -1 : 1;
		const oldBest = levels[0]?.ticks;
		if (oldBest === top) return;
		// Walk from the new top towards the old best, inserting levels in order.
		const fresh: number[] = [];
		let t = top;
		while (fresh.length < BOOK_LEVELS && (oldBest === undefined || (dir < 0 ? t > oldBest : t < oldBest)) && t > 0) {
			fresh.push(t);
			t += dir * this.rng.int(1, 3);
		}
		for (let i = 0; i < fresh.length; i++) this.insert(side, i, fresh[i]!);
		while (levels.length > BOOK_LEVELS) this.remove(side, levels.length - 1);
	}

	private fillDepth(side: 'bid' | 'ask'): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		const dir = side === 'bid' ? -1 : 1;
		while (levels.length < BOOK_LEVELS) {
			const last = levels[levels.length - 1];
			const t = last ? last.ticks + dir * this.rng.int(1, 3) : 0;
			if (t <= 0) break;
			this.insert(side, levels.length, t);
		}
	}
}
