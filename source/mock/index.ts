/**
 * The embedded Binance-compatible spot exchange: drydock's own port serving REST, the WebSocket layer
 * (source/mock/ws) and the operator's admin API at /__drydock, plus one port per extra client
 * (source/mock/clients) serving the same surface for an account of its own.
 */
import {createAdminHandler} from './admin.js';
import {ApiKeyBook, type PublicKeyRegistration} from './api-keys.js';
import {ClientHub, type ClientInfo, type ClientOptions} from './clients/client-hub.js';
import type {CredentialStore, WebSocketDeps} from './contracts.js';
import {FaultController, type ActiveFault} from './faults/index.js';
import {OrderCounter, WeightLimiter, type RateLimitOptions} from './http/rate-limits.js';
import type {MockContext} from './http/route.js';
import {RequestStats} from './http/stats.js';
import {startListener} from './listener.js';
import type {MockMarketSettings} from './market/market-settings.js';
import {MarketSimulator} from './market/simulator.js';
import {splitSymbol, symbolSpec} from './market/symbols.js';
import {MatchingEngine, type FeeSchedule, type OrderStatus} from './matching/index.js';
import {restingOrdersInBook} from './resting-orders-book.js';
import {UserEvents} from './user-events.js';
import {replayAdmin} from './replay/replay-admin.js';
import {startReplay, type MockReplayOptions, type Replay} from './replay/index.js';

export {
	ClientHub,
	type ClientInfo,
	type ClientOptions,
	type ClientAccountView,
	type ClientFill,
} from './clients/client-hub.js';
export type {ActivitySnapshot} from './clients/client-activity.js';
export type {ActivityEvent, ActivityEventType} from './clients/activity-ring.js';
export {LEGACY_USER_DATA_NOTICE, parseLegacyUserData} from './legacy-user-data.js';
export type {PublicKeyRegistration} from './api-keys.js';
export {
	scanRecording,
	parseSpeed,
	ReplayFileError,
	RecordingFormatError,
	type RecordingScan,
	type ReplaySettings,
	type ReplaySpeed,
	type ReplayStatus,
} from './replay/index.js';
export {
	FaultController,
	FAULT_NAMES,
	parseFaultSpec,
	type FaultName,
	type FaultSpec,
	type FaultParams,
	type ActiveFault,
} from './faults/index.js';

/** Documented defaults, shaped like Binance's 64-character alphanumeric keys. Not secret: loopback only. */
export const DEFAULT_API_KEY = 'drydockMockApiKey00000000000000000000000000000000000000000000001';
export const DEFAULT_API_SECRET = 'drydockMockApiSecret00000000000000000000000000000000000000000001';

export const DEFAULT_SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

export interface MockExchangeOptions {
	host?: string;
	port?: number;
	seed?: number;
	symbols?: string[];
	apiKey?: string;
	apiSecret?: string;
	balances?: Record<string, number>;
	/** Daily return standard deviation of the simulated prices (default 0.02). */
	volatility?: number;
	weightLimitPerMinute?: number;
	enableWithdrawals?: boolean;
	pingIntervalMs?: number;
	pongTimeoutMs?: number;
	// ---- extras beyond the published API (tests and soak runs tune them) ----
	/** Length of the request-weight window (default 60 000 ms). */
	weightWindowMs?: number;
	/** 429s answered within one window before the IP gets a 418 ban (default 5). */
	banAfter429s?: number;
	/** Length of a first IP ban (default 120 000 ms, Binance's minimum); repeated bans double up to 3 days. */
	banMs?: number;
	/** RAW_REQUESTS per IP per 5 minutes (default 61 000, scaled up with a raised weightLimitPerMinute so lifting one lifts both). */
	rawRequestsPer5m?: number;
	/** ORDERS limits (default 100 per 10 s, 200 000 per day). */
	ordersPer10s?: number;
	ordersPerDay?: number;
	fees?: FeeSchedule;
	/** Market steering: the profile's `mock.market` (source/mock/market/market-settings.ts). */
	market?: MockMarketSettings;
	/** Market simulation step (default 100 ms). */
	stepMs?: number;
	/** Accepted for callers that ask for silence; the mock never logs on stdout anyway. */
	quiet?: boolean;
	/** RSA and Ed25519 API keys (PEM public keys) for existing accounts; the clients sign with the private keys. */
	publicKeys?: PublicKeyRegistration[];
	/**
	 * Keep serving the listenKey flow Binance withdrew on 2026-02-20 (REST userDataStream, WebSocket API
	 * userDataStream.start/ping/stop) for bots being migrated; `drydock mock --legacy-user-data`.
	 */
	legacyUserData?: boolean;
	/** Replay a recording instead of simulating: symbols, book, trades and streams follow the file. */
	replay?: MockReplayOptions;
}

export interface MockStats {
	uptimeMs: number;
	requests: {total: number; byRoute: Record<string, Record<string, number>>};
	orders: {byStatus: Record<OrderStatus, number>};
	websocket: {openConnections: number; messagesSent: number};
	faults: ActiveFault[];
}

export interface MockExchange {
	rest: string;
	ws: string;
	admin: string;
	port: number;
	apiKey: string;
	apiSecret: string;
	faults: FaultController;
	/** Extra clients: their accounts, ports and activity (the admin API's /clients, in process). */
	clients: ClientHub;
	/** A new client: an account with its own key and balances and a listener port of its own. */
	createClient(options?: ClientOptions): Promise<ClientInfo>;
	/** Registers an RSA or Ed25519 public key for an account (default: drydock's own); throws a one-line message if unusable. */
	registerApiKey(registration: PublicKeyRegistration): {apiKey: string; type: 'RSA' | 'ED25519'; account: string};
	/** True when the withdrawn listenKey flow is served (`legacyUserData`). */
	legacyUserData: boolean;
	stats(): MockStats;
	close(): Promise<void>;
}

const ADMIN_PREFIX = '/__drydock';

/** The account's starting funds: plenty of quote, and about 10 000 quote units' worth of each base. */
function defaultBalances(symbols: readonly string[]): Record<string, number> {
	const balances: Record<string, number> = {USDT: 100_000, BTC: 1, ETH: 10, BNB: 10};
	for (const symbol of symbols) {
		const spec = symbolSpec(symbol);
		if (!(spec.quoteAsset in balances))
			balances[spec.quoteAsset] = ['BTC', 'ETH', 'BNB'].includes(spec.quoteAsset) ? 10 : 100_000;
		if (!(spec.baseAsset in balances))
			balances[spec.baseAsset] = Number((10_000 / spec.startPrice).toFixed(spec.qtyDecimals)) || 1;
	}
	return balances;
}

function checkOptions(o: MockExchangeOptions): void {
	const fail = (message: string) => {
		throw new TypeError(`startMockExchange: ${message}`);
	};
	if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535))
		fail(`port ${o.port} is not an integer between 0 and 65535`);
	if (o.seed !== undefined && !Number.isFinite(o.seed)) fail('seed must be a finite number');
	for (const s of o.symbols ?? [])
		if (!splitSymbol(s)) fail(`symbol "${s}" is not BASEQUOTE in capitals with a known quote asset (e.g. BTCUSDT)`);
	if (o.symbols !== undefined && o.symbols.length === 0) fail('symbols must not be empty');
	if (o.apiKey !== undefined && !/^[A-Za-z0-9]{1,128}$/.test(o.apiKey)) fail('apiKey must be 1–128 letters and digits');
	if (o.apiSecret !== undefined && o.apiSecret.length === 0) fail('apiSecret must not be empty');
	if (o.volatility !== undefined && !(o.volatility >= 0 && o.volatility <= 10))
		fail('volatility must be between 0 and 10');
	if (o.weightLimitPerMinute !== undefined && !(o.weightLimitPerMinute >= 1))
		fail('weightLimitPerMinute must be at least 1');
	for (const [asset, amount] of Object.entries(o.balances ?? {}))
		if (!Number.isFinite(amount) || amount < 0) fail(`balance of ${asset} must be a non-negative number`);
}

export async function startMockExchange(options: MockExchangeOptions = {}): Promise<MockExchange> {
	checkOptions(options);
	const host = options.host ?? '127.0.0.1';
	const symbols = [...new Set(options.replay?.scan.symbols ?? options.symbols ?? DEFAULT_SYMBOLS)];
	const apiKey = options.apiKey ?? DEFAULT_API_KEY;
	const apiSecret = options.apiSecret ?? DEFAULT_API_SECRET;
	const started = Date.now();

	const faults = new FaultController();
	const clock = () => Date.now() + faults.clockSkewMs();
	const market = new MarketSimulator({
		seed: options.seed ?? 1,
		symbols,
		volatility: options.volatility ?? 0.02,
		clock,
		stepMs: options.stepMs ?? 100,
		...(options.market ? {market: options.market} : {}),
		...(options.replay ? {anchorPrices: options.replay.scan.firstPrice} : {}),
	});
	const engine = new MatchingEngine({
		clock,
		rules: symbol => market.spec(symbol),
		liquidity: {
			levels: (symbol, side) => market.levels(symbol, side),
			take: (symbol, side, price, qty) => market.take(symbol, side, price, qty),
			referencePrice: symbol => market.lastPrice(symbol),
		},
		...(options.fees ? {fees: options.fees} : {}),
	});
	// Candle history is generated before serving: doing it on the first ticker request would stall the loop.
	market.prepareHistory();
	const startingBalances = defaultBalances(symbols);
	engine.createAccount(apiKey, options.balances ?? startingBalances);
	let replay: Replay | undefined;
	market.onMarketTrade(trade => {
		if (trade.fromUser) return;
		// A replayed trade reaches resting orders only past the recorded queue ahead of them.
		const qty = replay ? replay.tradeQty(trade.symbol, trade.price, trade.qty) : trade.qty;
		engine.marketTrade(trade.symbol, trade.price, qty, trade.tradeId);
	});
	engine.onEvent(restingOrdersInBook(market));
	const users = new UserEvents(engine);
	const credentials = new Map([[apiKey, apiSecret]]);
	const keys = new ApiKeyBook(credentials);
	for (const registration of options.publicKeys ?? []) {
		try {
			keys.register(registration, apiKey);
		} catch (error) {
			throw new TypeError(`startMockExchange: publicKeys[${String(registration.apiKey)}]: ${(error as Error).message}`);
		}
	}
	const credentialStore: CredentialStore = {secretFor: key => credentials.get(key)};

	const limits: RateLimitOptions = {
		weightPerWindow: options.weightLimitPerMinute ?? 6000,
		windowMs: options.weightWindowMs ?? 60_000,
		banAfter429s: options.banAfter429s ?? 5,
		banMs: options.banMs ?? 120_000,
		rawPer5m:
			options.rawRequestsPer5m ?? Math.max(61_000, Math.ceil((61_000 * (options.weightLimitPerMinute ?? 6000)) / 6000)),
	};
	const ordersPer10s = options.ordersPer10s ?? 100;
	const ordersPerDay = options.ordersPerDay ?? 200_000;
	const ctx: MockContext = {
		market,
		engine,
		faults,
		credentials,
		keys,
		legacyUserData: options.legacyUserData ?? false,
		limiter: new WeightLimiter(limits),
		orders: new OrderCounter(ordersPer10s, ordersPerDay),
		stats: new RequestStats(),
		now: clock,
		enableWithdrawals: options.enableWithdrawals ?? false,
		uid: 354_937_868 + (options.seed ?? 1),
	};

	const wsDeps: WebSocketDeps = {
		market,
		users,
		credentials: credentialStore,
		faults,
		...(options.pingIntervalMs === undefined ? {} : {pingIntervalMs: options.pingIntervalMs}),
		...(options.pongTimeoutMs === undefined ? {} : {pongTimeoutMs: options.pongTimeoutMs}),
	};
	// Created before any listener so its drop listener sees every client's connections before they close.
	const clients = new ClientHub({
		base: ctx,
		ws: wsDeps,
		engine,
		faults,
		host,
		limits,
		ordersPer10s,
		ordersPerDay,
		defaultBalances: startingBalances,
	});
	let layerStats = () => ({openConnections: 0, messagesSent: 0});
	const stats = (): MockStats => ({
		uptimeMs: Date.now() - started,
		requests: {total: ctx.stats.total, byRoute: ctx.stats.snapshot()},
		orders: {byStatus: engine.ordersByStatus()},
		websocket: layerStats(),
		faults: faults.list(),
	});
	if (options.replay) replay = startReplay(market, engine, options.replay, () => faults.marketPaused());
	const replayHandle = replay;
	const adminHandler = createAdminHandler({
		faults,
		market,
		engine,
		defaultApiKey: apiKey,
		clients,
		stats,
		keys,
		...(replayHandle
			? {replay: (method, body) => replayAdmin(replayHandle.driver, replayHandle.queue, method, body)}
			: {}),
	});
	const listener = await startListener(ctx, wsDeps, host, options.port ?? 0, {
		prefix: ADMIN_PREFIX,
		handler: adminHandler,
	}).catch(async (error: unknown) => {
		replay?.stop();
		await clients.close();
		throw error;
	});
	layerStats = () => listener.layer.stats();
	const port = listener.port;
	const hostPart = host.includes(':') ? `[${host}]` : host;

	const timer = setInterval(() => {
		if (!faults.marketPaused()) market.step();
	}, options.stepMs ?? 100);
	timer.unref();

	let closing: Promise<void> | undefined;
	return {
		rest: `http://${hostPart}:${port}`,
		ws: `ws://${hostPart}:${port}`,
		admin: `http://${hostPart}:${port}${ADMIN_PREFIX}`,
		port,
		apiKey,
		apiSecret,
		faults,
		clients,
		createClient: clientOptions => clients.create(clientOptions),
		registerApiKey: registration => keys.register(registration, apiKey),
		legacyUserData: options.legacyUserData ?? false,
		stats,
		close() {
			closing ??= (async () => {
				clearInterval(timer);
				replay?.stop();
				faults.clear();
				await clients.close();
				await listener.close();
			})();
			return closing;
		},
	};
}
