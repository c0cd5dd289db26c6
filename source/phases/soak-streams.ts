/**
 * The soak's market streams: trades and depth of every profile symbol for the soak's whole duration, so
 * stream stability, gaps and reconnects are measured over the run (and the operator's `x` has something
 * to drop). Trade ids missed across a reconnect are backfilled from REST (aggTrades, paged by `fromId`)
 * and counted as recovered or lost. The chaos runner may watch some of the same streams: those it
 * reports, this one does not report again.
 */
import {isTransientError} from '../exchange/errors.js';
import {StreamWatcher, type TradeGap} from '../exchange/stream-watcher.js';
import type {ExchangeClient} from '../exchange/exchange-client.js';
import {errorMessage} from './abort.js';
import type {PhaseCtx} from './phase-contract.js';

export interface BackfillTotals {
	gaps: number;
	missed: number;
	recovered: number;
	lost: number;
	/** Backfills that could not be made (the REST call failed). */
	failed: number;
	lastError: string | null;
}

/** Pages of 1000 aggregates at most per gap: a gap longer than that is not going to be recovered trade by trade. */
const MAX_PAGES = 10;

/** Counts the trade ids of `gap` that REST still has (aggregates cover trade ids first..last). */
export async function backfillGap(
	exchange: ExchangeClient,
	symbol: string,
	gap: TradeGap,
	call: <T>(fn: () => Promise<T>) => Promise<T> = fn => fn(),
): Promise<{recovered: number; lost: number}> {
	const wanted = gap.toId - gap.fromId + 1;
	let covered = 0;
	// From a little before the last trade seen (an aggregate id is not a trade id on a real venue; with no
	// time known, the first missed trade id stands in for it, as it equals the aggregate id on the mock), then by fromId.
	let page = await call(() =>
		exchange.fetchAggTrades(
			symbol,
			gap.lastTime !== null ? {startTime: gap.lastTime - 1_000, limit: 1000} : {fromId: gap.fromId, limit: 1000},
		),
	);
	for (let pages = 1; ; pages++) {
		for (const agg of page)
			covered += Math.max(0, Math.min(agg.lastTradeId, gap.toId) - Math.max(agg.firstTradeId, gap.fromId) + 1);
		const last = page.at(-1);
		if (last === undefined || last.lastTradeId >= gap.toId || pages >= MAX_PAGES) break;
		page = await call(() => exchange.fetchAggTrades(symbol, {fromId: last.id + 1, limit: 1000}));
	}
	const recovered = Math.min(wanted, covered);
	return {recovered, lost: wanted - recovered};
}

export class SoakStreams {
	readonly totals: BackfillTotals = {gaps: 0, missed: 0, recovered: 0, lost: 0, failed: 0, lastError: null};
	private readonly watcher: StreamWatcher;
	private backfills: Promise<void> = Promise.resolve();
	/** Venue id → unified symbol, for the REST backfill. */
	private readonly unified = new Map<string, string>();

	constructor(
		private readonly ctx: PhaseCtx,
		symbols: readonly string[],
	) {
		const {exchange, clock} = ctx.services;
		for (const symbol of symbols) this.unified.set(exchange.market(symbol).id.toUpperCase(), symbol);
		this.watcher = new StreamWatcher(exchange, {
			secondary: true,
			onEvent: event => {
				if (!this.watcher.watchedElsewhere(event.stream)) ctx.stream(event);
			},
			onGap: gap => this.onGap(gap),
			onNotice: (_stream, text) => ctx.log('warn', text),
			clockOffsetMs: () => clock.offsetMs,
		});
	}

	/** Starts the trade and depth streams of every symbol; returns the stream ids. */
	start(): string[] {
		const ids = [...this.unified.keys()].flatMap(id => [
			`${id.toLowerCase()}@trade`,
			`${id.toLowerCase()}@depth@100ms`,
		]);
		try {
			return this.watcher.start(ids);
		} catch (error) {
			this.ctx.log('warn', `soak streams not watched: ${errorMessage(error)}`);
			return [];
		}
	}

	/** Stops the streams (after the backfills under way). Closes the connections unless another watcher still uses them. */
	async stop(): Promise<void> {
		const shared = this.watcher.ids().some(id => this.watcher.watchedElsewhere(id));
		// A stop must end the soak within a second: no waiting on backfills or closing handshakes then.
		const aborted = this.ctx.signal.aborted;
		if (!aborted) await this.backfills;
		await this.watcher.close();
		if (shared) return;
		const closing = this.ctx.services.exchange.closeStreams().catch(() => undefined);
		if (!aborted) await closing;
	}

	/** Per stream, so report.json's streams section carries the figures (not only the check's text). */
	private report(gap: TradeGap, result: {recovered: number; lost: number}): void {
		this.ctx.stream({
			type: 'backfill',
			stream: gap.stream,
			at: Date.now(),
			missed: gap.toId - gap.fromId + 1,
			recovered: result.recovered,
			lost: result.lost,
		});
	}

	private onGap(gap: TradeGap): void {
		this.totals.gaps += 1;
		this.totals.missed += gap.toId - gap.fromId + 1;
		const symbol = this.unified.get(gap.symbol) ?? gap.symbol;
		const {ctx} = this;
		this.backfills = this.backfills.then(async () => {
			try {
				const result = await backfillGap(ctx.services.exchange, symbol, gap, fn =>
					ctx.call('aggTrades (backfill)', fn, {isTransient: isTransientError}),
				);
				this.totals.recovered += result.recovered;
				this.totals.lost += result.lost;
				this.report(gap, result);
				ctx.log(
					result.lost > 0 ? 'warn' : 'info',
					`${gap.stream}: trades ${gap.fromId}–${gap.toId} missed on the stream; ${result.recovered} recovered from REST${result.lost > 0 ? `, ${result.lost} lost` : ''}`,
				);
			} catch (error) {
				this.totals.failed += 1;
				this.totals.lost += gap.toId - gap.fromId + 1;
				this.totals.lastError = errorMessage(error);
				this.report(gap, {recovered: 0, lost: gap.toId - gap.fromId + 1});
			}
		});
	}
}
