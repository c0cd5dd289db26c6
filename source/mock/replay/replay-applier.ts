/**
 * Applies recorded events to the driven market: snapshots and depth diffs move the book (kept in sync by
 * update id, and marked stale from a gap until the next snapshot), trades print as the market's trades,
 * and every frame is published to the streams' subscribers with its times shifted.
 */
import type {MarketSimulator} from '../market/simulator.js';
import {idKey, idOffset, rewriteFrame, type FrameShift, type IdSeries} from './frame-rewrite.js';
import type {RawEvent} from './raw-recording.js';
import type {RecordingScan} from './recording-scan.js';
import {recordedStream, type RecordedStream} from './stream-kind.js';
import type {QueuePositions} from './queue-position.js';

type Levels = Array<[string, string]>;

interface BookSync {
	/** The recording has snapshots for the symbol: diffs apply only after one. */
	needsSnapshot: boolean;
	synced: boolean;
	lastUpdateId: number;
}

export interface ApplierStats {
	applied: number;
	published: number;
	/** Depth diffs dropped because the book was out of sync (after a gap, before a snapshot). */
	skippedDiffs: number;
	/** Each symbol's id series (`idKey`) as seen: a loop carries each on by its own span. */
	idRanges: Map<string, {min: number; max: number}>;
}

export class ReplayApplier {
	private readonly streams = new Map<string, RecordedStream | undefined>();
	private readonly sync = new Map<string, BookSync>();
	/** Per symbol: which stream kind drives the book and the trades. */
	private readonly tradeKind = new Map<string, 'trade' | 'aggTrade'>();
	private readonly topFromBookTicker = new Set<string>();
	readonly stats: ApplierStats = {
		applied: 0,
		published: 0,
		skippedDiffs: 0,
		idRanges: new Map(),
	};

	constructor(
		readonly market: MarketSimulator,
		scan: RecordingScan,
		private readonly queue: QueuePositions,
	) {
		for (const [symbol, kinds] of scan.kinds) {
			if (kinds.has('trade')) this.tradeKind.set(symbol, 'trade');
			else if (kinds.has('aggTrade')) this.tradeKind.set(symbol, 'aggTrade');
			if (!kinds.has('diffDepth') && !kinds.has('partialDepth') && !scan.snapshotSymbols.has(symbol))
				this.topFromBookTicker.add(symbol);
		}
		for (const symbol of scan.symbols)
			this.sync.set(symbol, {
				needsSnapshot: scan.snapshotSymbols.has(symbol),
				synced: !scan.snapshotSymbols.has(symbol),
				lastUpdateId: 0,
			});
	}

	/** A loop restarts the file: books resync at its first snapshot. */
	restart(): void {
		this.unsync();
	}

	private unsync(): void {
		for (const state of this.sync.values()) if (state.needsSnapshot) state.synced = false;
	}

	/** `publish` false fast-forwards (to --from): the book follows, nothing is sent and no trade prints. */
	apply(event: RawEvent, publish: boolean, shift: FrameShift): void {
		this.stats.applied++;
		if (event.type === 'snapshot') {
			if (!this.market.hasSymbol(event.symbol)) return;
			this.market.replaySnapshot(
				event.symbol,
				event.lastUpdateId + idOffset(shift, event.symbol, 'update'),
				event.bids,
				event.asks,
			);
			this.sync.set(event.symbol, {needsSnapshot: true, synced: true, lastUpdateId: event.lastUpdateId});
			this.noteId(event.symbol, 'update', event.lastUpdateId, true);
			return;
		}
		if (event.type === 'gap') {
			this.unsync();
			return;
		}
		if (event.type !== 'frame') return;
		let info = this.streams.get(event.stream);
		if (info === undefined && !this.streams.has(event.stream)) {
			info = recordedStream(event.stream);
			if (info && !this.market.hasSymbol(info.symbol)) info = undefined;
			this.streams.set(event.stream, info);
		}
		if (!info) return;
		// A halted symbol (the market-halt chaos kind) neither trades nor streams until it resumes.
		if (this.market.status(info.symbol) !== 'TRADING') return;
		switch (info.kind) {
			case 'trade':
			case 'aggTrade':
				if (publish && this.tradeKind.get(info.symbol) === info.kind)
					this.trade(info.symbol, info.kind, event.json, shift);
				else this.noteTradeIds(info.symbol, info.kind, event.json);
				break;
			case 'diffDepth':
				this.diff(info.symbol, event.json, idOffset(shift, info.symbol, 'update'));
				break;
			case 'partialDepth': {
				const d = JSON.parse(event.json) as {lastUpdateId: number; bids: Levels; asks: Levels};
				this.noteId(info.symbol, 'update', d.lastUpdateId, true);
				this.market.replaySnapshot(
					info.symbol,
					d.lastUpdateId + idOffset(shift, info.symbol, 'update'),
					d.bids,
					d.asks,
				);
				break;
			}
			case 'bookTicker': {
				const u = numberAfter(event.json, '"u":');
				if (Number.isFinite(u)) this.noteId(info.symbol, 'update', u, true);
				if (this.topFromBookTicker.has(info.symbol)) {
					const b = JSON.parse(event.json) as {u: number; b: string; B: string; a: string; A: string};
					this.market.replaySnapshot(
						info.symbol,
						b.u + idOffset(shift, info.symbol, 'update'),
						[[b.b, b.B]],
						[[b.a, b.A]],
					);
				}
				break;
			}
			default:
				break;
		}
		if (publish && this.market.wantsRecorded(event.stream)) {
			this.market.publishRecorded(event.stream, rewriteFrame(event.stream, event.json, shift));
			this.stats.published++;
		}
	}

	private trade(symbol: string, kind: 'trade' | 'aggTrade', json: string, shift: FrameShift): void {
		// Most frames are trades: read the four fields in place instead of parsing the object.
		let id = numberAfter(json, kind === 'trade' ? '"t":' : '"a":');
		let price = Number(stringAfter(json, '"p":"'));
		let qty = Number(stringAfter(json, '"q":"'));
		let maker = json.indexOf('"m":true') >= 0;
		if (!Number.isFinite(id) || !(price > 0) || !(qty >= 0)) {
			const t = JSON.parse(json) as {t?: number; a?: number; p: string; q: string; m: boolean};
			id = (kind === 'trade' ? t.t : t.a) ?? 0;
			price = Number(t.p);
			qty = Number(t.q);
			maker = t.m;
		}
		this.noteId(symbol, kind, id);
		if (kind === 'aggTrade') this.noteAggregateSpan(symbol, json);
		// REST /trades serves the ids the stream carried (shifted on later loops).
		this.market.replayTrade(symbol, id + idOffset(shift, symbol, kind), price, qty, maker);
	}

	private diff(symbol: string, json: string, idShift: number): void {
		const d = JSON.parse(json) as {U: number; u: number; b: Levels; a: Levels};
		this.noteId(symbol, 'update', d.U);
		this.noteId(symbol, 'update', d.u);
		const state = this.sync.get(symbol);
		if (!state) return;
		if (!state.synced) {
			this.stats.skippedDiffs++;
			return;
		}
		if (state.needsSnapshot) {
			if (d.u <= state.lastUpdateId) return;
			// Binance's rule: the next diff must start at or before lastUpdateId + 1; a hole means resync.
			if (d.U > state.lastUpdateId + 1) {
				state.synced = false;
				this.stats.skippedDiffs++;
				return;
			}
		}
		state.lastUpdateId = d.u;
		this.market.replayDiff(symbol, d.u + idShift, d.b, d.a);
		if (this.queue.tracks(symbol)) {
			for (const [p, q] of d.b) this.queue.levelChanged(symbol, 'bid', Number(p), Number(q));
			for (const [p, q] of d.a) this.queue.levelChanged(symbol, 'ask', Number(p), Number(q));
		}
	}

	/** A trade frame that does not drive the market still sets its series' span for the loops. */
	private noteTradeIds(symbol: string, kind: 'trade' | 'aggTrade', json: string): void {
		const id = numberAfter(json, kind === 'trade' ? '"t":' : '"a":');
		if (Number.isFinite(id)) this.noteId(symbol, kind, id);
		if (kind === 'aggTrade') this.noteAggregateSpan(symbol, json);
	}

	/** An aggregate trade's first and last trade ids (f, l) belong to the symbol's trade id series. */
	private noteAggregateSpan(symbol: string, json: string): void {
		const first = numberAfter(json, '"f":');
		const last = numberAfter(json, '"l":');
		if (Number.isFinite(first)) this.noteId(symbol, 'trade', first);
		if (Number.isFinite(last)) this.noteId(symbol, 'trade', last);
	}

	/**
	 * `besideDiffs`: an update id from a snapshot or a bookTicker, which may lie before the first diff; kept
	 * apart (`…~`) and used for the loop span only when the symbol has no diffs, so diffs stay contiguous.
	 */
	private noteId(symbol: string, series: IdSeries, id: number, besideDiffs = false): void {
		if (!(id >= 0)) return;
		const key = besideDiffs ? `${idKey(symbol, series)}~` : idKey(symbol, series);
		const range = this.stats.idRanges.get(key);
		if (!range) this.stats.idRanges.set(key, {min: id, max: id});
		else if (id < range.min) range.min = id;
		else if (id > range.max) range.max = id;
	}
}

function numberAfter(json: string, key: string): number {
	const at = json.indexOf(key);
	if (at < 0) return Number.NaN;
	let end = at + key.length;
	while (end < json.length) {
		const c = json.charCodeAt(end);
		if (c < 48 || c > 57) break;
		end++;
	}
	return end > at + key.length ? Number(json.slice(at + key.length, end)) : Number.NaN;
}

function stringAfter(json: string, key: string): string {
	const at = json.indexOf(key);
	if (at < 0) return '';
	const end = json.indexOf('"', at + key.length);
	return end < 0 ? '' : json.slice(at + key.length, end);
}
