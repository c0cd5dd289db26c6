import type http from 'node:http';
import type {WebSocketDeps, WebSocketLayer} from '../contracts.js';

/**
 * Mounts the mock's WebSocket layer on the server's single port (takes over its 'upgrade' event).
 * First compiling version: answers every upgrade with 404 until the stream router lands.
 */
export function attachWebSocketLayer(server: http.Server, deps: WebSocketDeps): WebSocketLayer {
	void deps;
	server.on('upgrade', (_request, socket) => {
		socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
	});
	const keys = new Map<string, string>();
	return {
		listenKeys: {
			create(apiKey) {
				const key = Math.random().toString(36).slice(2).padEnd(60, '0');
				keys.set(key, apiKey);
				return key;
			},
			keepAlive: (listenKey) => keys.has(listenKey),
			close: (listenKey) => keys.delete(listenKey),
		},
		stats: () => ({openConnections: 0, messagesSent: 0}),
		close: async () => {},
	};
}
