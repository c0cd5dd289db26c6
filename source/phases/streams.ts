/**
 * streams: trade, kline, diff depth and bookTicker for the profile's first symbol over a window. Per
 * stream: messages and rate (none through the window → no-data), latency p50/p99 (event time vs
 * receipt, corrected by the measured clock offset), sequence gaps (trade ids, depth U/u), reconnects.
 * Then the locally maintained order book is compared with a REST snapshot: exactly, with the market
 * paused, on the mock; within a tolerance elsewhere. Every message goes to ctx.stream() for the
 * console's inspector.
 */
import {isTransientError, toExchangeError} from '../exchange/errors.js';
import {StreamWatcher, type StreamEvent} from '../exchange/stream-watcher.js';
import type {OrderBook} from '../exchange/exchange-client.js';
import {errorMessage, pause} from './abort.js';
import {fail, failFromError, limit, pass} from './checks.js';
import {measureClock, tightest} from './clock.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {round, SampleRing, summarize} from './stats.js';

interface Collected {
	latencies: SampleRing;
	firstAt: number | null;
	lastAt: number | null;
}

export function streamWindowMs(ctx: PhaseCtx): number {
	return ctx.profile.environment === 'mock' ? 6_000 : 15_000;
}

/** Keeps the latest depth book from a watch loop of our own (levels kept for comparison). */
function followBook(
	ctx: PhaseCtx,
	symbol: string,
	stop: AbortSignal,
): {latest: () => OrderBook | null; errors: string[]; done: Promise<void>} {
	let latest: OrderBook | null = null;
	const errors: string[] = [];
	const done = (async () => {
		while (!stop.aborted) {
			try {
				latest = await ctx.services.exchange.watchOrderBook(symbol, {levels: 20});
			} catch (error) {
				if (stop.aborted) break;
				errors.push(`${toExchangeError(error).kind}: ${errorMessage(error)}`);
				if (!(await pause(250, stop))) break;
			}
		}
	})();
	return {latest: () => latest, errors, done};
}

function sameLevels(a: readonly [number, number][], b: readonly [number, number][], levels: number): number {
	let differing = 0;
	for (let i = 0; i < levels; i++) {
		const x = a[i];
		const y = b[i];
		if (x === undefined && y === undefined) break;
		if (x === undefined || y === undefined || x[0] !== y[0] || Math.abs(x[1] - y[1]) > 1e-12) differing += 1;
	}
	return differing;
}

async function checkBookSync(
	ctx: PhaseCtx,
	symbol: string,
	book: ReturnType<typeof followBook>,
	depthErrors: number,
): Promise<void> {
	const {exchange, faults} = ctx.services;
	const title = 'order book in sync with the REST snapshot';
	const levels = 20;
	if (book.latest() === null) {
		ctx.check({
			id: 'book-sync',
			title,
			verdict: 'no-data',
			measured: null,
			threshold: 'in sync',
			reason: 'no order book was built from the diff stream',
		});
		return;
	}
	if (faults.supports('pause-market')) {
		// A frozen market lets the local book and the snapshot be compared level for level.
		await faults.inject({fault: 'pause-market', durationMs: 3_000});
		try {
			await ctx.sleep(400);
			const local = book.latest()!;
			const snapshot = await ctx.call('fetchOrderBook', () => exchange.fetchOrderBook(symbol, levels), {
				isTransient: isTransientError,
			});
			const differing = sameLevels(local.bids, snapshot.bids, levels) + sameLevels(local.asks, snapshot.asks, levels);
			const detail = `local nonce ${local.nonce}, snapshot ${snapshot.nonce}`;
			if (differing > 0 || local.nonce !== snapshot.nonce) {
				fail(
					ctx,
					'book-sync',
					`${title} (market paused, top ${levels} levels)`,
					`${differing} of ${levels * 2} levels differ; ${detail}${depthErrors > 0 ? `; ${depthErrors} depth stream errors` : ''}`,
					differing,
					'0 levels differ',
				);
			} else
				pass(ctx, 'book-sync', `${title} (market paused, top ${levels} levels)`, 0, '0 levels differ, same update id');
		} finally {
			await faults.clear().catch((error: unknown) => ctx.log('warn', `clearing faults: ${errorMessage(error)}`));
		}
		return;
	}
	const snapshot = await ctx.call('fetchOrderBook', () => exchange.fetchOrderBook(symbol, levels), {
		isTransient: isTransientError,
	});
	const local = book.latest()!;
	const mid = (b: OrderBook) => ((b.bids[0]?.[0] ?? NaN) + (b.asks[0]?.[0] ?? NaN)) / 2;
	const crossed = (local.bids[0]?.[0] ?? 0) >= (local.asks[0]?.[0] ?? Infinity);
	const driftBps = (Math.abs(mid(local) - mid(snapshot)) / mid(snapshot)) * 10_000;
	if (crossed)
		fail(
			ctx,
			'book-sync',
			title,
			`the local book is crossed (bid ${local.bids[0]?.[0]} ≥ ask ${local.asks[0]?.[0]})`,
			'crossed',
			'uncrossed',
		);
	else
		limit(ctx, {
			id: 'book-sync',
			title: `${title} (live market: mid-price drift)`,
			measured: round(driftBps, 2),
			max: 20,
			unit: 'bps',
		});
}

export const streamsPhase: Phase = {
	id: 'streams',
	title: 'Streams',
	async run(ctx) {
		const {exchange, clock} = ctx.services;
		const symbolUnified = ctx.profile.symbols[0]!;
		await ctx.call('loadMarkets', () => exchange.loadMarkets());
		const venue = exchange.market(symbolUnified).id.toLowerCase();
		// Event-time latencies are only as good as the clock offset: measure it afresh (tightest of three).
		try {
			const samples = [];
			for (let i = 0; i < 3; i++)
				samples.push(await ctx.call('fetchTime', () => measureClock(exchange), {isTransient: isTransientError}));
			clock.set(tightest(samples)!);
		} catch (error) {
			ctx.log(
				'warn',
				`clock offset not measured (${errorMessage(error)}): latencies use ${clock.sample ? 'an earlier estimate' : 'no correction'}`,
			);
		}
		const ids = [`${venue}@trade`, `${venue}@kline_1m`, `${venue}@depth@100ms`, `${venue}@bookTicker`];
		const collected = new Map<string, Collected>(
			ids.map(id => [id, {latencies: new SampleRing(5_000), firstAt: null, lastAt: null}]),
		);
		const streamErrors = new Map<string, string[]>();
		const windowMs = streamWindowMs(ctx);
		const watcher = new StreamWatcher(exchange, {
			onEvent(event: StreamEvent) {
				ctx.stream(event);
				if (event.type !== 'message') return;
				const entry = collected.get(event.stream);
				if (!entry) return;
				entry.firstAt ??= event.receivedAt;
				entry.lastAt = event.receivedAt;
				if (event.latencyMs !== null) entry.latencies.push(event.latencyMs);
			},
			onError(stream, error) {
				const list = streamErrors.get(stream) ?? [];
				if (list.length < 20) list.push(`${error.kind}: ${error.message}`);
				streamErrors.set(stream, list);
			},
			// A subscribed stream with no first frame by the deadline: quiet, not cut; worth a line, not an error.
			onNotice: (_stream, message) => ctx.log('warn', message),
			clockOffsetMs: () => clock.offsetMs,
			silentAfterMs: Math.min(ctx.profile.thresholds.streamSilenceMs, windowMs),
			includeRaw: true,
		});
		const stopBook = new AbortController();
		const book = followBook(ctx, symbolUnified, stopBook.signal);
		const startedAt = Date.now();
		try {
			watcher.start(ids);
			await ctx.sleep(windowMs);
			// A stream that dropped late in the window gets the reconnect threshold to come back before it is judged.
			const recoveredOrLate = () =>
				ids.every(id => {
					const stats = watcher.stats(id);
					if (!stats || stats.lastDropAt === null) return true;
					const delivered = stats.lastMessageAt !== null && stats.lastMessageAt > stats.lastDropAt;
					return delivered || Date.now() - stats.lastDropAt > ctx.profile.thresholds.reconnectMs + 2_000;
				});
			while (!recoveredOrLate()) await ctx.sleep(100);
			const elapsed = (Date.now() - startedAt) / 1000;
			let reconnects = 0;
			const unrecovered: string[] = [];
			for (const id of ids) {
				const stats = watcher.stats(id);
				const entry = collected.get(id)!;
				const kind = id.split('@')[1]!.replace(/_.*/, '');
				const messages = stats?.messages ?? 0;
				reconnects += stats?.reconnects ?? 0;
				if (
					stats &&
					stats.reconnects > 0 &&
					!(
						stats.lastMessageAt !== null &&
						stats.lastResubscribedAt !== null &&
						stats.lastMessageAt > stats.lastResubscribedAt
					)
				)
					unrecovered.push(id);
				const errors = streamErrors.get(id) ?? [];
				if (messages === 0) {
					ctx.check({
						id: `${kind}-messages`,
						title: `${id}: messages`,
						verdict: 'no-data',
						measured: 0,
						threshold: '> 0 in the window',
						reason:
							errors.length > 0
								? `no message in ${round(elapsed, 1)} s; ${errors.length} watch errors, last: ${errors[errors.length - 1]}`
								: `connected but silent through its ${round(elapsed, 1)} s window`,
					});
					continue;
				}
				const rate = messages / elapsed;
				pass(ctx, `${kind}-messages`, `${id}: messages`, `${messages} (${round(rate, 1)}/s)`, '> 0 in the window');
				const latency = summarize(entry.latencies.snapshot());
				if (latency.count > 0) {
					limit(ctx, {
						id: `${kind}-latency`,
						title: `${id}: latency p99 (p50 ${round(latency.p50 ?? 0, 1)} ms, n=${latency.count})`,
						measured: latency.p99,
						max: ctx.profile.thresholds.streamP99LatencyMs,
						unit: 'ms',
					});
				}
				if (kind === 'trade' || kind === 'depth') {
					limit(ctx, {
						id: `${kind}-gaps`,
						title: `${id}: sequence gaps (${kind === 'trade' ? 'trade ids' : 'U/u'})`,
						measured: stats?.gaps ?? 0,
						max: 0,
						reason: `${stats?.gaps} gaps, ${stats?.missed} ids missed`,
					});
				}
			}
			const title = 'reconnects during the window';
			if (reconnects === 0) pass(ctx, 'reconnects', title, 0, '= 0');
			else if (unrecovered.length > 0)
				fail(
					ctx,
					'reconnects',
					title,
					`${reconnects} reconnects; ${unrecovered.join(', ')} never delivered again`,
					reconnects,
					'= 0',
				);
			else
				ctx.check({
					id: 'reconnects',
					title,
					verdict: 'warn',
					measured: reconnects,
					threshold: '= 0',
					reason: `${reconnects} reconnects, every stream recovered`,
				});
			const depthId = `${venue}@depth@100ms`;
			const depthErrors = (streamErrors.get(depthId) ?? []).length + book.errors.length;
			try {
				// Without a single diff the "book" is the REST snapshot alone: nothing was kept in sync.
				if ((watcher.stats(depthId)?.messages ?? 0) === 0)
					ctx.check({
						id: 'book-sync',
						title: 'order book in sync with the REST snapshot',
						verdict: 'no-data',
						measured: null,
						threshold: 'in sync',
						reason: 'the diff stream delivered nothing to keep a book with',
					});
				else await checkBookSync(ctx, symbolUnified, book, depthErrors);
			} catch (error) {
				failFromError(ctx, 'book-sync', 'order book in sync with the REST snapshot', error);
			}
		} finally {
			stopBook.abort();
			await watcher.close();
			// The client has no unsubscribe: close the phase's connections (cleanly, no reconnect backoff) so nothing keeps streaming.
			await exchange.closeStreams().catch(() => undefined);
		}
	},
};
