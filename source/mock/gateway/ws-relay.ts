import type http from 'node:http';
import type {Duplex} from 'node:stream';
import {WebSocket, WebSocketServer, type RawData} from 'ws';
import type {StreamKind} from '../contracts.js';
import type {GatewayActivity, OrderQuery} from './gateway-activity.js';
import type {GatewayFaults} from './gateway-faults.js';
import type {NotionalCaps} from './notional-caps.js';
import {rawText} from '../ws/raw-text.js';

export interface WsRelayDeps {
	/** Market-stream base (wss://stream.binance.com:9443) and the WebSocket API URL (…/ws-api/v3). */
	upstream: {ws: string; wsApi: string};
	ca?: string | Buffer;
	activity: GatewayActivity;
	faults: GatewayFaults;
	caps: NotionalCaps;
	/** A trade price seen on a market stream (the mark for MARKET orders under the caps). */
	onTrade(symbol: string, price: number): void;
}

export interface WsRelay {
	openConnections(): number;
	/** The operator's reconnect (`x`): every relayed connection cut, recorded as a drop of `kind`; returns how many. */
	dropAll(kind: string): number;
	close(): Promise<void>;
}

/** Subscription names as the mock's attribution spells them. */
const SESSION = 'ws-api:session';
const USER_DATA = 'ws-api:userData';
const LISTEN_KEY = 'listenKey:userData';

/** WS API methods that place an order, checked against the caps and attributed as order acks. */
const ORDER_METHODS = new Set(['order.place', 'sor.order.place', 'order.cancelReplace']);
/** WS API methods whose answers say which of the SUT's orders are open (see GatewayActivity.orderAnswer). */
const WS_ORDER_QUERIES: Readonly<Record<string, OrderQuery>> = {
	'order.cancel': 'one',
	'order.status': 'one',
	'openOrders.status': 'open-list',
	'openOrders.cancelAll': 'cancel-all',
	allOrders: 'other',
};

interface Route {
	kind: StreamKind;
	upstream: string;
	streams: string[];
}

function routeOf(url: string, upstream: WsRelayDeps['upstream']): Route | undefined {
	const parsed = new URL(url, 'http://gateway');
	const path = parsed.pathname;
	if (path === '/ws-api/v3') return {kind: 'wsApi', upstream: upstream.wsApi + parsed.search, streams: []};
	const base = upstream.ws.replace(/\/$/, '');
	if (path === '/stream')
		return {
			kind: 'market',
			upstream: base + path + parsed.search,
			streams: (parsed.searchParams.get('streams') ?? '').split('/').filter(Boolean),
		};
	if (path === '/ws' || path.startsWith('/ws/')) {
		const names = path.slice(4).split('/').filter(Boolean);
		// A listenKey is a bare token; stream names always carry "@" (btcusdt@trade).
		const listenKey = names.length === 1 && !names[0]!.includes('@');
		return {
			kind: listenKey ? 'listenKey' : 'market',
			upstream: base + path + parsed.search,
			streams: listenKey ? [LISTEN_KEY] : names,
		};
	}
	return undefined;
}

interface Pending {
	method: string;
	params: Record<string, unknown> | unknown[];
	sentAt: number;
	notional: number;
}

/**
 * One SUT WebSocket and its twin to the venue: frames relayed one by one both ways (text stays text,
 * binary stays binary), closes mirrored, and the subscriptions the venue confirmed kept for attribution.
 */
class RelayedConnection {
	private readonly held = new Map<string, number>();
	private readonly pending = new Map<string, Pending>();
	private closed = false;

	constructor(
		readonly client: WebSocket,
		readonly venue: WebSocket,
		private readonly route: Route,
		private readonly deps: WsRelayDeps,
	) {
		deps.activity.connected(route.kind);
		for (const name of route.streams) this.hold(name);
		client.on('message', (data, isBinary) => this.fromClient(data, isBinary));
		venue.on('message', (data, isBinary) => this.fromVenue(data, isBinary));
		client.once('close', (code, reason) => this.end(venue, code, reason));
		venue.once('close', (code, reason) => this.end(client, code, reason));
		// Pings and pongs cross too (neither side answers for the other): a SUT that never pongs is
		// dropped by the venue's own timeout, as it would be without the gateway.
		venue.on('ping', data => this.open(client) && client.ping(data));
		venue.on('pong', data => this.open(client) && client.pong(data));
		client.on('ping', data => this.open(venue) && venue.ping(data));
		client.on('pong', data => this.open(venue) && venue.pong(data));
		client.on('error', () => client.terminate());
		venue.on('error', () => venue.terminate());
	}

	/** Whether a frame may go to `socket` now: open, and not silenced by a timeout fault. */
	private open(socket: WebSocket): boolean {
		return socket.readyState === WebSocket.OPEN && this.deps.faults.streamAction(this) !== 'blackhole';
	}

	/** Both sockets cut at once, as a network drop would. */
	terminate(): void {
		this.client.terminate();
		this.venue.terminate();
	}

	private end(other: WebSocket, code: number, reason: Buffer): void {
		if (!this.closed) {
			this.closed = true;
			for (const [name, n] of this.held) for (let i = 0; i < n; i++) this.deps.activity.unsubscribed(name);
			this.held.clear();
			this.deps.activity.disconnected(this.route.kind);
		}
		// 1005/1006 only describe a close, they cannot be sent in one.
		if (other.readyState === WebSocket.OPEN) {
			if (code === 1005 || code === 1006 || code < 1000 || code >= 5000) other.terminate();
			else other.close(code, reason);
		} else if (other.readyState === WebSocket.CONNECTING) other.terminate();
	}

	private hold(name: string): void {
		this.held.set(name, (this.held.get(name) ?? 0) + 1);
		this.deps.activity.subscribed(name);
	}

	private release(name: string, all = false): void {
		const n = this.held.get(name) ?? 0;
		if (n === 0) return;
		const drop = all ? n : 1;
		for (let i = 0; i < drop; i++) this.deps.activity.unsubscribed(name);
		if (n - drop > 0) this.held.set(name, n - drop);
		else this.held.delete(name);
	}

	private fromClient(data: RawData, isBinary: boolean): void {
		if (!isBinary && this.route.kind !== 'listenKey') {
			const text = rawText(data);
			const refusal = this.noteRequest(text);
			if (refusal !== undefined) {
				if (this.client.readyState === WebSocket.OPEN) this.client.send(refusal);
				return;
			}
		}
		if (this.open(this.venue)) this.venue.send(data, {binary: isBinary});
	}

	/** Remembers requests whose answers change subscriptions or are order acks; returns a local refusal, if any. */
	private noteRequest(text: string): string | undefined {
		if (!text.startsWith('{')) return undefined;
		let frame: unknown;
		try {
			frame = JSON.parse(text);
		} catch {
			return undefined;
		}
		if (typeof frame !== 'object' || frame === null) return undefined;
		const {id, method, params} = frame as {id?: unknown; method?: unknown; params?: unknown};
		if (typeof method !== 'string' || (typeof id !== 'string' && typeof id !== 'number')) return undefined;
		const p = typeof params === 'object' && params !== null ? (params as Record<string, unknown> | unknown[]) : {};
		let notional = 0;
		if (this.route.kind === 'wsApi' && ORDER_METHODS.has(method) && !Array.isArray(p)) {
			const verdict = this.deps.caps.check(name => (p[name] === undefined ? undefined : wireText(p[name])));
			if (!verdict.ok) {
				const error = {code: -2010, msg: verdict.msg};
				this.deps.activity.orderAck(
					{
						status: 400,
						body: error,
						side: wireText(p['side'] ?? ''),
						type: wireText(p['type'] ?? ''),
						sentClientOrderId: typeof p['newClientOrderId'] === 'string' ? p['newClientOrderId'] : undefined,
						latencyMs: 0,
						count10s: 0,
					},
					Date.now(),
				);
				return JSON.stringify({id, status: 400, error});
			}
			notional = verdict.notional;
		}
		this.pending.set(String(id), {method, params: p, sentAt: performance.now(), notional});
		if (this.pending.size > 10_000) this.pending.delete(this.pending.keys().next().value!);
		return undefined;
	}

	private fromVenue(data: RawData, isBinary: boolean): void {
		if (!isBinary) this.noteAnswer(rawText(data));
		// A stalled stream keeps its connection but gets nothing, as on the mock.
		if (this.deps.faults.streamsStalled()) return;
		if (this.open(this.client)) this.client.send(data, {binary: isBinary});
	}

	private noteAnswer(text: string): void {
		const trade = this.deps.caps.active && (text.includes('"e":"trade"') || text.includes('"e":"aggTrade"'));
		const report = text.includes('executionReport');
		if (this.pending.size === 0 && !trade && !report) return;
		let frame: unknown;
		try {
			frame = JSON.parse(text);
		} catch {
			return;
		}
		if (typeof frame !== 'object' || frame === null) return;
		const f = frame as Record<string, unknown>;
		if (trade) {
			const t = (typeof f['data'] === 'object' && f['data'] !== null ? f['data'] : f) as Record<string, unknown>;
			const price = Number(t['p']);
			if (typeof t['s'] === 'string' && price > 0) this.deps.onTrade(t['s'], price);
		}
		if (report) this.deps.activity.orders.seeAnswer(f);
		const id = f['id'];
		if ((typeof id !== 'string' && typeof id !== 'number') || !this.pending.has(String(id))) return;
		const request = this.pending.get(String(id))!;
		this.pending.delete(String(id));
		this.answered(request, f);
	}

	private answered(request: Pending, f: Record<string, unknown>): void {
		const now = Date.now();
		// Market streams answer {result: null, id}; the WS API answers {id, status, result | error}.
		const status = typeof f['status'] === 'number' ? f['status'] : 'error' in f ? 400 : 200;
		const ok = status < 400;
		const params = request.params;
		// The WS API shares the REST weight (per IP on Binance) and reports it in rateLimits, not headers.
		const headers: Record<string, string> = {};
		const weight = Array.isArray(f['rateLimits'])
			? (f['rateLimits'] as Array<Record<string, unknown>>).find(
					r => r['rateLimitType'] === 'REQUEST_WEIGHT' && r['interval'] === 'MINUTE',
				)
			: undefined;
		if (typeof weight?.['count'] === 'number') headers['x-mbx-used-weight-1m'] = String(weight['count']);
		const retryAt = (f['error'] as {data?: {retryAfter?: unknown}} | undefined)?.data?.retryAfter;
		if (typeof retryAt === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil((retryAt - now) / 1000)));
		if (status >= 400 || headers['x-mbx-used-weight-1m'] !== undefined)
			this.deps.activity.response(status, headers, JSON.stringify(f['error'] ?? f), `ws-api:${request.method}`, now);
		if (ORDER_METHODS.has(request.method) && !Array.isArray(params)) {
			if (!ok) this.deps.caps.release(request.notional);
			this.deps.activity.orderAck(
				{
					status,
					body: ok ? f['result'] : f['error'],
					side: wireText(params['side'] ?? ''),
					type: wireText(params['type'] ?? ''),
					sentClientOrderId: typeof params['newClientOrderId'] === 'string' ? params['newClientOrderId'] : undefined,
					latencyMs: performance.now() - request.sentAt,
					count10s: 0,
					symbol: typeof params['symbol'] === 'string' ? params['symbol'] : undefined,
					timeInForce: typeof params['timeInForce'] === 'string' ? params['timeInForce'] : undefined,
				},
				now,
			);
			return;
		}
		const query = WS_ORDER_QUERIES[request.method];
		if (query !== undefined && !Array.isArray(params))
			this.deps.activity.orderAnswer(
				query,
				name => (params[name] === undefined ? undefined : wireText(params[name])),
				status,
				ok ? f['result'] : f['error'],
			);
		if (!ok) return;
		const names = Array.isArray(params) ? params.filter((n): n is string => typeof n === 'string') : [];
		switch (request.method) {
			case 'SUBSCRIBE':
				for (const name of names) if (!this.held.has(name)) this.hold(name);
				return;
			case 'UNSUBSCRIBE':
				for (const name of names) this.release(name, true);
				return;
			case 'session.logon':
				if (!this.held.has(SESSION)) this.hold(SESSION);
				return;
			case 'session.logout':
				this.release(SESSION, true);
				return;
			case 'userDataStream.subscribe':
			case 'userDataStream.subscribe.signature':
				this.hold(USER_DATA);
				return;
			case 'userDataStream.unsubscribe':
				this.release(USER_DATA, !Array.isArray(params) && params['subscriptionId'] === undefined);
				return;
			default:
				return;
		}
	}
}

/**
 * The gateway's WebSocket side: each upgrade from the SUT opens its twin to the venue first, so a venue
 * refusal (unknown stream, 4xx) reaches the SUT as the venue's own HTTP answer.
 */
export function attachWsRelay(server: http.Server, deps: WsRelayDeps): WsRelay {
	const wss = new WebSocketServer({noServer: true, autoPong: false});
	const connections = new Set<RelayedConnection>();
	const stopDrops = deps.faults.onDropWebSockets(() => {
		if (connections.size === 0) return;
		deps.activity.drop('drop-websockets');
		for (const connection of connections) connection.terminate();
	});
	/** A connection-reset fault cuts the connections it rolls for, as a drop the SUT must recover from. */
	const resetRolled = (candidates: Iterable<RelayedConnection>): void => {
		const cut = [...candidates].filter(connection => deps.faults.streamAction(connection) === 'reset');
		if (cut.length === 0) return;
		deps.activity.drop('connection-reset');
		for (const connection of cut) connection.terminate();
	};
	const stopResets = deps.faults.onConnectionFault(() => resetRolled(connections));

	server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
		socket.on('error', () => socket.destroy());
		const route = routeOf(request.url ?? '/', deps.upstream);
		if (!route) {
			socket.end(
				'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n{"code":-1000,"msg":"drydock gateway: no WebSocket endpoint at this path"}',
			);
			return;
		}
		/** Set once the SUT has its answer: the upgrade accepted, or the venue's refusal relayed. */
		let accepted = false;
		const venue = new WebSocket(route.upstream, {
			...(deps.ca === undefined ? {} : {ca: deps.ca}),
			handshakeTimeout: 15_000,
			perMessageDeflate: false,
			autoPong: false,
		});
		venue.once('unexpected-response', (_req, res) => {
			// Settled: the terminate below makes ws report an error, which must not answer a second time.
			accepted = true;
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.once('end', () => {
				socket.end(
					`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}\r\nConnection: close\r\nContent-Type: ${res.headers['content-type'] ?? 'text/plain'}\r\n\r\n${Buffer.concat(chunks).toString()}`,
				);
				venue.terminate();
			});
		});
		venue.once('error', error => {
			if (!accepted && !socket.destroyed)
				socket.end(
					`HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({code: -1000, msg: `drydock gateway: venue WebSocket failed: ${error.message}`})}`,
				);
		});
		venue.once('open', () => {
			if (socket.destroyed) {
				venue.terminate();
				return;
			}
			accepted = true;
			wss.handleUpgrade(request, socket, head, client => {
				const connection = new RelayedConnection(client, venue, route, deps);
				connections.add(connection);
				client.once('close', () => connections.delete(connection));
				resetRolled([connection]);
			});
		});
		// The SUT gave up before the venue answered.
		socket.once('close', () => {
			if (venue.readyState === WebSocket.CONNECTING) venue.terminate();
		});
	});

	return {
		openConnections: () => connections.size,
		dropAll(kind) {
			const cut = connections.size;
			if (cut === 0) return 0;
			deps.activity.drop(kind);
			for (const connection of connections) connection.terminate();
			return cut;
		},
		close: async () => {
			stopDrops();
			stopResets();
			for (const connection of connections) connection.terminate();
			await new Promise<void>(resolve => wss.close(() => resolve()));
		},
	};
}

/** A parsed JSON request parameter as text: strings as they are, anything else (numbers, objects) as its JSON. */
function wireText(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}
