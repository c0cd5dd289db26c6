import type WebSocket from 'ws';
import type {StreamObserver} from '../contracts.js';
import type {ConnectionRegistry} from './connection-registry.js';
import {FrameBatch} from './frame-batch.js';
import {rawText} from './raw-text.js';
import {parseControlFrame, type ControlFrame, type RequestId} from './control-frames.js';
import type {StreamHub, StreamSubscriber} from './stream-hub.js';
import {parseStreamName, type StreamSpec} from './stream-names.js';

export interface MarketConnectionLimits {
	/** Incoming frames allowed per second before the connection is closed (Binance: 5). */
	maxIncomingPerSecond: number;
	/** Streams one connection may hold (Binance: 1024). */
	maxStreams: number;
}

export interface MarketConnectionContext {
	hub: StreamHub;
	registry: ConnectionRegistry;
	hasSymbol(symbol: string): boolean;
	limits: MarketConnectionLimits;
	/** A client's listener: told about every stream this connection adds or drops. */
	observer?: StreamObserver;
}

/** Close codes sent with a reason, as Binance does for policy violations. */
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_POLICY_VIOLATION = 1008;

/** One market-stream connection (raw `/ws...` or combined `/stream...`): its streams and its control frames. */
export class MarketConnection implements StreamSubscriber {
	combined: boolean;
	private readonly streams = new Map<string, StreamSpec>();
	/** Arrival times of the last `maxIncomingPerSecond` frames (a ring), for the per-second limit. */
	private readonly arrivals: number[] = [];
	private closed = false;
	/** Stream frames of this tick, written to the socket together. */
	private readonly batch: FrameBatch;

	constructor(
		private readonly ws: WebSocket,
		private readonly context: MarketConnectionContext,
		combined: boolean,
		initial: StreamSpec[],
	) {
		this.combined = combined;
		this.batch = new FrameBatch(ws, messages => (context.registry.messagesSent += messages));
		for (const spec of initial) this.subscribe(spec);
		ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
		ws.once('close', () => this.dispose());
	}

	deliver(frame: Buffer): void {
		this.batch.buffer(frame);
	}

	deliverText(body: string, head?: string, tail?: string): void {
		this.batch.text(body, head, tail);
	}

	backlog(): number {
		return this.ws.bufferedAmount + this.batch.pending;
	}

	private subscribe(spec: StreamSpec): void {
		if (this.streams.has(spec.name)) return;
		this.streams.set(spec.name, spec);
		this.context.hub.add(spec, this);
		this.context.observer?.subscribed(spec.name);
	}

	private unsubscribe(name: string): void {
		if (!this.streams.delete(name)) return;
		this.context.hub.remove(name, this);
		this.context.observer?.unsubscribed(name);
	}

	private dispose(): void {
		this.closed = true;
		this.batch.clear();
		for (const name of this.streams.keys()) {
			this.context.hub.remove(name, this);
			this.context.observer?.unsubscribed(name);
		}
		this.streams.clear();
	}

	private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
		if (this.closed) return;
		if (this.overRate()) {
			this.closeWith(
				CLOSE_POLICY_VIOLATION,
				`Too many messages: more than ${this.context.limits.maxIncomingPerSecond} per second`,
			);
			return;
		}
		if (isBinary) {
			this.closeWith(CLOSE_UNSUPPORTED_DATA, 'Binary frames are not supported: send JSON text frames');
			return;
		}
		const parsed = parseControlFrame(rawText(data));
		if (!parsed.ok) {
			const {code, msg, id} = parsed.error;
			this.reply({error: {code, msg}, id});
			return;
		}
		try {
			this.handle(parsed.frame);
		} catch (error) {
			// A failure behind one request is that request's error, never the server's crash.
			this.replyError(2, `Invalid request: could not be served (${(error as Error).message})`, parsed.frame.id);
		}
	}

	private handle(frame: ControlFrame): void {
		switch (frame.method) {
			case 'SUBSCRIBE': {
				const specs: StreamSpec[] = [];
				for (const name of frame.streams) {
					const parsed = parseStreamName(name, symbol => this.context.hasSymbol(symbol));
					if (!parsed.ok) {
						this.replyError(2, `Invalid request: ${parsed.error}`, frame.id);
						return;
					}
					specs.push(parsed.spec);
				}
				const added = new Set(specs.map(spec => spec.name).filter(name => !this.streams.has(name)));
				if (this.streams.size + added.size > this.context.limits.maxStreams) {
					this.replyError(
						2,
						`Invalid request: too many streams (at most ${this.context.limits.maxStreams} per connection)`,
						frame.id,
					);
					return;
				}
				for (const spec of specs) this.subscribe(spec);
				this.reply({result: null, id: frame.id});
				return;
			}
			case 'UNSUBSCRIBE':
				for (const name of frame.streams) {
					const parsed = parseStreamName(name, symbol => this.context.hasSymbol(symbol));
					this.unsubscribe(parsed.ok ? parsed.spec.name : name);
				}
				this.reply({result: null, id: frame.id});
				return;
			case 'LIST_SUBSCRIPTIONS':
				this.reply({result: [...this.streams.keys()], id: frame.id});
				return;
			case 'SET_PROPERTY':
				this.combined = frame.value;
				this.reply({result: null, id: frame.id});
				return;
			case 'GET_PROPERTY':
				this.reply({result: this.combined, id: frame.id});
				return;
			default:
				return;
		}
	}

	/** Sliding one-second window over the last N arrivals: the N+1th frame within a second is one too many. */
	private overRate(): boolean {
		const now = Date.now();
		const max = this.context.limits.maxIncomingPerSecond;
		this.arrivals.push(now);
		if (this.arrivals.length <= max) return false;
		const oldest = this.arrivals.shift() ?? 0;
		return now - oldest < 1000;
	}

	private replyError(code: 0 | 1 | 2 | 3, msg: string, id: RequestId): void {
		this.reply({error: {code, msg}, id});
	}

	private reply(message: unknown): void {
		// Frames already queued for this connection leave before the reply, as they were produced.
		this.batch.flush();
		this.context.registry.send(this.ws, JSON.stringify(message));
	}

	private closeWith(code: number, reason: string): void {
		this.closed = true;
		this.ws.close(code, reason);
	}
}
