import {Account} from './account.js';
import {checkFilters} from './filters.js';
import {floorTo, round8, roundTo} from './numbers.js';
import {isConditional, isMarketLike, TRAILING_DELTA_MAX, TRAILING_DELTA_MIN} from './order-model.js';
import type {
	AccountTrade,
	EngineError,
	EngineEvent,
	ExecutionType,
	FeeSchedule,
	Fill,
	InstrumentRules,
	ListLeg,
	LiquiditySource,
	NewOrderRequest,
	Order,
	OrderList,
	OrderOutcome,
	OrderStatus,
	ContingencyType,
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
export const INSUFFICIENT_BALANCE: EngineError = {
	code: -2010,
	msg: 'Account has insufficient balance for requested action.',
};
const UNKNOWN_KEY: EngineError = {code: -2015, msg: 'Invalid API-key, IP, or permissions for action.'};
const BAD_SYMBOL: EngineError = {code: -1121, msg: 'Invalid symbol.'};
const missing = (name: string): EngineError => ({
	code: -1102,
	msg: `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
});
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
	private readonly listOwner = new WeakMap<OrderList, string>();
	private placingList: OrderList | null = null;
	private readonly fees: FeeSchedule;
	private readonly historyLimit: number;
	private nextOrderId = 1;
	private nextClientId = 1;
	private nextListId = 1;
	/** Order lists by `${account} ${orderListId}`. */
	private readonly lists = new Map<string, OrderList>();

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
		if (
			request.clientOrderId !== undefined &&
			account.openOrders(request.symbol).some(o => o.clientOrderId === request.clientOrderId)
		) {
			return err(-2010, 'Duplicate order sent.');
		}
		const bookSide = request.side === 'BUY' ? 'ask' : 'bid';
		const levels = this.options.liquidity.levels(request.symbol, bookSide);
		if (
			isConditional(request.type) &&
			request.trailingDelta === undefined &&
			triggered(request.type, request.side, request.stopPrice!, reference)
		) {
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
		// A trailing stop without an activation price tracks from the last price at once.
		if (order.trailingDelta !== undefined && !(order.stopPrice > 0)) startTrailing(order, reference, now);
		this.emit({kind: 'order', account: account.apiKey, order: {...order}, execution: 'NEW', time: now});
		if (!order.isWorking) {
			account.addOpen(order);
			this.emitBalances(account, rules, now);
			return ok({order: {...order}, fills: []});
		}
		const fills: Fill[] = [];
		const fok = request.type === 'LIMIT' && request.timeInForce === 'FOK';
		if (!fok || available(levels, request) >= order.origQty - 1e-12)
			this.walk(account, rules, order, levels, fills, now);
		if (order.status !== 'FILLED') {
			if (request.type === 'MARKET' || request.timeInForce === 'IOC' || fok)
				this.finish(account, order, 'EXPIRED', now);
			else account.addOpen(order);
		}
		this.emitBalances(account, rules, now);
		this.trimHistory(account);
		return ok({order: {...order}, fills});
	}

	/**
	 * Places an order list. OCO: both legs go on at once, funds held once (the larger leg's need); the
	 * first leg to trigger or trade expires the other. OTO/OTOCO: only the working order goes on; its
	 * pending order(s) — an OCO pair for OTOCO — go on when it has filled completely.
	 */
	placeOrderList(
		apiKey: string,
		contingencyType: ContingencyType,
		legs: ListLeg[],
		listClientOrderId?: string,
	): Result<{list: OrderList; fills: Fill[][]}> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const symbol = legs[0]!.request.symbol;
		const rules = this.options.rules(symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const reference = this.options.liquidity.referencePrice(symbol);
		for (const leg of legs) {
			const problem = checkShape(leg.request) ?? checkFilters(rules, leg.request, reference);
			if (problem) return {ok: false, error: problem};
			if (
				leg.request.clientOrderId !== undefined &&
				account.openOrders(symbol).some(o => o.clientOrderId === leg.request.clientOrderId)
			)
				return err(-2010, 'Duplicate order sent.');
		}
		const ocoLegs = legs.filter(l => l.oco);
		if (
			ocoLegs.length === 2 &&
			!ocoPricesValid(
				ocoLegs.map(l => l.request),
				ocoLegs[0]!.pending ? undefined : reference,
			)
		) {
			return err(-2010, 'The relationship of the prices for the orders is not correct.');
		}
		const working = legs.filter(l => !l.pending);
		for (const leg of working) {
			if (leg.request.type === 'LIMIT_MAKER') {
				const best = this.options.liquidity.levels(symbol, leg.request.side === 'BUY' ? 'ask' : 'bid')[0];
				if (best && (leg.request.side === 'BUY' ? leg.request.price! >= best.price : leg.request.price! <= best.price))
					return err(-2010, 'Order would immediately match and take.');
			}
		}
		// Funds for what goes on now: an OCO pair holds once, the larger of its legs' needs.
		const needs = working.map(l =>
			requiredFunds(
				rules,
				l.request,
				this.options.liquidity.levels(symbol, l.request.side === 'BUY' ? 'ask' : 'bid'),
				reference,
			),
		);
		const need = contingencyType === 'OCO' ? Math.max(...needs) : needs[0]!;
		const fundsAsset = working[0]!.request.side === 'BUY' ? rules.quoteAsset : rules.baseAsset;
		if (need > account.free(fundsAsset) + 1e-9) return {ok: false, error: INSUFFICIENT_BALANCE};
		const now = this.options.clock();
		const list: OrderList = {
			orderListId: this.nextListId++,
			contingencyType,
			listClientOrderId: listClientOrderId ?? `ddlist${(this.nextClientId++).toString(36).padStart(10, '0')}`,
			symbol,
			transactionTime: now,
			listStatusType: 'EXEC_STARTED',
			listOrderStatus: 'EXECUTING',
			orders: [],
		};
		this.lists.set(`${account.apiKey} ${list.orderListId}`, list);
		this.listOwner.set(list, account.apiKey);
		// Its listStatus events wait until its orders are placed: EXEC_STARTED first, then ALL_DONE if it is.
		this.placingList = list;
		for (const leg of legs) {
			const clientOrderId = leg.request.clientOrderId ?? `dd${(this.nextClientId++).toString(36).padStart(10, '0')}`;
			const order = this.newOrder(rules, leg.request, clientOrderId, now, this.nextOrderId++);
			order.orderListId = list.orderListId;
			if (leg.pending) {
				order.pending = true;
				order.isWorking = false;
				order.workingTime = -1;
			}
			account.addOrder(order);
			list.orders.push(order);
		}
		const fills: Fill[][] = list.orders.map(() => []);
		try {
			this.activate(
				account,
				rules,
				list,
				list.orders.filter(o => !o.pending),
				now,
				fills,
			);
		} finally {
			this.placingList = null;
		}
		this.emitListStatus(list, now, {listStatusType: 'EXEC_STARTED', listOrderStatus: 'EXECUTING'});
		if (list.listOrderStatus === 'ALL_DONE') this.emitListStatus(list, now);
		this.emitBalances(account, rules, now);
		return ok({list: this.listCopy(list), fills});
	}

	orderList(apiKey: string, ref: {orderListId?: number; listClientOrderId?: string}): Result<OrderList> {
		const found = [...this.lists.entries()].find(
			([key, l]) =>
				key.startsWith(`${apiKey} `) &&
				(ref.orderListId !== undefined
					? l.orderListId === ref.orderListId
					: l.listClientOrderId === ref.listClientOrderId),
		);
		return found ? ok(this.listCopy(found[1])) : err(-2011, 'Order list does not exist.');
	}

	openOrderLists(apiKey: string): OrderList[] {
		return [...this.lists.entries()]
			.filter(([key, l]) => key.startsWith(`${apiKey} `) && l.listOrderStatus === 'EXECUTING')
			.map(([, l]) => this.listCopy(l));
	}

	/** Cancels every order of a list still open or pending; the list is then ALL_DONE. */
	cancelOrderList(
		apiKey: string,
		symbol: string,
		ref: {orderListId?: number; listClientOrderId?: string},
	): Result<OrderList> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const rules = this.options.rules(symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const found = this.orderList(apiKey, ref);
		if (!found.ok || found.value.symbol !== symbol) return err(-2011, 'Unknown order list sent.');
		const list = this.lists.get(`${account.apiKey} ${found.value.orderListId}`)!;
		if (list.listOrderStatus === 'ALL_DONE') return err(-2011, 'Unknown order list sent.');
		const now = this.options.clock();
		for (const order of list.orders) if (isLive(order)) this.finish(account, order, 'CANCELED', now);
		this.settleList(list);
		this.emitBalances(account, rules, now);
		return ok(this.listCopy(list));
	}

	cancelOrder(apiKey: string, symbol: string, ref: OrderRef): Result<Order> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const rules = this.options.rules(symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const order = this.find(account, symbol, ref);
		if (!order || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED'))
			return err(-2011, 'Unknown order sent.');
		const now = this.options.clock();
		this.finish(account, order, 'CANCELED', now);
		// Canceling one order of a list cancels the list.
		const list = this.listOf(account, order);
		if (list) {
			for (const other of list.orders) if (isLive(other)) this.finish(account, other, 'CANCELED', now);
			this.settleList(list);
		}
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
		for (const order of open) {
			if (!isLive(order)) continue;
			this.finish(account, order, 'CANCELED', now);
			const list = this.listOf(account, order);
			if (list) {
				for (const other of list.orders) if (isLive(other)) this.finish(account, other, 'CANCELED', now);
				this.settleList(list);
			}
		}
		this.emitBalances(account, rules, now);
		return ok(open.map(o => ({...o})));
	}

	/**
	 * Order Amend Keep Priority: reduces an open order's quantity in place (same orderId, same place in
	 * the queue), releasing the funds the removed part held; reported as execution REPLACED. A new
	 * quantity at or below what has already filled completes the order.
	 */
	amendOrder(
		apiKey: string,
		symbol: string,
		ref: OrderRef,
		newQty: number,
		newClientOrderId?: string,
	): Result<{order: Order; origClientOrderId: string}> {
		const account = this.accounts.get(apiKey);
		if (!account) return {ok: false, error: UNKNOWN_KEY};
		const rules = this.options.rules(symbol);
		if (!rules) return {ok: false, error: BAD_SYMBOL};
		const order = this.find(account, symbol, ref);
		// The amend family's code (-2038 ORDER_AMEND_REJECTED) with the engine's message.
		if (!order || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED'))
			return err(-2038, 'Unknown order sent.');
		if (newQty > order.origQty + 1e-12) return err(-2038, 'Order amend (quantity increase) is not supported.');
		if (
			Math.abs(newQty - order.origQty) < 1e-12 &&
			(newClientOrderId === undefined || newClientOrderId === order.clientOrderId)
		) {
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
		this.emit({
			kind: 'order',
			account: account.apiKey,
			order: {...order},
			execution: 'REPLACED',
			origClientOrderId,
			time: now,
		});
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
		return (this.accounts.get(apiKey)?.openOrders(symbol) ?? []).map(o => ({...o}));
	}

	allOrders(apiKey: string, symbol: string, filter: HistoryFilter = {}): Order[] {
		const account = this.accounts.get(apiKey);
		if (!account) return [];
		const limit = filter.limit ?? 500;
		const rows = [...account.orders.values()].filter(
			o =>
				o.symbol === symbol &&
				(filter.orderId === undefined || o.orderId >= filter.orderId) &&
				(filter.startTime === undefined || o.time >= filter.startTime) &&
				(filter.endTime === undefined || o.time <= filter.endTime),
		);
		// Binance: from orderId/startTime the oldest `limit`, otherwise the newest `limit`.
		const page =
			filter.orderId !== undefined || filter.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
		return page.map(o => ({...o}));
	}

	myTrades(apiKey: string, symbol: string, filter: HistoryFilter = {}): AccountTrade[] {
		const account = this.accounts.get(apiKey);
		if (!account) return [];
		const limit = filter.limit ?? 500;
		const rows = account.trades.filter(
			t =>
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
				// An OCO sibling may have been expired by an earlier order's activation in this same loop.
				if (!isLive(order) || order.isWorking) continue;
				if (
					order.trailingDelta !== undefined
						? !trails(order, price, now)
						: !triggered(order.type, order.side, order.stopPrice, price)
				)
					continue;
				this.trigger(account, rules, order, now);
				changed = true;
			}
			for (const order of [...open]) {
				if (!order.isWorking || !isLive(order)) continue;
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
		const counts: Record<OrderStatus, number> = {
			NEW: 0,
			PARTIALLY_FILLED: 0,
			FILLED: 0,
			CANCELED: 0,
			REJECTED: 0,
			EXPIRED: 0,
		};
		for (const account of this.accounts.values()) for (const o of account.orders.values()) counts[o.status]++;
		return counts;
	}

	// ---- internals ----

	/** A conditional order's stop price was reached: it starts working as its market or limit form. */
	private trigger(account: Account, rules: InstrumentRules, order: Order, now: number): void {
		order.isWorking = true;
		order.workingTime = now;
		order.updateTime = now;
		// An OCO leg triggering expires its sibling (and takes over the funds they shared).
		if (order.orderListId !== undefined && order.orderListId >= 0) this.ocoActivated(account, order, now);
		const levels = this.options.liquidity.levels(order.symbol, order.side === 'BUY' ? 'ask' : 'bid');
		if (isMarketLike(order.type) && order.side === 'BUY') {
			const need = requiredFunds(
				rules,
				{symbol: order.symbol, side: 'BUY', type: 'MARKET', quantity: order.origQty},
				levels,
				0,
			);
			if (need > account.free(rules.quoteAsset) + 1e-9) {
				this.finish(account, order, 'EXPIRED', now);
				return;
			}
		}
		const fok = order.timeInForce === 'FOK' && !isMarketLike(order.type);
		const limitRequest: NewOrderRequest = {symbol: order.symbol, side: order.side, type: 'LIMIT', price: order.price};
		if (!fok || available(levels, limitRequest) >= order.origQty - 1e-12)
			this.walk(account, rules, order, levels, [], now);
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

	private newOrder(
		rules: InstrumentRules,
		r: NewOrderRequest,
		clientOrderId: string,
		now: number,
		orderId: number,
	): Order {
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
			...(r.trailingDelta === undefined ? {} : {trailingDelta: r.trailingDelta, trailingTime: -1}),
			...(r.icebergQty === undefined ? {} : {icebergQty: r.icebergQty}),
			...(r.selfTradePreventionMode === undefined ? {} : {selfTradePreventionMode: r.selfTradePreventionMode}),
		};
	}

	private walk(
		account: Account,
		rules: InstrumentRules,
		order: Order,
		levels: readonly Level[],
		fills: Fill[],
		now: number,
	): void {
		const bookSide = order.side === 'BUY' ? 'ask' : 'bid';
		const byQuote = order.type === 'MARKET' && order.origQuoteOrderQty > 0;
		// Copy: taking from the source may change the array it handed out.
		for (const level of levels.map(l => ({price: l.price, qty: l.qty}))) {
			if (!isMarketLike(order.type) && (order.side === 'BUY' ? level.price > order.price : level.price < order.price))
				break;
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

	private fill(
		account: Account,
		rules: InstrumentRules,
		order: Order,
		price: number,
		qty: number,
		isMaker: boolean,
		tradeId: number,
		now: number,
	): Fill {
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
		if (order.orderListId !== undefined && order.orderListId >= 0) this.listTraded(account, rules, order, now);
		return fill;
	}

	// ---- order lists ----

	private listOf(account: Account, order: Order): OrderList | undefined {
		return order.orderListId !== undefined && order.orderListId >= 0
			? this.lists.get(`${account.apiKey} ${order.orderListId}`)
			: undefined;
	}

	private listCopy(list: OrderList): OrderList {
		return {...list, orders: list.orders.map(o => ({...o}))};
	}

	/** The other active leg of an OCO pair, if `order` is one. */
	private ocoSibling(list: OrderList, order: Order): Order | undefined {
		const pair =
			list.contingencyType === 'OCO' ? list.orders : list.contingencyType === 'OTOCO' ? list.orders.slice(1) : [];
		return pair.includes(order) ? pair.find(o => o !== order) : undefined;
	}

	private ocoActivated(account: Account, order: Order, now: number): void {
		const list = this.listOf(account, order);
		const sibling = list && this.ocoSibling(list, order);
		if (!list || !sibling || !isLive(sibling)) return;
		order.locked = round8(order.locked + sibling.locked);
		sibling.locked = 0;
		this.finish(account, sibling, 'EXPIRED', now);
		this.settleList(list);
	}

	/** A list order traded: an OCO leg expires its sibling; a filled working order releases the pending orders. */
	private listTraded(account: Account, rules: InstrumentRules, order: Order, now: number): void {
		const list = this.listOf(account, order);
		if (!list) return;
		this.ocoActivated(account, order, now);
		if (list.contingencyType !== 'OCO' && list.orders[0] === order && order.status === 'FILLED') {
			this.activate(
				account,
				rules,
				list,
				list.orders.filter(o => o.pending && isLive(o)),
				now,
			);
		}
		this.settleList(list);
	}

	/**
	 * Puts list orders on: funds held (once for an OCO pair), NEW reported, working ones execute their
	 * taker part, conditional ones wait (or trigger at once, for pending orders released late).
	 */
	private activate(
		account: Account,
		rules: InstrumentRules,
		list: OrderList,
		orders: Order[],
		now: number,
		fills?: Fill[][],
	): void {
		if (orders.length === 0) return;
		const reference = this.options.liquidity.referencePrice(list.symbol);
		const needOf = (o: Order) =>
			requiredFunds(
				rules,
				requestOf(o),
				this.options.liquidity.levels(o.symbol, o.side === 'BUY' ? 'ask' : 'bid'),
				reference,
			);
		const needs = orders.map(needOf);
		const need = Math.max(...needs);
		const fundsAsset = orders[0]!.side === 'BUY' ? rules.quoteAsset : rules.baseAsset;
		if (orders.some(o => o.pending) && need > account.free(fundsAsset) + 1e-9) {
			// Released late without the funds: the pending orders expire (the working one already filled).
			for (const o of orders) {
				o.pending = false;
				this.finish(account, o, 'EXPIRED', now);
			}
			this.settleList(list);
			return;
		}
		// The holder is the order needing the most; market-like orders hold nothing until they fire.
		const holder = orders[needs.indexOf(need)]!;
		for (const order of orders) {
			order.pending = false;
			order.status = 'NEW';
			order.time = order.time || now;
			order.updateTime = now;
			if (order.isWorking || !isConditional(order.type)) {
				order.isWorking = !isConditional(order.type);
				order.workingTime = order.isWorking ? now : -1;
			}
			if (order === holder && order.type !== 'MARKET' && (!isMarketLike(order.type) || order.side === 'SELL')) {
				order.locked = order.side === 'BUY' ? round8(order.price * order.origQty) : order.origQty;
				if (order.side === 'BUY' && (order.type === 'STOP_LOSS' || order.type === 'TAKE_PROFIT')) order.locked = 0;
				account.lock(fundsAsset, order.locked);
			}
			this.emit({kind: 'order', account: account.apiKey, order: {...order}, execution: 'NEW', time: now});
			account.addOpen(order);
		}
		for (const order of orders) {
			if (!isLive(order)) continue;
			const legFills = fills?.[list.orders.indexOf(order)] ?? [];
			if (order.isWorking) {
				const levels = this.options.liquidity.levels(order.symbol, order.side === 'BUY' ? 'ask' : 'bid');
				const fok = order.type === 'LIMIT' && order.timeInForce === 'FOK';
				if (!fok || available(levels, requestOf(order)) >= order.origQty - 1e-12)
					this.walk(account, rules, order, levels, legFills, now);
				if (isLive(order) && (order.type === 'MARKET' || order.timeInForce === 'IOC' || fok))
					this.finish(account, order, 'EXPIRED', now);
			} else if (isConditional(order.type) && triggered(order.type, order.side, order.stopPrice, reference)) {
				this.trigger(account, rules, order, now);
			}
		}
		this.settleList(list);
	}

	private settleList(list: OrderList): void {
		if (list.listOrderStatus !== 'ALL_DONE' && list.orders.every(o => !isLive(o))) {
			list.listStatusType = 'ALL_DONE';
			list.listOrderStatus = 'ALL_DONE';
			if (this.placingList !== list) this.emitListStatus(list, this.options.clock());
		}
	}

	private emitListStatus(
		list: OrderList,
		now: number,
		as?: Pick<OrderList, 'listStatusType' | 'listOrderStatus'>,
	): void {
		const account = this.listOwner.get(list);
		if (account === undefined || this.listeners.size === 0) return;
		this.emit({kind: 'listStatus', account, list: {...this.listCopy(list), ...as}, time: now});
	}

	/** Moves an order to a final status, releasing whatever it still holds. */
	private finish(
		account: Account,
		order: Order,
		status: 'FILLED' | 'CANCELED' | 'EXPIRED',
		now: number,
		fill?: Fill,
	): void {
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
		const assets = [rules.baseAsset, rules.quoteAsset].map(asset => {
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
		if (account.trades.length > this.historyLimit * 1.1)
			account.trades.splice(0, account.trades.length - this.historyLimit);
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
		if (r.stopPrice === undefined && r.trailingDelta === undefined) return missing('stopPrice');
		if (r.quoteOrderQty !== undefined) return notRequired('quoteOrderQty');
	} else if (r.type === 'STOP_LOSS' || r.type === 'TAKE_PROFIT') {
		if (r.quantity === undefined) return missing('quantity');
		if (r.stopPrice === undefined && r.trailingDelta === undefined) return missing('stopPrice');
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
	if (r.trailingDelta !== undefined) {
		if (!isConditional(r.type)) return notRequired('trailingDelta');
		if (!(r.trailingDelta >= TRAILING_DELTA_MIN && r.trailingDelta <= TRAILING_DELTA_MAX))
			return {code: -1013, msg: 'Filter failure: TRAILING_DELTA'};
	}
	if (r.icebergQty !== undefined) {
		if (isMarketLike(r.type) || (r.type !== 'LIMIT_MAKER' && r.timeInForce !== 'GTC'))
			return {code: -2010, msg: 'Unsupported order combination'};
		if (!(r.icebergQty > 0) || (r.quantity !== undefined && r.icebergQty >= r.quantity))
			return {code: -2010, msg: 'IcebergQty exceeds QTY.'};
	}
	if (r.stopPrice !== undefined && !(r.stopPrice > 0)) return {code: -1013, msg: 'Filter failure: PRICE_FILTER'};
	if (r.quantity !== undefined && !(r.quantity > 0)) return {code: -1013, msg: 'Filter failure: LOT_SIZE'};
	if (r.price !== undefined && !(r.price > 0)) return {code: -1013, msg: 'Filter failure: PRICE_FILTER'};
	return undefined;
}

/** Funds a new order needs free: the quote a buy spends (walking the book for a market buy), the base a sell gives. */
function requiredFunds(
	rules: InstrumentRules,
	r: NewOrderRequest,
	levels: readonly Level[],
	reference: number,
): number {
	if (r.side === 'BUY') {
		// A stop-market buy is priced at its trigger; it is checked again when it fires.
		if (r.type === 'STOP_LOSS' || r.type === 'TAKE_PROFIT')
			return round8((r.stopPrice ?? reference) * (r.quantity ?? 0));
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
function triggered(
	type: NewOrderRequest['type'],
	side: NewOrderRequest['side'],
	stopPrice: number,
	price: number,
): boolean {
	if (type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT')
		return side === 'SELL' ? price <= stopPrice : price >= stopPrice;
	if (type === 'TAKE_PROFIT' || type === 'TAKE_PROFIT_LIMIT')
		return side === 'SELL' ? price >= stopPrice : price <= stopPrice;
	return false;
}

/** Open or pending: not yet in a final status. */
function isLive(order: Order): boolean {
	return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

/** The request an order was placed with, for funds and liquidity checks. */
function requestOf(o: Order): NewOrderRequest {
	const r: NewOrderRequest = {symbol: o.symbol, side: o.side, type: o.type, quantity: o.origQty};
	if (!isMarketLike(o.type)) r.price = o.price;
	if (o.stopPrice > 0) r.stopPrice = o.stopPrice;
	return r;
}

/**
 * Binance's OCO price rule: one leg above the last price and one below. SELL: the above leg is a
 * LIMIT_MAKER / TAKE_PROFIT(_LIMIT) and the below leg a STOP_LOSS(_LIMIT); BUY the other way round.
 * `last` undefined (an OTOCO's pair, placed later) checks only the legs' order.
 */
function ocoPricesValid(legs: NewOrderRequest[], last: number | undefined): boolean {
	const at = (r: NewOrderRequest) => (r.type === 'LIMIT_MAKER' ? r.price! : r.stopPrice!);
	const [above, below] = at(legs[0]!) >= at(legs[1]!) ? [legs[0]!, legs[1]!] : [legs[1]!, legs[0]!];
	if (at(above) <= at(below)) return false;
	if (last !== undefined && !(at(above) > last && at(below) < last)) return false;
	const side = legs[0]!.side;
	const isStop = (r: NewOrderRequest) => r.type === 'STOP_LOSS' || r.type === 'STOP_LOSS_LIMIT';
	return side === 'SELL' ? isStop(below) && !isStop(above) : isStop(above) && !isStop(below);
}

function startTrailing(order: Order, price: number, now: number): void {
	order.trailRef = price;
	order.trailingTime = now;
}

/**
 * One trade seen by a trailing stop: before activation it waits for the stop-price condition (when a
 * stopPrice was given); once tracking it keeps the best price since (highest for sells, lowest for
 * buys) and fires when the price has come back `trailingDelta` BIPS from it. True when it fires.
 */
function trails(order: Order, price: number, now: number): boolean {
	if (order.trailRef === undefined) {
		if (order.stopPrice > 0 && !triggered(order.type, order.side, order.stopPrice, price)) return false;
		startTrailing(order, price, now);
		return false;
	}
	const delta = order.trailingDelta! / 10_000;
	if (order.side === 'SELL') {
		order.trailRef = Math.max(order.trailRef, price);
		return price <= order.trailRef * (1 - delta);
	}
	order.trailRef = Math.min(order.trailRef, price);
	return price >= order.trailRef * (1 + delta);
}
