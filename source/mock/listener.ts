/**
 * One port of the mock: a node:http server serving REST (with its own rate-limit state in `ctx`), the
 * WebSocket layer, and — on drydock's own port only — the admin API. Clients get one each.
 */
import http from 'node:http';
import type {Socket} from 'node:net';
import type {WebSocketDeps, WebSocketLayer} from './contracts.js';
import {createRestHandler, type AdminHandler} from './http/rest-server.js';
import type {MockContext} from './http/route.js';
import {attachWebSocketLayer} from './ws/index.js';

export interface Listener {
	port: number;
	/** `http://host:port` and `ws://host:port`, IPv6 hosts in brackets. */
	rest: string;
	ws: string;
	layer: WebSocketLayer;
	close(): Promise<void>;
}

/** A prefix no request path starts with: a client's port has no admin side door. */
const NO_ADMIN = '\0';
const noAdmin: AdminHandler = () => {};

export async function startListener(
	ctx: MockContext,
	ws: WebSocketDeps,
	host: string,
	port: number,
	admin?: {prefix: string; handler: AdminHandler},
): Promise<Listener> {
	const server = http.createServer(
		{keepAliveTimeout: 65_000, requestTimeout: 30_000, headersTimeout: 20_000},
		createRestHandler(ctx, admin?.prefix ?? NO_ADMIN, admin?.handler ?? noAdmin),
	);
	// Requests the HTTP parser rejects (bad request line, bad headers) still get a Binance-shaped answer.
	server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
		if (!socket.writable || error.code === 'ECONNRESET') {
			socket.destroy();
			return;
		}
		const body = JSON.stringify({code: -1000, msg: `Malformed HTTP request: ${error.code ?? 'parse error'}.`});
		socket.end(
			`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
		);
	});
	const layer = attachWebSocketLayer(server, ws, {api: ctx});
	ctx.listenKeys = layer.listenKeys;
	try {
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, host, () => {
				server.off('error', reject);
				resolve();
			});
		});
	} catch (error) {
		// Port taken or host unusable: release the WebSocket layer's timers so nothing keeps running.
		await layer.close();
		throw error;
	}
	const address = server.address();
	const bound = typeof address === 'object' && address ? address.port : port;
	const hostPart = host.includes(':') ? `[${host}]` : host;
	let closing: Promise<void> | undefined;
	return {
		port: bound,
		rest: `http://${hostPart}:${bound}`,
		ws: `ws://${hostPart}:${bound}`,
		layer,
		close() {
			closing ??= (async () => {
				await layer.close();
				await new Promise<void>(resolve => {
					server.close(() => resolve());
					server.closeAllConnections();
				});
			})();
			return closing;
		},
	};
}
