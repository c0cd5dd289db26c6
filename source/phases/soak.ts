/**
 * soak: trade cycles at the profile's rate for the run's soak duration. Each operation is one full
 * cycle through the pipeline (signal → risk → order → ack → fill or cancel → reconcile), reported with
 * ctx.operation() with the order's round trip as its latency (the guides' "average response time") and
 * the whole cycle's beside it; orders and positions are counted as they happen. Every 30 s the whole book is
 * reconciled. On the way out every open order is cancelled and the position traded back. Final checks:
 * the achieved rate, success rate, average latency and consistency. Critical errors, errors/hour,
 * CPU, memory slope and the grade are the engine's own soak checks (it sees every error and sample).
 */
import {isTransientError} from '../exchange/errors.js';
import type {Balance, Order} from '../exchange/exchange-client.js';
import {errorMessage, pause} from './abort.js';
import {describe, fail, limit, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {flatten} from './orders.js';
import {orderNotionalFor, riskManagerFor} from './pipeline.js';
import {round} from './stats.js';
import {SoakStreams, type BackfillTotals} from './soak-streams.js';
import {SoakUserData} from './soak-user-data.js';
import {PriceReference, tradeCycle, type CycleResult, type PipelineDeps} from './trading/cycle.js';
import {cancelAllOurs, tradingBlockedReason} from './trading/orders.js';
import {amountForNotional} from './trading/sizing.js';
import {createPinger, signalsOf, validSignal, type PingerOptions, type Strategy} from './trading/strategy.js';
import {loadStrategyFile} from './trading/strategy-loader.js';
import {discrepancies} from './trading/tracker.js';
import {runSutSoak} from './sut-soak.js';

const reconcileEveryMs = 30_000;

interface SoakTally {
	blocked: number;
	/** Of `blocked`, cycles launched before the kill switch engaged and stopped by it before their order. */
	blockedInFlight: number;
	operations: number;
	succeeded: number;
	failed: number;
	/** Of `failed`, those with a fault drydock injected active at some moment of the cycle (chaos, operator tests): not graded. */
	failedDuringFaults: number;
	/** Order round trips (the graded latency). */
	latencySum: number;
	peak: number;
	/** Whole cycles (signal → settled), reported beside it. */
	cycleSum: number;
	critical: number;
	discrepancies: number;
	net: number;
	baseFees: number;
	lastError: string | null;
}

async function soakStrategy(ctx: PhaseCtx, symbol: string, pinger: PingerOptions): Promise<Strategy> {
	const file = ctx.profile.strategy.file;
	if (file) {
		try {
			const user = await loadStrategyFile(file, {symbol}, ctx.services.cwd);
			if (user.onTick) return user;
			ctx.log('info', `${user.name} has no onTick: the soak drives the built-in pinger`);
		} catch (error) {
			ctx.log('warn', `user strategy not used for the soak: ${errorMessage(error)}`);
		}
	}
	return createPinger(pinger);
}

function record(ctx: PhaseCtx, tally: SoakTally, outcome: CycleResult, base: string): void {
	// The kill switch stopped it before any order: not a trade cycle, not a failure.
	if (outcome.outcome === 'blocked') {
		tally.blocked += 1;
		tally.blockedInFlight += 1;
		return;
	}
	tally.operations += 1;
	// The graded latency is one venue round trip (the order placed and acknowledged), as the guides'
	// "average response time"; the whole cycle's is reported beside it.
	const latencyMs = outcome.orderMs ?? outcome.latencyMs;
	tally.latencySum += latencyMs;
	tally.peak = Math.max(tally.peak, latencyMs);
	tally.cycleSum += outcome.latencyMs;
	const failure = outcome.ok ? null : (outcome.discrepancy ?? describe(outcome.error));
	if (outcome.ok) tally.succeeded += 1;
	else {
		tally.failed += 1;
		// Over the cycle's whole life, asked right before ctx.operation below: the engine's grade and this check agree.
		if (ctx.faultActive(outcome.latencyMs)) tally.failedDuringFaults += 1;
		else tally.lastError = failure;
	}
	if (outcome.discrepancy) {
		tally.discrepancies += 1;
		tally.critical += 1;
		ctx.error({kind: 'reconcile', message: `order discrepancy: ${outcome.discrepancy}`, critical: true});
	}
	if (outcome.order && outcome.order.filled > 0) {
		tally.net += outcome.order.side === 'buy' ? outcome.order.filled : -outcome.order.filled;
		for (const fill of outcome.order.fills) if (fill.fee?.currency === base) tally.baseFees += fill.fee.cost;
	}
	const kind = (outcome.error as {kind?: unknown} | null)?.kind;
	ctx.operation({
		kind: 'trade-cycle',
		ok: outcome.ok,
		latencyMs,
		cycleLatencyMs: outcome.latencyMs,
		...(outcome.ok
			? {}
			: {
					error: {
						kind: typeof kind === 'string' ? kind : outcome.discrepancy ? 'reconcile' : 'error',
						message: failure ?? 'failed',
						...(outcome.discrepancy ? {critical: true} : {}),
					},
				}),
	});
}

/** Trades missed on the streams (across reconnects) and what REST gave back of them. */
function backfillCheck(ctx: PhaseCtx, totals: BackfillTotals, streams: number): void {
	const title = `trades missed on the streams backfilled from REST (${totals.gaps} gaps over ${streams} streams)`;
	if (streams === 0) {
		ctx.check({
			id: 'stream-backfill',
			title,
			verdict: 'no-data',
			measured: null,
			threshold: '0 lost',
			reason: 'no stream was watched',
		});
		return;
	}
	const measured = `${totals.recovered}/${totals.missed} recovered`;
	if (totals.lost === 0) {
		pass(ctx, 'stream-backfill', title, measured, '0 lost');
		return;
	}
	const why =
		totals.failed > 0
			? `; ${totals.failed} backfills failed (last: ${totals.lastError ?? 'unknown'})`
			: '; REST no longer had them';
	ctx.check({
		id: 'stream-backfill',
		title,
		verdict: 'warn',
		measured,
		threshold: '0 lost',
		reason: `${totals.lost} of ${totals.missed} missed trades lost${why}`,
	});
}

export const soakPhase: Phase = {
	id: 'soak',
	title: 'Soak',
	async run(ctx) {
		const durationMs = ctx.soakDurationMs;
		if (durationMs <= 0) {
			skip(ctx, 'soak', 'soak', 'the plan has no soak duration');
			return;
		}
		// A system under test in the dock: the soak judges it instead of running drydock's own loop.
		if (ctx.services.sut) return runSutSoak(ctx, ctx.services.sut, backfillCheck);
		const blocked = tradingBlockedReason(ctx);
		if (blocked) {
			skip(ctx, 'soak', 'soak', blocked);
			return;
		}
		const {exchange, orders} = ctx.services;
		const symbol = ctx.profile.symbols[0]!;
		await ctx.call('loadMarkets', () => exchange.loadMarkets(), {isTransient: isTransientError});
		const market = exchange.market(symbol);
		const rate = ctx.profile.soak.ratePerSecond;
		const intervalMs = 1000 / rate;
		// One request per order costs more weight than the venue allows at high rates: verify every order only when slow.
		const verifyEvery = Math.max(1, Math.ceil(rate / 2));
		// Cycles overlap when the venue is slower than the schedule, so the rate holds (bounded: at most 16 in flight).
		const maxInFlight = Math.max(2, Math.min(16, Math.ceil(rate / 2)));
		const deps: PipelineDeps = {
			ctx,
			market,
			risk: riskManagerFor(ctx),
			tracker: orders,
			notional: orderNotionalFor(ctx, market.minNotional),
			tag: 'soak',
			verifyEachOrder: false,
		};
		const prices = new PriceReference();
		const tally: SoakTally = {
			blocked: 0,
			blockedInFlight: 0,
			operations: 0,
			succeeded: 0,
			failed: 0,
			failedDuringFaults: 0,
			latencySum: 0,
			peak: 0,
			cycleSum: 0,
			critical: 0,
			discrepancies: 0,
			net: 0,
			baseFees: 0,
			lastError: null,
		};
		// The built-in pinger stays within a few orders of flat: over a 24 h soak any drift (a failed leg, a
		// fill under a fault) would otherwise add up until one balance runs dry and every order on that side fails.
		let band: number | undefined;
		try {
			band = 3 * amountForNotional(market, deps.notional, await prices.get(ctx, symbol));
		} catch (error) {
			ctx.log('warn', `no reference price to size the pinger's band around flat: ${errorMessage(error)}`);
		}
		const strategy = await soakStrategy(ctx, symbol, {
			symbol,
			position: () => tally.net,
			...(band !== undefined ? {band} : {}),
		});
		let start: Balance | null = null;
		try {
			start = await ctx.call('fetchBalance', () => exchange.fetchBalance(), {isTransient: isTransientError});
		} catch (error) {
			ctx.log('warn', `no starting balance for the consistency check: ${errorMessage(error)}`);
		}
		// Market streams of every symbol for the whole soak (stability, gaps, reconnects; backfill from REST).
		const streams = new SoakStreams(ctx, ctx.profile.symbols);
		const streamIds = streams.start();
		// The user data stream for the whole soak: every settled order is reconciled against it.
		const userData = new SoakUserData(ctx, symbol);
		await userData.ready(2_000);
		const startedAt = performance.now();
		const endAt = startedAt + durationMs;
		const inFlight = new Set<Promise<void>>();
		let cycle = 0;
		let nextAt = startedAt;
		let lastReconcile = startedAt;
		let skipped = 0;
		let launched = 0;
		let cleanupRemaining = 0;
		let cleanupFailed: string[] = [];
		let flattened: Order | null = null;
		let loopEndedAt: number | null = null;
		try {
			while (!ctx.signal.aborted && performance.now() < endAt) {
				// No slot left in the schedule: see the duration out, then stop (timers may fire a little early,
				// so the end is decided by the schedule, not by re-reading the clock).
				if (nextAt >= endAt) {
					await pause(Math.max(0, endAt - performance.now()), ctx.signal);
					break;
				}
				const wait = nextAt - performance.now();
				if (wait > 0 && !(await pause(wait, ctx.signal))) break;
				while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
				// Fell far behind (a stall): resume the schedule from now instead of bursting to catch up.
				if (performance.now() - nextAt > 1_000) {
					skipped += Math.floor((performance.now() - nextAt) / intervalMs);
					nextAt = performance.now();
				}
				nextAt += intervalMs;
				cycle += 1;
				const signals = signalsOf(strategy.onTick?.(Date.now())).filter(validSignal);
				const signal = signals[0] ? {...signals[0], symbol} : null;
				if (signal === null) continue;
				// Every fifth buy/sell pair rests (the cancel path): resting one side only would leave the fills one-sided.
				const mode = Math.floor((cycle - 1) / 2) % 5 === 0 ? 'rest' : 'fill';
				const cycleDeps = cycle % verifyEvery === 0 ? {...deps, verifyEachOrder: true} : deps;
				// The kill switch holds trading: nothing is launched (and the rate shows it).
				if (ctx.killSwitchEngaged()) {
					tally.blocked += 1;
					continue;
				}
				launched += 1;
				const cycleStartedAt = Date.now();
				const task = tradeCycle(cycleDeps, prices, signal, mode).then(
					outcome => {
						record(ctx, tally, outcome, market.base);
						if (outcome.ok && outcome.order) userData.expect(outcome.order, cycleStartedAt);
					},
					error => {
						tally.failed += 1;
						tally.lastError = errorMessage(error);
					},
				);
				const tracked = task.finally(() => inFlight.delete(tracked));
				inFlight.add(tracked);
				if (performance.now() - lastReconcile >= reconcileEveryMs && inFlight.size <= 1) {
					await Promise.all(inFlight);
					lastReconcile = performance.now();
					try {
						const report = await orders.reconcile(exchange, [symbol]);
						const count = discrepancies(report);
						if (count > 0) {
							tally.discrepancies += count;
							tally.critical += 1;
							ctx.error({
								kind: 'reconcile',
								message: `${count} order discrepancies (orphans ${report.orphans.length}, missing ${report.missing.length}, mismatched ${report.mismatched.length})`,
								critical: true,
							});
						}
					} catch (error) {
						ctx.log('warn', `periodic reconcile failed: ${errorMessage(error)}`);
					}
				}
			}
			// The schedule ended here; the tail of in-flight cycles is not part of the rate.
			loopEndedAt = performance.now();
			await Promise.allSettled(inFlight);
		} finally {
			await Promise.allSettled(inFlight);
			const cleanup = await cancelAllOurs(exchange, orders, [symbol], ctx);
			cleanupRemaining = cleanup.remaining;
			cleanupFailed = cleanup.failed;
			if (!ctx.signal.aborted) {
				flattened = await flatten(ctx, symbol, tally.net).catch(() => null);
				// Before the streams close: the flattening's account update must reach the stream too.
				await userData.finish();
			}
			userData.stop();
			await streams.stop();
		}
		const elapsedS = ((loopEndedAt ?? performance.now()) - startedAt) / 1000;
		backfillCheck(ctx, streams.totals, streamIds.length);
		if (tally.operations === 0) {
			ctx.check({
				id: 'soak-operations',
				title: 'soak operations',
				verdict: 'no-data',
				measured: 0,
				threshold: `${rate}/s`,
				reason: tally.blocked > 0 ? `the kill switch blocked all ${tally.blocked} cycles` : 'no operation completed',
			});
			return;
		}
		// Started operations over the loop's time: the schedule is what the profile's rate asks for. A cycle
		// the kill switch stopped before its order (blocked) was not an operation.
		const started = launched - tally.blockedInFlight;
		const achieved = started / elapsedS;
		if (tally.blocked > 0) ctx.log('warn', `${tally.blocked} soak cycles blocked by the kill switch`);
		limit(ctx, {
			id: 'soak-rate',
			title: `operations at the profile's rate (${started} started, ${tally.operations} completed in ${round(elapsedS, 1)} s${skipped ? `, ${skipped} skipped while stalled` : ''})`,
			measured: round(achieved, 3),
			min: round(rate * 0.9, 3),
			unit: 'ops/s',
		});
		// Failures under a fault drydock injected on purpose are the chaos checks' business (recovery budgets),
		// not the system's grade; successes inside fault windows are real and stay in.
		const excluded = tally.failedDuringFaults;
		const judged = tally.operations - excluded;
		const rateTitle =
			excluded > 0 ? `success rate (${excluded} failed under injected faults not counted)` : 'success rate';
		const minRate = ctx.profile.grades.B.minSuccessRate;
		if (judged === 0)
			ctx.check({
				id: 'soak-success-rate',
				title: rateTitle,
				verdict: 'no-data',
				measured: null,
				threshold: `≥ ${minRate * 100} %`,
				unit: '%',
				reason: `all ${tally.operations} operations failed under injected faults`,
			});
		else {
			const successRate = tally.succeeded / judged;
			const otherFailures = tally.failed - excluded;
			if (successRate < minRate)
				ctx.check({
					id: 'soak-success-rate',
					title: rateTitle,
					verdict: 'warn',
					measured: round(successRate * 100, 3),
					threshold: `≥ ${minRate * 100} %`,
					unit: '%',
					reason: `${otherFailures} of ${judged} failed (last: ${tally.lastError ?? 'unknown'}): grade C`,
				});
			else pass(ctx, 'soak-success-rate', rateTitle, round(successRate * 100, 3), `≥ ${minRate * 100} %`, '%');
		}
		const average = tally.latencySum / tally.operations;
		const maxAvg = ctx.profile.grades.B.maxAvgLatencyMs;
		const latencyTitle = `average order round trip (peak ${round(tally.peak, 1)} ms; whole cycle ${round(tally.cycleSum / tally.operations, 1)} ms)`;
		if (average >= maxAvg)
			ctx.check({
				id: 'soak-latency',
				title: latencyTitle,
				verdict: 'warn',
				measured: round(average, 2),
				threshold: `< ${maxAvg} ms`,
				unit: 'ms',
				reason: 'slower than grade B allows',
			});
		else pass(ctx, 'soak-latency', latencyTitle, round(average, 2), `< ${maxAvg} ms`, 'ms');
		// Errors per hour, critical errors, CPU, memory slope and the grade are added by the engine, which sees every error.
		// Consistency: nothing left open, and the base balance moved exactly by our fills.
		const problems: string[] = [];
		if (cleanupRemaining > 0) problems.push(`${cleanupRemaining} orders left open`);
		problems.push(...cleanupFailed);
		let end: Balance | null = null;
		if (start !== null && !ctx.signal.aborted) {
			try {
				end = await ctx.call('fetchBalance', () => exchange.fetchBalance(), {isTransient: isTransientError});
				// After flattening the net should be back near zero; compare the balance move with every fill we made.
				const moved = (end.assets[market.base]?.total ?? 0) - (start.assets[market.base]?.total ?? 0);
				const flat = flattened;
				const flatNet = flat === null ? 0 : flat.side === 'buy' ? flat.filled : -flat.filled;
				const flatFees =
					flat === null
						? 0
						: flat.fills.reduce((sum, fill) => sum + (fill.fee?.currency === market.base ? fill.fee.cost : 0), 0);
				const expected = tally.net + flatNet - tally.baseFees - flatFees;
				if (Math.abs(moved - expected) > Math.max(1e-8, Math.abs(expected) * 1e-6))
					problems.push(`${market.base} moved ${round(moved, 10)}, fills say ${round(expected, 10)}`);
			} catch (error) {
				problems.push(`final balance unreadable: ${errorMessage(error)}`);
			}
		}
		if (problems.length > 0)
			fail(
				ctx,
				'soak-consistency',
				'position consistent at the end (orders cancelled, balance = fills)',
				problems.join('; '),
				problems.length,
				'0 problems',
			);
		else
			pass(
				ctx,
				'soak-consistency',
				'position consistent at the end (orders cancelled, balance = fills)',
				0,
				'0 problems',
			);
		// Reconciled from the user data stream: every settled order, and the balances at the end.
		if (!ctx.signal.aborted) await userData.check(end, [market.base, market.quote]);
	},
};
