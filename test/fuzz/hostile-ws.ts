/**
 * A tiny hostile WebSocket venue on loopback: it accepts any path, acknowledges SUBSCRIBE like Binance
 * ({result:null,id}) and then sends whatever the test tells it to, to every open connection.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {WebSocketServer, type WebSocket} from 'ws';

export interface HostileWs {
	url: string;
	/** Streams each connection subscribed to, by connection. */
	subscriptions(): string[][];
	/** Sends to every connection subscribed to `stream` (all connections when omitted). */
	send(data: string | Buffer, options?: {stream?: string; binary?: boolean}): number;
	connections(): number;
	/** Waits until some connection subscribed to `stream`. */
	waitForSubscription(stream: string, timeoutMs?: number): Promise<void>;
	close(): Promise<void>;
}

export async function startHostileWs(): Promise<HostileWs> {
	const server = http.createServer((_req, res) => {
		res.writeHead(404).end();
	});
	const wss = new WebSocketServer({server, perMessageDeflate: false, maxPayload: 1024 * 1024});
	const streams = new Map<WebSocket, Set<string>>();
	const waiters: {stream: string; resolve: () => void}[] = [];
	wss.on('connection', ws => {
		streams.set(ws, new Set());
		ws.on('error', () => ws.terminate());
		ws.on('close', () => streams.delete(ws));
		ws.on('message', data => {
			let request: {method?: unknown; params?: unknown; id?: unknown};
			try {
				request = JSON.parse(data.toString()) as typeof request;
			} catch {
				return;
			}
			if (request.method === 'SUBSCRIBE' && Array.isArray(request.params)) {
				for (const name of request.params) if (typeof name === 'string') streams.get(ws)?.add(name);
				ws.send(JSON.stringify({result: null, id: request.id}));
				for (const waiter of [...waiters]) {
					if ([...streams.values()].some(set => set.has(waiter.stream))) {
						waiters.splice(waiters.indexOf(waiter), 1);
						waiter.resolve();
					}
				}
			} else if (request.id !== undefined) {
				ws.send(JSON.stringify({result: null, id: request.id}));
			}
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `ws://127.0.0.1:${port}`,
		subscriptions: () => [...streams.values()].map(set => [...set]),
		send(data, options = {}) {
			let sent = 0;
			for (const [ws, subscribed] of streams) {
				if (options.stream !== undefined && !subscribed.has(options.stream)) continue;
				if (ws.readyState !== ws.OPEN) continue;
				ws.send(data, {binary: options.binary ?? false});
				sent++;
			}
			return sent;
		},
		connections: () => streams.size,
		waitForSubscription(stream, timeoutMs = 10_000) {
			if ([...streams.values()].some(set => set.has(stream))) return Promise.resolve();
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`no subscription to ${stream} within ${timeoutMs} ms (have ${JSON.stringify([...streams.values()].map(s => [...s]))})`)), timeoutMs);
				waiters.push({stream, resolve: () => {
					clearTimeout(timer);
					resolve();
				}});
			});
		},
		async close() {
			for (const ws of streams.keys()) ws.terminate();
			await new Promise<void>(resolve => wss.close(() => resolve()));
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
