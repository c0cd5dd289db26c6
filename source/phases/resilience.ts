/**
 * resilience: faults injected one at a time, recovery measured.
 * - dropped WebSocket connections: time to detect, to resubscribe, to the first message; messages missed;
 * - timeouts: calls time out (added latency on the mock, a local deadline elsewhere) and recover;
 * - 5xx storm: the circuit breaker opens, short-circuits, half-opens after its pause, closes on a good probe;
 * - insufficient balance: a typed rejection, not a breaker failure;
 * - 429 storm: ridden out by honouring Retry-After.
 * On a real venue only our own connections can be dropped; the rest is skipped with the reason.
 */
import {ExchangeError, isTransientError, toExchangeError} from '../exchange/errors.js';
import {StreamWatcher} from '../exchange/stream-watcher.js';
import type {BreakerState} from '../engine/snapshot.js';
import {errorMessage} from './abort.js';
import {describe, fail, limit, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {round} from './stats.js';
import {isLive, submitOrder} from './trading/orders.js';
import {quote} from './trading/quotes.js';
import {restingBuyPrice, roundAmount} from './trading/sizing.js';

async function clearFaults(ctx: PhaseCtx): Promise<void> {
	await ctx.services.faults
		.clear()
		.catch((error: unknown) => ctx.log('warn', `clearing faults: ${errorMessage(error)}`));
}

async function waitFor(ctx: PhaseCtx, condition: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
	const deadline = performance.now() + timeoutMs;
	while (performance.now() < deadline) {
		if (condition()) return true;
		await ctx.sleep(stepMs);
	}
	return condition();
}

async function droppedConnections(ctx: PhaseCtx, venueSymbol: string): Promise<void> {
	const {exchange, faults} = ctx.services;
	const id = `${venueSymbol.toLowerCase()}@trade`;
	let lastMessageAt: number | null = null;
	const watcher = new StreamWatcher(exchange, {
		onEvent(event) {
			ctx.stream(event);
			if (event.type === 'message') lastMessageAt = event.receivedAt;
		},
		clockOffsetMs: () => ctx.services.clock.offsetMs,
		includeRaw: true,
	});
	const title = 'dropped WebSocket connections: resubscribed';
	try {
		watcher.start([id]);
		if (!(await waitFor(ctx, () => (watcher.stats(id)?.messages ?? 0) > 0, 5_000))) {
			ctx.check({
				id: 'ws-drop-recovery',
				title,
				verdict: 'no-data',
				measured: null,
				threshold: `≤ ${ctx.profile.thresholds.reconnectMs} ms`,
				reason: `${id} delivered nothing in 5 s before the drop`,
			});
			return;
		}
		// Server-side on the mock (the venue closes on us); our own sockets elsewhere.
		const where = faults.mode === 'mock' ? 'server closes every WebSocket' : 'our own connections cut';
		const injectedAt = Date.now();
		await faults.inject({fault: 'drop-websockets'});
		const recovered = ctx.fault('drop-websockets', where);
		const limitMs = ctx.profile.thresholds.reconnectMs;
		const back = await waitFor(
			ctx,
			() => {
				const stats = watcher.stats(id);
				return (
					stats !== undefined &&
					stats.reconnects > 0 &&
					lastMessageAt !== null &&
					stats.lastResubscribedAt !== null &&
					lastMessageAt > stats.lastResubscribedAt
				);
			},
			limitMs + 5_000,
		);
		const stats = watcher.stats(id)!;
		if (!back) {
			fail(
				ctx,
				'ws-drop-recovery',
				title,
				`no message after the drop within ${limitMs + 5_000} ms (reconnects ${stats.reconnects}, status ${stats.status})`,
				null,
				`≤ ${limitMs} ms`,
			);
			return;
		}
		const firstAfter = lastMessageAt!;
		recovered(firstAfter);
		const detect = stats.lastDropAt === null ? null : stats.lastDropAt - injectedAt;
		const resubscribed = stats.lastResubscribedAt! - injectedAt;
		ctx.log(
			'info',
			`drop: detected ${detect} ms, resubscribed ${resubscribed} ms, first message ${firstAfter - injectedAt} ms, ${stats.missed} trade ids missed`,
		);
		limit(ctx, {
			id: 'ws-drop-recovery',
			title: `${title} (detected ${detect ?? '?'} ms, first message ${firstAfter - injectedAt} ms)`,
			measured: resubscribed,
			max: limitMs,
			unit: 'ms',
		});
		// A figure for the reader (streams carry no backfill; the soak recovers trades from REST), not a check that passes.
		ctx.check({
			id: 'ws-drop-missed',
			title: 'messages missed across the drop (no backfill on streams)',
			verdict: 'info',
			measured: stats.missed,
			threshold: null,
			unit: 'trade ids',
		});
	} finally {
		await watcher.close();
		await exchange.closeStreams().catch(() => undefined);
	}
}

async function timeouts(ctx: PhaseCtx, symbol: string): Promise<void> {
	const {exchange, faults} = ctx.services;
	const title = 'calls time out, then recover';
	const deadlineMs = 300;
	const viaMock = faults.supports('latency');
	if (viaMock) await faults.inject({fault: 'latency', params: {ms: 1_000}});
	const recovered = ctx.fault(
		'timeout',
		viaMock ? 'mock adds 1000 ms to every response; calls give up after 300 ms' : 'a 1 ms local deadline on every call',
	);
	let timedOut = 0;
	let other = '';
	try {
		for (let i = 0; i < 3; i++) {
			try {
				await ctx.call('fetchTicker (deadline)', () => exchange.fetchTicker(symbol), {
					retry: false,
					breaker: false,
					timeoutMs: viaMock ? deadlineMs : 1,
				});
			} catch (error) {
				if ((error as {kind?: unknown}).kind === 'timeout') timedOut += 1;
				else other = describe(error);
			}
		}
	} finally {
		if (viaMock) await clearFaults(ctx);
	}
	const clearedAt = performance.now();
	let recoveredMs: number | null = null;
	for (let i = 0; i < 20 && recoveredMs === null; i++) {
		try {
			await ctx.call('fetchTicker', () => exchange.fetchTicker(symbol), {retry: false, breaker: false});
			recoveredMs = performance.now() - clearedAt;
		} catch {
			await ctx.sleep(100);
		}
	}
	if (recoveredMs !== null) recovered();
	if (timedOut !== 3)
		fail(
			ctx,
			'timeouts',
			title,
			`${timedOut}/3 calls timed out${other ? `; other error: ${other}` : ''}`,
			timedOut,
			'3/3 time out',
		);
	else
		limit(ctx, {
			id: 'timeouts',
			title: `${title} (3/3 timed out)`,
			measured: recoveredMs,
			max: ctx.profile.thresholds.reconnectMs,
			unit: 'ms to recover',
			whenMissing: 'fail',
			missingReason: 'calls kept failing after the latency was removed',
		});
}

async function breakerCycle(ctx: PhaseCtx, symbol: string): Promise<void> {
	const {exchange, faults} = ctx.services;
	const title = '5xx storm: breaker opens, half-opens, closes';
	if (!faults.supports('error-rate')) {
		skip(ctx, 'breaker', title, faults.unsupportedReason('error-rate'));
		return;
	}
	const {failureThreshold, openMs} = ctx.profile.breaker;
	const seen: BreakerState[] = [ctx.breakerState()];
	const note = () => {
		const state = ctx.breakerState();
		if (seen[seen.length - 1] !== state) seen.push(state);
		return state;
	};
	await faults.inject({fault: 'error-rate', params: {probability: 1, status: 503}});
	const recovered = ctx.fault('error-rate', 'every REST request answered 503');
	let failures = 0;
	const kinds = new Set<string>();
	let shortCircuited = false;
	try {
		for (let i = 0; i < failureThreshold + 5 && note() !== 'open'; i++) {
			try {
				await ctx.call('fetchTicker', () => exchange.fetchTicker(symbol), {
					retry: false,
					isTransient: isTransientError,
				});
			} catch (error) {
				failures += 1;
				kinds.add(errorKindOf(error));
			}
		}
		if (note() === 'open') {
			const started = performance.now();
			try {
				await ctx.call('fetchTicker', () => exchange.fetchTicker(symbol), {
					retry: false,
					isTransient: isTransientError,
				});
			} catch (error) {
				shortCircuited = errorKindOf(error) === 'breaker-open' && performance.now() - started < 50;
			}
		}
	} finally {
		await clearFaults(ctx);
	}
	const clearedAt = performance.now();
	const opened = seen.includes('open');
	// Wait out the open pause, then probe until closed.
	await waitFor(ctx, () => note() !== 'open', openMs + 2_000, 20);
	let closedAt: number | null = null;
	for (let i = 0; i < 20 && closedAt === null; i++) {
		if (note() === 'open') await waitFor(ctx, () => note() !== 'open', openMs + 2_000, 20);
		try {
			await ctx.call('fetchTicker (probe)', () => exchange.fetchTicker(symbol), {
				retry: false,
				isTransient: isTransientError,
			});
		} catch {
			// Another probe after the next pause.
		}
		if (note() === 'closed') closedAt = performance.now();
	}
	if (closedAt !== null) recovered();
	const trail = seen.join(' → ');
	limit(ctx, {
		id: 'breaker-opens',
		title: `breaker opens after ${failureThreshold} failures (${[...kinds].join(', ') || 'no errors'})`,
		measured: opened ? failures : null,
		max: failureThreshold,
		unit: 'failures',
		whenMissing: 'fail',
		missingReason: `the breaker never opened (${failures} failures, states ${trail})`,
	});
	if (opened) {
		if (shortCircuited)
			pass(
				ctx,
				'breaker-short-circuits',
				'an open breaker refuses calls without sending them',
				true,
				'refused < 50 ms',
			);
		else
			fail(
				ctx,
				'breaker-short-circuits',
				'an open breaker refuses calls without sending them',
				'a call went through (or was slow to be refused) while the breaker was open',
				false,
				'refused',
			);
	}
	const halfOpened = seen.includes('half-open');
	if (!halfOpened)
		fail(
			ctx,
			'breaker-half-open',
			`breaker half-opens after ${openMs} ms`,
			`never observed half-open (states ${trail})`,
			trail,
			'open → half-open → closed',
		);
	else if (closedAt === null)
		fail(
			ctx,
			'breaker-half-open',
			`breaker half-opens after ${openMs} ms`,
			`never closed again (states ${trail})`,
			trail,
			'open → half-open → closed',
		);
	else
		limit(ctx, {
			id: 'breaker-half-open',
			title: `breaker ${trail}`,
			measured: round(closedAt - clearedAt, 0),
			max: openMs + ctx.profile.thresholds.reconnectMs,
			unit: 'ms to close after the storm',
		});
}

function errorKindOf(error: unknown): string {
	if (error instanceof ExchangeError) return error.kind;
	const kind = (error as {kind?: unknown} | null)?.kind;
	return typeof kind === 'string' ? kind : toExchangeError(error).kind;
}

async function insufficientBalance(ctx: PhaseCtx, symbol: string): Promise<void> {
	const title = 'insufficient balance: a typed rejection, breaker untouched';
	if (isLive(ctx.profile)) {
		skip(ctx, 'insufficient-balance', title, 'not provoked with real money');
		return;
	}
	const {exchange, orders} = ctx.services;
	const q = await quote(ctx, symbol);
	const balance = await ctx.call('fetchBalance', () => exchange.fetchBalance(), {isTransient: isTransientError});
	const price = restingBuyPrice(q.market, q.bid, 0.1);
	const free = balance.assets[q.market.quote]?.free ?? 0;
	let amount = roundAmount(q.market, ((free + 100) * 2) / price, 'ceil');
	if (q.market.maxQty !== null && amount > q.market.maxQty) amount = roundAmount(q.market, q.market.maxQty, 'floor');
	if (amount * price <= free) {
		skip(ctx, 'insufficient-balance', title, `${q.market.quote} balance ${free} exceeds the largest order allowed`);
		return;
	}
	const before = ctx.breakerState();
	try {
		const order = await submitOrder(ctx, orders, {
			symbol,
			side: 'buy',
			type: 'limit',
			amount,
			price,
			timeInForce: 'GTC',
			clientOrderId: orders.nextClientOrderId('nsf'),
		});
		await exchange.cancelOrder(symbol, {id: order.id}).catch(() => undefined);
		fail(
			ctx,
			'insufficient-balance',
			title,
			'the venue accepted an order larger than the balance',
			'accepted',
			'insufficient-funds',
		);
	} catch (error) {
		const kind = errorKindOf(error);
		if (kind !== 'insufficient-funds')
			fail(ctx, 'insufficient-balance', title, `rejected as ${kind}: ${describe(error)}`, kind, 'insufficient-funds');
		else if (ctx.breakerState() !== before)
			fail(
				ctx,
				'insufficient-balance',
				title,
				`the breaker moved ${before} → ${ctx.breakerState()} on a rejection`,
				kind,
				'breaker untouched',
			);
		else pass(ctx, 'insufficient-balance', title, kind, 'insufficient-funds, breaker untouched');
	}
}

async function rateLimitStorm(ctx: PhaseCtx, symbol: string): Promise<void> {
	const {exchange, faults} = ctx.services;
	const title = '429 storm: Retry-After honoured, recovered';
	if (!faults.supports('rate-limit-storm')) {
		skip(ctx, 'rate-limit-storm', title, faults.unsupportedReason('rate-limit-storm'));
		return;
	}
	// Short: each 429 counts towards the venue's 418 ban.
	const stormMs = 800;
	await faults.inject({fault: 'rate-limit-storm', params: {retryAfterSec: 1}, durationMs: stormMs});
	const injectedAt = performance.now();
	const recovered = ctx.fault('rate-limit-storm', `429 on every request for ${stormMs} ms`);
	let limited = 0;
	let okAt: number | null = null;
	let lastError = '';
	try {
		for (let i = 0; i < 10 && okAt === null; i++) {
			try {
				await ctx.call('fetchTicker', () => exchange.fetchTicker(symbol), {retry: false, breaker: false});
				okAt = performance.now();
			} catch (error) {
				const typed = toExchangeError(error);
				lastError = describe(error);
				if (typed.kind !== 'ddos' && typed.kind !== 'rate-limit') break;
				limited += 1;
				await ctx.sleep(typed.retryAfterMs ?? 1_000);
			}
		}
	} finally {
		await clearFaults(ctx);
	}
	if (okAt !== null) recovered();
	if (limited === 0)
		fail(
			ctx,
			'rate-limit-storm',
			title,
			okAt === null ? `no 429 seen: ${lastError}` : 'the storm produced no 429',
			0,
			'> 0 × 429, then recovered',
		);
	else
		limit(ctx, {
			id: 'rate-limit-storm',
			title: `${title} (${limited} × 429)`,
			measured: okAt === null ? null : Math.max(0, okAt - injectedAt - stormMs),
			max: ctx.profile.thresholds.reconnectMs,
			unit: 'ms after the storm',
			whenMissing: 'fail',
			missingReason: `still failing: ${lastError}`,
		});
}

export const resiliencePhase: Phase = {
	id: 'resilience',
	title: 'Resilience',
	async run(ctx) {
		const {exchange} = ctx.services;
		const symbol = ctx.profile.symbols[0]!;
		await ctx.call('loadMarkets', () => exchange.loadMarkets(), {isTransient: isTransientError});
		const venueSymbol = exchange.market(symbol).id;
		try {
			const steps: Array<[string, () => Promise<void>]> = [
				['ws-drop-recovery', () => droppedConnections(ctx, venueSymbol)],
				['timeouts', () => timeouts(ctx, symbol)],
				['breaker', () => breakerCycle(ctx, symbol)],
				['insufficient-balance', () => insufficientBalance(ctx, symbol)],
				['rate-limit-storm', () => rateLimitStorm(ctx, symbol)],
			];
			for (const [id, step] of steps) {
				try {
					await step();
				} catch (error) {
					if (ctx.signal.aborted) throw error;
					fail(ctx, id, id, describe(error));
				}
			}
		} finally {
			await clearFaults(ctx);
		}
	},
};
