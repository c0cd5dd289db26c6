/** The matching engine's vocabulary: Binance's spot order model, as plain numbers. */

export type Side = 'BUY' | 'SELL';
export type OrderType =
	'LIMIT' | 'MARKET' | 'LIMIT_MAKER' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'TAKE_PROFIT' | 'TAKE_PROFIT_LIMIT';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
export type ExecutionType = 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'REJECTED' | 'REPLACED';

export const ORDER_TYPES: readonly OrderType[] = [
	'LIMIT',
	'LIMIT_MAKER',
	'MARKET',
	'STOP_LOSS',
	'STOP_LOSS_LIMIT',
	'TAKE_PROFIT',
	'TAKE_PROFIT_LIMIT',
];

/** Types that execute as a market order (once triggered, for the stop kinds). */
export function isMarketLike(type: OrderType): boolean {
	return type === 'MARKET' || type === 'STOP_LOSS' || type === 'TAKE_PROFIT';
}

/** Types that wait for `stopPrice` before they work. */
export function isConditional(type: OrderType): boolean {
	return type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT' || type === 'TAKE_PROFIT_LIMIT';
}
export const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];

/** What the engine needs to know about an instrument (SymbolSpec satisfies it). */
export interface InstrumentRules {
	symbol: string;
	baseAsset: string;
	quoteAsset: string;
	priceDecimals: number;
	qtyDecimals: number;
	tickSize: number;
	stepSize: number;
	minPrice: number;
	maxPrice: number;
	minQty: number;
	maxQty: number;
	marketMaxQty: number;
	minNotional: number;
	maxNotional: number;
}

/** A book level as a taker sees it. */
export interface BookLevel {
	price: number;
	qty: number;
}

/**
 * Where taker orders find liquidity: the mock's simulated book, or a paper broker's copy of a real
 * book. `take` is told about every fill so the source can shrink the level and print the trade.
 */
export interface LiquiditySource {
	/** Levels best first; 'ask' is what a buy walks, 'bid' what a sell walks. */
	levels(symbol: string, side: 'bid' | 'ask'): readonly BookLevel[];
	/** Returns the id of the trade the fill printed as. */
	take(symbol: string, side: 'bid' | 'ask', price: number, qty: number): number;
	/** Reference price for market-order notional checks (Binance uses the average price). */
	referencePrice(symbol: string): number;
}

export interface NewOrderRequest {
	symbol: string;
	side: Side;
	type: OrderType;
	timeInForce?: TimeInForce;
	quantity?: number;
	quoteOrderQty?: number;
	price?: number;
	/** Trigger price of STOP_LOSS(_LIMIT) / TAKE_PROFIT(_LIMIT); with trailingDelta, the activation price (optional). */
	stopPrice?: number;
	/** Trailing stop distance in BIPS (1 = 0.01 %). */
	trailingDelta?: number;
	/** Visible part of an iceberg (LIMIT-kind, GTC); must be less than quantity. */
	icebergQty?: number;
	selfTradePreventionMode?: StpMode;
	clientOrderId?: string;
}

export type StpMode = 'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH' | 'DECREMENT' | 'TRANSFER';

/** Binance's STP modes (enums.md). The mock's own orders never meet each other (takers walk the simulated book), so no mode ever acts. */
export const STP_MODES: readonly StpMode[] = [
	'NONE',
	'EXPIRE_TAKER',
	'EXPIRE_MAKER',
	'EXPIRE_BOTH',
	'DECREMENT',
	'TRANSFER',
];
export const DEFAULT_STP_MODE: StpMode = 'EXPIRE_MAKER';

/** Binance's TRAILING_DELTA filter bounds (BIPS), as on its spot symbols. */
export const TRAILING_DELTA_MIN = 10;
export const TRAILING_DELTA_MAX = 2000;

export interface Order {
	symbol: string;
	orderId: number;
	clientOrderId: string;
	side: Side;
	type: OrderType;
	timeInForce: TimeInForce;
	price: number;
	origQty: number;
	executedQty: number;
	cummulativeQuoteQty: number;
	origQuoteOrderQty: number;
	status: OrderStatus;
	stopPrice: number;
	/** False while a conditional order waits for its trigger. */
	isWorking: boolean;
	time: number;
	updateTime: number;
	workingTime: number;
	/** Funds still held for this order (quote for buys, base for sells). */
	locked: number;
	/** The order list (OCO, OTO, OTOCO) this order belongs to; absent or -1 for a lone order. */
	orderListId?: number;
	/** An order list's pending order, waiting for its working order to fill (shown as PENDING_NEW). */
	pending?: boolean;
	trailingDelta?: number;
	/** When a trailing stop started tracking (-1 before). */
	trailingTime?: number;
	/** The extreme price a tracking trailing stop measures from (highest for sells, lowest for buys). */
	trailRef?: number;
	icebergQty?: number;
	selfTradePreventionMode?: StpMode;
}

export type ContingencyType = 'OCO' | 'OTO' | 'OTOCO';

/** An order list: its orders in placement order (OTO/OTOCO: the working order first, then the pending ones). */
export interface OrderList {
	orderListId: number;
	contingencyType: ContingencyType;
	listClientOrderId: string;
	symbol: string;
	transactionTime: number;
	listStatusType: 'EXEC_STARTED' | 'ALL_DONE';
	listOrderStatus: 'EXECUTING' | 'ALL_DONE';
	orders: Order[];
}

/** One order of a list as the request gives it; `oco` marks the legs that cancel each other. */
export interface ListLeg {
	request: NewOrderRequest;
	pending: boolean;
	oco: boolean;
}

export interface Fill {
	price: number;
	qty: number;
	quoteQty: number;
	commission: number;
	commissionAsset: string;
	tradeId: number;
	isMaker: boolean;
	time: number;
}

/** A row of GET /api/v3/myTrades. */
export interface AccountTrade extends Fill {
	symbol: string;
	orderId: number;
	isBuyer: boolean;
}

export interface Balance {
	free: number;
	locked: number;
}

/** A Binance error as a value: `{code, msg}` exactly as the wire carries it. */
export interface EngineError {
	code: number;
	msg: string;
}

export type Result<T> = {ok: true; value: T} | {ok: false; error: EngineError};

export interface OrderOutcome {
	order: Order;
	/** Fills made while placing (the taker part), in order. */
	fills: Fill[];
}

/** What happened, for user-data streams: one event per order change, one per balance change. */
export type EngineEvent =
	| {
			kind: 'order';
			account: string;
			order: Order;
			execution: ExecutionType;
			fill?: Fill;
			origClientOrderId?: string;
			time: number;
	  }
	| {kind: 'balances'; account: string; assets: Array<{asset: string; free: number; locked: number}>; time: number}
	| {kind: 'balanceDelta'; account: string; asset: string; delta: number; time: number}
	/** An order list started executing or is all done (user data `listStatus`). */
	| {kind: 'listStatus'; account: string; list: OrderList; time: number};

export interface FeeSchedule {
	/** Fraction, 0.001 = 0.1 %. */
	maker: number;
	taker: number;
}
