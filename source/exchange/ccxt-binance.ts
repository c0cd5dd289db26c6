/**
 * The one place ccxt's binance class is configured: URLs per environment, spot-only options, the
 * mock's error mapping made identical to the real spot host, and hooks that report REST responses
 * and WebSocket frames/connections to a tap without changing what ccxt does with them.
 */
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {pathToFileURL} from 'node:url';
import type {pro} from 'ccxt';
import type {Agent} from 'node:http';
import {ExchangeError, httpFactsKey, type HttpFacts} from './errors.js';
import {createTunnelAgent, createTunnelConnector, type Connector} from '../net/tunnel-agent.js';
import type {ExchangeTarget} from './exchange-client.js';
import {VENUES, type Endpoints} from './venues.js';
import {frameFromMessage, type TapSink} from './ws-tap.js';

/** The slice of ccxt's WsClient we touch. */
export interface CcxtWsClient {
	url: string;
	subscriptions: Record<string, unknown>;
	onMessage(event: {data: unknown}): void;
	send(message: unknown): Promise<unknown>;
	future(messageHash: string): Promise<unknown>;
	connection?: {terminate?: () => void; close?: (code?: number) => void; readyState?: number};
	/** The options ccxt hands to ws when it connects (`agent` among them). */
	options?: Record<string, unknown>;
	/** Our annotations. */
	drydockRaw?: unknown;
	drydockStreams?: string[];
	drydockPendingSubscribe?: Map<string, string[]>;
	drydockReconnect?: boolean;
	drydockKeyCache?: Map<string, string>;
}

export interface ResponseSink {
	response(method: string, url: string, status: number, headers: Record<string, string>): void;
}

const realSpotHost = VENUES.mainnet.rest;

function trimSuffix(url: string, suffix: string): string {
	const clean = url.replace(/\/+$/, '');
	return clean.endsWith(suffix) ? clean.slice(0, -suffix.length) : clean;
}

export function header(headers: Record<string, string>, name: string): string | undefined {
	const direct = headers[name];
	if (direct !== undefined) return direct;
	const lower = name.toLowerCase();
	for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key];
	return undefined;
}

export function retryAfterMsOf(headers: Record<string, string>): number | null {
	const value = header(headers, 'Retry-After');
	if (value === undefined) return null;
	const seconds = Number(value);
	return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : null;
}

type BinanceProClass = typeof pro.binance;
type BinancePro = InstanceType<BinanceProClass>;

/**
 * ccxt's entry point loads all of its ~110 exchanges (2–3 s on a busy box); binance alone is a third
 * of that. Its module sits at js/src/pro/binance.js, beside the package's require entry (dist/ccxt.cjs);
 * if the layout ever changes we fall back to the full import.
 */
async function loadBinancePro(): Promise<BinanceProClass> {
	try {
		const root = dirname(dirname(createRequire(import.meta.url).resolve('ccxt')));
		const module = (await import(pathToFileURL(join(root, 'js', 'src', 'pro', 'binance.js')).href)) as {
			default?: unknown;
		};
		if (typeof module.default === 'function') return module.default as BinanceProClass;
	} catch {
		// Fall through to the documented entry point.
	}
	return (await import('ccxt')).default.pro.binance;
}

const BinanceProBase = await loadBinancePro();

/** ccxt.pro.binance plus drydock's hooks; everything else is ccxt's own behaviour. */
export class DrydockBinance extends BinanceProBase {
	/** REST origin (+ optional prefix) of a non-Binance host (the mock), mapped to the real spot host for error lookup. */
	drydockRestBase: string | undefined;
	drydockTap: TapSink | undefined;
	drydockResponses: ResponseSink | undefined;
	/** The agent each WebSocket connection dials through (the fault proxy's tunnels), by URL scheme. */
	drydockWsAgent: ((url: string) => Agent) | undefined;
	/** How ccxt's REST dispatcher opens connections (through the fault proxy's tunnels), when set. */
	drydockConnect: Connector | undefined;
	private drydockLastFacts: HttpFacts | undefined;
	private readonly drydockSeenUrls = new Set<string>();

	override getExceptionsByUrl(url: string, exactOrBroad: string) {
		const base = this.drydockRestBase;
		if (typeof url === 'string' && base !== undefined && url.startsWith(base + '/')) {
			return super.getExceptionsByUrl(realSpotHost + url.slice(base.length), exactOrBroad);
		}
		return super.getExceptionsByUrl(url, exactOrBroad);
	}

	/**
	 * ccxt's request timeout ends when the headers arrive; the body is read afterwards under undici's
	 * default 300 s body timeout, so a venue that sends headers and then stalls would hold a call for
	 * five minutes. Bound the body's silences by the profile's timeout too. (Headers stay under ccxt's
	 * own timer, which raises RequestTimeout.)
	 */
	override getDispatcherOptions(isPlainAgent = false) {
		const options = super.getDispatcherOptions(isPlainAgent) as Record<string, unknown>;
		const timeout = Number(this.timeout);
		if (Number.isFinite(timeout) && timeout > 0) options['bodyTimeout'] = timeout;
		// ccxt's own keep-alive Agent (no proxy setting), dialing through the fault proxy.
		if (isPlainAgent && this.drydockConnect !== undefined) options['connect'] = this.drydockConnect;
		return options;
	}

	override handleErrors(
		code: number,
		reason: string,
		url: string,
		method: string,
		headers: Record<string, string>,
		body: string,
		response: unknown,
		requestHeaders: unknown,
		requestBody: unknown,
	) {
		this.drydockResponses?.response(method, url, code, headers);
		// Binance answers every REST call with JSON; a 2xx that is not (an HTML page from a proxy, an
		// empty or truncated body) would otherwise be handed to the parsers as a string.
		if (code < 400 && (response === undefined || response === null || typeof response !== 'object')) {
			throw pinFacts(new NotVenueJsonError(`${method} ${pathOnly(url)} answered ${code} with ${describeBody(body)}`), {
				status: code,
				retryAfterMs: retryAfterMsOf(headers),
				code: null,
			});
		}
		// Only failures need the facts (ccxt raises for status ≥ 400, or for an error body).
		const facts = (): HttpFacts => ({status: code, retryAfterMs: retryAfterMsOf(headers), code: venueCodeOf(response)});
		this.drydockLastFacts = code >= 400 ? facts() : undefined;
		try {
			return super.handleErrors(code, reason, url, method, headers, body, response, requestHeaders, requestBody);
		} catch (error) {
			throw pinFacts(error, this.drydockLastFacts ?? facts());
		}
	}

	override handleHttpStatusCode(code: number, reason: string, url: string, method: string, body: string): void {
		// Called synchronously right after handleErrors for the same response.
		const facts = this.drydockLastFacts ?? {status: code, retryAfterMs: null, code: null};
		try {
			super.handleHttpStatusCode(code, reason, url, method, body);
		} catch (error) {
			throw pinFacts(error, facts);
		}
	}

	/**
	 * ccxt keeps the promise of its first loadMarkets, rejected or not, and hands it to every later
	 * caller: one reset or timeout on the first exchangeInfo would fail every call of the run. A failed
	 * load is forgotten, so the next call asks again.
	 */
	override loadMarkets(reload?: boolean, params?: object) {
		const loading = super.loadMarkets(reload, params);
		const tracked = this.marketsLoading;
		loading.catch(() => {
			if (this.marketsLoading === tracked)
				(this as {marketsLoading: Promise<unknown> | undefined}).marketsLoading = undefined;
		});
		return loading;
	}

	override client(url: string) {
		const existed = this.clients !== undefined && this.clients[url] !== undefined;
		const client = super.client(url);
		if (!existed) {
			const c = client as unknown as CcxtWsClient;
			// ccxt's wsProxy/wssProxy need optional agent packages; ws takes any agent, so hand it ours.
			if (this.drydockWsAgent !== undefined) c.options = {...(c.options ?? {}), agent: this.drydockWsAgent(url)};
			this.instrument(c);
		}
		return client;
	}

	private instrument(client: CcxtWsClient): void {
		client.drydockReconnect = this.drydockSeenUrls.has(client.url);
		this.drydockSeenUrls.add(client.url);
		client.drydockStreams = [];
		client.drydockPendingSubscribe = new Map();
		const onMessage = client.onMessage;
		client.onMessage = function (this: CcxtWsClient, event: {data: unknown}) {
			// Keep the raw frame (a Buffer on Node) for the tap; it is only decoded when someone listens.
			this.drydockRaw = event.data;
			onMessage.call(this, event);
		};
		// ccxt creates some futures nobody awaits (e.g. `authenticate:signature:spot` ahead of the
		// WebSocket API subscribe); when they reject (bad signature) Node would report an unhandled
		// rejection and drydock would die. Awaiters still see every rejection.
		const future = client.future;
		client.future = function (this: CcxtWsClient, messageHash: string) {
			const f = future.call(this, messageHash);
			f.catch(() => undefined);
			return f;
		};
		const send = client.send;
		client.send = function (this: CcxtWsClient, message: unknown) {
			noteSubscribe(this, message);
			return send.call(this, message);
		};
	}

	/**
	 * ccxt's WebSocket client logs through here (e.g. every frame that is not JSON) with console.log,
	 * which would write a stack into the console's screen or a CI log; only `verbose` may print.
	 */
	override log(...args: unknown[]): void {
		if (this.verbose) super.log(...args);
	}

	override handleMessage(client: Parameters<BinancePro['handleMessage']>[0], message: unknown): void {
		if (message === null || typeof message !== 'object' || Buffer.isBuffer(message) || message instanceof ArrayBuffer) {
			// ccxt hands on a frame it could not parse as the raw text. Binance sends only JSON, so this
			// is a broken frame: throwing makes ccxt reject the connection's pending watches with the reason.
			throw new MalformedFrameError(
				`malformed frame on ${(client as unknown as CcxtWsClient).url}: ${describeMalformed(message)}`,
			);
		}
		const tap = this.drydockTap;
		if (tap !== undefined && tap.active()) {
			try {
				const frame = frameFromMessage(client, message, Date.now());
				if (frame) tap.frame(frame, client);
			} catch {
				// The tap must never break ccxt's own handling.
			}
		}
		super.handleMessage(client, message);
	}

	override onConnected(client: unknown, message?: unknown): void {
		const c = client as CcxtWsClient;
		this.drydockTap?.connection({type: 'open', url: c.url, at: Date.now(), reconnect: c.drydockReconnect === true});
		super.onConnected(client, message);
	}

	override onError(client: unknown, error: unknown): void {
		const c = client as CcxtWsClient;
		const reason = error instanceof Error ? error.message : String(error);
		this.drydockTap?.connection({type: 'closed', url: c.url, at: Date.now(), reason});
		super.onError(client, error);
	}

	override onClose(client: unknown, event: unknown): void {
		const c = client as CcxtWsClient & {error?: unknown};
		// onError already reported connections that failed; report clean closes here.
		if (c.error === undefined) {
			const code = (event as {code?: unknown} | undefined)?.code;
			this.drydockTap?.connection({
				type: 'closed',
				url: c.url,
				at: Date.now(),
				reason: `closed by server (code ${String(code)})`,
			});
		}
		super.onClose(client, event);
	}

	/** Every open ccxt WebSocket client. */
	wsClients(): CcxtWsClient[] {
		return Object.values((this.clients ?? {}) as Record<string, CcxtWsClient>);
	}
}

/** A 2xx reply whose body is not a JSON object or array. */
export class NotVenueJsonError extends Error {
	override readonly name = 'NotVenueJsonError';
}

function pathOnly(url: string): string {
	const q = url.indexOf('?');
	// The query of a signed call carries the signature: never in a message.
	return q < 0 ? url : url.slice(0, q);
}

function describeBody(body: string): string {
	const text = typeof body === 'string' ? body : String(body);
	if (text.trim() === '') return 'an empty body';
	const shown = text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}…` : JSON.stringify(text);
	return `a body that is not JSON (${Buffer.byteLength(text)} bytes: ${shown})`;
}

/** A frame that is not a JSON object or array (kind `unknown`, source `MalformedFrameError`, once mapped). */
export class MalformedFrameError extends Error {
	override readonly name = 'MalformedFrameError';
}

function describeMalformed(message: unknown): string {
	if (typeof message === 'string') {
		const shown = message.length > 60 ? `${JSON.stringify(message.slice(0, 60))}…` : JSON.stringify(message);
		return `not JSON (${Buffer.byteLength(message)} bytes: ${shown})`;
	}
	if (Buffer.isBuffer(message)) return `undecodable binary frame (${message.length} bytes)`;
	return `not a JSON object (${message === null ? 'null' : typeof message})`;
}

function noteSubscribe(client: CcxtWsClient, message: unknown): void {
	if (message === null || typeof message !== 'object') return;
	const m = message as {method?: unknown; params?: unknown; id?: unknown};
	if (m.method === 'SUBSCRIBE' && Array.isArray(m.params)) {
		const streams = m.params.filter((p): p is string => typeof p === 'string');
		client.drydockPendingSubscribe?.set(String(m.id), streams);
		for (const stream of streams) if (!client.drydockStreams?.includes(stream)) client.drydockStreams?.push(stream);
		client.drydockKeyCache?.clear();
	} else if (m.method === 'UNSUBSCRIBE' && Array.isArray(m.params)) {
		client.drydockStreams = client.drydockStreams?.filter(s => !(m.params as unknown[]).includes(s));
		client.drydockKeyCache?.clear();
	} else if (m.method === 'userDataStream.subscribe.signature') {
		client.drydockPendingSubscribe?.set(String(m.id), ['user']);
		if (!client.drydockStreams?.includes('user')) client.drydockStreams?.push('user');
	}
}

function venueCodeOf(response: unknown): number | null {
	if (response === null || typeof response !== 'object') return null;
	const code = (response as {code?: unknown}).code;
	const n = typeof code === 'number' ? code : typeof code === 'string' ? Number(code) : NaN;
	return Number.isInteger(n) && n !== 0 && n !== 200 ? n : null;
}

function pinFacts(error: unknown, facts: HttpFacts): unknown {
	if (error !== null && typeof error === 'object') {
		Object.defineProperty(error, httpFactsKey, {value: facts, enumerable: false, configurable: true});
	}
	return error;
}

/**
 * Every REST connection and every WebSocket as a CONNECT tunnel through the local proxy (TLS inside,
 * end to end with the venue). Not ccxt's httpProxy/httpsProxy: those go through undici's ProxyAgent,
 * which turns a refused tunnel (the venue's DNS name fails, its port is closed) into an abort that ccxt
 * reports as "request timed out"; our connector on ccxt's own dispatcher keeps the real reason
 * (ENOTFOUND, ECONNREFUSED). Not wsProxy/wssProxy either: those need optional agent packages.
 */
function routeThroughProxy(exchange: DrydockBinance, proxyUrl: string, timeoutMs: number): void {
	let parsed: URL;
	try {
		parsed = new URL(proxyUrl);
	} catch {
		throw new ExchangeError({
			kind: 'bad-request',
			message: `proxyUrl: "${proxyUrl}" is not a URL (expected http://127.0.0.1:PORT)`,
		});
	}
	if (parsed.protocol !== 'http:')
		throw new ExchangeError({kind: 'bad-request', message: `proxyUrl: "${proxyUrl}" must be an http:// proxy`});
	const dialMs = Math.max(1_000, timeoutMs);
	exchange.drydockConnect = createTunnelConnector(proxyUrl, dialMs);
	const agents = new Map<string, Agent>();
	exchange.drydockWsAgent = (url: string) => {
		const scheme = url.startsWith('wss:') ? 'wss' : 'ws';
		let agent = agents.get(scheme);
		if (agent === undefined) {
			agent = createTunnelAgent(proxyUrl, url, dialMs);
			agents.set(scheme, agent);
		}
		return agent;
	};
}

export interface ConfiguredBinance {
	exchange: DrydockBinance;
	endpoints: Endpoints;
}

/**
 * A ccxt.pro.binance for a target. mock: every REST entry and the spot WS + WS-API URLs point at the
 * mock; testnet: ccxt's sandbox mode; mainnet: ccxt's defaults. Spot-only options everywhere, so
 * loadMarkets is one GET /api/v3/exchangeInfo.
 */
export async function configureBinance(target: ExchangeTarget): Promise<ConfiguredBinance> {
	const exchange = new DrydockBinance({
		apiKey: target.apiKey,
		secret: target.secret,
		enableRateLimit: target.enableRateLimit,
		timeout: target.timeoutMs,
		options: {
			fetchMarkets: {types: ['spot']},
			fetchCurrencies: false,
			fetchMargins: false,
			defaultType: 'spot',
			// Open orders across symbols are a normal question for reconciliation, not a mistake.
			warnOnFetchOpenOrdersWithoutSymbol: false,
			ws: {backoff: {base: target.wsReconnectBaseMs ?? 1000}},
		},
	});
	if (target.environment === 'testnet') exchange.setSandboxMode(true);
	// A real venue's bases replaced on purpose (a profile's `urls`: a local TLS venue in tests) are set as the mock's are.
	const moved = target.environment === 'mock' ? undefined : target.venueUrls;
	if (target.environment === 'mock' || moved) {
		const restUrl = moved?.rest ?? target.restUrl;
		const wsUrl = moved?.ws ?? target.wsUrl;
		if (!restUrl || !wsUrl) throw new Error('the mock environment needs restUrl and wsUrl');
		const restBase = trimSuffix(trimSuffix(restUrl, '/api/v3'), '/');
		const wsBase = trimSuffix(trimSuffix(wsUrl, '/ws'), '/');
		const api = exchange.urls['api'] as Record<string, unknown>;
		for (const [key, value] of Object.entries(api)) {
			if (typeof value === 'string') {
				const parsed = new URL(value);
				api[key] = restBase + parsed.pathname;
			}
		}
		const ws = api['ws'] as Record<string, unknown>;
		ws['spot'] = wsBase + '/ws';
		ws['margin'] = wsBase + '/ws';
		const wsApi = ws['ws-api'] as Record<string, string>;
		wsApi['spot'] = moved?.wsApi ?? wsBase + '/ws-api/v3';
		exchange.drydockRestBase = restBase;
		// ccxt refuses plain ws:// until its http agent is loaded.
		await exchange.loadHttpProxyAgent();
	}
	if (target.proxyUrl !== undefined) routeThroughProxy(exchange, target.proxyUrl, target.timeoutMs);
	const api = exchange.urls['api'] as Record<string, unknown>;
	const ws = api['ws'] as Record<string, unknown>;
	const endpoints: Endpoints = {
		rest: String(api['public']),
		sapi: typeof api['sapi'] === 'string' ? api['sapi'] : '',
		ws: String(ws['spot']),
		wsApi: String((ws['ws-api'] as Record<string, unknown>)['spot']),
	};
	return {exchange, endpoints};
}
