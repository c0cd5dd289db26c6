/**
 * Placing and cancelling orders from a phase: through ctx.call (breaker + retry, never retried blindly
 * since an order is not idempotent), reporting ctx.order() events, honouring the kill switch, and a
 * cleanup that cancels everything we left open — run from finally blocks, after an abort too.
 */
import {ExchangeError, isTransientError, toExchangeError} from '../../exchange/errors.js';
import type {ExchangeClient, Order, OrderRequest} from '../../exchange/exchange-client.js';
import type {Profile} from '../../profiles/schema.js';
import {within} from '../abort.js';
import type {PhaseCtx} from '../phase-contract.js';
import type {OrderTracker} from './tracker.js';

export class KillSwitchError extends Error {
	override readonly name = 'KillSwitchError';
	readonly kind = 'kill-switch';
	constructor() {
		super('kill switch engaged: no new orders');
	}
}

/** Why real orders may not be placed with this profile, or null when they may. */
export function ordersBlockedReason(profile: Profile, allowLive: boolean): string | null {
	if (profile.environment === 'mainnet' && profile.execution === 'exchange' && !allowLive) {
		return 'mainnet with execution "exchange" places real orders: refused without --allow-live';
	}
	return null;
}

/** ordersBlockedReason, plus the kill switch: a phase that would trade skips its order checks while it is engaged. */
export function tradingBlockedReason(ctx: PhaseCtx): string | null {
	if (ctx.killSwitchEngaged()) return 'kill switch engaged: no new orders';
	return ordersBlockedReason(ctx.profile, ctx.services.allowLive);
}

/** Orders with real money at stake are held under the live caps. */
export function isLive(profile: Profile): boolean {
	return profile.environment === 'mainnet' && profile.execution === 'exchange';
}

/** Errors that are the order's fault (a rejection), not the venue's or the network's. */
export function isRejection(error: unknown): boolean {
	if (!(error instanceof ExchangeError)) return false;
	return ['invalid-order', 'bad-symbol', 'insufficient-funds', 'bad-request', 'auth'].includes(error.kind);
}

/**
 * Places an order we track. On a transient failure the order's fate is unknown (a 5xx may still have
 * placed it): we ask the venue by clientOrderId before giving up, so nothing is orphaned.
 */
export async function submitOrder(
	ctx: PhaseCtx,
	tracker: OrderTracker,
	request: OrderRequest & {clientOrderId: string},
	label = 'createOrder',
): Promise<Order> {
	if (ctx.killSwitchEngaged()) throw new KillSwitchError();
	const {exchange} = ctx.services;
	tracker.register({
		clientOrderId: request.clientOrderId,
		symbol: request.symbol,
		side: request.side,
		type: request.type,
		amount: request.amount ?? null,
		price: request.price ?? null,
	});
	try {
		const order = await ctx.call(label, () => exchange.createOrder(request), {
			retry: false,
			isTransient: isTransientError,
		});
		tracker.apply(order);
		ctx.order('placed');
		if (order.filled > 0 && order.status === 'closed') ctx.order('filled');
		else if (order.status === 'canceled' || order.status === 'expired') ctx.order('canceled');
		return order;
	} catch (raw) {
		const error = toExchangeError(raw);
		if (isRejection(error)) {
			tracker.mark(request.clientOrderId, 'rejected');
			ctx.order('rejected');
			throw error;
		}
		// Fate unknown: find out, without the breaker (it may be open because of this very failure).
		try {
			const found = await within(
				exchange.fetchOrder(request.symbol, {clientOrderId: request.clientOrderId}),
				AbortSignal.timeout(5_000),
				5_000,
				'fetchOrder',
			);
			tracker.apply(found);
			ctx.order('placed');
			if (found.filled > 0 && found.status === 'closed') ctx.order('filled');
			ctx.log('warn', `order ${request.clientOrderId}: ${error.message}; the venue has it as ${found.status}`);
			return found;
		} catch (lookup) {
			if (toExchangeError(lookup).kind === 'order-not-found') tracker.mark(request.clientOrderId, 'rejected');
			else tracker.mark(request.clientOrderId, 'unknown');
		}
		throw raw;
	}
}

export async function cancelTracked(
	ctx: PhaseCtx,
	tracker: OrderTracker,
	symbol: string,
	clientOrderId: string,
): Promise<Order | null> {
	const {exchange} = ctx.services;
	try {
		const order = await ctx.call('cancelOrder', () => exchange.cancelOrder(symbol, {clientOrderId}), {
			retry: true,
			isTransient: isTransientError,
		});
		tracker.apply(order);
		if (order.status === 'canceled') ctx.order('canceled');
		return order;
	} catch (raw) {
		const error = toExchangeError(raw);
		if (error.kind !== 'order-not-found') throw error;
		// Filled or cancelled before our cancel landed: learn which.
		const order = await ctx.call('fetchOrder', () => exchange.fetchOrder(symbol, {clientOrderId}), {
			isTransient: isTransientError,
		});
		tracker.apply(order);
		return order;
	}
}

/** Cancels in flight at once during cleanup: enough to clear a fast soak's tail, few enough not to trip a venue's order limits. */
const cleanupConcurrency = 8;

export interface CleanupResult {
	cancelled: number;
	failed: string[];
	/** Our orders still open on the venue after cleanup. */
	remaining: number;
}

/**
 * Cancels every order of ours still open, straight on the exchange client (not through ctx.call: this
 * runs after an abort too, and an open breaker must not keep orders alive). Bounded in time.
 */
export async function cancelAllOurs(
	exchange: ExchangeClient,
	tracker: OrderTracker,
	symbols: readonly string[],
	ctx?: PhaseCtx,
	timeoutMs = 10_000,
): Promise<CleanupResult> {
	const result: CleanupResult = {cancelled: 0, failed: [], remaining: 0};
	const deadline = AbortSignal.timeout(timeoutMs);
	const step = <T>(promise: Promise<T>, what: string) => within(promise, deadline, undefined, what);
	for (const symbol of symbols) {
		let venueOpen: Order[] = [];
		try {
			venueOpen = await step(exchange.fetchOpenOrders(symbol), 'fetchOpenOrders');
		} catch (error) {
			result.failed.push(`${symbol}: fetchOpenOrders: ${toExchangeError(error).message}`);
		}
		const ids = new Set<string>();
		for (const order of venueOpen) if (tracker.owns(order.clientOrderId)) ids.add(order.clientOrderId!);
		for (const order of tracker.live(symbol)) if (order.status === 'open') ids.add(order.clientOrderId);
		// A few cancels at a time: after a fast soak there may be dozens, and one by one they would not fit the deadline.
		const queue = [...ids];
		const cancelOne = async (clientOrderId: string): Promise<void> => {
			try {
				const order = await step(exchange.cancelOrder(symbol, {clientOrderId}), 'cancelOrder');
				tracker.apply(order);
				result.cancelled += 1;
				ctx?.order('canceled');
			} catch (error) {
				const typed = toExchangeError(error);
				if (typed.kind === 'order-not-found') {
					try {
						tracker.apply(await step(exchange.fetchOrder(symbol, {clientOrderId}), 'fetchOrder'));
					} catch {
						tracker.mark(clientOrderId, 'unknown');
					}
				} else result.failed.push(`${clientOrderId}: ${typed.message}`);
			}
		};
		await Promise.all(
			Array.from({length: Math.min(cleanupConcurrency, queue.length)}, async () => {
				for (let next = queue.shift(); next !== undefined; next = queue.shift()) await cancelOne(next);
			}),
		);
		try {
			const after = await step(exchange.fetchOpenOrders(symbol), 'fetchOpenOrders');
			result.remaining += after.filter(order => tracker.owns(order.clientOrderId)).length;
		} catch (error) {
			result.failed.push(`${symbol}: fetchOpenOrders after cleanup: ${toExchangeError(error).message}`);
		}
	}
	return result;
}
