/**
 * orders: a market order fills, a limit far from the market rests and is cancelled, status is tracked
 * NEW → CANCELED and FILLED, orders that must be rejected are rejected with the right error kind
 * (LOT_SIZE / PRICE_FILTER → invalid-order, unknown symbol → bad-symbol, too large → insufficient-funds),
 * and an IOC limit at the touch bigger than the best level fills partially; every fill and cancel
 * arrives on the user data stream as REST reports it. Whatever happens, the phase leaves no order open
 * and sells back what it bought.
 */
import {isTransientError, toExchangeError} from '../exchange/errors.js';
import type {Order, OrderRequest} from '../exchange/exchange-client.js';
import {errorMessage} from './abort.js';
import {describe, fail, limit, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {round, summarize} from './stats.js';
import {cancelAllOurs, cancelTracked, isLive, tradingBlockedReason, submitOrder} from './trading/orders.js';
import {quote, type Quote} from './trading/quotes.js';
import {amountForNotional, restingBuyPrice, roundAmount} from './trading/sizing.js';
import {UserDataWatch} from './trading/user-data-watch.js';

interface OrdersRun {
	ctx: PhaseCtx;
	symbol: string;
	acks: number[];
	/** Base bought minus sold by this phase (what the cleanup sells back). */
	net: number;
	/** Every order the venue accepted, for the user data stream check. */
	placed: string[];
}

async function place(run: OrdersRun, request: Omit<OrderRequest, 'clientOrderId'>, tag: string): Promise<Order> {
	const {ctx} = run;
	const clientOrderId = ctx.services.orders.nextClientOrderId(tag);
	const started = performance.now();
	const order = await submitOrder(ctx, ctx.services.orders, {...request, clientOrderId});
	run.acks.push(performance.now() - started);
	run.placed.push(clientOrderId);
	run.net += order.side === 'buy' ? order.filled : -order.filled;
	return order;
}

function orderNotional(ctx: PhaseCtx, q: Quote): number {
	const notional = Math.max(ctx.profile.soak.orderNotional, (q.market.minNotional ?? 0) * 1.1);
	return isLive(ctx.profile) ? Math.min(notional, ctx.profile.live.perOrderNotionalCap) : notional;
}

async function marketOrder(run: OrdersRun, q: Quote): Promise<void> {
	const {ctx, symbol} = run;
	const title = 'market order fills';
	const amount = amountForNotional(q.market, orderNotional(ctx, q), q.ask);
	try {
		const order = await place(run, {symbol, side: 'buy', type: 'market', amount}, 'mkt');
		if (order.status === 'closed' && Math.abs(order.filled - amount) <= (q.market.stepSize ?? 1e-12) / 2) {
			pass(
				ctx,
				'market-order',
				title,
				`${order.venueStatus ?? order.status}, ${order.filled} @ ${round(order.average ?? 0, 8)}`,
				'FILLED in full',
			);
		} else
			fail(
				ctx,
				'market-order',
				title,
				`status ${order.venueStatus ?? order.status}, filled ${order.filled} of ${amount}`,
				order.venueStatus ?? order.status,
				'FILLED in full',
			);
	} catch (error) {
		fail(ctx, 'market-order', title, describe(error), null, 'FILLED in full');
	}
}

async function restingLimit(run: OrdersRun, q: Quote): Promise<void> {
	const {ctx, symbol} = run;
	const {exchange, orders} = ctx.services;
	const price = restingBuyPrice(q.market, q.bid, 0.1);
	const amount = amountForNotional(q.market, orderNotional(ctx, q), price);
	let placed: Order;
	try {
		placed = await place(run, {symbol, side: 'buy', type: 'limit', amount, price, timeInForce: 'GTC'}, 'rest');
	} catch (error) {
		fail(ctx, 'limit-rests', 'limit order far from the market rests', describe(error), null, 'NEW, open');
		skip(ctx, 'cancel', 'cancel a resting order', 'no resting order to cancel');
		return;
	}
	const statuses: string[] = [placed.venueStatus ?? placed.status];
	const clientOrderId = placed.clientOrderId!;
	const queried = await ctx.call('fetchOrder', () => exchange.fetchOrder(symbol, {clientOrderId}), {
		isTransient: isTransientError,
	});
	const open = await ctx.call('fetchOpenOrders', () => exchange.fetchOpenOrders(symbol), {
		isTransient: isTransientError,
	});
	const listed = open.some(order => order.clientOrderId === clientOrderId);
	if (placed.status === 'open' && queried.status === 'open' && listed) {
		pass(
			ctx,
			'limit-rests',
			'limit order far from the market rests',
			`${queried.venueStatus ?? queried.status} @ ${price}, listed open`,
			'NEW, open',
		);
	} else {
		fail(
			ctx,
			'limit-rests',
			'limit order far from the market rests',
			`placed ${placed.venueStatus}, queried ${queried.venueStatus}, ${listed ? '' : 'not '}in open orders`,
			queried.venueStatus ?? queried.status,
			'NEW, open',
		);
	}
	statuses.push(queried.venueStatus ?? queried.status);
	const cancelled = await cancelTracked(ctx, orders, symbol, clientOrderId);
	const after = await ctx.call('fetchOrder', () => exchange.fetchOrder(symbol, {clientOrderId}), {
		isTransient: isTransientError,
	});
	statuses.push(after.venueStatus ?? after.status);
	if (cancelled?.status === 'canceled' && after.status === 'canceled')
		pass(ctx, 'cancel', 'cancel a resting order', after.venueStatus ?? after.status, 'CANCELED');
	else
		fail(
			ctx,
			'cancel',
			'cancel a resting order',
			`after cancel the venue says ${after.venueStatus ?? after.status}`,
			after.venueStatus ?? after.status,
			'CANCELED',
		);
	const expected = ['NEW', 'NEW', 'CANCELED'];
	const trail = statuses.join(' → ');
	if (statuses.every((status, i) => status === expected[i]))
		pass(ctx, 'status-tracking', 'status tracked NEW → CANCELED', trail, expected.join(' → '));
	else fail(ctx, 'status-tracking', 'status tracked NEW → CANCELED', `observed ${trail}`, trail, expected.join(' → '));
}

async function expectRejection(
	run: OrdersRun,
	id: string,
	title: string,
	expected: string,
	request: Omit<OrderRequest, 'clientOrderId'>,
	contains?: string,
): Promise<void> {
	const {ctx} = run;
	try {
		const order = await place(run, request, 'rej');
		// It went through: cancel it at once, and fail the check.
		if (order.status === 'open')
			await cancelTracked(ctx, ctx.services.orders, request.symbol, order.clientOrderId!).catch(() => null);
		fail(
			ctx,
			id,
			title,
			`the venue accepted it (${order.venueStatus ?? order.status})`,
			'accepted',
			`rejected: ${expected}`,
		);
	} catch (error) {
		const typed = toExchangeError(error);
		const message = typed.message.length > 140 ? `${typed.message.slice(0, 140)}…` : typed.message;
		if (typed.kind !== expected)
			fail(ctx, id, title, `rejected as ${typed.kind} (${message})`, typed.kind, `rejected: ${expected}`);
		else if (contains && !typed.message.includes(contains))
			fail(
				ctx,
				id,
				title,
				`rejected as ${typed.kind} but not for ${contains}: ${message}`,
				typed.kind,
				`rejected: ${expected} (${contains})`,
			);
		else pass(ctx, id, title, `${typed.kind}${typed.code !== null ? ` (${typed.code})` : ''}`, `rejected: ${expected}`);
	}
}

async function rejections(run: OrdersRun, q: Quote): Promise<void> {
	const {ctx, symbol} = run;
	const market = q.market;
	const restPrice = restingBuyPrice(market, q.bid, 0.1);
	const okAmount = amountForNotional(market, orderNotional(ctx, q), restPrice);
	// LOT_SIZE: more than maxQty (ccxt silently rounds off-step amounts, so the step cannot be broken through it).
	if (market.maxQty !== null && market.maxQty > 0) {
		const amount = roundAmount(market, market.maxQty * 2, 'floor');
		await expectRejection(
			run,
			'reject-lot-size',
			'LOT_SIZE violation rejected',
			'invalid-order',
			{symbol, side: 'buy', type: 'limit', amount, price: restPrice, timeInForce: 'GTC'},
			'LOT_SIZE',
		);
	} else skip(ctx, 'reject-lot-size', 'LOT_SIZE violation rejected', `${symbol} has no LOT_SIZE maxQty to exceed`);
	// PRICE_FILTER: above maxPrice.
	if (market.maxPrice !== null && market.maxPrice > 0) {
		const price = market.maxPrice * 2;
		const amount = roundAmount(market, Math.max(market.minQty ?? 0, market.stepSize ?? 0), 'ceil');
		await expectRejection(
			run,
			'reject-price-filter',
			'PRICE_FILTER violation rejected',
			'invalid-order',
			{symbol, side: 'sell', type: 'limit', amount, price, timeInForce: 'GTC'},
			'PRICE_FILTER',
		);
	} else
		skip(
			ctx,
			'reject-price-filter',
			'PRICE_FILTER violation rejected',
			`${symbol} has no PRICE_FILTER maxPrice to exceed`,
		);
	await expectRejection(run, 'reject-bad-symbol', 'unknown symbol rejected', 'bad-symbol', {
		symbol: 'NOSUCHCOIN/USDT',
		side: 'buy',
		type: 'limit',
		amount: okAmount,
		price: restPrice,
		timeInForce: 'GTC',
	});
	if (isLive(ctx.profile)) {
		skip(
			ctx,
			'reject-insufficient',
			'insufficient balance rejected',
			'not provoked with real money: an oversized order on mainnet is too risky to send',
		);
		return;
	}
	const balance = await ctx.call('fetchBalance', () => ctx.services.exchange.fetchBalance(), {
		isTransient: isTransientError,
	});
	const free = balance.assets[market.quote]?.free ?? 0;
	let amount = roundAmount(market, ((free + orderNotional(ctx, q)) * 2) / restPrice, 'ceil');
	if (market.maxQty !== null && amount > market.maxQty) amount = roundAmount(market, market.maxQty, 'floor');
	if (market.maxNotional !== null && amount * restPrice > market.maxNotional) {
		skip(
			ctx,
			'reject-insufficient',
			'insufficient balance rejected',
			`the ${market.quote} balance (${free}) exceeds what one order may be (NOTIONAL max ${market.maxNotional})`,
		);
		return;
	}
	if (amount * restPrice <= free) {
		skip(
			ctx,
			'reject-insufficient',
			'insufficient balance rejected',
			`the ${market.quote} balance (${free}) exceeds the largest order LOT_SIZE allows`,
		);
		return;
	}
	await expectRejection(
		run,
		'reject-insufficient',
		`insufficient balance rejected (${round(amount * restPrice, 2)} ${market.quote} > ${round(free, 2)} free)`,
		'insufficient-funds',
		{symbol, side: 'buy', type: 'limit', amount, price: restPrice, timeInForce: 'GTC'},
	);
}

async function partialFill(run: OrdersRun): Promise<void> {
	const {ctx, symbol} = run;
	const {faults} = ctx.services;
	const title = 'IOC at the touch larger than the best level fills partially';
	// On the mock the market can be frozen so the touch cannot move between the quote and the order.
	const freeze = faults.supports('pause-market');
	let last = '';
	for (let attempt = 1; attempt <= 3; attempt++) {
		if (freeze) await faults.inject({fault: 'pause-market', durationMs: 3_000});
		try {
			const q = await quote(ctx, symbol);
			const market = q.market;
			let amount = roundAmount(market, q.askQty * 1.5, 'ceil');
			if (amount <= q.askQty) amount = roundAmount(market, q.askQty + (market.stepSize ?? q.askQty), 'ceil');
			const notional = amount * q.ask;
			if (isLive(ctx.profile) && notional > ctx.profile.live.perOrderNotionalCap) {
				skip(
					ctx,
					'partial-fill',
					title,
					`the best ask holds ${q.askQty} (${round(q.askQty * q.ask, 2)} ${market.quote}): a partial fill would exceed the live per-order cap ${ctx.profile.live.perOrderNotionalCap}`,
				);
				return;
			}
			const balance = await ctx.call('fetchBalance', () => ctx.services.exchange.fetchBalance(), {
				isTransient: isTransientError,
			});
			if ((balance.assets[market.quote]?.free ?? 0) < notional * 1.01) {
				skip(
					ctx,
					'partial-fill',
					title,
					`not enough ${market.quote} to take ${amount} at ${q.ask} (${round(notional, 2)} needed)`,
				);
				return;
			}
			const order = await place(
				run,
				{symbol, side: 'buy', type: 'limit', amount, price: q.ask, timeInForce: 'IOC'},
				'ioc',
			);
			last = `${order.venueStatus ?? order.status}, filled ${order.filled} of ${amount}`;
			if (order.filled > 0 && order.filled < amount && order.status !== 'open') {
				pass(ctx, 'partial-fill', title, last, '0 < filled < amount, remainder expired');
				return;
			}
			if (order.status === 'open') {
				fail(
					ctx,
					'partial-fill',
					title,
					`an IOC order stayed open: ${last}`,
					last,
					'0 < filled < amount, remainder expired',
				);
				return;
			}
			// Nothing or everything filled: the touch moved under us; try again with a fresh quote.
		} catch (error) {
			fail(ctx, 'partial-fill', title, describe(error), null, '0 < filled < amount');
			return;
		} finally {
			if (freeze) await faults.clear().catch(() => undefined);
		}
	}
	ctx.check({
		id: 'partial-fill',
		title,
		verdict: 'warn',
		measured: last,
		threshold: '0 < filled < amount',
		reason: `no partial fill in 3 attempts (last: ${last}): the touch kept moving`,
	});
}

/**
 * Every fill and cancel this phase made arrived on the user data stream, with the status and filled
 * amount REST reports for the order. The stream may trail REST a little: up to 3 s to catch up.
 */
async function userDataStreamCheck(run: OrdersRun, userData: UserDataWatch, subscribed: boolean): Promise<void> {
	const {ctx, symbol} = run;
	const {exchange} = ctx.services;
	const title = `fills and cancels arrive on the user data stream and match REST (${run.placed.length} orders)`;
	if (run.placed.length === 0) {
		ctx.check({
			id: 'user-data-stream',
			title,
			verdict: 'no-data',
			measured: null,
			threshold: 'all match',
			reason: 'no order was accepted to compare',
		});
		return;
	}
	const rest = new Map<string, Order>();
	for (const clientOrderId of run.placed)
		rest.set(
			clientOrderId,
			await ctx.call('fetchOrder', () => exchange.fetchOrder(symbol, {clientOrderId}), {isTransient: isTransientError}),
		);
	// Fills and cancels only: an order REST still shows open has nothing final to compare.
	const settled = [...rest].filter(([, order]) => order.status !== 'open');
	const problems = (): string[] =>
		settled.flatMap(([clientOrderId, order]) => {
			const streamed = userData.get(clientOrderId);
			if (streamed === undefined) return [`${clientOrderId} ${order.venueStatus ?? order.status}: never on the stream`];
			if (streamed.status !== order.status || Math.abs(streamed.filled - order.filled) > 1e-12)
				return [
					`${clientOrderId}: stream ${streamed.status} filled ${streamed.filled}, REST ${order.status} filled ${order.filled}`,
				];
			return [];
		});
	const deadline = Date.now() + 3_000;
	while (problems().length > 0 && Date.now() < deadline && !ctx.signal.aborted) await ctx.sleep(50);
	const left = problems();
	if (left.length === 0) pass(ctx, 'user-data-stream', title, `${settled.length}/${settled.length}`, 'all match');
	else
		fail(
			ctx,
			'user-data-stream',
			title,
			`${left.length} of ${settled.length} did not match: ${left.slice(0, 3).join('; ')}${left.length > 3 ? '; …' : ''}${subscribed ? '' : ' (the subscription was never acknowledged)'}${userData.lastError ? ` (last stream error: ${userData.lastError})` : ''}`,
			`${settled.length - left.length}/${settled.length}`,
			'all match',
		);
}

/** Trades back the phase's net position (sells what it bought, buys back what it sold), bar fees. */
export async function flatten(ctx: PhaseCtx, symbol: string, net: number): Promise<Order | null> {
	const {exchange} = ctx.services;
	if (net === 0 || ctx.killSwitchEngaged()) return null;
	const market = exchange.market(symbol);
	const side = net > 0 ? 'sell' : 'buy';
	let amount = Math.abs(net);
	if (side === 'sell') {
		const balance = await exchange.fetchBalance();
		amount = Math.min(amount, balance.assets[market.base]?.free ?? 0);
	}
	amount = roundAmount(market, amount, 'floor');
	if (amount <= 0 || (market.marketMinQty !== null && amount < market.marketMinQty)) return null;
	try {
		const order = await submitOrder(ctx, ctx.services.orders, {
			symbol,
			side,
			type: 'market',
			amount,
			clientOrderId: ctx.services.orders.nextClientOrderId('flat'),
		});
		ctx.log('info', `flattened: ${side} ${order.filled} ${market.base}`);
		return order;
	} catch (error) {
		ctx.log('warn', `flattening (${side} ${amount} ${market.base}) failed: ${errorMessage(error)}`);
		return null;
	}
}

export const ordersPhase: Phase = {
	id: 'orders',
	title: 'Orders',
	async run(ctx) {
		const symbol = ctx.profile.symbols[0]!;
		const blocked = tradingBlockedReason(ctx);
		if (blocked) {
			skip(ctx, 'orders', 'order lifecycle', blocked);
			return;
		}
		const run: OrdersRun = {ctx, symbol, acks: [], net: 0, placed: []};
		const userData = new UserDataWatch(ctx.services.exchange, symbol);
		try {
			const subscribed = await userData.ready(3_000);
			const q = await quote(ctx, symbol);
			await marketOrder(run, q);
			await restingLimit(run, q);
			await rejections(run, q);
			await partialFill(run);
			const acks = summarize(run.acks);
			limit(ctx, {
				id: 'order-ack-p99',
				title: `order acknowledgement p99 (n=${acks.count})`,
				measured: acks.p99,
				max: ctx.profile.thresholds.orderAckP99Ms,
				unit: 'ms',
			});
			await userDataStreamCheck(run, userData, subscribed);
		} finally {
			userData.stop();
			const cleanup = await cancelAllOurs(ctx.services.exchange, ctx.services.orders, [symbol], ctx);
			if (!ctx.signal.aborted) {
				await flatten(ctx, symbol, run.net).catch(() => undefined);
				if (cleanup.remaining > 0 || cleanup.failed.length > 0)
					fail(
						ctx,
						'no-orders-left',
						'no order left open',
						cleanup.failed.join('; ') || `${cleanup.remaining} still open`,
						cleanup.remaining,
						'= 0',
					);
				else pass(ctx, 'no-orders-left', 'no order left open', 0, '= 0');
			}
		}
	},
};
