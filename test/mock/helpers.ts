import {
	startMockExchange,
	type ActivitySnapshot,
	type MockExchange,
	type MockExchangeOptions,
} from '../../source/mock/index.js';
import {hmacHex} from '../../source/mock/signing.js';
import WebSocket from 'ws';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import type {
	CredentialStore,
	MarketFeed,
	StreamFaults,
	Unsubscribe,
	UserDataFeed,
	WireBookTicker,
	WireDepthSnapshot,
	WireDepthUpdate,
	WireKline,
	WireMiniTicker,
	WireTicker,
	WireTrade,
	WireUserEvent,
} from '../../source/mock/contracts.js';
import {attachWebSocketLayer, type WebSocketLayerOptions} from '../../source/mock/ws/index.js';
import type {WebSocketLayer} from '../../source/mock/contracts.js';
import {sign} from 'node:crypto';
import type {KeyObject} from 'node:crypto';
import {signaturePayload} from '../../source/mock/ws/ws-api-auth.js';
import {rawText} from '../../source/mock/ws/raw-text.js';

/** Shared helpers for the mock exchange's tests: a real server on loopback and a plain fetch client. */

export async function startMock(options: MockExchangeOptions = {}): Promise<MockExchange> {
	return startMockExchange({host: '127.0.0.1', port: 0, seed: 7, ...options});
}

/** Where signed and public requests go: the mock's own port, or a client's port with the client's key. */
export type Venue = Pick<MockExchange, 'rest' | 'apiKey' | 'apiSecret'>;

export interface Reply {
	status: number;
	headers: Headers;
	body: unknown;
	text: string;
}

async function reply(response: Response): Promise<Reply> {
	const text = await response.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return {status: response.status, headers: response.headers, body, text};
}

export async function publicGet(mock: Venue, path: string): Promise<Reply> {
	return reply(await fetch(mock.rest + path));
}

export interface SignOptions {
	apiKey?: string | null;
	secret?: string;
	timestamp?: number;
	/** Put the parameters in a form body instead of the query string. */
	inBody?: boolean;
	/** Override the computed signature. */
	signature?: string | null;
}

/** A SIGNED request as Binance documents it: HMAC-SHA256 over the query string (or body) with timestamp. */
export async function signed(
	mock: Venue,
	method: string,
	path: string,
	params: Record<string, string | number | boolean> = {},
	options: SignOptions = {},
): Promise<Reply> {
	const query = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) query.set(k, String(v));
	if (!('timestamp' in params)) query.set('timestamp', String(options.timestamp ?? Date.now()));
	const payload = query.toString();
	const signature =
		options.signature === undefined ? hmacHex(options.secret ?? mock.apiSecret, payload) : options.signature;
	const full = signature === null ? payload : `${payload}&signature=${signature}`;
	const headers: Record<string, string> = {};
	const apiKey = options.apiKey === undefined ? mock.apiKey : options.apiKey;
	if (apiKey !== null) headers['X-MBX-APIKEY'] = apiKey;
	if (options.inBody) {
		headers['content-type'] = 'application/x-www-form-urlencoded';
		return reply(await fetch(`${mock.rest}${path}`, {method, headers, body: full}));
	}
	return reply(await fetch(`${mock.rest}${path}?${full}`, {method, headers}));
}

export async function adminCall(mock: MockExchange, method: string, path: string, body?: unknown): Promise<Reply> {
	return reply(
		await fetch(`${mock.admin}${path}`, {
			method,
			headers: body === undefined ? {} : {'content-type': 'application/json'},
			body: body === undefined ? undefined : JSON.stringify(body),
		}),
	);
}

export function expectError(r: Reply, code: number, msgPart?: string): void {
	const body = r.body as {code?: number; msg?: string} | undefined;
	if (!body || body.code !== code || (msgPart !== undefined && !body.msg?.includes(msgPart))) {
		throw new Error(
			`expected error ${code}${msgPart ? ` "${msgPart}"` : ''}, got HTTP ${r.status} ${r.text.slice(0, 200)}`,
		);
	}
}

export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined> | T | undefined,
	timeoutMs = 5000,
	everyMs = 50,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await new Promise(r => setTimeout(r, everyMs));
	}
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export type Balances = Record<string, {free: number; locked: number}>;

export async function balances(mock: Venue): Promise<Balances> {
	const r = await signed(mock, 'GET', '/api/v3/account');
	const out: Balances = {};
	for (const b of (r.body as {balances: Array<{asset: string; free: string; locked: string}>}).balances)
		out[b.asset] = {free: Number(b.free), locked: Number(b.locked)};
	return out;
}

export interface ClientReply {
	id: string;
	label: string;
	apiKey: string;
	apiSecret: string;
	port: number;
	rest: string;
	ws: string;
	wsApi: string;
}

/** A client created through the admin API, as drydock's SUT module does. */
export async function createClient(
	mock: MockExchange,
	body: {label?: string; balances?: Record<string, number>} = {},
): Promise<ClientReply> {
	const r = await adminCall(mock, 'POST', '/clients', body);
	if (r.status !== 201) throw new Error(`POST /clients → ${r.status} ${r.text}`);
	return r.body as ClientReply;
}

/** GET /clients/:id/activity, typed loosely: tests read the fields they judge. */
export async function activity(mock: MockExchange, id: string, since?: number): Promise<Activity> {
	const r = await adminCall(mock, 'GET', `/clients/${id}/activity${since === undefined ? '' : `?since=${since}`}`);
	if (r.status !== 200) throw new Error(`activity of ${id} → ${r.status} ${r.text}`);
	return r.body as Activity;
}

/** The admin activity as the mock serves it; events read loosely (tests pick the fields they judge). */
export type Activity = Omit<ActivitySnapshot, 'events'> & {
	events: Array<{seq: number; at: number; type: string} & Record<string, unknown>>;
};

/** A real `ws` client for tests: collects parsed messages and waits for the ones a test expects. */

export interface Closed {
	code: number;
	reason: string;
}

export class TestClient {
	readonly messages: unknown[] = [];
	readonly closed: Promise<Closed>;
	private waiters: Array<() => void> = [];

	private constructor(readonly ws: WebSocket) {
		ws.on('message', data => {
			this.messages.push(JSON.parse(rawText(data)));
			for (const wake of this.waiters.splice(0)) wake();
		});
		this.closed = new Promise(resolve =>
			ws.once('close', (code, reason) => resolve({code, reason: reason.toString()})),
		);
	}

	static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
		const ws = new WebSocket(url, options);
		const client = new TestClient(ws);
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
		});
		return client;
	}

	/** The HTTP status a failed upgrade got. */
	static async rejection(url: string): Promise<number> {
		const ws = new WebSocket(url);
		return new Promise((resolve, reject) => {
			ws.once('unexpected-response', (_request, response) => {
				resolve(response.statusCode ?? 0);
				ws.terminate();
			});
			ws.once('open', () => reject(new Error(`upgrade to ${url} unexpectedly succeeded`)));
			ws.once('error', () => undefined);
		});
	}

	send(message: unknown): void {
		this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
	}

	/** Resolves with the first message (from `from` on) matching `predicate`, or rejects after `timeoutMs`. */
	async next<T = Record<string, unknown>>(
		predicate: (message: Record<string, unknown>) => boolean,
		timeoutMs = 3000,
		from = 0,
	): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		let index = from;
		for (;;) {
			for (; index < this.messages.length; index++) {
				const message = this.messages[index] as Record<string, unknown>;
				if (predicate(message)) return message as T;
			}
			const remaining = deadline - Date.now();
			if (remaining <= 0)
				throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}`);
			await new Promise<void>(resolve => {
				const timer = setTimeout(resolve, remaining);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}

	/** Sends a control frame and waits for the reply with its id. */
	async request(message: {id: unknown} & Record<string, unknown>): Promise<Record<string, unknown>> {
		const from = this.messages.length;
		this.send(message);
		return this.next(reply => reply['id'] === message.id && ('result' in reply || 'error' in reply), 3000, from);
	}

	close(): void {
		this.ws.terminate();
	}
}

/**
 * A small in-test stand-in for the mock's core (MarketFeed, UserDataFeed, CredentialStore, StreamFaults)
 * so the WebSocket layer can be unit-tested on a real node:http server. Events are driven by the test.
 */

type Level = [string, string];

class Emitter<T extends unknown[]> {
	private readonly listeners = new Set<(...args: T) => void>();
	on(listener: (...args: T) => void): Unsubscribe {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
	emit(...args: T): void {
		for (const listener of this.listeners) listener(...args);
	}
	get size(): number {
		return this.listeners.size;
	}
}

const INTERVAL_MS: Record<string, number> = {'1s': 1000, '1m': 60_000};

export class FakeMarket implements MarketFeed {
	readonly trades = new Emitter<[WireTrade]>();
	readonly depthUpdates = new Emitter<[WireDepthUpdate]>();
	private readonly books = new Map<
		string,
		{bids: Map<string, string>; asks: Map<string, string>; lastUpdateId: number}
	>();
	private tradeId = 100;
	klineAtCalls = 0;

	constructor(private readonly list: string[] = ['BTCUSDT', 'ETHUSDT']) {
		for (const symbol of list) {
			this.books.set(symbol, {
				bids: new Map([
					['100.00', '1.0'],
					['99.00', '2.0'],
				]),
				asks: new Map([
					['101.00', '1.5'],
					['102.00', '3.0'],
				]),
				lastUpdateId: 1000,
			});
		}
	}

	symbols(): readonly string[] {
		return this.list;
	}
	hasSymbol(symbol: string): boolean {
		return this.books.has(symbol);
	}
	now(): number {
		return Date.now();
	}
	private book(symbol: string) {
		const book = this.books.get(symbol);
		if (!book) throw new Error(`unknown symbol ${symbol}`);
		return book;
	}
	depth(symbol: string, limit: number): WireDepthSnapshot {
		const book = this.book(symbol);
		const sorted = (side: Map<string, string>, descending: boolean): Level[] =>
			[...side]
				.sort((a, b) => (descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])))
				.slice(0, limit);
		return {lastUpdateId: book.lastUpdateId, bids: sorted(book.bids, true), asks: sorted(book.asks, false)};
	}
	bookTicker(symbol: string): WireBookTicker {
		const snapshot = this.depth(symbol, 1);
		const [bid] = snapshot.bids;
		const [ask] = snapshot.asks;
		return {
			u: snapshot.lastUpdateId,
			s: symbol,
			b: bid?.[0] ?? '0',
			B: bid?.[1] ?? '0',
			a: ask?.[0] ?? '0',
			A: ask?.[1] ?? '0',
		};
	}
	miniTicker(symbol: string): WireMiniTicker {
		return {e: '24hrMiniTicker', E: this.now(), s: symbol, c: '100.5', o: '99', h: '102', l: '98', v: '10', q: '1000'};
	}
	ticker(symbol: string): WireTicker {
		return {
			e: '24hrTicker',
			E: this.now(),
			s: symbol,
			p: '1.5',
			P: '1.5',
			w: '100',
			x: '99',
			c: '100.5',
			Q: '0.1',
			b: '100',
			B: '1',
			a: '101',
			A: '1.5',
			o: '99',
			h: '102',
			l: '98',
			v: '10',
			q: '1000',
			O: 0,
			C: this.now(),
			F: 1,
			L: 2,
			n: 2,
		};
	}
	private kline(symbol: string, interval: string, openTime: number, closed: boolean): WireKline {
		const length = INTERVAL_MS[interval] ?? 60_000;
		return {
			t: openTime,
			T: openTime + length - 1,
			s: symbol,
			i: interval,
			f: 1,
			L: 2,
			o: '100',
			c: '101',
			h: '102',
			l: '99',
			v: '1',
			n: 2,
			x: closed,
			q: '100',
			V: '0.5',
			Q: '50',
			B: '0',
		};
	}
	currentKline(symbol: string, interval: string): WireKline {
		const length = INTERVAL_MS[interval] ?? 60_000;
		return this.kline(symbol, interval, Math.floor(this.now() / length) * length, false);
	}
	klineAt(symbol: string, interval: string, openTime: number): WireKline | undefined {
		this.klineAtCalls++;
		return this.kline(symbol, interval, openTime, true);
	}
	onTrade(listener: (trade: WireTrade) => void): Unsubscribe {
		return this.trades.on(listener);
	}
	onDepthUpdate(listener: (update: WireDepthUpdate) => void): Unsubscribe {
		return this.depthUpdates.on(listener);
	}

	/** Emits one trade on `symbol`. */
	trade(symbol = 'BTCUSDT'): WireTrade {
		const now = this.now();
		const trade: WireTrade = {
			e: 'trade',
			E: now,
			s: symbol,
			t: ++this.tradeId,
			p: '100.50',
			q: '0.25',
			T: now,
			m: false,
			M: true,
		};
		this.trades.emit(trade);
		return trade;
	}

	/** Applies a book change (quantity "0" removes) as one diff update with the next update ids. */
	changeBook(symbol: string, bids: Level[], asks: Level[], idsUsed = 1): WireDepthUpdate {
		const book = this.book(symbol);
		for (const [price, quantity] of bids) {
			if (quantity === '0') book.bids.delete(price);
			else book.bids.set(price, quantity);
		}
		for (const [price, quantity] of asks) {
			if (quantity === '0') book.asks.delete(price);
			else book.asks.set(price, quantity);
		}
		const update: WireDepthUpdate = {
			e: 'depthUpdate',
			E: this.now(),
			s: symbol,
			U: book.lastUpdateId + 1,
			u: book.lastUpdateId + idsUsed,
			b: bids,
			a: asks,
		};
		book.lastUpdateId += idsUsed;
		this.depthUpdates.emit(update);
		return update;
	}
}

export class FakeUsers implements UserDataFeed {
	readonly events = new Emitter<[string, WireUserEvent]>();
	onUserEvent(listener: (apiKey: string, event: WireUserEvent) => void): Unsubscribe {
		return this.events.on(listener);
	}
	push(apiKey: string, event: WireUserEvent): void {
		this.events.emit(apiKey, event);
	}
}

export class FakeFaults implements StreamFaults {
	stalled = false;
	readonly drops = new Emitter<[]>();
	streamsStalled(): boolean {
		return this.stalled;
	}
	onDropWebSockets(listener: () => void): Unsubscribe {
		return this.drops.on(listener);
	}
}

export const API_KEY = 'testKey0123456789';
export const API_SECRET = 'testSecretABCDEFGHIJ';

export const credentials: CredentialStore = {
	secretFor: apiKey => (apiKey === API_KEY ? API_SECRET : undefined),
};

export interface FakeExchange {
	market: FakeMarket;
	users: FakeUsers;
	faults: FakeFaults;
	layer: WebSocketLayer;
	server: http.Server;
	wsUrl: string;
	close(): Promise<void>;
}

/** A node:http server on 127.0.0.1:0 with the WebSocket layer attached over the fakes. */
export async function startFakeExchange(
	options: {pingIntervalMs?: number; pongTimeoutMs?: number; layer?: WebSocketLayerOptions} = {},
): Promise<FakeExchange> {
	const market = new FakeMarket();
	const users = new FakeUsers();
	const faults = new FakeFaults();
	const server = http.createServer((_request, response) => {
		response.statusCode = 404;
		response.end();
	});
	const layer = attachWebSocketLayer(
		server,
		{
			market,
			users,
			credentials,
			faults,
			...(options.pingIntervalMs === undefined ? {} : {pingIntervalMs: options.pingIntervalMs}),
			...(options.pongTimeoutMs === undefined ? {} : {pongTimeoutMs: options.pongTimeoutMs}),
		},
		options.layer,
	);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		market,
		users,
		faults,
		layer,
		server,
		wsUrl: `ws://127.0.0.1:${port}`,
		async close() {
			await layer.close();
			server.closeAllConnections();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

/** Signing and calling helpers for the venue conformance tests of the WebSocket API. */

export type Signer = (payload: string) => string;

export const hmacSigner =
	(secret: string): Signer =>
	payload =>
		hmacHex(secret, payload);
/** Ed25519: base64 of the raw signature. */
export const ed25519Signer =
	(privateKey: KeyObject): Signer =>
	payload =>
		sign(null, Buffer.from(payload), privateKey).toString('base64');
/** RSA: PKCS#1 v1.5 over SHA-256, base64. */
export const rsaSigner =
	(privateKey: KeyObject): Signer =>
	payload =>
		sign('sha256', Buffer.from(payload), privateKey).toString('base64');

/** Params of a SIGNED WebSocket API request: apiKey and timestamp added, key-sorted payload signed. */
export function wsSigned(
	apiKey: string,
	signer: Signer,
	params: Record<string, unknown> = {},
): Record<string, unknown> {
	const all = {...params, apiKey, timestamp: Date.now()};
	return {...all, signature: signer(signaturePayload(all))};
}

let ids = 0;

/** One request, its reply. */
export async function call(
	socket: TestClient,
	method: string,
	params?: Record<string, unknown>,
): Promise<{
	status: number;
	result?: unknown;
	error?: {code: number; msg: string};
	rateLimits?: Array<Record<string, unknown>>;
}> {
	const id = `r${++ids}`;
	const reply = await socket.request({id, method, ...(params ? {params} : {})});
	return reply as never;
}
