/**
 * drydock's own view of an exchange: plain data and one client interface. Phases, the engine and the
 * paper broker use only these types; ccxt stays behind source/exchange/ccxt-*.ts.
 *
 * Symbols: every method accepts the unified form (`BTC/USDT`) or the venue id (`BTCUSDT`); returned
 * data always carries the unified form. Times are epoch milliseconds. Numbers are plain numbers.
 */
import type {Endpoints} from './venues.js';

export type Environment = 'mock' | 'testnet' | 'mainnet';

/** Where and how to connect; the profile loader maps a profile onto this. */
export interface ExchangeTarget {
	environment: Environment;
	/** REST base, e.g. `http://127.0.0.1:PORT` (a trailing `/api/v3` is accepted). Required for `mock`; ignored otherwise. */
	restUrl?: string;
	/** WebSocket base, e.g. `ws://127.0.0.1:PORT` (a trailing `/ws` is accepted). Required for `mock`; ignored otherwise. */
	wsUrl?: string;
	/**
	 * testnet/mainnet only: the venue's own bases replaced on purpose (a profile's `urls`, e.g. a local TLS
	 * venue in tests). restUrl/wsUrl alone never move a real venue's client (a mock URL given by mistake).
	 */
	venueUrls?: {rest: string; ws: string; wsApi: string};
	apiKey?: string;
	secret?: string;
	/** ccxt's client-side throttle (spaces calls by their weight; it never reads the venue's headers). */
	enableRateLimit: boolean;
	/** Per REST request. */
	timeoutMs: number;
	/** The symbols the profile trades; informational (all spot markets are loaded). */
	symbols?: string[];
	/** Base delay of ccxt's WebSocket reconnect backoff (ccxt default 1000 ms; doubles per attempt). */
	wsReconnectBaseMs?: number;
	/**
	 * An HTTP proxy (`http://127.0.0.1:PORT`, drydock's local fault proxy) that every REST call and
	 * WebSocket connection goes through, as CONNECT tunnels (TLS stays end to end with the venue).
	 */
	proxyUrl?: string;
}

/** The effective URLs a client talks to (for the config phase and reports). */
/** Defined with the venue URLs in venues.ts. */
export type {Endpoints};

export interface MarketInfo {
	/** Unified, e.g. `BTC/USDT`. */
	symbol: string;
	/** Venue id, e.g. `BTCUSDT`. */
	id: string;
	base: string;
	quote: string;
	/** `TRADING`, `BREAK`, … */
	status: string;
	active: boolean;
	/** Venue order types, e.g. `LIMIT`, `MARKET`, `LIMIT_MAKER`. */
	orderTypes: string[];
	/** PRICE_FILTER */
	tickSize: number | null;
	minPrice: number | null;
	maxPrice: number | null;
	/** LOT_SIZE */
	stepSize: number | null;
	minQty: number | null;
	maxQty: number | null;
	/** MARKET_LOT_SIZE (falls back to LOT_SIZE) */
	marketMinQty: number | null;
	marketMaxQty: number | null;
	/** NOTIONAL or MIN_NOTIONAL */
	minNotional: number | null;
	maxNotional: number | null;
	/** The raw venue filters, as sent. */
	filters: Array<Record<string, unknown>>;
}

export interface Ticker {
	symbol: string;
	timestamp: number | null;
	last: number | null;
	bid: number | null;
	bidQty: number | null;
	ask: number | null;
	askQty: number | null;
	open: number | null;
	high: number | null;
	low: number | null;
	/** Base-asset volume over the ticker window. */
	volume: number | null;
	quoteVolume: number | null;
	change: number | null;
	percentage: number | null;
}

export interface BookTicker {
	symbol: string;
	bid: number | null;
	bidQty: number | null;
	ask: number | null;
	askQty: number | null;
	/** The venue's book update id `u`, when sent. */
	updateId: number | null;
	timestamp: number | null;
}

export interface Candle {
	/** Open time. */
	time: number;
	open: number;
	high: number;
	low: number;
	close: number;
	volume: number;
}

export type BookLevel = [price: number, amount: number];

export interface OrderBook {
	symbol: string;
	timestamp: number | null;
	/** The venue's last update id (`lastUpdateId` of a snapshot, `u` of the last applied diff). */
	nonce: number | null;
	/** Best first. */
	bids: BookLevel[];
	/** Best first. */
	asks: BookLevel[];
}

export type Side = 'buy' | 'sell';

/** A public trade. */
export interface Trade {
	id: string;
	symbol: string;
	timestamp: number;
	price: number;
	amount: number;
	cost: number;
	/** Taker side. */
	side: Side | null;
}

/** A compressed (aggregate) trade, GET /api/v3/aggTrades: trade ids `firstTradeId`..`lastTradeId` at one price. */
export interface AggTrade {
	/** Aggregate id (`a`), what `fromId` pages by. */
	id: number;
	firstTradeId: number;
	lastTradeId: number;
	price: number;
	amount: number;
	timestamp: number;
}

export interface BalanceEntry {
	free: number;
	used: number;
	total: number;
}

export interface Balance {
	timestamp: number | null;
	/** By asset code, e.g. `USDT`; only assets the venue reported. */
	assets: Record<string, BalanceEntry>;
}

export type OrderKind = 'market' | 'limit' | 'limit-maker';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

/** ccxt's unified status: NEW/PARTIALLY_FILLED → open, FILLED → closed, CANCELED → canceled, … */
export type OrderStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected' | 'unknown';

export interface OrderRequest {
	symbol: string;
	side: Side;
	type: OrderKind;
	/** Base quantity. Required except for a market order given by `cost`. */
	amount?: number;
	/** Quote quantity for a market order (`quoteOrderQty`), e.g. spend 50 USDT. */
	cost?: number;
	/** Required for limit and limit-maker. */
	price?: number;
	/** Limit orders only; default GTC. */
	timeInForce?: TimeInForce;
	/** Sent as `newClientOrderId`; otherwise ccxt generates one. */
	clientOrderId?: string;
}

export interface Fee {
	cost: number;
	currency: string;
}

export interface Fill {
	price: number;
	amount: number;
	fee: Fee | null;
	tradeId: string | null;
}

export interface Order {
	id: string;
	clientOrderId: string | null;
	symbol: string;
	side: Side;
	/** `market`, `limit`, `limit_maker`, … lower-cased venue type. */
	type: string;
	timeInForce: string | null;
	status: OrderStatus;
	/** The venue's own status (NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED). */
	venueStatus: string | null;
	price: number | null;
	average: number | null;
	amount: number | null;
	filled: number;
	remaining: number | null;
	/** Quote filled so far. */
	cost: number;
	timestamp: number | null;
	lastUpdateTimestamp: number | null;
	fee: Fee | null;
	fills: Fill[];
}

/** A trade of our own account. */
export interface MyTrade {
	id: string;
	orderId: string | null;
	symbol: string;
	side: Side | null;
	price: number;
	amount: number;
	cost: number;
	fee: Fee | null;
	takerOrMaker: 'taker' | 'maker' | null;
	timestamp: number;
}

export interface ApiRestrictions {
	enableWithdrawals: boolean;
	enableReading: boolean;
	enableSpotAndMarginTrading: boolean;
	ipRestrict: boolean;
	/** Everything the venue sent. */
	raw: Record<string, unknown>;
}

/** What the venue said about our rate-limit usage in a response. */
export interface RateLimitHeaders {
	/** X-MBX-USED-WEIGHT-1M */
	usedWeight1m: number | null;
	/** X-MBX-ORDER-COUNT-10S */
	orderCount10s: number | null;
	/** X-MBX-ORDER-COUNT-1D */
	orderCount1d: number | null;
	/** Retry-After (seconds on the wire) in ms. */
	retryAfterMs: number | null;
}

/** One REST response as seen by the client (successful or not). */
export interface ResponseInfo extends RateLimitHeaders {
	method: string;
	/** Path only, e.g. `/api/v3/order` (never the query: it carries the signature). */
	path: string;
	status: number;
	at: number;
}

export interface RawResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
	latencyMs: number;
}

export interface HistoryOptions {
	/** Start of the window; default: `count` candles before now. */
	since?: number;
	/** Candles per request (max 1000 on Binance spot). */
	pageSize?: number;
	/** Called after every page. */
	onPage?: (page: {candles: number; requests: number; elapsedMs: number}) => void;
	signal?: AbortSignal;
}

export interface HistoryResult {
	candles: Candle[];
	requests: number;
	elapsedMs: number;
}

export type Unsubscribe = () => void;

/** The order methods, shared by the venue client and the paper broker. */
export interface OrderApi {
	createOrder(request: OrderRequest): Promise<Order>;
	/** By venue id, or by client order id with `{clientOrderId}`. */
	fetchOrder(symbol: string, ref: {id: string} | {clientOrderId: string}): Promise<Order>;
	cancelOrder(symbol: string, ref: {id: string} | {clientOrderId: string}): Promise<Order>;
	/** Cancels every open order of a symbol; returns what was cancelled. */
	cancelAllOrders(symbol: string): Promise<Order[]>;
	fetchOpenOrders(symbol?: string): Promise<Order[]>;
	fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<MyTrade[]>;
	fetchBalance(): Promise<Balance>;
	watchOrders(symbol?: string): Promise<Order[]>;
	watchBalance(): Promise<Balance>;
}

export interface ExchangeClient extends OrderApi {
	readonly environment: Environment;
	readonly endpoints: Endpoints;
	/** `exchange` (orders on the venue) or `paper` (orders simulated locally). */
	readonly execution: 'exchange' | 'paper';

	/** GET exchangeInfo once (cached afterwards unless `reload`). */
	loadMarkets(reload?: boolean): Promise<MarketInfo[]>;
	/** A loaded market; throws ExchangeError kind `bad-symbol` when unknown (call loadMarkets first). */
	market(symbol: string): MarketInfo;
	fetchTime(): Promise<number>;
	ping(): Promise<void>;
	fetchTicker(symbol: string): Promise<Ticker>;
	fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]>;
	/** `count` candles of history via since/limit windows, oldest first, de-duplicated. */
	fetchOHLCVHistory(symbol: string, timeframe: string, count: number, options?: HistoryOptions): Promise<HistoryResult>;
	fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook>;
	fetchTrades(symbol: string, since?: number, limit?: number): Promise<Trade[]>;
	/** Aggregate trades from an aggregate id (`fromId`) or a time (`startTime`), oldest first (max 1000). */
	fetchAggTrades(symbol: string, options: {fromId?: number; startTime?: number; limit?: number}): Promise<AggTrade[]>;
	fetchApiRestrictions(): Promise<ApiRestrictions>;
	/** Rate-limit headers of the last REST response. */
	lastResponseHeaders(): RateLimitHeaders;
	/** Every REST response, as it completes (for weight tracking). */
	onResponse(listener: (response: ResponseInfo) => void): Unsubscribe;
	/** A plain unsigned GET on the REST host, bypassing ccxt (rate-limit probing). `path` like `/api/v3/ping`. */
	rawPublicGet(path: string, query?: Record<string, string | number>): Promise<RawResponse>;

	/** Resolve with the next update(s); call again in a loop. */
	watchTrades(symbol: string): Promise<Trade[]>;
	watchOHLCV(symbol: string, timeframe?: string): Promise<Candle[]>;
	/** `@ticker` by default; `{mini: true}` for `@miniTicker`. */
	watchTicker(symbol: string, options?: {mini?: boolean}): Promise<Ticker>;
	watchBookTicker(symbol: string): Promise<BookTicker>;
	/** Diff-depth synced with the REST snapshot; copies the top `levels` levels (default 50). */
	watchOrderBook(symbol: string, options?: {levels?: number}): Promise<OrderBook>;
	/** The watched book as it stands now (no waiting); undefined when not watched or not yet synced. */
	localOrderBook(symbol: string, levels?: number): OrderBook | undefined;

	/** Events of every WebSocket frame and connection (the stream inspector's tap). */
	readonly tap: WsTap;
	/** Cuts every WebSocket connection now (as a network drop would); watchers reconnect on their next call. */
	/** Cuts every WebSocket connection now; resolves to how many were open (0: nothing to drop). */
	dropConnections(): Promise<number>;
	/**
	 * Fails and closes only the WebSocket connection(s) carrying `streamId` (a Binance stream name such as
	 * `btcusdt@trade`): its pending watches reject with `reason` and the next watch redials; other streams
	 * are left alone. False when no open connection carries it (still dialing). Optional: without it a
	 * caller falls back to dropConnections().
	 */
	dropStreamConnection?(streamId: string, reason: string): Promise<boolean>;
	/**
	 * Closes every WebSocket connection cleanly (pending watches reject with kind `network`) and forgets
	 * ccxt's reconnect backoff, so the next watch dials at once. REST keeps working.
	 */
	closeStreams(): Promise<void>;
	/** Closes every connection; the client is unusable afterwards. */
	close(): Promise<void>;
}

/** Low-level WebSocket events, one per frame or connection change. Cheap when nobody listens. */
export interface WsTap {
	onFrame(listener: (frame: WsFrame) => void): Unsubscribe;
	/** Only computed (Buffer → string) while someone listens. */
	onRawMessage(listener: (streamId: string, text: string) => void): Unsubscribe;
	onConnection(listener: (event: WsConnectionEvent) => void): Unsubscribe;
}

/** What a frame told us, parsed once by ccxt. */
export interface WsFrame {
	/** The connection URL (ccxt opens one per subscription: `<ws>/ws/<n>`). */
	url: string;
	/** e.g. `btcusdt@trade`, `btcusdt@depth@100ms`, `user` for user data; null for control replies. */
	streamId: string | null;
	/** `trade`, `kline`, `depthUpdate`, `bookTicker`, `24hrTicker`, `executionReport`, `control`, … */
	event: string;
	/** Uppercase venue id, e.g. `BTCUSDT`, when the frame names one. */
	symbol: string | null;
	/** Local receipt time (Date.now()). */
	receivedAt: number;
	/** Venue event time `E` (or trade time `T` when no E). */
	eventTime: number | null;
	/** Trade id `t` (trade), aggregate id `a` (aggTrade), update id `u` (bookTicker). */
	seqId: number | null;
	/** Diff depth `U` and `u`. */
	firstUpdateId: number | null;
	lastUpdateId: number | null;
	/** Control replies only: the id of the request answered. */
	requestId?: string;
}

export type WsConnectionEvent =
	| {type: 'open'; url: string; at: number; reconnect: boolean}
	| {type: 'subscribed'; url: string; at: number; streams: string[]; reconnect: boolean}
	| {type: 'closed'; url: string; at: number; reason: string};
