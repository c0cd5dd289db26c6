import {Account} from './account.js';
import {checkFilters} from './filters.js';
import {floorTo, round8, roundTo} from './numbers.js';
import {isConditional, isMarketLike} from './order-model.js';
import type {
	AccountTrade,
	EngineError,
	EngineEvent,
	ExecutionType,
	FeeSchedule,
	Fill,
	InstrumentRules,
	LiquiditySource,
	NewOrderRequest,
	Order,
	OrderOutcome,
	OrderStatus,
	Result,
} from './order-model.js';

export interface MatchingEngineOptions {
	/** Milliseconds; the mock passes its skewable server clock, a paper broker its own. */
	clock: () => number;
	rules: (symbol: string) => InstrumentRules | undefined;
	liquidity: LiquiditySource;
	fees?: FeeSchedule;
	/** Closed orders kept per account for allOrders (oldest dropped first). */
	historyLimit?: number;
}

export interface OrderRef {
	orderId?: number;
	origClientOrderId?: string;
}

export interface HistoryFilter {
	orderId?: number;
	fromId?: number;
	startTime?: number;
	endTime?: number;
	limit?: number;
}

type Level = {price: number; qty: number};

const err = (code: number, msg: string): {ok: false; error: EngineError} => ({ok: false, error: {code, msg}});
const ok = <T>(value: T): {ok: true; value: T} => ({ok: true, value});
export const INSUFFICIENT_BALANCE: EngineError = {code: -2010, msg: 'Account has insufficient balance for requested action.'};
const UNKNOWN_KEY: EngineError = {code: -2015, msg: 'Invalid API-key, IP, or permissions for action.'};
const BAD_SYMBOL: EngineError = {code: -1121, msg: 'Invalid symbol.'};
const missing = (name: string): EngineError => ({code: -1102, msg: `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`});
const notRequired = (name: string): EngineError => ({code: -1106, msg: `Parameter '${name}' sent when not required.`});

/**
 * Binance spot matching for one or more accounts against an external book. Pure: no I/O, no timers;
 * time comes from `clock`, liquidity from `liquidity`, and every change is reported through `onEvent`.
 * Taker orders walk the book level by level; resting limit orders fill when `marketTrade` reports a
 * trade at or through their price.
 */
export class MatchingEngine {
	private readonly accounts = new Map<string, Account>();
	private readonly listeners = new Set<(event: EngineEvent) => void>();
	private readonly fees: FeeSchedule;
	private readonly historyLimit: number;
	private nextOrderId = 1;
	private nextClientId = 1;

	constructor(private readonly options: MatchingEngineOptions) {
		this.fees = options.fees ?? {maker: 0.001, taker: 0.001};
		this.historyLimit = options.historyLimit ?? 100_000;
	}

	get feeSchedule(): FeeSchedule {
		return this.fees;
	}

	createAccount(apiKey: string, balances: Record<string, number>): Account {
		const account = new Account(apiKey, balances);
		account.updateTime = this.options.clock();
		this.accounts.set(apiKey, account);
		return account;
	}

	account(apiKey: string): Account | undefined {
		return this.accounts.get(apiKey);
	}

	onEvent(listener: (event: EngineEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Validates and (unless `validateOnly`) places an order; the taker part executes at once. */
	placeOrder(apiKey: string, request: NewOrderRequest, validateOnly = false): Result<OrderOutcome> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const rules = this.options.rules(request.symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const shape = checkShape(request);
		if (shape) return {ok: false, error: shape};
		const reference = this.options.liquidity.referencePrice(request.symbol);
		const filter = checkFilters(rules, request, reference);
		if (filter) return {ok: false, error: filter};
		if (request.clientOrderId !== undefined && account.openOrders(request.symbol).some((o) => o.clientOrderId === request.clientOrderId)) {
			return err(-2010, 'Duplicate order sent.');
		}
		const bookSide = request.side === 'BUY' ? 'ask' : 'bid';
		const levels = this.options.liquidity.levels(request.symbol, bookSide);
		if (isConditional(request.type) && triggered(request.type, request.side, request.stopPrice!, reference)) {
			return err(-2010, 'Stop price would trigger immediately.');
		}
		if (request.type === 'LIMIT_MAKER') {
			const best = levels[0];
			if (best && (request.side === 'BUY' ? request.price! >= best.price : request.price! <= best.price)) {
				return err(-2010, 'Order would immediately match and take.');
			}
		}
		// Funds are checked before anything happens, as Binance does.
		const need = requiredFunds(rules, request, levels, reference);
		const fundsAsset = request.side === 'BUY' ? rules.quoteAsset : rules.baseAsset;
		if (need > account.free(fundsAsset) + 1e-9) return {ok: false, error: INSUFFICIENT_BALANCE};
		const clientOrderId = request.clientOrderId ?? `dd${(this.nextClientId++).toString(36).padStart(10, '0')}`;
		if (validateOnly) return ok({order: this.newOrder(rules, request, clientOrderId, 0, -1), fills: []});
		const now = this.options.clock();
		const order = this.newOrder(rules, request, clientOrderId, now, this.nextOrderId++);
		account.addOrder(order);
		// Funds are held for everything that can rest; a stop-market buy is checked again when it fires.
		if (!isMarketLike(request.type) || request.side === 'SELL') {
			if (request.type !== 'MARKET') {
				order.locked = request.side === 'BUY' ? round8(order.price * order.origQty) : order.origQty;
				account.lock(fundsAsset, order.locked);
			}
		}
		this.emit({kind: 'order', account: account.apiKey, order: {...order}, execution: 'NEW', time: now});
		if (!order.isWorking) {
			account.addOpen(order);
			this.emitBalances(account, rules, now);
			return ok({order: {...order}, fills: []});
		}
		const fills: Fill[] = [];
		const fok = request.type === 'LIMIT' && request.timeInForce === 'FOK';
		if (!fok || available(levels, request) >= order.origQty - 1e-12) this.walk(account, rules, order, levels, fills, now);
		if (order.status !== 'FILLED') {
			if (request.type === 'MARKET' || request.timeInForce === 'IOC' || fok) this.finish(account, order, 'EXPIRED', now);
			else account.addOpen(order);
		}
		this.emitBalances(account, rules, now);
		this.trimHistory(account);
		return ok({order: {...order}, fills});
	}

	cancelOrder(apiKey: string, symbol: string, ref: OrderRef): Result<Order> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const rules = this.options.rules(symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const order = this.find(account, symbol, ref);
		if (!order || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED')) return err(-2011, 'Unknown order sent.');
		const now = this.options.clock();
		this.finish(account, order, 'CANCELED', now);
		this.emitBalances(account, rules, now);
		return ok({...order});
	}

	cancelAll(apiKey: string, symbol: string): Result<Order[]> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const rules = this.options.rules(symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const open = account.openOrders(symbol);
		if (open.length === 0) return err(-2011, 'Unknown order sent.');
		const now = this.options.clock();
		for (const order of open) this.finish(account, order, 'CANCELED', now);
		this.emitBalances(account, rules, now);
		return ok(open.map((o) => ({...o})));
	}

	/**
	 * Order Amend Keep Priority: reduces an open order's quantity in place (same orderId, same place in
	 * the queue), releasing the funds the removed part held; reported as execution REPLACED. A new
	 * quantity at or below what has already filled completes the order.
	 */
	amendOrder(apiKey: string, symbol: string, ref: OrderRef, newQty: number, newClientOrderId?: string): Result<{order: Order; origClientOrderId: string}> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const rules = this.options.rules(symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const order = this.find(account, symbol, ref);
		// The amend family's code (-2038 ORDER_AMEND_REJECTED) with the engine's message.
		if (!order || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED')) return err(-2038, 'Unknown order sent.');
		if (newQty > order.origQty + 1e-12) return err(-2038, 'Order amend (quantity increase) is not supported.');
		if (Math.abs(newQty - order.origQty) < 1e-12 && (newClientOrderId === undefined || newClientOrderId === order.clientOrderId)) {
			return err(-2038, 'The requested action would change no state; rejecting');
		}
		const now = this.options.clock();
		const origClientOrderId = order.clientOrderId;
		if (newClientOrderId !== undefined) account.renameOrder(order, newClientOrderId);
		const removed = roundTo(order.origQty - newQty, rules.qtyDecimals);
		order.origQty = roundTo(newQty, rules.qtyDecimals);
		order.updateTime = now;
		if (order.locked > 0 && removed > 0) {
			const release = Math.min(order.locked, order.side === 'BUY' ? round8(order.price * removed) : removed);
			account.unlock(order.side === 'BUY' ? rules.quoteAsset : rules.baseAsset, release);
			order.locked = round8(order.locked - release);
		}
		// Completed by the amend: finish (silently, no new fill), then one REPLACED report with the final state.
		if (order.executedQty >= order.origQty - 1e-12) this.finish(account, order, 'FILLED', now);
		this.emit({kind: 'order', account: account.apiKey, order: {...order}, execution: 'REPLACED', origClientOrderId, time: now});
		this.emitBalances(account, rules, now);
		return ok({order: {...order}, origClientOrderId});
	}

	getOrder(apiKey: string, symbol: string, ref: OrderRef): Result<Order> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		if (!this.options.rules(symbol)) return {ok: false, error: BAD_SYMBOL};
		const order = this.find(account, symbol, ref);
		return order ? ok({...order}) : err(-2013, 'Order does not exist.');
	}

	openOrders(apiKey: string, symbol?: string): Order[] {
		return (this.accounts.get(apiKey)?.openOrders(symbol) ?? []).map((o) => ({...o}));
	}

	allOrders(apiKey: string, symbol: string, filter: HistoryFilter = {}): Order[] {
		const account = this.accounts.get(apiKey);
		if (!account) return [];
		const limit = filter.limit ?? 500;
		const rows = [...account.orders.values()].filter(
			(o) =>
				o.symbol === symbol &&
				(filter.orderId === undefined || o.orderId >= filter.orderId) &&
				(filter.startTime === undefined || o.time >= filter.startTime) &&
				(filter.endTime === undefined || o.time <= filter.endTime),
		);
		// Binance: from orderId/startTime the oldest `limit`, otherwise the newest `limit`.
		const page = filter.orderId !== undefined || filter.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
		return page.map((o) => ({...o}));
	}

	myTrades(apiKey: string, symbol: string, filter: HistoryFilter = {}): AccountTrade[] {
		const account = this.accounts.get(apiKey);
		if (!account) return [];
		const limit = filter.limit ?? 500;
		const rows = account.trades.filter(
			(t) =>
				t.symbol === symbol &&
				(filter.orderId === undefined || t.orderId === filter.orderId) &&
				(filter.fromId === undefined || t.tradeId >= filter.fromId) &&
				(filter.startTime === undefined || t.time >= filter.startTime) &&
				(filter.endTime === undefined || t.time <= filter.endTime),
		);
		return filter.fromId !== undefined || filter.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
	}

	/** Adds or removes free funds (a deposit or withdrawal), reported as a balanceUpdate. */
	adjustBalance(apiKey: string, asset: string, delta: number): Result<number> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		if (account.free(asset) + delta < 0) return {ok: false, error: INSUFFICIENT_BALANCE};
		const now = this.options.clock();
		account.credit(asset, delta);
		account.updateTime = now;
		this.emit({kind: 'balanceDelta', account: apiKey, asset, delta, time: now});
		const b = account.balance(asset);
		this.emit({kind: 'balances', account: apiKey, assets: [{asset, free: b.free, locked: b.locked}], time: now});
		return ok(b.free);
	}

	/**
	 * A trade printed by the market at `price`: resting buys at or above it and sells at or below it
	 * fill as makers at their own price — in full when the trade went through the price, up to the
	 * traded size when it only touched it.
	 */
	marketTrade(symbol: string, price: number, qty: number, tradeId: number): void {
		const rules = this.options.rules(symbol);
		if (!rules) return;
		const now = this.options.clock();
		for (const account of this.accounts.values()) {
			const open = account.open.get(symbol);
			if (!open || open.length === 0) continue;
			let touchedLeft = qty;
			let changed = false;
			for (const order of [...open]) {
				if (order.isWorking || !triggered(order.type, order.side, order.stopPrice, price)) continue;
				this.trigger(account, rules, order, now);
				changed = true;
			}
			for (const order of [...open]) {
				if (!order.isWorking || order.status === 'FILLED' || order.status === 'EXPIRED') continue;
				const through = order.side === 'BUY' ? price < order.price : price > order.price;
				const touched = price === order.price;
				if (!through && !touched) continue;
				const remaining = roundTo(order.origQty - order.executedQty, rules.qtyDecimals);
				const fillQty = through ? remaining : Math.min(remaining, floorTo(touchedLeft, rules.qtyDecimals));
				if (fillQty <= 0) continue;
				if (touched) touchedLeft = round8(touchedLeft - fillQty);
				this.fill(account, rules, order, order.price, fillQty, true, tradeId, now);
				changed = true;
			}
			if (changed) this.emitBalances(account, rules, now);
		}
	}

	ordersByStatus(): Record<OrderStatus, number> {
		const counts: Record<OrderStatus, number> = {NEW: 0, PARTIALLY_FILLED: 0, FILLED: 0, CANCELED: 0, REJECTED: 0, EXPIRED: 0};
		for (const account of this.accounts.values()) for (const o of account.orders.values()) counts[o.status]++;
		return counts;
	}

	// ---- internals ----

	/** A conditional order's stop price was reached: it starts working as its market or limit form. */
	private trigger(account: Account, rules: InstrumentRules, order: Order, now: number): void {
		order.isWorking = true;
		order.workingTime = now;
		order.updateTime = now;
		const levels = this.options.liquidity.levels(order.symbol, order.side === 'BUY' ? 'ask' : 'bid');
		if (isMarketLike(order.type) && order.side === 'BUY') {
			const need = requiredFunds(rules, {symbol: order.symbol, side: 'BUY', type: 'MARKET', quantity: order.origQty}, levels, 0);
			if (need > account.free(rules.quoteAsset) + 1e-9) {
				this.finish(account, order, 'EXPIRED', now);
				return;
			}
		}
		const fok = order.timeInForce === 'FOK' && !isMarketLike(order.type);
		const limitRequest: NewOrderRequest = {symbol: order.symbol, side: order.side, type: 'LIMIT', price: order.price};
		if (!fok || available(levels, limitRequest) >= order.origQty - 1e-12) this.walk(account, rules, order, levels, [], now);
		if (order.status === 'FILLED' || order.status === 'EXPIRED') return;
		if (isMarketLike(order.type) || order.timeInForce !== 'GTC') this.finish(account, order, 'EXPIRED', now);
	}

	private find(account: Account, symbol: string, ref: OrderRef): Order | undefined {
		if (ref.orderId !== undefined) {
			const o = account.orders.get(ref.orderId);
			return o && o.symbol === symbol ? o : undefined;
		}
		if (ref.origClientOrderId !== undefined) {
			// The newest order with that client id (ids are unique among open orders only).
			return account.orderByClientId(symbol, ref.origClientOrderId);
		}
		return undefined;
	}

	private newOrder(rules: InstrumentRules, r: NewOrderRequest, clientOrderId: string, now: number, orderId: number): Order {
		return {
			symbol: rules.symbol,
			orderId,
			clientOrderId,
			side: r.side,
			type: r.type,
			timeInForce: r.timeInForce ?? 'GTC',
			price: isMarketLike(r.type) ? 0 : (r.price ?? 0),
			origQty: r.quantity ?? 0,
			executedQty: 0,
			cummulativeQuoteQty: 0,
			origQuoteOrderQty: r.quoteOrderQty ?? 0,
			status: 'NEW',
			stopPrice: r.stopPrice ?? 0,
			isWorking: !isConditional(r.type),
			time: now,
			updateTime: now,
			workingTime: now,
			locked: 0,
		};
	}

	private walk(account: Account, rules: InstrumentRules, order: Order, levels: readonly Level[], fills: Fill[], now: number): void {
		const bookSide = order.side === 'BUY' ? 'ask' : 'bid';
		const byQuote = order.type === 'MARKET' && order.origQuoteOrderQty > 0;
		// Copy: taking from the source may change the array it handed out.
		for (const level of levels.map((l) => ({price: l.price, qty: l.qty}))) {
			if (!isMarketLike(order.type) && (order.side === 'BUY' ? level.price > order.price : level.price < order.price)) break;
			let qty: number;
			if (byQuote) {
				const quoteLeft = order.origQuoteOrderQty - order.cummulativeQuoteQty;
				qty = Math.min(level.qty, floorTo(quoteLeft / level.price, rules.qtyDecimals));
			} else {
				qty = Math.min(level.qty, roundTo(order.origQty - order.executedQty, rules.qtyDecimals));
			}
			if (qty <= 0) break;
			const tradeId = this.options.liquidity.take(rules.symbol, bookSide, level.price, qty);
			if (byQuote) order.origQty = roundTo(order.origQty + qty, rules.qtyDecimals);
			fills.push(this.fill(account, rules, order, level.price, qty, false, tradeId, now));
			if (order.status === 'FILLED') break;
			if (byQuote && qty < level.qty) break;
		}
		// A quote-sized market order is done once the quote is spent as far as the lot step allows.
		if (byQuote && order.executedQty > 0 && order.status !== 'FILLED') this.finish(account, order, 'FILLED', now);
	}

	private fill(account: Account, rules: InstrumentRules, order: Order, price: number, qty: number, isMaker: boolean, tradeId: number, now: number): Fill {
		const quote = round8(price * qty);
		const rate = isMaker ? this.fees.maker : this.fees.taker;
		let commission: number;
		let commissionAsset: string;
		if (order.side === 'BUY') {
			commission = round8(qty * rate);
			commissionAsset = rules.baseAsset;
			if (order.locked > 0) {
				const release = Math.min(order.locked, round8(order.price * qty));
				account.unlock(rules.quoteAsset, release);
				order.locked = round8(order.locked - release);
			}
			account.credit(rules.quoteAsset, -quote);
			account.credit(rules.baseAsset, qty - commission);
		} else {
			commission = round8(quote * rate);
			commissionAsset = rules.quoteAsset;
			if (order.locked > 0) {
				const release = Math.min(order.locked, qty);
				account.unlock(rules.baseAsset, release);
				order.locked = round8(order.locked - release);
			}
			account.credit(rules.baseAsset, -qty);
			account.credit(rules.quoteAsset, quote - commission);
		}
		account.updateTime = now;
		order.executedQty = roundTo(order.executedQty + qty, rules.qtyDecimals);
		order.cummulativeQuoteQty = round8(order.cummulativeQuoteQty + quote);
		order.updateTime = now;
		const fill: Fill = {price, qty, quoteQty: quote, commission, commissionAsset, tradeId, isMaker, time: now};
		account.trades.push({...fill, symbol: order.symbol, orderId: order.orderId, isBuyer: order.side === 'BUY'});
		const byQuote = order.type === 'MARKET' && order.origQuoteOrderQty > 0;
		if (!byQuote && order.executedQty >= order.origQty - 1e-12) {
			this.finish(account, order, 'FILLED', now, fill);
		} else {
			order.status = 'PARTIALLY_FILLED';
			this.emit({kind: 'order', account: account.apiKey, order: {...order}, execution: 'TRADE', fill, time: now});
		}
		return fill;
	}

	/** Moves an order to a final status, releasing whatever it still holds. */
	private finish(account: Account, order: Order, status: 'FILLED' | 'CANCELED' | 'EXPIRED', now: number, fill?: Fill): void {
		const rules = this.options.rules(order.symbol)!;
		if (order.locked > 0) {
			account.unlock(order.side === 'BUY' ? rules.quoteAsset : rules.baseAsset, order.locked);
			order.locked = 0;
		}
		order.status = status;
		order.updateTime = now;
		account.removeOpen(order);
		// A quote-sized market order finishing without a new fill reports nothing new beyond its last TRADE.
		if (status === 'FILLED' && !fill) return;
		const execution: ExecutionType = status === 'FILLED' ? 'TRADE' : status;
		const event: EngineEvent = {kind: 'order', account: account.apiKey, order: {...order}, execution, time: now};
		if (fill) event.fill = fill;
		if (status === 'CANCELED') event.origClientOrderId = order.clientOrderId;
		this.emit(event);
	}

	private emitBalances(account: Account, rules: InstrumentRules, now: number): void {
		if (this.listeners.size === 0) return;
		const assets = [rules.baseAsset, rules.quoteAsset].map((asset) => {
			const b = account.balance(asset);
			return {asset, free: b.free, locked: b.locked};
		});
		this.emit({kind: 'balances', account: account.apiKey, assets, time: now});
	}

	private emit(event: EngineEvent): void {
		for (const listener of this.listeners) listener(event);
	}

	private trimHistory(account: Account): void {
		if (account.orders.size <= this.historyLimit) return;
		for (const o of account.orders.values()) {
			if (account.orders.size <= this.historyLimit) break;
			if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED') account.forgetOrder(o);
		}
		// Trimmed in batches of 10 %: shifting a 100 000-row array on every fill costs more than the fill.
		if (account.trades.length > this.historyLimit * 1.1) account.trades.splice(0, account.trades.length - this.historyLimit);
	}
}

function checkShape(r: NewOrderRequest): EngineError | undefined {
	if (r.type === 'LIMIT') {
		if (r.timeInForce === undefined) return missing('timeInForce');
		if (r.quantity === undefined) return missing('quantity');
		if (r.price === undefined) return missing('price');
		if (r.quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
	} else if (r.type === 'STOP_LOSS_LIMIT' || r.type === 'TAKE_PROFIT_LIMIT') {
		if (r.timeInForce === undefined) return missing('timeInForce');
		if (r.quantity === undefined) return missing('quantity');
		if (r.price === undefined) return missing('price');
		if (r.stopPrice === undefined) return missing('stopPrice');
		if (r.quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
	} else if (r.type === 'STOP_LOSS' || r.type === 'TAKE_PROFIT') {
		if (r.quantity === undefined) return missing('quantity');
		if (r.stopPrice === undefined) return missing('stopPrice');
		if (r.price !== undefined) return notRequired('price');
		if (r.timeInForce !== undefined) return notRequired('timeInForce');
		if (r.quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
	} else if (r.type === 'LIMIT_MAKER') {
		if (r.quantity === undefined) return missing('quantity');
		if (r.price === undefined) return missing('price');
		if (r.timeInForce !== undefined) return notRequired('timeInForce');
		if (r.quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
	} else {
		if (r.quantity === undefined && r.quoteOrderQty === undefined) return missing('quantity');
		if (r.quantity !== undefined && r.quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
		if (r.price !== undefined) return notRequired('price');
		if (r.timeInForce !== undefined) return notRequired('timeInForce');
		if (r.quoteOrderQty !== undefined && !(r.quoteOrderQty > 0)) return {code: -1013, msg: 'Filter failure: NOTIONAL'};
	}
	if (r.stopPrice !== undefined && !isConditional(r.type)) return notRequired('stopPrice');
	if (r.stopPrice !== undefined && !(r.stopPrice > 0)) return {code: -1013, msg: 'Filter failure: PRICE_FILTER'};
	if (r.quantity !== undefined && !(r.quantity > 0)) return {code: -1013, msg: 'Filter failure: LOT_SIZE'};
	if (r.price !== undefined && !(r.price > 0)) return {code: -1013, msg: 'Filter failure: PRICE_FILTER'};
	return undefined;
}

/** Funds a new order needs free: the quote a buy spends (walking the book for a market buy), the base a sell gives. */
function requiredFunds(rules: InstrumentRules, r: NewOrderRequest, levels: readonly Level[], reference: number): number {
	if (r.side === 'BUY') {
		// A stop-market buy is priced at its trigger; it is checked again when it fires.
		if (r.type === 'STOP_LOSS' || r.type === 'TAKE_PROFIT') return round8((r.stopPrice ?? reference) * (r.quantity ?? 0));
		if (r.type !== 'MARKET') return round8((r.price ?? 0) * (r.quantity ?? 0));
		if (r.quoteOrderQty !== undefined) return r.quoteOrderQty;
		let left = r.quantity ?? 0;
		let cost = 0;
		for (const l of levels) {
			const q = Math.min(left, l.qty);
			cost += q * l.price;
			left -= q;
			if (left <= 1e-12) break;
		}
		return round8(cost);
	}
	if (r.quantity !== undefined) return r.quantity;
	// A market sell for a quote amount: the base it takes to raise that amount.
	let left = r.quoteOrderQty ?? 0;
	let base = 0;
	for (const l of levels) {
		const q = Math.min(l.qty, floorTo(left / l.price, rules.qtyDecimals));
		base += q;
		left -= q * l.price;
		if (q < l.qty) break;
	}
	return roundTo(base, rules.qtyDecimals);
}

/** Quantity fillable within the limit price (for FOK). */
function available(levels: readonly Level[], r: NewOrderRequest): number {
	let total = 0;
	for (const l of levels) {
		if (r.side === 'BUY' ? l.price > r.price! : l.price < r.price!) break;
		total += l.qty;
	}
	return total;
}

/** Binance's trigger rules: a stop-loss fires when the price moves against the position, a take-profit when it moves in favour. */
function triggered(type: NewOrderRequest['type'], side: NewOrderRequest['side'], stopPrice: number, price: number): boolean {
	if (type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT') return side === 'SELL' ? price <= stopPrice : price >= stopPrice;
	if (type === 'TAKE_PROFIT' || type === 'TAKE_PROFIT_LIMIT') return side === 'SELL' ? price >= stopPrice : price <= stopPrice;
	return false;
}
