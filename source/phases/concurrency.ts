/**
 * concurrency: several strategies place orders at the same time through one risk manager — more than
 * it allows open, so some are refused as decisions — then the books are compared: clientOrderIds all
 * distinct, every local order known to the venue and every venue order of ours known locally (no
 * duplicates, no orphans); finally everything is cancelled at once and nothing remains.
 */
import {isTransientError} from '../exchange/errors.js';
import type {Order} from '../exchange/exchange-client.js';
import {describe, fail, limit, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {flatten} from './orders.js';
import {orderNotionalFor, riskManagerFor} from './pipeline.js';
import {cancelAllOurs, tradingBlockedReason, submitOrder} from './trading/orders.js';
import {quote} from './trading/quotes.js';
import {amountForNotional, restingBuyPrice, restingSellPrice} from './trading/sizing.js';
import {discrepancies} from './trading/tracker.js';

const strategies = 3;

export const concurrencyPhase: Phase = {
	id: 'concurrency',
	title: 'Concurrency',
	async run(ctx: PhaseCtx) {
		const {exchange, orders} = ctx.services;
		const symbol = ctx.profile.symbols[0]!;
		const blocked = tradingBlockedReason(ctx);
		if (blocked) {
			skip(ctx, 'concurrent-orders', 'concurrent orders', blocked);
			return;
		}
		const q = await quote(ctx, symbol);
		const risk = riskManagerFor(ctx);
		const maxOpen = ctx.profile.risk.maxOpenOrders;
		// Two more than the risk manager lets be open at once, spread over the strategies.
		const attempts = Math.min(maxOpen, 12) + 2;
		const notional = orderNotionalFor(ctx, q.market.minNotional);
		const placed: Order[] = [];
		const failures: string[] = [];
		let refused = 0;
		let net = 0;
		const sentIds: string[] = [];
		try {
			await Promise.all(
				Array.from({length: attempts}, async (_, i) => {
					const strategy = `s${i % strategies}`;
					const side = i % 2 === 0 ? 'buy' : 'sell';
					const price =
						side === 'buy'
							? restingBuyPrice(q.market, q.bid, 0.1 + (i % 5) * 0.01)
							: restingSellPrice(q.market, q.ask, 0.1 + (i % 5) * 0.01);
					const amount = amountForNotional(q.market, notional, price);
					const decision = risk.evaluate({symbol, side, amount, price});
					if (!decision.ok) {
						refused += 1;
						ctx.riskRejection(`${decision.rule}: ${decision.reason} (${strategy})`);
						return;
					}
					const clientOrderId = orders.nextClientOrderId(`cc${strategy}`);
					sentIds.push(clientOrderId);
					try {
						placed.push(
							await submitOrder(ctx, orders, {
								symbol,
								side,
								type: 'limit',
								amount,
								price,
								timeInForce: 'GTC',
								clientOrderId,
							}),
						);
					} catch (error) {
						risk.settle({symbol, side, amount, price});
						failures.push(describe(error));
					}
				}),
			);
			// And one concurrent market order per strategy, against the same position limit.
			await Promise.all(
				Array.from({length: strategies}, async (_, i) => {
					const amount = amountForNotional(q.market, notional, q.ask);
					const clientOrderId = orders.nextClientOrderId(`ccm${i}`);
					sentIds.push(clientOrderId);
					try {
						const order = await submitOrder(ctx, orders, {symbol, side: 'buy', type: 'market', amount, clientOrderId});
						net += order.filled;
					} catch (error) {
						failures.push(describe(error));
					}
				}),
			);
			const expectedRefused = attempts - maxOpen;
			const title = `${attempts} concurrent limit orders from ${strategies} strategies (max ${maxOpen} open)`;
			if (failures.length > 0)
				fail(
					ctx,
					'concurrent-orders',
					title,
					`${failures.length} failed: ${failures[0]}`,
					`${placed.length} placed`,
					'all acknowledged',
				);
			else if (refused !== expectedRefused)
				fail(
					ctx,
					'concurrent-orders',
					title,
					`the risk manager refused ${refused}, expected ${expectedRefused}`,
					refused,
					`${expectedRefused} refused`,
				);
			else
				pass(
					ctx,
					'concurrent-orders',
					title,
					`${placed.length} placed, ${refused} refused by risk`,
					`${maxOpen} placed, ${expectedRefused} refused`,
				);

			const distinct = new Set(sentIds).size;
			limit(ctx, {
				id: 'distinct-client-ids',
				title: 'clientOrderIds distinct',
				measured: sentIds.length - distinct,
				max: 0,
				unit: 'duplicates',
			});
			const report = await orders.reconcile(exchange, [symbol]);
			const venueOpen = (
				await ctx.call('fetchOpenOrders', () => exchange.fetchOpenOrders(symbol), {isTransient: isTransientError})
			).filter(order => orders.owns(order.clientOrderId));
			const localOpen = placed.filter(order => order.status === 'open').length;
			const detail = [
				...report.orphans.map(id => `orphan ${id}`),
				...report.missing.map(id => `missing ${id}`),
				...report.duplicates.map(id => `duplicate ${id}`),
				...report.mismatched.map(id => `mismatched ${id}`),
			];
			limit(ctx, {
				id: 'no-duplicates-or-orphans',
				title: `venue and local books agree (${venueOpen.length} open there, ${localOpen} here)`,
				measured: discrepancies(report) + Math.abs(venueOpen.length - localOpen),
				max: 0,
				reason: detail.slice(0, 3).join('; ') || `${venueOpen.length} open on the venue vs ${localOpen} locally`,
			});

			// cancelAllOrders would also take orders that are not ours: use it only when every open order is ours.
			const allOpen = await ctx.call('fetchOpenOrders', () => exchange.fetchOpenOrders(symbol), {
				isTransient: isTransientError,
			});
			const onlyOurs = allOpen.every(order => orders.owns(order.clientOrderId));
			const cancelled = onlyOurs
				? await ctx.call('cancelAllOrders', () => exchange.cancelAllOrders(symbol), {
						retry: false,
						isTransient: isTransientError,
					})
				: await Promise.all(
						venueOpen.map(order =>
							ctx.call('cancelOrder', () => exchange.cancelOrder(symbol, {id: order.id}), {
								isTransient: isTransientError,
							}),
						),
					);
			for (const order of cancelled) {
				orders.apply(order);
				risk.settle({symbol, side: order.side, amount: order.amount ?? 0, price: order.price ?? 0});
			}
			ctx.order('canceled', cancelled.length);
			const remaining = (
				await ctx.call('fetchOpenOrders', () => exchange.fetchOpenOrders(symbol), {isTransient: isTransientError})
			).filter(order => orders.owns(order.clientOrderId));
			if (remaining.length > 0)
				fail(
					ctx,
					'cancel-all',
					'cancel everything at once',
					`${remaining.length} orders still open after cancelAllOrders`,
					remaining.length,
					'= 0 open',
				);
			else pass(ctx, 'cancel-all', `cancel everything at once (${cancelled.length} cancelled)`, 0, '= 0 open');
		} finally {
			await cancelAllOurs(exchange, orders, [symbol], ctx);
			if (!ctx.signal.aborted) await flatten(ctx, symbol, net).catch(() => undefined);
		}
	},
};
