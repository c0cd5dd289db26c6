/**
 * portfolio: balances read and coherent (total = free + locked), a resting limit moves exactly its
 * cost from free to locked and back on cancel, and a fill changes the balances by what its fills and
 * fees say — cross-checked against the account's trade history.
 */
import {isTransientError} from '../exchange/errors.js';
import type {Balance, Order} from '../exchange/exchange-client.js';
import {describe, fail, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {flatten} from './orders.js';
import {round} from './stats.js';
import {cancelAllOurs, cancelTracked, isLive, tradingBlockedReason, submitOrder} from './trading/orders.js';
import {quote} from './trading/quotes.js';
import {amountForNotional, restingBuyPrice} from './trading/sizing.js';

function tolerance(expected: number): number {
	return Math.max(1e-8, Math.abs(expected) * 1e-6);
}

async function balances(ctx: PhaseCtx): Promise<Balance> {
	return ctx.call('fetchBalance', () => ctx.services.exchange.fetchBalance(), {isTransient: isTransientError});
}

function amountOf(balance: Balance, asset: string): {free: number; used: number; total: number} {
	return balance.assets[asset] ?? {free: 0, used: 0, total: 0};
}

/** What a fill should do to each asset: base and quote moved, fees charged in whatever currency. */
export function expectedDeltas(order: Order, base: string, quote: string): Record<string, number> {
	const deltas: Record<string, number> = {[base]: 0, [quote]: 0};
	const sign = order.side === 'buy' ? 1 : -1;
	deltas[base] = (deltas[base] ?? 0) + sign * order.filled;
	deltas[quote] = (deltas[quote] ?? 0) - sign * order.cost;
	const fees =
		order.fills.length > 0
			? order.fills.map(fill => fill.fee).filter(fee => fee !== null)
			: order.fee
				? [order.fee]
				: [];
	for (const fee of fees) deltas[fee.currency] = (deltas[fee.currency] ?? 0) - fee.cost;
	return deltas;
}

export const portfolioPhase: Phase = {
	id: 'portfolio',
	title: 'Portfolio',
	async run(ctx) {
		const {exchange, orders} = ctx.services;
		const symbol = ctx.profile.symbols[0]!;
		const q = await quote(ctx, symbol);
		const {base, quote: quoteAsset} = q.market;

		const start = await balances(ctx);
		const incoherent = Object.entries(start.assets).filter(
			([, entry]) =>
				entry.free < 0 || entry.used < 0 || Math.abs(entry.total - (entry.free + entry.used)) > tolerance(entry.total),
		);
		if (incoherent.length > 0)
			fail(
				ctx,
				'balances',
				'balances coherent (total = free + locked, none negative)',
				`${incoherent.map(([asset]) => asset).join(', ')} incoherent`,
				incoherent.length,
				'0 incoherent',
			);
		else if (!start.assets[quoteAsset])
			fail(
				ctx,
				'balances',
				'balances coherent (total = free + locked, none negative)',
				`no ${quoteAsset} balance to trade ${symbol} with`,
				`${Object.keys(start.assets).length} assets`,
				`${quoteAsset} present`,
			);
		else
			pass(
				ctx,
				'balances',
				'balances coherent (total = free + locked, none negative)',
				`${Object.keys(start.assets).length} assets, ${round(amountOf(start, quoteAsset).free, 2)} ${quoteAsset} free`,
				'total = free + locked',
			);

		const blocked = tradingBlockedReason(ctx);
		if (blocked) {
			skip(ctx, 'locked-moves', 'a resting order locks its cost', blocked);
			skip(ctx, 'fill-reconciles', 'balance change after a fill matches fills and fees', blocked);
			return;
		}
		let net = 0;
		try {
			// Free → locked while a limit rests; back on cancel.
			const price = restingBuyPrice(q.market, q.bid, 0.1);
			let notional = Math.max(ctx.profile.soak.orderNotional, (q.market.minNotional ?? 0) * 1.1);
			if (isLive(ctx.profile)) notional = Math.min(notional, ctx.profile.live.perOrderNotionalCap);
			const amount = amountForNotional(q.market, notional, price);
			const before = amountOf(start, quoteAsset);
			const resting = await submitOrder(ctx, orders, {
				symbol,
				side: 'buy',
				type: 'limit',
				amount,
				price,
				timeInForce: 'GTC',
				clientOrderId: orders.nextClientOrderId('lock'),
			});
			const during = amountOf(await balances(ctx), quoteAsset);
			await cancelTracked(ctx, orders, symbol, resting.clientOrderId!);
			const after = amountOf(await balances(ctx), quoteAsset);
			const cost = amount * price;
			const lockedBy = during.used - before.used;
			const freedBy = before.free - during.free;
			const restored =
				Math.abs(after.free - before.free) <= tolerance(cost) && Math.abs(after.used - before.used) <= tolerance(cost);
			const title = `a resting order locks its cost (${round(cost, 4)} ${quoteAsset})`;
			if (Math.abs(lockedBy - cost) > tolerance(cost) || Math.abs(freedBy - cost) > tolerance(cost)) {
				fail(
					ctx,
					'locked-moves',
					title,
					`locked +${round(lockedBy, 8)}, free −${round(freedBy, 8)} for an order costing ${round(cost, 8)}`,
					round(lockedBy, 8),
					`= ${round(cost, 8)}`,
				);
			} else if (!restored) {
				fail(
					ctx,
					'locked-moves',
					title,
					`after cancel free ${after.free} / locked ${after.used}, before ${before.free} / ${before.used}`,
					'not restored',
					'restored on cancel',
				);
			} else
				pass(ctx, 'locked-moves', title, `+${round(lockedBy, 8)} locked, restored on cancel`, `= ${round(cost, 8)}`);

			// A fill moves base, quote and fees exactly.
			const pre = await balances(ctx);
			const fillAmount = amountForNotional(q.market, notional, q.ask);
			const filled = await submitOrder(ctx, orders, {
				symbol,
				side: 'buy',
				type: 'market',
				amount: fillAmount,
				clientOrderId: orders.nextClientOrderId('fill'),
			});
			net += filled.filled;
			const post = await balances(ctx);
			const expected = expectedDeltas(filled, base, quoteAsset);
			const mismatches: string[] = [];
			for (const [asset, delta] of Object.entries(expected)) {
				const actual = amountOf(post, asset).total - amountOf(pre, asset).total;
				if (Math.abs(actual - delta) > tolerance(delta) + 1e-8)
					mismatches.push(`${asset} moved ${round(actual, 10)}, fills say ${round(delta, 10)}`);
			}
			const trades = await ctx.call(
				'fetchMyTrades',
				() => exchange.fetchMyTrades(symbol, (filled.timestamp ?? Date.now()) - 60_000),
				{isTransient: isTransientError},
			);
			const mine = trades.filter(trade => trade.orderId === filled.id);
			const tradedAmount = mine.reduce((sum, trade) => sum + trade.amount, 0);
			if (Math.abs(tradedAmount - filled.filled) > tolerance(filled.filled))
				mismatches.push(`myTrades sum ${tradedAmount} ≠ filled ${filled.filled}`);
			const title2 = 'balance change after a fill matches fills and fees';
			if (filled.filled === 0)
				fail(ctx, 'fill-reconciles', title2, `the market order did not fill (${filled.venueStatus})`, 0, 'filled');
			else if (mismatches.length > 0)
				fail(ctx, 'fill-reconciles', title2, mismatches.join('; '), mismatches.length, '0 mismatches');
			else
				pass(
					ctx,
					'fill-reconciles',
					title2,
					`${Object.keys(expected).length} assets, ${mine.length} trades`,
					`within ${1e-6 * 100}%`,
				);
		} catch (error) {
			fail(ctx, 'portfolio-orders', 'portfolio order flow', describe(error));
		} finally {
			await cancelAllOurs(exchange, orders, [symbol], ctx);
			if (!ctx.signal.aborted) await flatten(ctx, symbol, net).catch(() => undefined);
		}
	},
};
