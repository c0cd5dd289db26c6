/**
 * The seam between the mock's core (market simulator, matching engine, accounts, faults — owned by
 * source/mock/market, source/mock/matching, source/mock/faults) and its WebSocket layer
 * (source/mock/ws). Everything here is already in Binance's wire shape: numbers as strings,
 * timestamps as integer milliseconds of the mock's server clock (which includes any clock-skew fault).
 */

export type Unsubscribe = () => void;

/** `<symbol>@trade` payload. */
export interface WireTrade {
	e: 'trade';
	E: number;
	s: string;
	t: number;
	p: string;
	q: string;
	T: number;
	m: boolean;
	M: true;
}

/** `<symbol>@depth[@100ms]` diff payload; consecutive updates of a symbol satisfy U = previous u + 1. */
export interface WireDepthUpdate {
	e: 'depthUpdate';
	E: number;
	s: string;
	U: number;
	u: number;
	b: Array<[string, string]>;
	a: Array<[string, string]>;
}

export interface WireDepthSnapshot {
	lastUpdateId: number;
	bids: Array<[string, string]>;
	asks: Array<[string, string]>;
}

export interface WireBookTicker {
	u: number;
	s: string;
	b: string;
	B: string;
	a: string;
	A: string;
}

/** The `k` object of a kline event. */
export interface WireKline {
	t: number;
	T: number;
	s: string;
	i: string;
	f: number;
	L: number;
	o: string;
	c: string;
	h: string;
	l: string;
	v: string;
	n: number;
	x: boolean;
	q: string;
	V: string;
	Q: string;
	B: '0';
}

export interface WireMiniTicker {
	e: '24hrMiniTicker';
	E: number;
	s: string;
	c: string;
	o: string;
	h: string;
	l: string;
	v: string;
	q: string;
}

export interface WireTicker {
	e: '24hrTicker';
	E: number;
	s: string;
	p: string;
	P: string;
	w: string;
	x: string;
	c: string;
	Q: string;
	b: string;
	B: string;
	a: string;
	A: string;
	o: string;
	h: string;
	l: string;
	v: string;
	q: string;
	O: number;
	C: number;
	F: number;
	L: number;
	n: number;
}

/** Read access to the simulated market plus its push events. Symbols are uppercase (BTCUSDT). */
/** Where a replay's recorded frames go: a WebSocket layer's hub, and how far behind its slowest socket is. */
export interface RecordedFrameSink {
	/** True when somebody subscribes to the stream (a frame nobody wants is not even rewritten). */
	wants(stream: string): boolean;
	frame(stream: string, json: string): void;
	backlog(): number;
}

export interface MarketFeed {
	symbols(): readonly string[];
	hasSymbol(symbol: string): boolean;
	/** The mock's server clock in ms (wall clock + clock-skew fault). */
	now(): number;
	depth(symbol: string, limit: number): WireDepthSnapshot;
	bookTicker(symbol: string): WireBookTicker;
	miniTicker(symbol: string): WireMiniTicker;
	ticker(symbol: string): WireTicker;
	/** The candle currently forming (x=false) for a supported interval (1s 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M). */
	currentKline(symbol: string, interval: string): WireKline;
	/** A finished candle by its open time (x=true), or undefined if unknown. */
	klineAt(symbol: string, interval: string, openTime: number): WireKline | undefined;
	/** Every simulated trade, as it happens. */
	onTrade(listener: (trade: WireTrade) => void): Unsubscribe;
	/** Book changes batched every 100 ms per symbol (only when something changed). */
	onDepthUpdate(listener: (update: WireDepthUpdate) => void): Unsubscribe;
	/** Replay: recorded frames to publish as they are. */
	onRecordedFrame?(sink: RecordedFrameSink): Unsubscribe;
	/** Replay: the streams published from the recording, which the producers must not synthesize. */
	readonly recordedStreams?: ReadonlySet<string>;
}

/** User-data events as Binance pushes them (executionReport, listStatus, outboundAccountPosition, balanceUpdate). */
export type WireUserEvent =
	| ({e: 'executionReport'} & Record<string, unknown>)
	| {
			e: 'listStatus';
			E: number;
			s: string;
			g: number;
			c: string;
			l: string;
			L: string;
			r: string;
			C: string;
			T: number;
			O: Array<{s: string; i: number; c: string}>;
	  }
	| {e: 'outboundAccountPosition'; E: number; u: number; B: Array<{a: string; f: string; l: string}>}
	| {e: 'balanceUpdate'; E: number; a: string; d: string; T: number};

export interface UserDataFeed {
	/** Events for the account behind `apiKey`, in the order they happened. */
	onUserEvent(listener: (apiKey: string, event: WireUserEvent) => void): Unsubscribe;
}

export interface CredentialStore {
	/** The secret for a known API key, else undefined. */
	secretFor(apiKey: string): string | undefined;
}

/** What the WebSocket layer must obey from the fault controller. */
export interface StreamFaults {
	/** True while a `stall-streams` fault is active: connections stay open, no data is pushed. */
	streamsStalled(): boolean;
	/** Called when a `drop-websockets` fault fires: every WS connection must be closed at once. */
	onDropWebSockets(listener: () => void): Unsubscribe;
}

/** The three kinds of WebSocket connection the layer serves. */
export type StreamKind = 'market' | 'wsApi' | 'listenKey';

/**
 * Told about a listener's connections and subscriptions, for a client's attribution. Subscription names:
 * market streams by name (btcusdt@trade), "ws-api:session" while a WebSocket API session is logged on,
 * "ws-api:userData" per user-data subscription there, "listenKey:userData" per legacy listenKey stream.
 */
export interface StreamObserver {
	connected(kind: StreamKind): void;
	disconnected(kind: StreamKind): void;
	subscribed(name: string): void;
	unsubscribed(name: string): void;
}

export interface WebSocketStats {
	openConnections: number;
	messagesSent: number;
}

/** The legacy REST listenKey flow (POST/PUT/DELETE /api/v3/userDataStream); keys expire after 60 min without keep-alive. */
export interface ListenKeyRegistry {
	create(apiKey: string): string;
	keepAlive(listenKey: string): boolean;
	close(listenKey: string): boolean;
}

/**
 * What source/mock/ws/index.ts exports for the server to mount on its single port:
 * `attachWebSocketLayer(server: http.Server, deps: WebSocketDeps): WebSocketLayer`.
 * It handles every HTTP upgrade on the server (paths /ws, /ws/<n>, /ws/<stream>, /ws/<listenKey>,
 * /stream?streams=a/b, /ws-api/v3) and answers other upgrade paths with 404.
 */
export interface WebSocketDeps {
	market: MarketFeed;
	users: UserDataFeed;
	credentials: CredentialStore;
	faults: StreamFaults;
	/** Server ping interval; Binance uses 20 s. Tests shorten it. */
	pingIntervalMs?: number;
	/** A connection that has not answered a ping for this long is dropped; Binance uses 60 s. */
	pongTimeoutMs?: number;
	/** A client's listener: attribution of its connections and subscriptions. */
	observer?: StreamObserver;
}

export interface WebSocketLayer {
	listenKeys: ListenKeyRegistry;
	stats(): WebSocketStats;
	/** Cuts every connection at once, as the drop-websockets fault does (the operator's reconnect of one client). */
	dropAll(): void;
	/** Close every connection with 1001 and stop timers. */
	close(): Promise<void>;
}
