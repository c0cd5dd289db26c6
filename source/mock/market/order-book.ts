import type {WireDepthSnapshot, WireDepthUpdate} from '../contracts.js';
import type {Rng} from './rng.js';
import {SharedBodies, type SharedBody} from './shared-body.js';

/** A price level in integer units: price in ticks, quantity in lot steps (exact arithmetic, exact map keys). */
export interface Level {
	ticks: number;
	steps: number;
}

/** Levels a side, as deep as Binance's deepest snapshot (limit 5000). */
export const BOOK_LEVELS = 5_000;

type Side = 'bid' | 'ask';

/**
 * One symbol's public book: 5000 simulated levels a side that follow the mid price, plus the resting
 * orders of the mock's accounts (the overlay), shown summed with the simulated size at their price.
 * Every change to a public level takes the next update id and is remembered until `flush`, which turns
 * the changes since the last flush into one diff event with U = first id, u = last id — so a snapshot's
 * lastUpdateId always sits inside or right before the next diff, as Binance's sync procedure expects.
 * Simulated levels that a trade empties are refilled at the far end, so every side always holds 5000.
 */
export class OrderBook {
	/** Simulated levels, best first: bids descending, asks ascending. */
	readonly bids: Level[] = [];
	readonly asks: Level[] = [];
	/** Resting account orders: ticks → steps. */
	private readonly userBids = new Map<number, number>();
	private readonly userAsks = new Map<number, number>();
	updateId: number;
	private pendingFirst = 0;
	private readonly pendingBids = new Map<number, number>();
	private readonly pendingAsks = new Map<number, number>();
	private readonly tickScale: number;
	private readonly stepScale: number;
	/** Serialised snapshots by limit, valid for one `updateId` (see `snapshotBody`). */
	private readonly bodies = new SharedBodies<number>();
	/** Replay mode: levels come from a recording, so nothing is refilled and update ids are the recording's. */
	driven = false;

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

	ticksOf(price: number): number {
		return Math.round(price * this.tickScale);
	}

	stepsOf(qty: number): number {
		return Math.round(qty * this.stepScale);
	}

	priceString(ticks: number): string {
		return (ticks / this.tickScale).toFixed(8);
	}

	qtyString(steps: number): string {
		return (steps / this.stepScale).toFixed(8);
	}

	/** Best public bid (simulated or resting order), with the summed size at that price. */
	bestBid(): Level | undefined {
		return this.best('bid');
	}

	bestAsk(): Level | undefined {
		return this.best('ask');
	}

	/** Best simulated level only (what the simulated flow and takers consume). */
	bestSimulated(side: Side): Level | undefined {
		return (side === 'bid' ? this.bids : this.asks)[0];
	}

	/** Best resting account order price on a side, undefined when none. */
	bestUser(side: Side): number | undefined {
		const map = side === 'bid' ? this.userBids : this.userAsks;
		let best: number | undefined;
		for (const t of map.keys()) if (best === undefined || (side === 'bid' ? t > best : t < best)) best = t;
		return best;
	}

	userSteps(side: Side, ticks: number): number {
		return (side === 'bid' ? this.userBids : this.userAsks).get(ticks) ?? 0;
	}

	/** Adds (or with a negative delta removes) resting account quantity at a price. */
	changeUser(side: Side, ticks: number, deltaSteps: number): void {
		const map = side === 'bid' ? this.userBids : this.userAsks;
		const next = (map.get(ticks) ?? 0) + deltaSteps;
		if (next > 0) map.set(ticks, next);
		else map.delete(ticks);
		this.record(side, ticks);
	}

	/**
	 * Moves the book to a new mid: crossed levels go, the top is refilled around the mid (at least
	 * `halfSpreadTicks` away, and never through a resting account order), sizes wander.
	 */
	evolve(mid: number, halfSpreadTicks = 0.5): void {
		const midTicks = mid * this.tickScale;
		const half = Math.max(0.5, halfSpreadTicks);
		let topBid = Math.floor(midTicks - half);
		let topAsk = Math.ceil(midTicks + half);
		if (topBid < 1) topBid = 1;
		// Resting account orders are part of the book: the simulated side never quotes through them.
		const userBid = this.bestUser('bid');
		const userAsk = this.bestUser('ask');
		if (userAsk !== undefined && topBid >= userAsk) topBid = userAsk - 1;
		if (userBid !== undefined && topAsk <= userBid) topAsk = userBid + 1;
		if (topAsk <= topBid) topAsk = topBid + 1;
		this.dropCrossed('bid', topAsk);
		this.dropCrossed('ask', topBid);
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
			if (level) {
				level.steps = this.randomSize();
				this.record(side, level.ticks);
			}
		}
	}

	/** Takes quantity out of a simulated level (a trade against it); an emptied level is replaced at the far end. */
	consume(side: Side, ticks: number, steps: number): number {
		const levels = side === 'bid' ? this.bids : this.asks;
		const index = levels.findIndex(l => l.ticks === ticks);
		if (index < 0) return 0;
		const level = levels[index]!;
		const taken = Math.min(steps, level.steps);
		if (taken === level.steps) levels.splice(index, 1);
		else level.steps -= taken;
		this.record(side, ticks);
		if (!this.driven) this.fillDepth(side);
		return taken;
	}

	/** Replay: replaces a whole side with recorded levels (price, qty in units), best first after sorting. */
	loadSide(side: Side, levels: ReadonlyArray<readonly [string, string]>): void {
		const out: Level[] = [];
		for (const [p, q] of levels) {
			const steps = this.stepsOf(Number(q));
			if (steps > 0) out.push({ticks: this.ticksOf(Number(p)), steps});
		}
		out.sort((a, b) => (side === 'bid' ? b.ticks - a.ticks : a.ticks - b.ticks));
		const target = side === 'bid' ? this.bids : this.asks;
		target.splice(0, target.length, ...out);
		this.bodies.clear();
	}

	/** Replay: sets one recorded level's size (0 removes it), keeping the side sorted. */
	setLevel(side: Side, ticks: number, steps: number): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		let lo = 0;
		let hi = levels.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			const t = levels[mid]!.ticks;
			if (side === 'bid' ? t > ticks : t < ticks) lo = mid + 1;
			else hi = mid;
		}
		const at = levels[lo];
		if (at && at.ticks === ticks) {
			if (steps > 0) at.steps = steps;
			else levels.splice(lo, 1);
		} else if (steps > 0) levels.splice(lo, 0, {ticks, steps});
		this.bodies.clear();
	}

	/** Replay: the recorded size at a price (account orders excluded), 0 when there is no level. */
	recordedSteps(side: Side, ticks: number): number {
		return findLevel(side === 'bid' ? this.bids : this.asks, ticks, side)?.steps ?? 0;
	}

	snapshot(limit: number): WireDepthSnapshot {
		return {lastUpdateId: this.updateId, bids: this.side('bid', limit), asks: this.side('ask', limit)};
	}

	/**
	 * The snapshot as a shared body, built once per (limit, book version). Every public change takes
	 * the next update id (`record`), so `updateId` is the version: an order placed, a level consumed or
	 * a simulation step all make the next request rebuild, and nothing else does.
	 */
	snapshotBody(limit: number): SharedBody {
		return this.bodies.get(limit, this.updateId, () => this.snapshotJson(limit));
	}

	/** JSON.stringify(this.snapshot(limit)) without the 2 × limit intermediate arrays. */
	private snapshotJson(limit: number): string {
		let out = `{"lastUpdateId":${this.updateId},"bids":[`;
		let first = true;
		const row = (ticks: number, steps: number): void => {
			out += `${first ? '' : ','}["${this.priceString(ticks)}","${this.qtyString(steps)}"]`;
			first = false;
		};
		this.eachLevel('bid', limit, row);
		out += '],"asks":[';
		first = true;
		this.eachLevel('ask', limit, row);
		return out + ']}';
	}

	/** The diff since the last flush, or undefined when nothing changed. */
	flush(eventTime: number): WireDepthUpdate | undefined {
		if (this.pendingFirst === 0) return undefined;
		const b: Array<[string, string]> = [];
		const a: Array<[string, string]> = [];
		for (const [ticks, steps] of this.pendingBids) b.push([this.priceString(ticks), this.qtyString(steps)]);
		for (const [ticks, steps] of this.pendingAsks) a.push([this.priceString(ticks), this.qtyString(steps)]);
		const update: WireDepthUpdate = {
			e: 'depthUpdate',
			E: eventTime,
			s: this.symbol,
			U: this.pendingFirst,
			u: this.updateId,
			b,
			a,
		};
		this.pendingFirst = 0;
		this.pendingBids.clear();
		this.pendingAsks.clear();
		return update;
	}

	/** The public side: simulated levels merged with resting account orders, best first. */
	private side(side: Side, limit: number): Array<[string, string]> {
		const out: Array<[string, string]> = [];
		this.eachLevel(side, limit, (ticks, steps) => out.push([this.priceString(ticks), this.qtyString(steps)]));
		return out;
	}

	/** Walks the public side best first (simulated + resting sizes summed per price), at most `limit` levels. */
	private eachLevel(side: Side, limit: number, visit: (ticks: number, steps: number) => void): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		const user = side === 'bid' ? this.userBids : this.userAsks;
		const better = (a: number, b: number) => (side === 'bid' ? a > b : a < b);
		const extra = user.size === 0 ? [] : [...user.keys()].sort((a, b) => (side === 'bid' ? b - a : a - b));
		let i = 0;
		let j = 0;
		let n = 0;
		while (n < limit && (i < levels.length || j < extra.length)) {
			const sim = levels[i];
			const u = extra[j];
			if (u !== undefined && (sim === undefined || better(u, sim.ticks))) {
				visit(u, user.get(u)!);
				j++;
			} else if (u !== undefined && sim!.ticks === u) {
				visit(u, sim!.steps + user.get(u)!);
				i++;
				j++;
			} else {
				visit(sim!.ticks, sim!.steps);
				i++;
			}
			n++;
		}
	}

	private best(side: Side): Level | undefined {
		const sim = (side === 'bid' ? this.bids : this.asks)[0];
		const u = this.bestUser(side);
		if (u === undefined) return sim;
		if (!sim || (side === 'bid' ? u > sim.ticks : u < sim.ticks)) return {ticks: u, steps: this.userSteps(side, u)};
		if (sim.ticks === u) return {ticks: u, steps: sim.steps + this.userSteps(side, u)};
		return sim;
	}

	private randomSize(): number {
		return Math.max(1, Math.round(this.rng.exponential(this.typicalSteps * 1.5)));
	}

	/** Notes the public size at `ticks` (simulated + resting) as changed. */
	private record(side: Side, ticks: number): void {
		// A replayed book's ids belong to the recorded feed; its diffs are published from the recording.
		if (this.driven) {
			this.bodies.clear();
			return;
		}
		this.updateId++;
		if (this.pendingFirst === 0) this.pendingFirst = this.updateId;
		const levels = side === 'bid' ? this.bids : this.asks;
		const sim = findLevel(levels, ticks, side)?.steps ?? 0;
		(side === 'bid' ? this.pendingBids : this.pendingAsks).set(ticks, sim + this.userSteps(side, ticks));
	}

	/** Removes the simulated levels at or through `limit` (the other side's new top), in one splice. */
	private dropCrossed(side: Side, limit: number): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		let k = 0;
		while (k < levels.length && (side === 'bid' ? levels[k]!.ticks >= limit : levels[k]!.ticks <= limit)) k++;
		if (k === 0) return;
		const gone = levels.splice(0, k);
		for (const l of gone) this.record(side, l.ticks);
	}

	/** Makes the best simulated level sit at `top`, filling any gap down to the old best with 1–3 tick spacing. */
	private refillTop(side: Side, top: number): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		const dir = side === 'bid' ? -1 : 1;
		const oldBest = levels[0]?.ticks;
		if (oldBest === top) return;
		if (oldBest !== undefined && (dir < 0 ? oldBest > top : oldBest < top)) {
			// The mid moved away: levels better than the new top go.
			let k = 0;
			while (k < levels.length && (dir < 0 ? levels[k]!.ticks > top : levels[k]!.ticks < top)) k++;
			const gone = levels.splice(0, k);
			for (const l of gone) this.record(side, l.ticks);
		}
		const best = levels[0]?.ticks;
		const fresh: Level[] = [];
		let t = top;
		while (fresh.length < BOOK_LEVELS && (best === undefined || (dir < 0 ? t > best : t < best)) && t > 0) {
			fresh.push({ticks: t, steps: this.randomSize()});
			t += dir * this.rng.int(1, 3);
		}
		if (fresh.length === 0) return;
		levels.splice(0, 0, ...fresh);
		for (const l of fresh) this.record(side, l.ticks);
		if (levels.length > BOOK_LEVELS) {
			const gone = levels.splice(BOOK_LEVELS);
			for (const l of gone) this.record(side, l.ticks);
		}
	}

	private fillDepth(side: Side): void {
		const levels = side === 'bid' ? this.bids : this.asks;
		const dir = side === 'bid' ? -1 : 1;
		while (levels.length < BOOK_LEVELS) {
			const last = levels[levels.length - 1];
			const t = last ? last.ticks + dir * this.rng.int(1, 3) : 0;
			if (t <= 0) break;
			levels.push({ticks: t, steps: this.randomSize()});
			this.record(side, t);
		}
	}
}

/** Binary search of a side (bids descending, asks ascending) for the level at `ticks`. */
function findLevel(levels: readonly Level[], ticks: number, side: Side): Level | undefined {
	let lo = 0;
	let hi = levels.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		const t = levels[mid]!.ticks;
		if (t === ticks) return levels[mid];
		if (side === 'bid' ? t > ticks : t < ticks) lo = mid + 1;
		else hi = mid - 1;
	}
	return undefined;
}
