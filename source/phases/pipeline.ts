/**
 * pipeline: strategies turn market data into signals (the moving-average crossover and a user strategy
 * replayed over real candles and trades; the pinger on its clock), the risk manager decides (its
 * rejections are decisions, counted with ctx.riskRejection), accepted signals become orders, and at
 * the end local orders and positions reconcile with the venue with zero discrepancies. End-to-end
 * latency: signal → acknowledged order, p50/p99.
 */
import {isTransientError} from '../exchange/errors.js';
import type {Balance} from '../exchange/exchange-client.js';
import {errorMessage} from './abort.js';
import {describe, fail, limit, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {flatten} from './orders.js';
import {round, summarize} from './stats.js';
import {PriceReference, tradeCycle, type PipelineDeps} from './trading/cycle.js';
import {cancelAllOurs, isLive, tradingBlockedReason} from './trading/orders.js';
import {RiskManager} from './trading/risk.js';
import {
	createMaCrossover,
	createPinger,
	signalsOf,
	validSignal,
	type Strategy,
	type StrategySignal,
} from './trading/strategy.js';
import {loadStrategyFile} from './trading/strategy-loader.js';
import {discrepancies} from './trading/tracker.js';

export function riskManagerFor(ctx: PhaseCtx): RiskManager {
	return new RiskManager(ctx.profile.risk, isLive(ctx.profile) ? ctx.profile.live : null);
}

export function orderNotionalFor(ctx: PhaseCtx, minNotional: number | null): number {
	const notional = Math.max(ctx.profile.soak.orderNotional, (minNotional ?? 0) * 1.1);
	return isLive(ctx.profile) ? Math.min(notional, ctx.profile.live.perOrderNotionalCap) : notional;
}

/** Replays candles and trades through a strategy; returns the valid signals and the invalid outputs. */
async function replay(
	ctx: PhaseCtx,
	strategy: Strategy,
	symbol: string,
): Promise<{signals: StrategySignal[]; invalid: number; inputs: number}> {
	const {exchange} = ctx.services;
	const history = await ctx.call(
		'fetchOHLCVHistory',
		signal => exchange.fetchOHLCVHistory(symbol, '1m', 500, {signal}),
		{isTransient: isTransientError},
	);
	const trades = await ctx.call('fetchTrades', () => exchange.fetchTrades(symbol, undefined, 200), {
		isTransient: isTransientError,
	});
	const signals: StrategySignal[] = [];
	let invalid = 0;
	const collect = (output: unknown) => {
		for (const item of signalsOf(output as never)) {
			if (validSignal(item)) signals.push(item);
			else invalid += 1;
		}
	};
	for (const candle of history.candles) collect(strategy.onCandle?.({symbol, ...candle}));
	for (const trade of trades)
		collect(
			strategy.onTrade?.({symbol, time: trade.timestamp, price: trade.price, amount: trade.amount, side: trade.side}),
		);
	return {signals, invalid, inputs: history.candles.length + trades.length};
}

function checkRiskManager(ctx: PhaseCtx, price: number): void {
	// A private manager with the profile's limits, fed orders that must each break exactly one rule.
	const risk = riskManagerFor(ctx);
	const {maxOrderNotional, maxPosition, maxOpenOrders} = ctx.profile.risk;
	const symbol = ctx.profile.symbols[0]!;
	const results: string[] = [];
	const expect = (rule: string, order: {side: 'buy' | 'sell'; amount: number}) => {
		const decision = risk.evaluate({symbol, price, ...order});
		if (decision.ok) {
			risk.settle({symbol, price, ...order});
			results.push(`${rule}: accepted`);
			return;
		}
		ctx.riskRejection(`${decision.rule}: ${decision.reason} (pipeline self-test)`);
		if (decision.rule !== rule) results.push(`${rule}: rejected as ${decision.rule}`);
	};
	expect('max-order-notional', {side: 'buy', amount: (maxOrderNotional * 1.5) / price});
	// Fill up to the position limit with orders small enough for the notional rule, then one more.
	risk.fill(symbol, 'buy', maxPosition, price);
	expect('max-position', {side: 'buy', amount: Math.min(maxPosition, (maxOrderNotional * 0.5) / price)});
	risk.fill(symbol, 'sell', maxPosition, price);
	const small = Math.min(maxPosition / (maxOpenOrders + 2), (maxOrderNotional * 0.5) / price);
	const held: Array<{symbol: string; price: number; side: 'buy'; amount: number}> = [];
	for (let i = 0; i < maxOpenOrders; i++) {
		const order = {symbol, price, side: 'buy' as const, amount: small};
		if (risk.evaluate(order).ok) held.push(order);
	}
	expect('max-open-orders', {side: 'buy', amount: small});
	for (const order of held) risk.settle(order);
	// A realised loss beyond the daily limit stops new orders.
	const lossAmount = Math.min(maxPosition, (maxOrderNotional * 0.5) / price);
	const loss = ctx.profile.risk.dailyLossLimit * 1.1;
	risk.fill(symbol, 'buy', lossAmount, price);
	risk.fill(symbol, 'sell', lossAmount, price - loss / lossAmount);
	expect('daily-loss', {side: 'buy', amount: small});
	const title = 'risk manager rejects each breach (notional, position, open orders, daily loss)';
	if (results.length > 0)
		fail(ctx, 'risk-rules', title, results.join('; '), `${4 - results.length}/4`, '4/4 rejected by the right rule');
	else pass(ctx, 'risk-rules', title, '4/4', '4/4 rejected by the right rule');
}

async function positionReconciles(
	ctx: PhaseCtx,
	start: Balance,
	base: string,
	localNet: number,
	baseFees: number,
): Promise<void> {
	const end = await ctx.call('fetchBalance', () => ctx.services.exchange.fetchBalance(), {
		isTransient: isTransientError,
	});
	const actual = (end.assets[base]?.total ?? 0) - (start.assets[base]?.total ?? 0);
	const expected = localNet - baseFees;
	const off = Math.abs(actual - expected);
	const tolerance = Math.max(1e-8, Math.abs(expected) * 1e-6);
	const title = `position reconciles with the venue (${base} moved ${round(actual, 10)}, local ${round(expected, 10)})`;
	if (off > tolerance)
		fail(
			ctx,
			'position-reconciles',
			title,
			`the ${base} balance moved ${round(actual, 10)} but our fills say ${round(expected, 10)}`,
			round(off, 10),
			`≤ ${tolerance}`,
		);
	else pass(ctx, 'position-reconciles', title, round(off, 10), `≤ ${tolerance}`);
}

export const pipelinePhase: Phase = {
	id: 'pipeline',
	title: 'Signal → risk → order pipeline',
	async run(ctx) {
		const {exchange, orders} = ctx.services;
		const symbol = ctx.profile.symbols[0]!;
		await ctx.call('loadMarkets', () => exchange.loadMarkets(), {isTransient: isTransientError});
		const market = exchange.market(symbol);

		// Strategies: the built-in crossover over real candles; a user strategy when the profile names one.
		const ma = await replay(ctx, createMaCrossover({symbol}), symbol);
		if (ma.signals.length > 0)
			pass(
				ctx,
				'strategy-ma-crossover',
				`moving-average crossover over ${ma.inputs} candles/trades`,
				`${ma.signals.length} signals`,
				'≥ 1 signal',
			);
		else
			ctx.check({
				id: 'strategy-ma-crossover',
				title: `moving-average crossover over ${ma.inputs} candles/trades`,
				verdict: 'warn',
				measured: 0,
				threshold: '≥ 1 signal',
				reason: 'the averages never crossed in the replayed history',
			});
		let user: Strategy | null = null;
		let userSignals: StrategySignal[] = [];
		if (ctx.profile.strategy.file) {
			const title = `user strategy ${ctx.profile.strategy.file}`;
			try {
				user = await loadStrategyFile(ctx.profile.strategy.file, {symbol}, ctx.services.cwd);
				const replayed = await replay(ctx, user, symbol);
				userSignals = replayed.signals;
				if (replayed.invalid > 0)
					fail(
						ctx,
						'strategy-user',
						title,
						`${replayed.invalid} outputs are not valid signals ({symbol, side: buy|sell, type?, price?, amount?})`,
						replayed.invalid,
						'0 invalid',
					);
				else
					pass(
						ctx,
						'strategy-user',
						`${title} (${user.name})`,
						`${replayed.signals.length} signals over ${replayed.inputs} inputs`,
						'loads, valid signals',
					);
			} catch (error) {
				fail(ctx, 'strategy-user', title, errorMessage(error), null, 'loads, valid signals');
				user = null;
			}
		} else skip(ctx, 'strategy-user', 'user strategy', 'the profile names no strategy.file');

		const ticker = await ctx.call('fetchTicker', () => exchange.fetchTicker(symbol), {isTransient: isTransientError});
		checkRiskManager(ctx, ticker.last ?? ticker.ask ?? 1);

		const blocked = tradingBlockedReason(ctx);
		if (blocked) {
			skip(ctx, 'signal-to-order', 'signals become orders', blocked);
			return;
		}
		const deps: PipelineDeps = {
			ctx,
			market,
			risk: riskManagerFor(ctx),
			tracker: orders,
			notional: orderNotionalFor(ctx, market.minNotional),
			tag: 'pipe',
			verifyEachOrder: true,
		};
		const prices = new PriceReference();
		prices.update(ticker.last);
		const start = await ctx.call('fetchBalance', () => exchange.fetchBalance(), {isTransient: isTransientError});
		const pinger = user?.onTick ? user : createPinger({symbol});
		let net = 0;
		let baseFees = 0;
		const acks: number[] = [];
		const problems: string[] = [];
		const settledDiscrepancies: string[] = [];
		let cycles = 0;
		try {
			// Signals from the clock-driven strategy: fills (buy, sell, …) and a resting order cancelled every third cycle.
			// Then the most recent signals of the data-driven strategies (the replayed crossover, the user's), traded now.
			const replayedSignals = [...ma.signals.slice(-2), ...userSignals.slice(-2)].map(signal => ({...signal, symbol}));
			const batches: Array<{signals: StrategySignal[]; mode: 'fill' | 'rest'}> = [];
			for (let i = 0; i < 9; i++)
				batches.push({
					signals: signalsOf(pinger.onTick?.(Date.now()))
						.filter(validSignal)
						.map(signal => ({...signal, symbol})),
					mode: i % 3 === 2 ? 'rest' : 'fill',
				});
			for (const signal of replayedSignals) batches.push({signals: [signal], mode: 'fill'});
			for (const {signals, mode} of batches) {
				for (const signal of signals) {
					const outcome = await tradeCycle(deps, prices, signal, mode);
					cycles += 1;
					if (outcome.ackMs !== null) acks.push(outcome.ackMs);
					if (outcome.discrepancy) settledDiscrepancies.push(outcome.discrepancy);
					if (!outcome.ok && outcome.outcome === 'failed') problems.push(describe(outcome.error));
					if (outcome.order && outcome.order.filled > 0) {
						net += outcome.order.side === 'buy' ? outcome.order.filled : -outcome.order.filled;
						for (const fill of outcome.order.fills) if (fill.fee?.currency === market.base) baseFees += fill.fee.cost;
					}
				}
			}
			const title = `signals become orders (${cycles} cycles: ${pinger.name}, then ${replayedSignals.length} replayed strategy signals)`;
			if (cycles === 0)
				ctx.check({
					id: 'signal-to-order',
					title,
					verdict: 'no-data',
					measured: 0,
					threshold: 'all placed',
					reason: `${pinger.name} emitted no signal`,
				});
			else if (problems.length > 0)
				fail(
					ctx,
					'signal-to-order',
					title,
					`${problems.length} failed: ${problems[0]}`,
					`${cycles - problems.length}/${cycles}`,
					'all placed',
				);
			else pass(ctx, 'signal-to-order', title, `${cycles}/${cycles}`, 'all placed');
			const latency = summarize(acks);
			limit(ctx, {
				id: 'signal-to-ack-p99',
				title: `signal → acknowledged order p99 (p50 ${round(latency.p50 ?? 0, 2)} ms, n=${latency.count})`,
				measured: latency.p99,
				max: ctx.profile.thresholds.orderAckP99Ms,
				unit: 'ms',
			});
			const report = await orders.reconcile(exchange, [symbol]);
			const count = discrepancies(report) + settledDiscrepancies.length;
			const detail = [
				...settledDiscrepancies,
				...report.orphans.map(id => `orphan ${id}`),
				...report.missing.map(id => `missing ${id}`),
				...report.mismatched.map(id => `mismatched ${id}`),
				...report.duplicates.map(id => `duplicate ${id}`),
			];
			limit(ctx, {
				id: 'orders-reconcile',
				title: `local orders reconcile with the venue (${report.checked} open checked, ${cycles} settled)`,
				measured: count,
				max: 0,
				reason: detail.slice(0, 3).join('; '),
			});
			await positionReconciles(ctx, start, market.base, net, baseFees);
		} finally {
			await cancelAllOurs(exchange, orders, [symbol], ctx);
			if (!ctx.signal.aborted) await flatten(ctx, symbol, net).catch(() => undefined);
		}
	},
};
