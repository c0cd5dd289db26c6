/**
 * One trade cycle through the pipeline: signal → risk check → order → acknowledgement → fill or
 * cancel → reconciliation of that order with the venue. The pipeline, concurrency and soak phases all
 * trade through it, so a soak operation is exactly what the pipeline phase proved.
 */
import {isTransientError} from '../../exchange/errors.js';
import type {MarketInfo, Order} from '../../exchange/exchange-client.js';
import type {PhaseCtx} from '../phase-contract.js';
import {KillSwitchError, cancelTracked, submitOrder} from './orders.js';
import type {RiskManager} from './risk.js';
import {amountForNotional, restingBuyPrice, restingSellPrice, roundAmount} from './sizing.js';
import type {StrategySignal} from './strategy.js';
import type {OrderTracker} from './tracker.js';

export interface PipelineDeps {
	ctx: PhaseCtx;
	market: MarketInfo;
	risk: RiskManager;
	tracker: OrderTracker;
	/** Quote notional of an order when the signal gives no amount. */
	notional: number;
	/** Tag in clientOrderIds (which strategy/phase placed it). */
	tag: string;
	/** Compare each order with the venue's record after it settles (costs one request). */
	verifyEachOrder: boolean;
}

export type CycleOutcome = 'filled' | 'canceled' | 'unfilled' | 'risk-rejected' | 'blocked' | 'failed';

export interface CycleResult {
	outcome: CycleOutcome;
	/** A decision (risk rejection, kill switch) counts as ok: the pipeline did its job. */
	ok: boolean;
	/** Signal → settled. */
	latencyMs: number;
	/** Signal → acknowledged order; null when no order was acknowledged. */
	ackMs: number | null;
	/** The order's own round trip (sent → acknowledged by the venue); null when no order was acknowledged. */
	orderMs: number | null;
	/** The venue's record disagreed with ours after the order settled. */
	discrepancy: string | null;
	order: Order | null;
	error: unknown;
}

/** The reference price for sizing: refreshed from the ticker when older than `maxAgeMs`. */
export class PriceReference {
	private price: number | null = null;
	private at = 0;

	constructor(private readonly maxAgeMs = 5_000) {}

	update(price: number | null): void {
		if (price !== null && price > 0) {
			this.price = price;
			this.at = Date.now();
		}
	}

	async get(ctx: PhaseCtx, symbol: string): Promise<number> {
		if (this.price !== null && Date.now() - this.at < this.maxAgeMs) return this.price;
		const ticker = await ctx.call('fetchTicker', () => ctx.services.exchange.fetchTicker(symbol), {
			isTransient: isTransientError,
		});
		const price = ticker.last ?? (ticker.bid !== null && ticker.ask !== null ? (ticker.bid + ticker.ask) / 2 : null);
		if (price === null || !(price > 0)) throw new Error(`${symbol}: the ticker has no price to size orders with`);
		this.update(price);
		return price;
	}
}

function elapsed(since: number): number {
	return performance.now() - since;
}

/**
 * Runs one signal through the pipeline. `mode` 'rest' places a limit far from the market and cancels
 * it (the cancel path); 'fill' takes liquidity (market, or the signal's own limit, cancelled if it
 * does not fill at once).
 */
export async function tradeCycle(
	deps: PipelineDeps,
	prices: PriceReference,
	signal: StrategySignal,
	mode: 'fill' | 'rest',
	signalAt = performance.now(),
): Promise<CycleResult> {
	const {ctx, market, risk, tracker} = deps;
	const symbol = market.symbol;
	const result = (outcome: CycleOutcome, ok: boolean, extra: Partial<CycleResult> = {}): CycleResult => ({
		outcome,
		ok,
		latencyMs: elapsed(signalAt),
		ackMs: null,
		orderMs: null,
		discrepancy: null,
		order: null,
		error: null,
		...extra,
	});
	if (ctx.killSwitchEngaged()) return result('blocked', true);
	let reference: number;
	try {
		reference = await prices.get(ctx, symbol);
	} catch (error) {
		return result('failed', false, {error});
	}
	const resting = mode === 'rest';
	const price = resting
		? signal.side === 'buy'
			? restingBuyPrice(market, reference, 0.1)
			: restingSellPrice(market, reference, 0.1)
		: signal.type === 'limit' && signal.price
			? signal.price
			: null;
	const sizingPrice = price ?? reference;
	const amount =
		signal.amount !== undefined
			? roundAmount(market, signal.amount, 'round')
			: amountForNotional(market, deps.notional, sizingPrice);
	const riskOrder = {symbol, side: signal.side, amount, price: sizingPrice};
	const decision = risk.evaluate(riskOrder);
	if (!decision.ok) {
		ctx.riskRejection(`${decision.rule}: ${decision.reason}`);
		return result('risk-rejected', true);
	}
	let order: Order | null = null;
	let ackMs: number | null = null;
	let orderMs: number | null = null;
	let sentAt: number | null = null;
	try {
		const clientOrderId = tracker.nextClientOrderId(deps.tag);
		sentAt = performance.now();
		order = await submitOrder(
			ctx,
			tracker,
			price === null
				? {symbol, side: signal.side, type: 'market', amount, clientOrderId}
				: {symbol, side: signal.side, type: 'limit', amount, price, timeInForce: 'GTC', clientOrderId},
		);
		ackMs = elapsed(signalAt);
		orderMs = elapsed(sentAt);
		if (order.status === 'open') order = (await cancelTracked(ctx, tracker, symbol, clientOrderId)) ?? order;
		if (order.filled > 0) {
			const average = order.average ?? (order.cost > 0 ? order.cost / order.filled : sizingPrice);
			prices.update(average);
			const feeQuote = order.fills.reduce(
				(sum, fill) => sum + (fill.fee?.currency === market.quote ? fill.fee.cost : 0),
				0,
			);
			const change = risk.fill(symbol, order.side, order.filled, average, feeQuote);
			if (change.opened) ctx.position('opened');
			if (change.closed) ctx.position('closed');
		}
		let discrepancy: string | null = null;
		if (deps.verifyEachOrder) {
			const venue = await ctx.call('fetchOrder', () => ctx.services.exchange.fetchOrder(symbol, {clientOrderId}), {
				isTransient: isTransientError,
			});
			if (venue.status !== order.status || Math.abs(venue.filled - order.filled) > 1e-12) {
				discrepancy = `${clientOrderId}: venue ${venue.venueStatus ?? venue.status} filled ${venue.filled}, local ${order.venueStatus ?? order.status} filled ${order.filled}`;
			}
			tracker.apply(venue);
		}
		const outcome: CycleOutcome =
			order.filled > 0 ? 'filled' : order.status === 'canceled' || order.status === 'expired' ? 'canceled' : 'unfilled';
		return result(outcome, discrepancy === null, {ackMs, orderMs, discrepancy, order});
	} catch (error) {
		if (error instanceof KillSwitchError) return result('blocked', true);
		// An order that failed took its round trip too (the venue's answer, or the wait for none).
		orderMs ??= sentAt === null ? null : elapsed(sentAt);
		return result('failed', false, {ackMs, orderMs, order, error});
	} finally {
		risk.settle(riskOrder);
	}
}
