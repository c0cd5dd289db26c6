import type {Duplex} from 'node:stream';
import WebSocket from 'ws';
import {SLOW_CONSUMER_BYTES} from './frame-batch.js';

interface Liveness {
	lastPongAt: number;
	connectedAt: number;
}

export interface HeartbeatOptions {
	pingIntervalMs: number;
	pongTimeoutMs: number;
	/** Binance ends every connection after 24 h; soak runs should see that reconnect too. */
	maxConnectionAgeMs: number;
}

/**
 * Every open socket of the layer (market streams, WebSocket API, listenKey streams): sending with a
 * message count, server pings with a pong deadline, and closing them all for faults and shutdown.
 */
export class ConnectionRegistry {
	private readonly sockets = new Map<WebSocket, Liveness>();
	private heartbeat: NodeJS.Timeout | undefined;
	private lastPingAt = 0;
	/** Sockets corked during the current tick; uncorked together on the next microtask turn. */
	private readonly corked = new Set<Duplex>();
	private readonly uncorkAll = (): void => {
		for (const socket of this.corked) socket.uncork();
		this.corked.clear();
	};
	messagesSent = 0;

	get size(): number {
		return this.sockets.size;
	}

	add(ws: WebSocket): void {
		const now = Date.now();
		const liveness: Liveness = {lastPongAt: now, connectedAt: now};
		this.sockets.set(ws, liveness);
		ws.on('pong', () => {
			liveness.lastPongAt = Date.now();
		});
		ws.once('close', () => this.sockets.delete(ws));
	}

	/** Sends one text frame; a Buffer is written as-is, so one serialized event can go to many sockets. */
	send(ws: WebSocket, frame: Buffer | string): void {
		if (ws.readyState !== WebSocket.OPEN) return;
		if (ws.bufferedAmount > SLOW_CONSUMER_BYTES) {
			ws.terminate();
			return;
		}
		this.cork(ws);
		ws.send(frame, {binary: false});
		this.messagesSent++;
	}

	/**
	 * Events of one tick (a simulator step prints trades and a depth diff together) leave as one write per
	 * socket instead of one per frame: the socket stays corked until the tick's synchronous work is done.
	 * `_socket` is ws's own field; without it frames are simply written one by one.
	 */
	private cork(ws: WebSocket): void {
		const socket = (ws as unknown as {_socket?: Duplex | null})._socket;
		if (!socket || this.corked.has(socket)) return;
		socket.cork();
		if (this.corked.size === 0) process.nextTick(this.uncorkAll);
		this.corked.add(socket);
	}

	/**
	 * Pings every `pingIntervalMs`; terminates a socket whose last pong is older than `pongTimeoutMs`;
	 * closes one older than `maxConnectionAgeMs`.
	 */
	startHeartbeat({pingIntervalMs, pongTimeoutMs, maxConnectionAgeMs}: HeartbeatOptions): void {
		const tickMs = Math.max(10, Math.min(1000, Math.floor(Math.min(pingIntervalMs, pongTimeoutMs) / 4)));
		this.lastPingAt = Date.now();
		this.heartbeat = setInterval(() => {
			const now = Date.now();
			const pingDue = now - this.lastPingAt >= pingIntervalMs;
			if (pingDue) this.lastPingAt = now;
			for (const [ws, liveness] of this.sockets) {
				if (now - liveness.lastPongAt > pongTimeoutMs) {
					ws.terminate();
				} else if (now - liveness.connectedAt > maxConnectionAgeMs) {
					if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'Connection reached its maximum age (24 h)');
				} else if (pingDue && ws.readyState === WebSocket.OPEN) {
					ws.ping();
				}
			}
		}, tickMs);
		this.heartbeat.unref();
	}

	stopHeartbeat(): void {
		if (this.heartbeat) clearInterval(this.heartbeat);
		this.heartbeat = undefined;
	}

	/** The drop-websockets fault: every connection goes at once, without a closing handshake. */
	terminateAll(): void {
		for (const ws of this.sockets.keys()) ws.terminate();
	}

	/** Closes every socket with `code`; resolves when all are gone (stragglers are terminated after `graceMs`). */
	async closeAll(code: number, reason: string, graceMs = 1000): Promise<void> {
		const pending = [...this.sockets.keys()].map(
			ws =>
				new Promise<void>(resolve => {
					if (ws.readyState === WebSocket.CLOSED) {
						resolve();
						return;
					}
					ws.once('close', () => resolve());
					ws.close(code, reason);
				}),
		);
		const timer = setTimeout(() => {
			for (const ws of this.sockets.keys()) ws.terminate();
		}, graceMs);
		await Promise.all(pending);
		clearTimeout(timer);
	}
}
