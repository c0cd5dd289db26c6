/**
 * A small in-test stand-in for the mock's core (MarketFeed, UserDataFeed, CredentialStore, StreamFaults)
 * so the WebSocket layer can be unit-tested on a real node:http server. Events are driven by the test.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import type {
	CredentialStore, MarketFeed, StreamFaults, Unsubscribe, UserDataFeed, WireBookTicker, WireDepthSnapshot,
	WireDepthUpdate, WireKline, WireMiniTicker, WireTicker, WireTrade, WireUserEvent,
} from '../../source/mock/contracts.js';
import {attachWebSocketLayer, type WebSocketLayerOptions} from '../../source/mock/ws/index.js';
import type {WebSocketLayer} from '../../source/mock/contracts.js';

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
	private readonly books = new Map<string, {bids: Map<string, string>; asks: Map<string, string>; lastUpdateId: number}>();
	private tradeId = 100;
	klineAtCalls = 0;

	constructor(private readonly list: string[] = ['BTCUSDT', 'ETHUSDT']) {
		for (const symbol of list) {
			this.books.set(symbol, {
				bids: new Map([['100.00', '1.0'], ['99.00', '2.0']]),
				asks: new Map([['101.00', '1.5'], ['102.00', '3.0']]),
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
		const sorted = (side: Map<string, string>, descending: boolean): Level[] => [...side]
			.sort((a, b) => (descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])))
			.slice(0, limit);
		return {lastUpdateId: book.lastUpdateId, bids: sorted(book.bids, true), asks: sorted(book.asks, false)};
	}
	bookTicker(symbol: string): WireBookTicker {
		const snapshot = this.depth(symbol, 1);
		const [bid] = snapshot.bids;
		const [ask] = snapshot.asks;
		return {u: snapshot.lastUpdateId, s: symbol, b: bid?.[0] ?? '0', B: bid?.[1] ?? '0', a: ask?.[0] ?? '0', A: ask?.[1] ?? '0'};
	}
	miniTicker(symbol: string): WireMiniTicker {
		return {e: '24hrMiniTicker', E: this.now(), s: symbol, c: '100.5', o: '99', h: '102', l: '98', v: '10', q: '1000'};
	}
	ticker(symbol: string): WireTicker {
		return {
			e: '24hrTicker', E: this.now(), s: symbol, p: '1.5', P: '1.5', w: '100', x: '99', c: '100.5', Q: '0.1',
			b: '100', B: '1', a: '101', A: '1.5', o: '99', h: '102', l: '98', v: '10', q: '1000', O: 0, C: this.now(), F: 1, L: 2, n: 2,
		};
	}
	private kline(symbol: string, interval: string, openTime: number, closed: boolean): WireKline {
		const length = INTERVAL_MS[interval] ?? 60_000;
		return {
			t: openTime, T: openTime + length - 1, s: symbol, i: interval, f: 1, L: 2, o: '100', c: '101', h: '102', l: '99',
			v: '1', n: 2, x: closed, q: '100', V: '0.5', Q: '50', B: '0',
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
		const trade: WireTrade = {e: 'trade', E: now, s: symbol, t: ++this.tradeId, p: '100.50', q: '0.25', T: now, m: false, M: true};
		this.trades.emit(trade);
		return trade;
	}

	/** Applies a book change (quantity "0" removes) as one diff update with the next update ids. */
	changeBook(symbol: string, bids: Level[], asks: Level[], idsUsed = 1): WireDepthUpdate {
		const book = this.book(symbol);
		for (const [price, quantity] of bids) quantity === '0' ? book.bids.delete(price) : book.bids.set(price, quantity);
		for (const [price, quantity] of asks) quantity === '0' ? book.asks.delete(price) : book.asks.set(price, quantity);
		const update: WireDepthUpdate = {
			e: 'depthUpdate', E: this.now(), s: symbol, U: book.lastUpdateId + 1, u: book.lastUpdateId + idsUsed, b: bids, a: asks,
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
	secretFor: (apiKey) => (apiKey === API_KEY ? API_SECRET : undefined),
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
	const layer = attachWebSocketLayer(server, {
		market, users, credentials, faults,
		...(options.pingIntervalMs === undefined ? {} : {pingIntervalMs: options.pingIntervalMs}),
		...(options.pongTimeoutMs === undefined ? {} : {pongTimeoutMs: options.pongTimeoutMs}),
	}, options.layer);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		market, users, faults, layer, server, wsUrl: `ws://127.0.0.1:${port}`,
		async close() {
			await layer.close();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
