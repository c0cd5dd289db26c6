/**
 * Paper execution: market data from the real venue client, orders filled locally by the mock's pure
 * matching engine. Taker orders walk a fresh REST snapshot of the venue's book; resting orders fill
 * when the venue's public trades go through their price. Same ExchangeClient surface as the venue.
 */
import {
	MatchingEngine,
	type AccountTrade,
	type EngineError,
	type InstrumentRules,
	type LiquiditySource,
	type NewOrderRequest,
	type Order as EngineOrder,
	type Fill as EngineFill,
} from '../mock/matching/index.js';
import {ExchangeError, toExchangeError, type ExchangeErrorKind} from './errors.js';
import type {
	Balance,
	ExchangeClient,
	MarketInfo,
	MyTrade,
	Order,
	OrderRequest,
	OrderStatus,
} from './exchange-client.js';

export interface PaperBrokerOptions {
	/** Starting balances by asset (default 10 000 USDT, 1 BTC, 10 ETH). */
	balances?: Record<string, number>;
	/** Fractions, 0.001 = 0.1 % (default 0.1 % both). */
	fees?: {maker: number; taker: number};
	/** Levels fetched per taker order (default 100). */
	bookDepth?: number;
	clock?: () => number;
}

const ACCOUNT = 'paper';

interface LocalBook {
	bids: Array<{price: number; qty: number}>;
	asks: Array<{price: number; qty: number}>;
}

function decimalsOf(step: number | null): number {
	if (step === null || step <= 0) return 8;
	const text = step.toFixed(12).replace(/0+$/, '');
	const dot = text.indexOf('.');
	return dot < 0 ? 0 : text.length - dot - 1;
}

function rulesOf(market: MarketInfo): InstrumentRules {
	const tickSize = market.tickSize ?? 1e-8;
	const stepSize = market.stepSize ?? 1e-8;
	return {
		symbol: market.id,
		baseAsset: market.base,
		quoteAsset: market.quote,
		priceDecimals: decimalsOf(market.tickSize),
		qtyDecimals: decimalsOf(market.stepSize),
		tickSize,
		stepSize,
		minPrice: market.minPrice ?? 0,
		maxPrice: market.maxPrice ?? 0,
		minQty: market.minQty ?? 0,
		maxQty: market.maxQty ?? Number.MAX_SAFE_INTEGER,
		marketMaxQty: market.marketMaxQty ?? market.maxQty ?? Number.MAX_SAFE_INTEGER,
		minNotional: market.minNotional ?? 0,
		maxNotional: market.maxNotional ?? 0,
	};
}

/** The kind ccxt would give the same venue answer (see the reference's error table). */
function kindOfEngineError(error: EngineError): ExchangeErrorKind {
	switch (error.code) {
		case -2010:
			return /insufficient balance/i.test(error.msg) ? 'insufficient-funds' : 'invalid-order';
		case -1013:
			return /NOTIONAL/.test(error.msg) ? 'bad-request' : 'invalid-order';
		case -1121:
			return 'bad-symbol';
		case -2011:
		case -2013:
			return 'order-not-found';
		case -2015:
		case -2014:
		case -1022:
			return 'auth';
		default:
			return 'bad-request';
	}
}

const statusMap: Record<EngineOrder['status'], OrderStatus> = {
	NEW: 'open',
	PARTIALLY_FILLED: 'open',
	FILLED: 'closed',
	CANCELED: 'canceled',
	EXPIRED: 'expired',
	REJECTED: 'rejected',
};

class PaperBroker {
	readonly engine: MatchingEngine;
	private readonly books = new Map<string, LocalBook>();
	private readonly bySymbolId = new Map<string, MarketInfo>();
	private readonly watching = new Set<string>();
	private readonly orderWaiters: Array<(orders: Order[]) => void> = [];
	private readonly balanceWaiters: Array<(balance: Balance) => void> = [];
	private pendingOrders: Order[] = [];
	private flushScheduled = false;
	private balanceChanged = false;
	private ordersWatched = false;
	private nextTradeId = 1;
	private closed = false;

	constructor(
		private readonly venue: ExchangeClient,
		private readonly options: PaperBrokerOptions,
	) {
		const clock = options.clock ?? Date.now;
		const liquidity: LiquiditySource = {
			levels: (symbol, side) => {
				const book = this.books.get(symbol);
				return book === undefined ? [] : side === 'ask' ? book.asks : book.bids;
			},
			take: (symbol, side, price, qty) => {
				const book = this.books.get(symbol);
				const levels = book === undefined ? [] : side === 'ask' ? book.asks : book.bids;
				const level = levels.find(l => l.price === price);
				if (level) level.qty = Math.max(0, level.qty - qty);
				if (level && level.qty <= 0) levels.splice(levels.indexOf(level), 1);
				return this.nextTradeId++;
			},
			referencePrice: symbol => {
				const book = this.books.get(symbol);
				const bid = book?.bids[0]?.price;
				const ask = book?.asks[0]?.price;
				return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : (bid ?? ask ?? 0);
			},
		};
		this.engine = new MatchingEngine({
			clock,
			rules: symbol => {
				const market = this.bySymbolId.get(symbol);
				return market === undefined ? undefined : rulesOf(market);
			},
			liquidity,
			fees: options.fees ?? {maker: 0.001, taker: 0.001},
		});
		this.engine.createAccount(ACCOUNT, options.balances ?? {USDT: 10_000, BTC: 1, ETH: 10});
		this.engine.onEvent(event => {
			// Like ccxt: a watch sees what happens after the first watch call, not the history before it.
			if (event.kind === 'order' && !this.ordersWatched) return;
			if (event.kind === 'order') {
				this.pendingOrders.push(this.toOrder(event.order, event.fill ? [event.fill] : []));
				this.scheduleFlush();
			} else if (event.kind !== 'listStatus') {
				// A list's status changes no balance (its orders' events and balances come on their own).
				this.balanceChanged = true;
				this.scheduleFlush();
			}
		});
	}

	private scheduleFlush(): void {
		if (this.flushScheduled) return;
		this.flushScheduled = true;
		queueMicrotask(() => {
			this.flushScheduled = false;
			if (this.orderWaiters.length > 0 && this.pendingOrders.length > 0) {
				const batch = this.pendingOrders;
				this.pendingOrders = [];
				for (const resolve of this.orderWaiters.splice(0)) resolve(batch);
			}
			if (this.balanceWaiters.length > 0 && this.balanceChanged) {
				this.balanceChanged = false;
				const balance = this.balance();
				for (const resolve of this.balanceWaiters.splice(0)) resolve(balance);
			}
			// Keep only a bounded backlog when nobody watches.
			if (this.pendingOrders.length > 1000) this.pendingOrders.splice(0, this.pendingOrders.length - 1000);
		});
	}

	private async marketOf(symbol: string): Promise<MarketInfo> {
		let market: MarketInfo;
		try {
			market = this.venue.market(symbol);
		} catch {
			await this.venue.loadMarkets();
			try {
				market = this.venue.market(symbol);
			} catch {
				throw new ExchangeError({kind: 'bad-symbol', message: `Invalid symbol: ${symbol}`, code: -1121});
			}
		}
		this.bySymbolId.set(market.id, market);
		return market;
	}

	private fail(error: EngineError): never {
		throw new ExchangeError({
			kind: kindOfEngineError(error),
			message: `paper {"code":${error.code},"msg":"${error.msg}"}`,
			code: error.code,
			source: 'paper',
		});
	}

	private toOrder(o: EngineOrder, fills: readonly EngineFill[]): Order {
		const market = this.bySymbolId.get(o.symbol);
		const fee = fills.reduce<{cost: number; currency: string} | null>(
			(sum, f) => ({cost: (sum?.cost ?? 0) + f.commission, currency: f.commissionAsset}),
			null,
		);
		return {
			id: String(o.orderId),
			clientOrderId: o.clientOrderId,
			symbol: market?.symbol ?? o.symbol,
			side: o.side === 'BUY' ? 'buy' : 'sell',
			type: o.type.toLowerCase(),
			timeInForce: o.type === 'MARKET' ? null : o.timeInForce,
			status: statusMap[o.status],
			venueStatus: o.status,
			price: o.price > 0 ? o.price : null,
			average: o.executedQty > 0 ? o.cummulativeQuoteQty / o.executedQty : null,
			amount: o.origQty,
			filled: o.executedQty,
			remaining: Math.max(0, o.origQty - o.executedQty),
			cost: o.cummulativeQuoteQty,
			timestamp: o.time,
			lastUpdateTimestamp: o.updateTime,
			fee,
			fills: fills.map(f => ({
				price: f.price,
				amount: f.qty,
				fee: {cost: f.commission, currency: f.commissionAsset},
				tradeId: String(f.tradeId),
			})),
		};
	}

	private toMyTrade(t: AccountTrade): MyTrade {
		return {
			id: String(t.tradeId),
			orderId: String(t.orderId),
			symbol: this.bySymbolId.get(t.symbol)?.symbol ?? t.symbol,
			side: t.isBuyer ? 'buy' : 'sell',
			price: t.price,
			amount: t.qty,
			cost: t.quoteQty,
			fee: {cost: t.commission, currency: t.commissionAsset},
			takerOrMaker: t.isMaker ? 'maker' : 'taker',
			timestamp: t.time,
		};
	}

	private async refreshBook(market: MarketInfo): Promise<void> {
		const book = await this.venue.fetchOrderBook(market.symbol, this.options.bookDepth ?? 100);
		this.books.set(market.id, {
			bids: book.bids.map(([price, qty]) => ({price, qty})),
			asks: book.asks.map(([price, qty]) => ({price, qty})),
		});
	}

	/** Resting orders fill from the venue's trade flow; one loop per symbol while orders rest. */
	private watchFills(market: MarketInfo): void {
		if (this.watching.has(market.id)) return;
		this.watching.add(market.id);
		void (async () => {
			while (!this.closed && this.engine.openOrders(ACCOUNT, market.id).length > 0) {
				try {
					const trades = await this.venue.watchTrades(market.symbol);
					for (const trade of trades)
						this.engine.marketTrade(market.id, trade.price, trade.amount, Number(trade.id) || this.nextTradeId++);
				} catch {
					await new Promise(resolve => setTimeout(resolve, 250));
				}
			}
			this.watching.delete(market.id);
		})();
	}

	private roundDown(value: number, step: number | null): number {
		if (step === null || step <= 0) return value;
		const decimals = decimalsOf(step);
		return Number((Math.floor(value / step + 1e-9) * step).toFixed(decimals));
	}

	private roundTo(value: number, step: number | null): number {
		if (step === null || step <= 0) return value;
		return Number((Math.round(value / step) * step).toFixed(decimalsOf(step)));
	}

	async createOrder(request: OrderRequest): Promise<Order> {
		const market = await this.marketOf(request.symbol);
		const wire: NewOrderRequest = {symbol: market.id, side: request.side === 'buy' ? 'BUY' : 'SELL', type: 'MARKET'};
		// ccxt rounds amount (down to the step) and price (to the tick) before sending; so do we.
		if (request.amount !== undefined) wire.quantity = this.roundDown(request.amount, market.stepSize);
		if (request.type === 'market') {
			if (request.amount === undefined) {
				if (request.cost === undefined)
					throw new ExchangeError({kind: 'bad-request', message: 'a market order needs an amount or a cost'});
				wire.quoteOrderQty = this.roundDown(request.cost, market.tickSize);
			}
		} else {
			if (request.price === undefined || request.amount === undefined)
				throw new ExchangeError({kind: 'bad-request', message: `a ${request.type} order needs a price and an amount`});
			wire.price = this.roundTo(request.price, market.tickSize);
			wire.type = request.type === 'limit' ? 'LIMIT' : 'LIMIT_MAKER';
			if (request.type === 'limit') wire.timeInForce = request.timeInForce ?? 'GTC';
		}
		if (request.clientOrderId !== undefined) wire.clientOrderId = request.clientOrderId;
		await this.refreshBook(market);
		const result = this.engine.placeOrder(ACCOUNT, wire);
		if (!result.ok) this.fail(result.error);
		const {order, fills} = result.value;
		if (order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') this.watchFills(market);
		return this.toOrder(order, fills);
	}

	private ref(ref: {id: string} | {clientOrderId: string}): {orderId?: number; origClientOrderId?: string} {
		return 'id' in ref ? {orderId: Number(ref.id)} : {origClientOrderId: ref.clientOrderId};
	}

	async fetchOrder(symbol: string, ref: {id: string} | {clientOrderId: string}): Promise<Order> {
		const market = await this.marketOf(symbol);
		const result = this.engine.getOrder(ACCOUNT, market.id, this.ref(ref));
		if (!result.ok) this.fail(result.error);
		return this.toOrder(result.value, []);
	}

	async cancelOrder(symbol: string, ref: {id: string} | {clientOrderId: string}): Promise<Order> {
		const market = await this.marketOf(symbol);
		const result = this.engine.cancelOrder(ACCOUNT, market.id, this.ref(ref));
		if (!result.ok) this.fail(result.error);
		return this.toOrder(result.value, []);
	}

	async cancelAllOrders(symbol: string): Promise<Order[]> {
		const market = await this.marketOf(symbol);
		if (this.engine.openOrders(ACCOUNT, market.id).length === 0) return [];
		const result = this.engine.cancelAll(ACCOUNT, market.id);
		if (!result.ok) this.fail(result.error);
		return result.value.map(o => this.toOrder(o, []));
	}

	async fetchOpenOrders(symbol?: string): Promise<Order[]> {
		const id = symbol === undefined ? undefined : (await this.marketOf(symbol)).id;
		return this.engine.openOrders(ACCOUNT, id).map(o => this.toOrder(o, []));
	}

	async fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<MyTrade[]> {
		const market = await this.marketOf(symbol);
		const filter: {startTime?: number; limit?: number} = {};
		if (since !== undefined) filter.startTime = since;
		if (limit !== undefined) filter.limit = limit;
		return this.engine.myTrades(ACCOUNT, market.id, filter).map(t => this.toMyTrade(t));
	}

	balance(): Balance {
		const account = this.engine.account(ACCOUNT)!;
		const assets: Balance['assets'] = {};
		for (const [asset, b] of account.balances) assets[asset] = {free: b.free, used: b.locked, total: b.free + b.locked};
		return {timestamp: account.updateTime, assets};
	}

	fetchBalance(): Promise<Balance> {
		return Promise.resolve(this.balance());
	}

	watchOrders(symbol?: string): Promise<Order[]> {
		this.ordersWatched = true;
		return new Promise(resolve => {
			const wanted = symbol;
			const waiter = (orders: Order[]) => {
				const mine =
					wanted === undefined
						? orders
						: orders.filter(
								o => o.symbol === wanted || o.symbol.replace('/', '') === wanted.replace('/', '').toUpperCase(),
							);
				if (mine.length > 0) resolve(mine);
				else this.orderWaiters.push(waiter);
			};
			this.orderWaiters.push(waiter);
			this.scheduleFlush();
		});
	}

	watchBalance(): Promise<Balance> {
		return new Promise(resolve => {
			this.balanceWaiters.push(resolve);
		});
	}

	close(): void {
		this.closed = true;
	}
}

/** An ExchangeClient whose orders are simulated locally; everything else goes to `venue`. */
export function createPaperBroker(venue: ExchangeClient, options: PaperBrokerOptions = {}): ExchangeClient {
	const broker = new PaperBroker(venue, options);
	const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
		try {
			return await fn();
		} catch (error) {
			throw toExchangeError(error);
		}
	};
	return {
		execution: 'paper',
		get environment() {
			return venue.environment;
		},
		get endpoints() {
			return venue.endpoints;
		},
		get tap() {
			return venue.tap;
		},
		loadMarkets: reload => venue.loadMarkets(reload),
		market: symbol => venue.market(symbol),
		fetchTime: () => venue.fetchTime(),
		ping: () => venue.ping(),
		fetchTicker: symbol => venue.fetchTicker(symbol),
		fetchOHLCV: (symbol, timeframe, since, limit) => venue.fetchOHLCV(symbol, timeframe, since, limit),
		fetchOHLCVHistory: (symbol, timeframe, count, options) =>
			venue.fetchOHLCVHistory(symbol, timeframe, count, options),
		fetchOrderBook: (symbol, limit) => venue.fetchOrderBook(symbol, limit),
		fetchTrades: (symbol, since, limit) => venue.fetchTrades(symbol, since, limit),
		fetchAggTrades: (symbol, options) => venue.fetchAggTrades(symbol, options),
		fetchApiRestrictions: () => venue.fetchApiRestrictions(),
		lastResponseHeaders: () => venue.lastResponseHeaders(),
		onResponse: listener => venue.onResponse(listener),
		rawPublicGet: (path, query) => venue.rawPublicGet(path, query),
		watchTrades: symbol => venue.watchTrades(symbol),
		watchOHLCV: (symbol, timeframe) => venue.watchOHLCV(symbol, timeframe),
		watchTicker: (symbol, options) => venue.watchTicker(symbol, options),
		watchBookTicker: symbol => venue.watchBookTicker(symbol),
		watchOrderBook: (symbol, options) => venue.watchOrderBook(symbol, options),
		localOrderBook: (symbol, levels) => venue.localOrderBook(symbol, levels),
		dropConnections: () => venue.dropConnections(),
		// Only when the venue client can: a caller tells by its presence whether it must cut everything instead.
		...(venue.dropStreamConnection
			? {dropStreamConnection: (streamId: string, reason: string) => venue.dropStreamConnection!(streamId, reason)}
			: {}),
		closeStreams: () => venue.closeStreams(),
		close: async () => {
			broker.close();
			await venue.close();
		},
		createOrder: request => guard(() => broker.createOrder(request)),
		fetchOrder: (symbol, ref) => guard(() => broker.fetchOrder(symbol, ref)),
		cancelOrder: (symbol, ref) => guard(() => broker.cancelOrder(symbol, ref)),
		cancelAllOrders: symbol => guard(() => broker.cancelAllOrders(symbol)),
		fetchOpenOrders: symbol => guard(() => broker.fetchOpenOrders(symbol)),
		fetchMyTrades: (symbol, since, limit) => guard(() => broker.fetchMyTrades(symbol, since, limit)),
		fetchBalance: () => guard(() => broker.fetchBalance()),
		watchOrders: symbol => broker.watchOrders(symbol),
		watchBalance: () => broker.watchBalance(),
	};
}
