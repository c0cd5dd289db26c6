import type http from 'node:http';
import type {Duplex} from 'node:stream';
import {WebSocketServer, type WebSocket} from 'ws';
import type {WebSocketDeps, WebSocketLayer} from '../contracts.js';
import {ConnectionRegistry} from './connection-registry.js';
import {ListenKeyStore} from './listen-keys.js';
import {MarketConnection} from './market-connection.js';
import {MarketProducers} from './market-producers.js';
import {StreamHub} from './stream-hub.js';
import {routeUpgrade} from './upgrade-routes.js';
import {UserDataHub} from './user-data-hub.js';
import {resolveApiKey} from '../api-keys.js';
import type {MockContext} from '../http/route.js';
import {hmacResolver, type KeyResolver} from './ws-api-auth.js';
import {WsApiGateway} from './ws-api-methods.js';
import {WsApiSession} from './ws-api-session.js';

/** Tunables beyond the contract's deps; every default is Binance's. Tests shorten them. */
export interface WebSocketLayerOptions {
	/** Incoming frames per second per market-stream connection before it is closed (default 5). */
	maxIncomingPerSecond?: number;
	/** Streams per connection (default 1024). */
	maxStreamsPerConnection?: number;
	/** Largest incoming frame; bigger ones close the connection with 1009 (default 64 KiB). */
	maxPayloadBytes?: number;
	/** Listen-key validity after create/keep-alive (default 60 min). */
	listenKeyTtlMs?: number;
	/** Every connection is closed after this long (default 24 h, as Binance). */
	maxConnectionAgeMs?: number;
	/** The REST context: the WebSocket API then serves market, trading and account methods through the REST handlers, and RSA/Ed25519 keys. */
	api?: MockContext;
	/** Key lookup when there is no REST context (default: HMAC keys from deps.credentials). */
	keys?: KeyResolver;
}

/** A legacy listenKey stream's entry in a client's subscription set. */
export const LISTEN_KEY_SUBSCRIPTION = 'listenKey:userData';

const HTTP_STATUS_TEXT: Record<number, string> = {400: 'Bad Request', 404: 'Not Found'};

function rejectUpgrade(socket: Duplex, status: 400 | 404, message: string): void {
	const body = `${message}\n`;
	socket.once('finish', () => socket.destroy());
	socket.end(
		`HTTP/1.1 ${status} ${HTTP_STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
			`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
	);
}

/**
 * Mounts the mock's WebSocket layer on the server's single port: it takes over every HTTP upgrade
 * (market streams raw and combined, bare connections with control frames, the legacy listenKey stream,
 * and the WebSocket API at /ws-api/v3) and answers other upgrade paths with 404.
 */
export function attachWebSocketLayer(
	server: http.Server,
	deps: WebSocketDeps,
	options: WebSocketLayerOptions = {},
): WebSocketLayer {
	const maxStreams = options.maxStreamsPerConnection ?? 1024;
	const limits = {maxIncomingPerSecond: options.maxIncomingPerSecond ?? 5, maxStreams};
	const registry = new ConnectionRegistry();
	const observer = deps.observer;
	const stalled = (): boolean => deps.faults.streamsStalled();
	// The hook closures run only once connections exist, after `producers` is initialised.
	const hub: StreamHub = new StreamHub({
		stalled,
		streamAdded: entry => producers.streamAdded(entry),
		streamRemoved: entry => producers.streamRemoved(entry),
	});
	const producers = new MarketProducers(deps.market, hub);
	const users = new UserDataHub(deps.users, stalled);
	const api = options.api;
	const resolve: KeyResolver =
		options.keys ?? (api ? apiKey => resolveApiKey(api.credentials, api.keys, apiKey) : hmacResolver(deps.credentials));

	/** Sockets of each listen key, so closing or expiring the key ends them. */
	const listenKeySockets = new Map<string, Set<WebSocket>>();
	const listenKeys = new ListenKeyStore(options.listenKeyTtlMs ?? 60 * 60 * 1000, {
		ended(listenKey, reason) {
			const sockets = listenKeySockets.get(listenKey);
			if (!sockets) return;
			listenKeySockets.delete(listenKey);
			for (const ws of sockets) {
				if (reason === 'expired') {
					registry.send(ws, JSON.stringify({e: 'listenKeyExpired', E: deps.market.now(), listenKey}));
				}
				ws.close(1000, reason === 'expired' ? 'listenKey expired' : 'listenKey closed');
			}
		},
	});

	const wss = new WebSocketServer({
		noServer: true,
		perMessageDeflate: false,
		maxPayload: options.maxPayloadBytes ?? 64 * 1024,
	});

	function onUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
		socket.on('error', () => socket.destroy());
		try {
			accept(request, socket, head);
		} catch {
			socket.destroy();
		}
	}

	function accept(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
		const route = routeUpgrade(request.url ?? '/', {
			hasSymbol: symbol => deps.market.hasSymbol(symbol),
			apiKeyForListenKey: listenKey => listenKeys.apiKeyFor(listenKey),
			maxStreams,
		});
		if (route.kind === 'reject') {
			rejectUpgrade(socket, route.status, route.message);
			return;
		}
		wss.handleUpgrade(request, socket, head, ws => {
			// A misbehaving client (bad UTF-8, oversized frame, reset) closes its own socket, never the server.
			ws.on('error', () => ws.terminate());
			registry.add(ws);
			if (observer) {
				const kind = route.kind;
				observer.connected(kind);
				ws.once('close', () => observer.disconnected(kind));
			}
			switch (route.kind) {
				case 'market':
					new MarketConnection(
						ws,
						{
							hub,
							registry,
							hasSymbol: symbol => deps.market.hasSymbol(symbol),
							limits,
							...(observer ? {observer} : {}),
						},
						route.combined,
						route.streams,
					);
					return;
				case 'wsApi':
					new WsApiSession(ws, {
						registry,
						users,
						resolve,
						...(api ? {gateway: new WsApiGateway(api, request.socket.remoteAddress ?? '?', resolve)} : {}),
						microseconds: /[?&]timeUnit=microsecond(&|$)/i.test(request.url ?? ''),
						now: () => deps.market.now(),
						...(observer ? {observer} : {}),
					});
					return;
				case 'listenKey': {
					const sink = (eventJson: string): void => registry.send(ws, eventJson);
					users.add(route.apiKey, sink);
					observer?.subscribed(LISTEN_KEY_SUBSCRIPTION);
					let sockets = listenKeySockets.get(route.listenKey);
					if (!sockets) {
						sockets = new Set();
						listenKeySockets.set(route.listenKey, sockets);
					}
					sockets.add(ws);
					ws.on('message', (_data, isBinary) => {
						if (isBinary) ws.close(1003, 'Binary frames are not supported: send JSON text frames');
					});
					ws.once('close', () => {
						observer?.unsubscribed(LISTEN_KEY_SUBSCRIPTION);
						users.remove(route.apiKey, sink);
						listenKeySockets.get(route.listenKey)?.delete(ws);
					});
					return;
				}
				default:
					return;
			}
		});
	}

	server.on('upgrade', onUpgrade);
	const stopDropListener = deps.faults.onDropWebSockets(() => registry.terminateAll());
	producers.start();
	users.start();
	listenKeys.start();
	registry.startHeartbeat({
		pingIntervalMs: deps.pingIntervalMs ?? 20_000,
		pongTimeoutMs: deps.pongTimeoutMs ?? 60_000,
		maxConnectionAgeMs: options.maxConnectionAgeMs ?? 24 * 60 * 60 * 1000,
	});

	let closing: Promise<void> | undefined;
	return {
		listenKeys,
		stats: () => ({openConnections: registry.size, messagesSent: registry.messagesSent}),
		dropAll: () => registry.terminateAll(),
		close() {
			closing ??= (async () => {
				server.off('upgrade', onUpgrade);
				stopDropListener();
				producers.stop();
				users.stop();
				listenKeys.stop();
				registry.stopHeartbeat();
				await registry.closeAll(1001, 'Server shutting down');
				await new Promise<void>(resolve => wss.close(() => resolve()));
			})();
			return closing;
		},
	};
}
