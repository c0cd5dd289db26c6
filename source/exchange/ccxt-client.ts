/**
 * ExchangeClient over ccxt.pro.binance: every call returns drydock's plain types and throws only
 * ExchangeError (secrets stripped). Loaded lazily by createExchange, so importing source/exchange
 * does not load ccxt.
 */
import type {Market} from 'ccxt';
import {Agent, fetch as undiciFetch, type Dispatcher} from 'undici';
import {configureBinance, header, retryAfterMsOf, type DrydockBinance, type ResponseSink} from './ccxt-binance.js';
import {
	toBalance,
	toBookTicker,
	toCandle,
	toMarketInfo,
	toMyTrade,
	toOrder,
	toOrderBook,
	toTicker,
	toTrade,
} from './ccxt-convert.js';
import {ExchangeError, toExchangeError} from './errors.js';
import {fetchCandleHistory} from './history.js';
import type {
	AggTrade,
	ApiRestrictions,
	Balance,
	BookTicker,
	Candle,
	Endpoints,
	Environment,
	ExchangeClient,
	ExchangeTarget,
	HistoryOptions,
	HistoryResult,
	MarketInfo,
	MyTrade,
	Order,
	OrderBook,
	OrderRequest,
	RateLimitHeaders,
	RawResponse,
	ResponseInfo,
	Ticker,
	Trade,
	Unsubscribe,
} from './exchange-client.js';
import {TapSink} from './ws-tap.js';

type Params = Record<string, string | number | boolean>;
type OrderRef = {id: string} | {clientOrderId: string};

function headerNumber(headers: Record<string, string> | undefined, name: string): number | null {
	if (headers === undefined) return null;
	const value = header(headers, name);
	if (value === undefined) return null;
	const parsed = Number(value);
	return Number.isFinite(parsed) ? parsed : null;
}

function rateLimitHeaders(headers: Record<string, string> | undefined): RateLimitHeaders {
	return {
		usedWeight1m: headerNumber(headers, 'X-MBX-USED-WEIGHT-1M'),
		orderCount10s: headerNumber(headers, 'X-MBX-ORDER-COUNT-10S'),
		orderCount1d: headerNumber(headers, 'X-MBX-ORDER-COUNT-1D'),
		retryAfterMs: headers === undefined ? null : retryAfterMsOf(headers),
	};
}

function pathOf(url: string): string {
	try {
		return new URL(url).pathname;
	} catch {
		return url.split('?')[0] ?? url;
	}
}

/** Default cap on a rawPublicGet reply body (bytes); see CcxtExchangeClient.rawBodyLimitBytes. */
export const RAW_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
	if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
	return `${bytes} bytes`;
}

/** What rawPublicGet reads of a reply: the global fetch's Response and undici's both fit. */
interface FetchedReply {
	readonly status: number;
	readonly headers: {get(name: string): string | null; forEach(fn: (value: string, key: string) => void): void};
	readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * The body as text, or null once it passes `limit` bytes (declared by Content-Length or counted while
 * reading); then the request is aborted so the venue stops sending and the socket is released.
 */
async function readCapped(response: FetchedReply, limit: number, abort: AbortController): Promise<string | null> {
	const declared = Number(response.headers.get('content-length'));
	if (Number.isFinite(declared) && declared > limit) {
		abort.abort();
		return null;
	}
	if (response.body === null) return '';
	const reader = response.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const {done, value} = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			abort.abort();
			await reader.cancel().catch(() => undefined);
			return null;
		}
		chunks.push(value);
	}
	return Buffer.concat(chunks, size).toString('utf8');
}

class ResponseListeners implements ResponseSink {
	readonly listeners = new Set<(response: ResponseInfo) => void>();

	response(method: string, url: string, status: number, headers: Record<string, string>): void {
		if (this.listeners.size === 0) return;
		const info: ResponseInfo = {method, path: pathOf(url), status, at: Date.now(), ...rateLimitHeaders(headers)};
		for (const listener of this.listeners) {
			try {
				listener(info);
			} catch {
				// A listener's bug must not fail the request.
			}
		}
	}
}

export class CcxtExchangeClient implements ExchangeClient {
	readonly execution = 'exchange' as const;
	readonly tap = new TapSink();
	private readonly responses = new ResponseListeners();
	private readonly secrets: readonly (string | undefined)[];
	private closed = false;
	private marketInfos: MarketInfo[] | undefined;
	private marketInfosOf: unknown;
	/** rawPublicGet's own dispatcher through the fault proxy's tunnels (created on first use), when the target has a proxyUrl. */
	private rawDispatcher: Dispatcher | undefined;

	constructor(
		private readonly exchange: DrydockBinance,
		readonly environment: Environment,
		readonly endpoints: Endpoints,
		target: ExchangeTarget,
	) {
		this.secrets = [target.apiKey, target.secret];
		this.tap.setSecrets(this.secrets);
		exchange.drydockTap = this.tap;
		exchange.drydockResponses = this.responses;
	}

	/** Runs a ccxt call and turns whatever it throws into an ExchangeError. */
	private async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.closed) throw new ExchangeError({kind: 'network', message: 'exchange client is closed'});
		try {
			return await fn();
		} catch (error) {
			throw toExchangeError(error, this.secrets);
		}
	}

	private async ensureMarkets(): Promise<void> {
		if (this.exchange.markets === undefined || this.exchange.markets === null) await this.exchange.loadMarkets();
	}

	private findMarket(symbol: string): NonNullable<Market> | undefined {
		const markets = this.exchange.markets as Record<string, NonNullable<Market>> | undefined;
		if (markets === undefined || markets === null) return undefined;
		const direct = markets[symbol];
		if (direct !== undefined) return direct;
		const byId = (this.exchange.markets_by_id as Record<string, Array<NonNullable<Market>>> | undefined)?.[
			symbol.toUpperCase()
		];
		return byId?.[0];
	}

	/** The unified symbol, or null when the venue does not list it (after loading markets). */
	private async unified(symbol: string): Promise<string | null> {
		await this.ensureMarkets();
		return this.findMarket(symbol)?.symbol ?? null;
	}

	private venueId(symbol: string): string {
		return symbol.replace('/', '').toUpperCase();
	}

	/**
	 * A symbol the markets don't list: ask the venue, so the caller gets the venue's own rejection
	 * (-1121 → BadSymbol), as it would from any client that skipped ccxt's local check.
	 */
	private async unknownSymbol(symbol: string): Promise<never> {
		await this.exchange.publicGetTickerPrice({symbol: this.venueId(symbol)});
		throw new ExchangeError({
			kind: 'bad-symbol',
			message: `${symbol} is not a loaded spot market (the venue knows it: reload markets)`,
		});
	}

	private async symbolOf(symbol: string): Promise<string> {
		return (await this.unified(symbol)) ?? this.unknownSymbol(symbol);
	}

	loadMarkets(reload = false): Promise<MarketInfo[]> {
		return this.run(async () => {
			const markets = await this.exchange.loadMarkets(reload);
			// Converting ~3000 mainnet markets is not free: convert once per load.
			if (reload || this.marketInfos === undefined || this.marketInfosOf !== markets) {
				this.marketInfos = Object.values(markets as Record<string, NonNullable<Market>>).map(toMarketInfo);
				this.marketInfosOf = markets;
			}
			return [...this.marketInfos];
		});
	}

	market(symbol: string): MarketInfo {
		const market = this.findMarket(symbol);
		if (market === undefined)
			throw new ExchangeError({kind: 'bad-symbol', message: `unknown market ${symbol} (are markets loaded?)`});
		return toMarketInfo(market);
	}

	fetchTime(): Promise<number> {
		return this.run(async () => {
			const time = Number(await this.exchange.fetchTime());
			if (!Number.isFinite(time) || time <= 0)
				throw new ExchangeError({kind: 'unknown', message: 'GET /api/v3/time: the reply has no usable serverTime'});
			return time;
		});
	}

	ping(): Promise<void> {
		return this.run(async () => {
			await this.exchange.publicGetPing();
		});
	}

	fetchTicker(symbol: string): Promise<Ticker> {
		return this.run(async () => toTicker(await this.exchange.fetchTicker(await this.symbolOf(symbol))));
	}

	fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
		return this.run(async () =>
			(await this.exchange.fetchOHLCV(await this.symbolOf(symbol), timeframe, since, limit)).map(toCandle),
		);
	}

	fetchOHLCVHistory(
		symbol: string,
		timeframe: string,
		count: number,
		options?: HistoryOptions,
	): Promise<HistoryResult> {
		return this.run(async () => {
			const unified = await this.symbolOf(symbol);
			return fetchCandleHistory(
				async (since, limit) => (await this.exchange.fetchOHLCV(unified, timeframe, since, limit)).map(toCandle),
				timeframe,
				count,
				options,
			);
		});
	}

	fetchOrderBook(symbol: string, limit?: number): Promise<OrderBook> {
		return this.run(async () => {
			const unified = await this.symbolOf(symbol);
			return toOrderBook(await this.exchange.fetchOrderBook(unified, limit), unified);
		});
	}

	fetchTrades(symbol: string, since?: number, limit?: number): Promise<Trade[]> {
		return this.run(async () =>
			(await this.exchange.fetchTrades(await this.symbolOf(symbol), since, limit)).map(toTrade),
		);
	}

	fetchAggTrades(symbol: string, options: {fromId?: number; startTime?: number; limit?: number}): Promise<AggTrade[]> {
		return this.run(async () => {
			const market = await this.symbolOf(symbol);
			const request: Record<string, number | string> = {
				symbol: this.findMarket(market)?.id ?? this.venueId(symbol),
				limit: options.limit ?? 1000,
			};
			if (options.fromId !== undefined) request['fromId'] = options.fromId;
			if (options.startTime !== undefined) request['startTime'] = options.startTime;
			const rows = (await this.exchange.publicGetAggTrades(request)) as {
				a: number | string;
				f: number | string;
				l: number | string;
				p: string;
				q: string;
				T: number | string;
			}[];
			return rows.map(row => ({
				id: Number(row.a),
				firstTradeId: Number(row.f),
				lastTradeId: Number(row.l),
				price: Number(row.p),
				amount: Number(row.q),
				timestamp: Number(row.T),
			}));
		});
	}

	fetchBalance(): Promise<Balance> {
		return this.run(async () => toBalance(await this.exchange.fetchBalance()));
	}

	fetchApiRestrictions(): Promise<ApiRestrictions> {
		return this.run(async () => {
			const raw = (await this.exchange.sapiGetAccountApiRestrictions()) as Record<string, unknown>;
			return {
				enableWithdrawals: raw['enableWithdrawals'] === true,
				enableReading: raw['enableReading'] === true,
				enableSpotAndMarginTrading: raw['enableSpotAndMarginTrading'] === true,
				ipRestrict: raw['ipRestrict'] === true,
				raw,
			};
		});
	}

	createOrder(request: OrderRequest): Promise<Order> {
		return this.run(async () => {
			const unified = await this.unified(request.symbol);
			if (unified === null) return this.createOrderUnknownSymbol(request);
			const params: Params = {};
			if (request.clientOrderId !== undefined) params['clientOrderId'] = request.clientOrderId;
			let type: string = request.type;
			const amount = request.amount;
			switch (request.type) {
				case 'market':
					if (amount === undefined) {
						if (request.cost === undefined)
							throw new ExchangeError({kind: 'bad-request', message: 'a market order needs an amount or a cost'});
						params['cost'] = request.cost;
					}
					break;
				case 'limit':
					params['timeInForce'] = request.timeInForce ?? 'GTC';
					break;
				case 'limit-maker':
					type = 'limit';
					params['postOnly'] = true;
					break;
			}
			if (type === 'limit' && request.price === undefined)
				throw new ExchangeError({kind: 'bad-request', message: `a ${request.type} order needs a price`});
			if (type === 'limit' && amount === undefined)
				throw new ExchangeError({kind: 'bad-request', message: `a ${request.type} order needs an amount`});
			const order = await this.exchange.createOrder(unified, type, request.side, amount ?? 0, request.price, params);
			return toOrder(order);
		});
	}

	/** Sends the order as-is so the venue rejects the symbol itself. */
	private async createOrderUnknownSymbol(request: OrderRequest): Promise<Order> {
		const body: Params = {
			symbol: this.venueId(request.symbol),
			side: request.side.toUpperCase(),
			type: request.type === 'limit-maker' ? 'LIMIT_MAKER' : request.type.toUpperCase(),
			newOrderRespType: 'FULL',
		};
		if (request.amount !== undefined) body['quantity'] = request.amount;
		if (request.cost !== undefined && request.amount === undefined) body['quoteOrderQty'] = request.cost;
		if (request.price !== undefined) body['price'] = request.price;
		if (request.type === 'limit') body['timeInForce'] = request.timeInForce ?? 'GTC';
		if (request.clientOrderId !== undefined) body['newClientOrderId'] = request.clientOrderId;
		const response = await this.exchange.privatePostOrder(body);
		return toOrder(this.exchange.parseOrder(response));
	}

	private refParams(ref: OrderRef): {id: string; params: Params} {
		return 'id' in ref ? {id: ref.id, params: {}} : {id: '', params: {clientOrderId: ref.clientOrderId}};
	}

	fetchOrder(symbol: string, ref: OrderRef): Promise<Order> {
		return this.run(async () => {
			const {id, params} = this.refParams(ref);
			return toOrder(await this.exchange.fetchOrder(id, await this.symbolOf(symbol), params));
		});
	}

	cancelOrder(symbol: string, ref: OrderRef): Promise<Order> {
		return this.run(async () => {
			const {id, params} = this.refParams(ref);
			return toOrder(await this.exchange.cancelOrder(id, await this.symbolOf(symbol), params));
		});
	}

	cancelAllOrders(symbol: string): Promise<Order[]> {
		return this.run(async () => {
			const result = (await this.exchange.cancelAllOrders(await this.symbolOf(symbol))) as unknown;
			return Array.isArray(result) ? result.map(o => toOrder(o as Parameters<typeof toOrder>[0])) : [];
		});
	}

	fetchOpenOrders(symbol?: string): Promise<Order[]> {
		return this.run(async () => {
			const unified = symbol === undefined ? undefined : await this.symbolOf(symbol);
			return (await this.exchange.fetchOpenOrders(unified)).map(toOrder);
		});
	}

	fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<MyTrade[]> {
		return this.run(async () =>
			(await this.exchange.fetchMyTrades(await this.symbolOf(symbol), since, limit)).map(toMyTrade),
		);
	}

	lastResponseHeaders(): RateLimitHeaders {
		return rateLimitHeaders(this.exchange.last_response_headers);
	}

	onResponse(listener: (response: ResponseInfo) => void): Unsubscribe {
		this.responses.listeners.add(listener);
		return () => this.responses.listeners.delete(listener);
	}

	/**
	 * Longest body rawPublicGet reads (bytes). A venue's replies to the probes it serves are a few KB;
	 * a hostile or broken one may send an endless body, which must not grow memory without bound.
	 */
	rawBodyLimitBytes = RAW_BODY_LIMIT_BYTES;

	/**
	 * With a proxyUrl, probes go where ccxt's REST goes: through the fault proxy's CONNECT tunnels (the
	 * same connector), so its latency, resets and stalls reach them too. The global fetch would dial
	 * the venue directly. undici's own fetch, since its Agent is not guaranteed to fit Node's bundled one.
	 */
	private async rawFetch(url: string, signal: AbortSignal): Promise<FetchedReply> {
		const connect = this.exchange.drydockConnect;
		if (connect === undefined) return fetch(url, {signal});
		if (this.closed) throw new ExchangeError({kind: 'network', message: 'exchange client is closed'});
		if (this.rawDispatcher === undefined) {
			const timeout = Number(this.exchange.timeout);
			const bounded = Number.isFinite(timeout) && timeout > 0 ? {headersTimeout: timeout, bodyTimeout: timeout} : {};
			this.rawDispatcher = new Agent({connect, ...bounded});
		}
		return undiciFetch(url, {signal, dispatcher: this.rawDispatcher});
	}

	async rawPublicGet(path: string, query: Record<string, string | number> = {}): Promise<RawResponse> {
		const origin = this.endpoints.rest.replace(/\/api\/v3$/, '');
		const search = new URLSearchParams(
			Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
		).toString();
		const pathname = path.startsWith('/') ? path : '/' + path;
		const url = `${origin}${pathname}${search ? '?' + search : ''}`;
		const started = performance.now();
		const abort = new AbortController();
		const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(this.exchange.timeout)]);
		try {
			const response = await this.rawFetch(url, signal);
			const headers: Record<string, string> = {};
			response.headers.forEach((value, key) => {
				headers[key] = value;
			});
			const body = await readCapped(response, this.rawBodyLimitBytes, abort);
			if (body === null) {
				// Only the path: the query may carry anything the caller passed, and the host is in the profile.
				throw new ExchangeError({
					kind: 'unknown',
					source: 'BodyTooLarge',
					httpStatus: response.status,
					message: `GET ${pathOf(pathname)}: the reply body exceeds ${formatBytes(this.rawBodyLimitBytes)} (the cap on raw GET bodies); request aborted`,
				});
			}
			return {status: response.status, headers, body, latencyMs: performance.now() - started};
		} catch (error) {
			if (error instanceof ExchangeError) throw error;
			const cause = (error as {cause?: {message?: unknown}}).cause?.message;
			const kind =
				error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
					? 'timeout'
					: 'network';
			throw new ExchangeError({
				kind,
				message: `GET ${path} failed: ${error instanceof Error ? error.message : String(error)}${typeof cause === 'string' ? ': ' + cause : ''}`,
			});
		}
	}

	watchTrades(symbol: string): Promise<Trade[]> {
		return this.run(async () => (await this.exchange.watchTrades(await this.symbolOf(symbol))).map(toTrade));
	}

	watchOHLCV(symbol: string, timeframe = '1m'): Promise<Candle[]> {
		return this.run(async () => (await this.exchange.watchOHLCV(await this.symbolOf(symbol), timeframe)).map(toCandle));
	}

	watchTicker(symbol: string, options: {mini?: boolean} = {}): Promise<Ticker> {
		return this.run(async () =>
			toTicker(
				await this.exchange.watchTicker(await this.symbolOf(symbol), {name: options.mini ? 'miniTicker' : 'ticker'}),
			),
		);
	}

	watchBookTicker(symbol: string): Promise<BookTicker> {
		return this.run(async () => {
			const unified = await this.symbolOf(symbol);
			const tickers = await this.exchange.watchBidsAsks([unified]);
			const ticker = tickers[unified];
			if (ticker === undefined)
				throw new ExchangeError({kind: 'unknown', message: `no bookTicker for ${unified} in the update`});
			return toBookTicker(ticker);
		});
	}

	watchOrderBook(symbol: string, options: {levels?: number} = {}): Promise<OrderBook> {
		return this.run(async () => {
			const unified = await this.symbolOf(symbol);
			return toOrderBook(await this.exchange.watchOrderBook(unified), unified, options.levels ?? 50);
		});
	}

	localOrderBook(symbol: string, levels = 50): OrderBook | undefined {
		const unified = this.findMarket(symbol)?.symbol;
		if (unified === undefined) return undefined;
		const book = (this.exchange.orderbooks as Record<string, Parameters<typeof toOrderBook>[0] | undefined>)[unified];
		if (book === undefined || book.nonce === undefined || book.nonce === null) return undefined;
		return toOrderBook(book, unified, levels);
	}

	watchOrders(symbol?: string): Promise<Order[]> {
		return this.run(async () => {
			const unified = symbol === undefined ? undefined : await this.symbolOf(symbol);
			return (await this.exchange.watchOrders(unified)).map(toOrder);
		});
	}

	watchBalance(): Promise<Balance> {
		return this.run(async () => toBalance(await this.exchange.watchBalance()));
	}

	async dropConnections(): Promise<number> {
		let dropped = 0;
		for (const client of this.exchange.wsClients()) {
			if (client.connection) dropped++;
			try {
				// terminate() cuts the socket like a network failure; ccxt then rejects the pending watches.
				if (client.connection?.terminate) client.connection.terminate();
				else client.connection?.close?.();
			} catch {
				// Already closing.
			}
		}
		// Let the close events propagate so the next watch call dials afresh.
		await new Promise(resolve => setTimeout(resolve, 0));
		return dropped;
	}

	/**
	 * Fails and closes the WebSocket connection(s) carrying `streamId` (a Binance stream name) the way
	 * ccxt's own keep-alive timeout does: pending watches reject with `reason`, the next watch redials.
	 * Other connections are left alone. False when no open connection carries the stream.
	 */
	async dropStreamConnection(streamId: string, reason: string): Promise<boolean> {
		let dropped = false;
		for (const client of this.exchange.wsClients()) {
			if (!(client.drydockStreams ?? []).includes(streamId)) continue;
			const ws = client as unknown as {onError?: (error: Error) => void; close?: () => unknown};
			try {
				ws.onError?.(new Error(reason));
				await ws.close?.();
				dropped = true;
			} catch {
				// Already closing.
			}
		}
		return dropped;
	}

	async closeStreams(): Promise<void> {
		if (this.closed) return;
		try {
			await this.exchange.close();
		} catch {
			// Best effort.
		}
		// An intentional close is not a failure: the next dial of the same URL need not back off.
		const ws = this.exchange.options['ws'] as Record<string, unknown> | undefined;
		if (ws !== undefined) ws['backoffState'] = {};
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			await this.exchange.close();
		} catch {
			// Closing is best effort.
		}
		// destroy, not close: a probe still reading must not hold the client open.
		await this.rawDispatcher?.destroy().catch(() => undefined);
		this.rawDispatcher = undefined;
	}
}

export async function createCcxtExchange(target: ExchangeTarget): Promise<ExchangeClient> {
	const {exchange, endpoints} = await configureBinance(target);
	return new CcxtExchangeClient(exchange, target.environment, endpoints, target);
}
