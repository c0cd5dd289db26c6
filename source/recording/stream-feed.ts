/**
 * One combined-stream WebSocket (`/stream?streams=a/b`) kept open for a recording: every frame goes to
 * the handler as it arrives; a drop (close, error, or silence past `silenceMs`) is reported, then the
 * feed reconnects with backoff until closed. The recorder turns drop + reconnect into a gap record:
 * the feed itself never hides one.
 */
import WebSocket from 'ws';

export interface StreamFeedHandlers {
	/** A combined-stream frame, parsed (`{stream, data}`). */
	frame(stream: string, data: unknown): void;
	/** The connection is gone; `reason` says why in a few words. */
	dropped(reason: string): void;
	/** Subscribed again after a drop. */
	reconnected(): void;
}

export interface StreamFeedOptions {
	url: string;
	/** No message for this long means a dead connection (Binance's depth@100ms alone ticks 10×/s). */
	silenceMs?: number;
	connectTimeoutMs?: number;
	backoffMinMs?: number;
	backoffMaxMs?: number;
}

export class StreamFeed {
	private socket: WebSocket | undefined;
	private closed = false;
	private lastMessage = 0;
	private watchdog: NodeJS.Timeout | undefined;
	private retry: NodeJS.Timeout | undefined;
	private backoff: number;
	private readonly silenceMs: number;
	private readonly connectTimeoutMs: number;
	private readonly backoffMin: number;
	private readonly backoffMax: number;

	constructor(
		private readonly options: StreamFeedOptions,
		private readonly handlers: StreamFeedHandlers,
	) {
		this.silenceMs = options.silenceMs ?? 60_000;
		this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
		this.backoffMin = options.backoffMinMs ?? 250;
		this.backoffMax = options.backoffMaxMs ?? 30_000;
		this.backoff = this.backoffMin;
	}

	/** Opens the first connection; rejects (with the reason) when the venue cannot be reached. */
	async start(): Promise<void> {
		await this.connect();
		this.watchdog = setInterval(() => this.checkSilence(), Math.min(1000, this.silenceMs / 2));
		this.watchdog.unref();
	}

	close(): void {
		this.closed = true;
		clearInterval(this.watchdog);
		clearTimeout(this.retry);
		const socket = this.socket;
		this.socket = undefined;
		socket?.removeAllListeners();
		socket?.on('error', () => {});
		socket?.terminate();
	}

	/** True while a connection is open and subscribed. */
	get connected(): boolean {
		return this.socket?.readyState === WebSocket.OPEN;
	}

	private connect(): Promise<void> {
		return new Promise((resolve, reject) => {
			const socket = new WebSocket(this.options.url, {
				handshakeTimeout: this.connectTimeoutMs,
				perMessageDeflate: false,
			});
			let open = false;
			socket.on('open', () => {
				open = true;
				this.socket = socket;
				this.lastMessage = Date.now();
				this.backoff = this.backoffMin;
				resolve();
			});
			socket.on('message', (raw: Buffer, isBinary: boolean) => {
				this.lastMessage = Date.now();
				if (isBinary) return;
				let parsed: unknown;
				try {
					parsed = JSON.parse(raw.toString('utf8'));
				} catch {
					return; // not JSON: nothing a replay could use
				}
				// Control replies ({result, id}) and anything not a combined frame are not market data.
				if (typeof parsed !== 'object' || parsed === null) return;
				const {stream, data} = parsed as {stream?: unknown; data?: unknown};
				if (typeof stream === 'string' && data !== undefined) this.handlers.frame(stream, data);
			});
			socket.on('unexpected-response', (_request, response) => {
				const reason = `HTTP ${response.statusCode ?? '?'} on upgrade`;
				socket.removeAllListeners('close');
				socket.on('error', () => {});
				socket.terminate();
				if (!open) reject(new Error(reason));
			});
			socket.on('error', (error: Error) => {
				if (!open) reject(error);
			});
			socket.on('close', (code: number, why: Buffer) => {
				if (!open) {
					reject(new Error(`closed before opening (code ${code})`));
					return;
				}
				if (this.socket === socket)
					this.lost(`connection closed (code ${code}${why.length ? `: ${why.toString()}` : ''})`);
			});
		});
	}

	private checkSilence(): void {
		if (this.closed || !this.socket || Date.now() - this.lastMessage < this.silenceMs) return;
		this.lost(`no message for ${Math.round(this.silenceMs / 1000)} s`);
	}

	private lost(reason: string): void {
		const socket = this.socket;
		this.socket = undefined;
		if (socket) {
			socket.removeAllListeners();
			socket.on('error', () => {});
			socket.terminate();
		}
		if (this.closed) return;
		this.handlers.dropped(reason);
		this.scheduleReconnect();
	}

	private scheduleReconnect(): void {
		if (this.closed) return;
		const wait = this.backoff;
		this.backoff = Math.min(this.backoffMax, this.backoff * 2);
		this.retry = setTimeout(() => {
			this.connect().then(
				() => {
					if (this.closed) {
						this.close();
						return;
					}
					this.handlers.reconnected();
				},
				() => this.scheduleReconnect(),
			);
		}, wait);
	}
}
