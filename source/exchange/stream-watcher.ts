/**
 * Watches market streams by their Binance names (`btcusdt@trade`, `btcusdt@kline_1m`,
 * `btcusdt@depth@100ms`, `btcusdt@bookTicker`, `btcusdt@ticker`, `btcusdt@miniTicker`) and reports
 * per frame: receipt time, event time, latency, sequence gaps; and per connection: status changes and
 * reconnects. A ccxt watch loop per stream keeps the subscription (and, for depth, the synced book)
 * alive; the numbers come from the client's WebSocket tap, one event per frame.
 *
 * The events are shaped like the engine's StreamUpdate, so `onEvent: ctx.stream` works as is.
 */
import {ExchangeError, toExchangeError} from './errors.js';
import type {ExchangeClient, Unsubscribe, WsConnectionEvent, WsFrame} from './exchange-client.js';

export type StreamKind = 'trade' | 'kline' | 'depth' | 'bookTicker' | 'ticker' | 'miniTicker';
export type StreamStatus = 'connecting' | 'live' | 'silent' | 'reconnecting' | 'closed';

export interface StreamSpec {
	/** Canonical name, lower-case symbol: `btcusdt@depth@100ms`. */
	id: string;
	kind: StreamKind;
	/** Venue id, upper case: `BTCUSDT`. */
	symbol: string;
	/** Klines only. */
	interval?: string;
}

export type StreamEvent =
	| {
			type: 'message';
			stream: string;
			kind: string;
			symbol: string;
			/** Local Date.now() at receipt. */
			receivedAt: number;
			/** Venue event time E (T when there is no E). */
			eventTime: number | null;
			/** receivedAt + clock offset − eventTime; null without an event time. */
			latencyMs: number | null;
			/** Sequence ids skipped before this frame (trade id t; depth U vs previous u); 0 when in order. */
			gap: number;
			/** The frame as received, when `includeRaw` is set. */
			raw?: string;
	  }
	| {type: 'status'; stream: string; kind: string; symbol: string; status: StreamStatus; at: number}
	| {type: 'reconnect'; stream: string; at: number};

export interface StreamStats {
	messages: number;
	gaps: number;
	/** Sum of skipped sequence ids. */
	missed: number;
	reconnects: number;
	errors: number;
	/** Frames whose sequence id did not advance (duplicates, regressions): counted, never as gaps. */
	outOfOrder: number;
	status: StreamStatus;
	lastMessageAt: number | null;
	lastEventTime: number | null;
	/** When the connection carrying the stream last dropped, and when it was subscribed again. */
	lastDropAt: number | null;
	lastResubscribedAt: number | null;
}

/** Trade ids a trade stream skipped (across a reconnect, or dropped by the venue): what a REST backfill looks for. */
export interface TradeGap {
	stream: string;
	/** Venue id, upper case. */
	symbol: string;
	/** First and last trade id missed, inclusive. */
	fromId: number;
	toId: number;
	/** Event time of the last frame before the gap (null when unknown). */
	lastTime: number | null;
}

export interface StreamWatcherOptions {
	onEvent: (event: StreamEvent) => void;
	/** Each gap in a trade stream's ids, with the ids missed. */
	onGap?: (gap: TradeGap) => void;
	/**
	 * This watcher defers to others on the same client: `watchedElsewhere(id)` tells whether another,
	 * primary watcher follows the stream too (and so already reports it), so its events are not counted twice.
	 */
	secondary?: boolean;
	/** Each failed watch call (the loop keeps going after `retryDelayMs`). */
	onError?: (stream: string, error: ExchangeError) => void;
	/**
	 * Something worth a warning that is not an error and counts nowhere: a stream the venue acknowledged
	 * that has not delivered its first frame by `firstFrameTimeoutMs` (once per connection).
	 */
	onNotice?: (stream: string, message: string) => void;
	/** Server time minus local time, in ms, for latency; default 0. Read on every frame. */
	clockOffsetMs?: () => number;
	/** A live stream with no frame for this long turns `silent` (default 5000 ms). */
	silentAfterMs?: number;
	/**
	 * A stream still waiting for its first frame this long after it started or its connection opened.
	 * Without any reply to its subscription (a venue that accepts the connection and then never speaks)
	 * it reports an error and its connection is cut, so it goes through the normal reconnect path. When
	 * the venue acknowledged the subscription, the stream is only quiet (a slow symbol on a testnet can
	 * go that long without a trade): it turns `silent` and `onNotice` hears of it once; nothing is cut or
	 * counted. Default 15000 ms; 0 turns it off.
	 */
	firstFrameTimeoutMs?: number;
	/** Attach the raw JSON text to message events (decodes every frame; default false). */
	includeRaw?: boolean;
	/** Pause after a failed watch call before the next (default 250 ms). */
	retryDelayMs?: number;
}

/** Default first-frame deadline: market streams on a healthy venue speak within a second or two. */
export const FIRST_FRAME_TIMEOUT_MS = 15_000;

function seconds(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const streamPattern = /^([a-z0-9]+)@(trade|kline_(\d+[smhdwM])|depth(?:@100ms)?|bookTicker|ticker|miniTicker)$/;

/** Reads a Binance stream name; throws ExchangeError `bad-request` naming the problem. */
export function parseStreamId(id: string): StreamSpec {
	const trimmed = id.trim();
	const at = trimmed.indexOf('@');
	const normalized = at < 0 ? trimmed : trimmed.slice(0, at).toLowerCase() + trimmed.slice(at);
	const match = streamPattern.exec(normalized);
	if (!match) {
		throw new ExchangeError({
			kind: 'bad-request',
			message: `unknown stream "${id}" (expected <symbol>@trade, @kline_<interval>, @depth@100ms, @bookTicker, @ticker or @miniTicker)`,
		});
	}
	const symbol = match[1]!;
	const channel = match[2]!;
	if (channel.startsWith('kline_'))
		return {id: normalized, kind: 'kline', symbol: symbol.toUpperCase(), interval: match[3]!};
	if (channel.startsWith('depth')) return {id: `${symbol}@depth@100ms`, kind: 'depth', symbol: symbol.toUpperCase()};
	return {id: normalized, kind: channel as StreamKind, symbol: symbol.toUpperCase()};
}

interface Watched {
	spec: StreamSpec;
	stats: StreamStats;
	stopped: boolean;
	lastSeq: number | null;
	url: string | null;
	loop: Promise<void>;
	/** Since when the stream has waited for its first frame on an open connection; null while not waiting (live, or dialing). */
	awaitingSince: number | null;
	/** The venue acknowledged the subscription while the stream waited: at the deadline it is quiet, not hostile. */
	ackedWhileAwaiting: boolean;
	/** The deadline fired and cut the connection: the watch call rejecting for it was already reported. */
	droppedAt: number | null;
}

/** The watchers of each client, so a secondary watcher knows which streams another one reports. */
const watchersOf = new WeakMap<ExchangeClient, Set<StreamWatcher>>();

export class StreamWatcher {
	private readonly streams = new Map<string, Watched>();
	private readonly unsubscribes: Unsubscribe[] = [];
	private silenceTimer: NodeJS.Timeout | undefined;
	/** The raw text of the frame being reported (the tap delivers it just before the frame). */
	private lastRaw: {stream: string; text: string} | undefined;

	constructor(
		private readonly client: ExchangeClient,
		private readonly options: StreamWatcherOptions,
	) {
		let peers = watchersOf.get(client);
		if (peers === undefined) watchersOf.set(client, (peers = new Set()));
		peers.add(this);
		this.unsubscribes.push(() => peers.delete(this));
		this.unsubscribes.push(client.tap.onFrame(frame => this.onFrame(frame)));
		this.unsubscribes.push(client.tap.onConnection(event => this.onConnection(event)));
		if (options.includeRaw) {
			this.unsubscribes.push(
				client.tap.onRawMessage((stream, text) => {
					this.lastRaw = {stream, text};
				}),
			);
		}
	}

	/** Starts watching; ids already watched are ignored. Returns the canonical ids. */
	start(ids: readonly string[]): string[] {
		const specs = ids.map(parseStreamId);
		for (const spec of specs) {
			if (this.streams.has(spec.id)) continue;
			const watched: Watched = {
				spec,
				stats: {
					messages: 0,
					gaps: 0,
					missed: 0,
					reconnects: 0,
					errors: 0,
					outOfOrder: 0,
					status: 'connecting',
					lastMessageAt: null,
					lastEventTime: null,
					lastDropAt: null,
					lastResubscribedAt: null,
				},
				stopped: false,
				lastSeq: null,
				url: null,
				loop: Promise.resolve(),
				// The first dial has no backoff, and a dial that hangs is cut by ccxt's own connect timeout.
				awaitingSince: Date.now(),
				ackedWhileAwaiting: false,
				droppedAt: null,
			};
			this.streams.set(spec.id, watched);
			this.status(watched, 'connecting', Date.now());
			watched.loop = this.loop(watched);
		}
		this.armSilenceTimer();
		return specs.map(s => s.id);
	}

	/** Stops one stream's loop (its ccxt subscription stays until the client closes). */
	stop(id: string): Promise<void> {
		const watched = this.streams.get(parseStreamId(id).id);
		if (watched === undefined) return Promise.resolve();
		watched.stopped = true;
		this.streams.delete(watched.spec.id);
		this.status(watched, 'closed', Date.now());
		return Promise.resolve();
	}

	/** Stops every loop and detaches from the client's tap. The client itself stays open. */
	async close(): Promise<void> {
		for (const id of [...this.streams.keys()]) await this.stop(id);
		for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
		if (this.silenceTimer) clearInterval(this.silenceTimer);
		this.silenceTimer = undefined;
	}

	stats(id: string): StreamStats | undefined {
		const watched = this.streams.get(parseStreamId(id).id);
		return watched ? {...watched.stats} : undefined;
	}

	ids(): string[] {
		return [...this.streams.keys()];
	}

	/** Another, primary watcher on the same client follows this stream (and reports it). */
	watchedElsewhere(id: string): boolean {
		const canonical = parseStreamId(id).id;
		for (const peer of watchersOf.get(this.client) ?? []) {
			if (peer !== this && !peer.options.secondary && peer.streams.has(canonical)) return true;
		}
		return false;
	}

	private watchOnce(spec: StreamSpec): Promise<unknown> {
		switch (spec.kind) {
			case 'trade':
				return this.client.watchTrades(spec.symbol);
			case 'kline':
				return this.client.watchOHLCV(spec.symbol, spec.interval);
			case 'depth':
				return this.client.watchOrderBook(spec.symbol, {levels: 0});
			case 'bookTicker':
				return this.client.watchBookTicker(spec.symbol);
			case 'ticker':
				return this.client.watchTicker(spec.symbol);
			case 'miniTicker':
				return this.client.watchTicker(spec.symbol, {mini: true});
		}
	}

	private async loop(watched: Watched): Promise<void> {
		const retryDelay = this.options.retryDelayMs ?? 250;
		while (!watched.stopped) {
			try {
				await this.watchOnce(watched.spec);
			} catch (error) {
				if (watched.stopped) break;
				const typed = toExchangeError(error);
				// ccxt reports its own failures (dial refused, backoff): wait for the next open to time the venue again.
				if (watched.stats.status !== 'live' && watched.stats.status !== 'silent') watched.awaitingSince = null;
				if (watched.droppedAt !== null && Date.now() - watched.droppedAt < 5000) {
					// The rejection of the watch the deadline cut: already reported with the reason.
					watched.droppedAt = null;
					await new Promise(resolve => setTimeout(resolve, retryDelay));
					continue;
				}
				watched.droppedAt = null;
				watched.stats.errors++;
				try {
					this.options.onError?.(watched.spec.id, typed);
				} catch {
					// The consumer's bug must not end the loop.
				}
				// A closed client cannot recover; stop instead of spinning.
				if (typed.message === 'exchange client is closed') break;
				await new Promise(resolve => setTimeout(resolve, retryDelay));
			}
		}
	}

	private onFrame(frame: WsFrame): void {
		if (frame.streamId === null) return;
		const watched = this.streams.get(frame.streamId);
		if (watched === undefined) return;
		const stats = watched.stats;
		watched.url = frame.url;
		let gap = 0;
		if (frame.seqId !== null && watched.spec.kind === 'trade') {
			if (watched.lastSeq !== null && frame.seqId > watched.lastSeq + 1) {
				gap = frame.seqId - watched.lastSeq - 1;
				this.gap({
					stream: watched.spec.id,
					symbol: watched.spec.symbol,
					fromId: watched.lastSeq + 1,
					toId: frame.seqId - 1,
					lastTime: stats.lastEventTime,
				});
			}
			if (watched.lastSeq !== null && frame.seqId <= watched.lastSeq) stats.outOfOrder++;
			if (watched.lastSeq === null || frame.seqId > watched.lastSeq) watched.lastSeq = frame.seqId;
		} else if (frame.firstUpdateId !== null && frame.lastUpdateId !== null) {
			if (watched.lastSeq !== null && frame.firstUpdateId > watched.lastSeq + 1)
				gap = frame.firstUpdateId - watched.lastSeq - 1;
			if (watched.lastSeq !== null && frame.lastUpdateId <= watched.lastSeq) stats.outOfOrder++;
			if (watched.lastSeq === null || frame.lastUpdateId > watched.lastSeq) watched.lastSeq = frame.lastUpdateId;
		}
		stats.messages++;
		if (gap > 0) {
			stats.gaps++;
			stats.missed += gap;
		}
		stats.lastMessageAt = frame.receivedAt;
		stats.lastEventTime = frame.eventTime;
		watched.awaitingSince = null;
		watched.ackedWhileAwaiting = false;
		if (stats.status !== 'live') this.status(watched, 'live', frame.receivedAt);
		const latencyMs =
			frame.eventTime === null ? null : frame.receivedAt + (this.options.clockOffsetMs?.() ?? 0) - frame.eventTime;
		const event: StreamEvent = {
			type: 'message',
			stream: watched.spec.id,
			kind: watched.spec.kind,
			symbol: watched.spec.symbol,
			receivedAt: frame.receivedAt,
			eventTime: frame.eventTime,
			latencyMs,
			gap,
		};
		if (this.lastRaw !== undefined && this.lastRaw.stream === frame.streamId) {
			event.raw = this.lastRaw.text;
			this.lastRaw = undefined;
		}
		this.emit(event);
	}

	private onConnection(event: WsConnectionEvent): void {
		for (const watched of this.streams.values()) {
			if (event.type === 'open') {
				// A stream not yet placed on a connection takes any open: on the first dial all open together.
				const waiting = watched.stats.status === 'connecting' || watched.stats.status === 'reconnecting';
				if (waiting && watched.awaitingSince === null && (watched.url === null || watched.url === event.url)) {
					watched.awaitingSince = event.at;
					watched.ackedWhileAwaiting = false;
				}
				continue;
			}
			const onThisConnection =
				event.type === 'subscribed' ? event.streams.includes(watched.spec.id) : watched.url === event.url;
			if (!onThisConnection) continue;
			if (event.type === 'closed') {
				watched.stats.lastDropAt = event.at;
				watched.awaitingSince = null;
				if (watched.stats.status !== 'reconnecting') this.status(watched, 'reconnecting', event.at);
			} else if (event.type === 'subscribed') {
				watched.url = event.url;
				if (watched.awaitingSince !== null) watched.ackedWhileAwaiting = true;
				if (
					watched.stats.lastDropAt !== null &&
					(watched.stats.lastResubscribedAt === null || watched.stats.lastResubscribedAt < watched.stats.lastDropAt)
				) {
					watched.stats.reconnects++;
					watched.stats.lastResubscribedAt = event.at;
					this.emit({type: 'reconnect', stream: watched.spec.id, at: event.at});
				} else if (watched.stats.lastResubscribedAt === null) {
					watched.stats.lastResubscribedAt = event.at;
				}
			}
		}
	}

	private status(watched: Watched, status: StreamStatus, at: number): void {
		watched.stats.status = status;
		this.emit({
			type: 'status',
			stream: watched.spec.id,
			kind: watched.spec.kind,
			symbol: watched.spec.symbol,
			status,
			at,
		});
	}

	private gap(gap: TradeGap): void {
		try {
			this.options.onGap?.(gap);
		} catch {
			// The consumer's bug must not break the feed.
		}
	}

	private emit(event: StreamEvent): void {
		try {
			this.options.onEvent(event);
		} catch {
			// The consumer's bug must not break the feed.
		}
	}

	private armSilenceTimer(): void {
		if (this.silenceTimer) return;
		const silentAfter = this.options.silentAfterMs ?? 5000;
		const firstFrame = this.options.firstFrameTimeoutMs ?? FIRST_FRAME_TIMEOUT_MS;
		const deadline = Number.isFinite(firstFrame) && firstFrame > 0 ? firstFrame : null;
		this.silenceTimer = setInterval(
			() => {
				const now = Date.now();
				for (const watched of this.streams.values()) {
					const last = watched.stats.lastMessageAt;
					if (watched.stats.status === 'live' && last !== null && now - last > silentAfter)
						this.status(watched, 'silent', now);
					else if (deadline !== null && watched.awaitingSince !== null && now - watched.awaitingSince > deadline)
						this.firstFrameMissed(watched, deadline, now);
				}
			},
			Math.max(100, Math.min(1000, silentAfter / 2, deadline === null ? Infinity : deadline / 4)),
		);
		this.silenceTimer.unref();
	}

	/**
	 * No first frame by the deadline. Acknowledged: a quiet stream, reported once and left alone (a cut
	 * would only redial into the same quiet). Not even a reply: the venue holds the connection open and
	 * says nothing, so report it, cut the connection, let the loop redial.
	 */
	private firstFrameMissed(watched: Watched, deadlineMs: number, now: number): void {
		const id = watched.spec.id;
		const acked = watched.ackedWhileAwaiting;
		watched.awaitingSince = null;
		watched.ackedWhileAwaiting = false;
		if (acked) {
			// The next open (after a drop) times the venue again; a frame makes the stream live.
			this.status(watched, 'silent', now);
			try {
				this.options.onNotice?.(
					id,
					`${id}: subscribed, but no frame within ${seconds(deadlineMs)} of connecting (a quiet market, or a venue that stopped sending); the connection is kept`,
				);
			} catch {
				// The consumer's bug must not break the feed.
			}
			return;
		}
		const reason = `${id}: no frame (not even a subscription reply) within ${seconds(deadlineMs)} of connecting; the venue accepted the connection and stayed silent, reconnecting`;
		watched.droppedAt = now;
		watched.stats.errors++;
		watched.stats.lastDropAt = now;
		try {
			this.options.onError?.(id, new ExchangeError({kind: 'timeout', source: 'FirstFrameTimeout', message: reason}));
		} catch {
			// The consumer's bug must not stop the reconnect.
		}
		this.status(watched, 'reconnecting', now);
		// Only that stream's connection when the client can (the venue client and the paper broker do); else every connection.
		const drop = this.client.dropStreamConnection
			? this.client.dropStreamConnection(id, reason)
			: this.client.dropConnections().then(() => true);
		drop
			.catch(() => false)
			.then(
				dropped => {
					// Nothing carried the stream (still dialing): time the next open instead.
					if (!dropped) watched.droppedAt = null;
				},
				() => undefined,
			);
	}
}
