/**
 * The WebSocket tap: turns each frame ccxt has already parsed into a small WsFrame (stream id, event
 * time, sequence ids) and fans it out, plus the raw text for the stream inspector. Nothing here runs
 * unless someone listens.
 */
import {redactSecrets, secretForms} from './errors.js';
import type {Unsubscribe, WsConnectionEvent, WsFrame, WsTap} from './exchange-client.js';

/** What the tap needs to know about a ccxt WebSocket client (see ccxt-binance.ts). */
export interface TappedClient {
	url: string;
	drydockRaw?: unknown;
	drydockStreams?: string[];
	drydockPendingSubscribe?: Map<string, string[]>;
	drydockReconnect?: boolean;
	drydockKeyCache?: Map<string, string>;
}

type Json = Record<string, unknown>;

function num(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Sequence ids are non-negative safe integers; anything else (1e308, -1, 1.5) is not an id at all. */
function seq(value: unknown): number | null {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function str(value: unknown): string | null {
	return typeof value === 'string' ? value : null;
}

/** The stream name a payload belongs to, without rate suffixes (`btcusdt@depth`, `btcusdt@kline_1m`). */
function contentKey(event: string, data: Json, symbol: string | null): string | null {
	if (symbol === null) return null;
	const s = symbol.toLowerCase();
	switch (event) {
		case 'trade':
			return `${s}@trade`;
		case 'aggTrade':
			return `${s}@aggTrade`;
		case 'kline': {
			const k = data['k'] as Json | undefined;
			return `${s}@kline_${str(k?.['i']) ?? ''}`;
		}
		case 'depthUpdate':
			return `${s}@depth`;
		case '24hrMiniTicker':
			return `${s}@miniTicker`;
		case '24hrTicker':
			return `${s}@ticker`;
		case 'bookTicker':
			return `${s}@bookTicker`;
		default:
			return `${s}@${event}`;
	}
}

/** Maps a payload to the stream the client subscribed to (adds `@100ms` etc. as subscribed). */
function resolveStreamId(client: TappedClient, key: string | null): string | null {
	const streams = client.drydockStreams ?? [];
	const market = streams.filter(s => s !== 'user');
	if (key === null) return market.length === 1 ? market[0]! : null;
	if (market.length === 0) return key;
	if (market.length === 1 && market[0]!.startsWith(key)) return market[0]!;
	let cache = client.drydockKeyCache;
	if (cache === undefined) {
		cache = new Map();
		client.drydockKeyCache = cache;
	}
	const cached = cache.get(key);
	if (cached !== undefined) return cached;
	// Exact name first, then a subscription that extends it (`@depth` → `@depth@100ms`).
	const found = market.find(s => s === key) ?? market.find(s => s.startsWith(key + '@')) ?? key;
	// Keys come from the venue's frames: a feed of made-up symbols must not grow the cache forever.
	if (cache.size >= 256) cache.clear();
	cache.set(key, found);
	return found;
}

export function frameFromMessage(client: TappedClient, message: unknown, receivedAt: number): WsFrame | null {
	if (message === null || typeof message !== 'object') return null;
	let data = message as Json;
	let explicitStream: string | null = null;
	// Combined streams wrap {stream, data}.
	if (typeof data['stream'] === 'string' && data['data'] !== null && typeof data['data'] === 'object') {
		explicitStream = data['stream'];
		data = data['data'] as Json;
	}
	// User data over the WebSocket API: {subscriptionId, event:{...}}.
	if (data['subscriptionId'] !== undefined && data['event'] !== null && typeof data['event'] === 'object') {
		const ev = data['event'] as Json;
		return {
			url: client.url,
			streamId: 'user',
			event: str(ev['e']) ?? 'unknown',
			symbol: str(ev['s']),
			receivedAt,
			eventTime: num(ev['E']),
			seqId: null,
			firstUpdateId: null,
			lastUpdateId: null,
		};
	}
	if (Array.isArray(message)) {
		const first = (message as unknown[])[0] as Json | undefined;
		return {
			url: client.url,
			streamId: explicitStream,
			event: `${str(first?.['e']) ?? 'unknown'}@arr`,
			symbol: null,
			receivedAt,
			eventTime: num(first?.['E']),
			seqId: null,
			firstUpdateId: null,
			lastUpdateId: null,
		};
	}
	const e = str(data['e']);
	if (e === null) {
		// Control replies: {result, id} on streams, {id, status, result} on the WebSocket API.
		if (data['id'] !== undefined && ('result' in data || 'status' in data || 'error' in data)) {
			const failed = 'error' in data || (data['status'] !== undefined && data['status'] !== 200);
			return {
				url: client.url,
				streamId: null,
				event: failed ? 'control-error' : 'control',
				symbol: null,
				receivedAt,
				eventTime: null,
				seqId: null,
				firstUpdateId: null,
				lastUpdateId: null,
				requestId: typeof data['id'] === 'string' || typeof data['id'] === 'number' ? String(data['id']) : undefined,
			};
		}
		// bookTicker has no `e`.
		if ('u' in data && 'b' in data && 'a' in data) {
			const symbol = str(data['s']);
			return {
				url: client.url,
				streamId: explicitStream ?? resolveStreamId(client, contentKey('bookTicker', data, symbol)),
				event: 'bookTicker',
				symbol,
				receivedAt,
				eventTime: num(data['E']) ?? num(data['T']),
				seqId: seq(data['u']),
				firstUpdateId: null,
				lastUpdateId: null,
			};
		}
		// Partial depth snapshots (`@depth5`…) carry only lastUpdateId.
		if ('lastUpdateId' in data) {
			return {
				url: client.url,
				streamId: explicitStream ?? resolveStreamId(client, null),
				event: 'depthSnapshot',
				symbol: null,
				receivedAt,
				eventTime: null,
				seqId: null,
				firstUpdateId: null,
				lastUpdateId: seq(data['lastUpdateId']),
			};
		}
		return null;
	}
	const symbol = str(data['s']);
	const streamId = explicitStream ?? resolveStreamId(client, contentKey(e, data, symbol));
	const frame: WsFrame = {
		url: client.url,
		streamId,
		event: e,
		symbol,
		receivedAt,
		eventTime: num(data['E']) ?? num(data['T']),
		seqId: null,
		firstUpdateId: null,
		lastUpdateId: null,
	};
	if (e === 'trade') frame.seqId = seq(data['t']);
	else if (e === 'aggTrade') frame.seqId = seq(data['a']);
	else if (e === 'depthUpdate') {
		frame.firstUpdateId = seq(data['U']);
		frame.lastUpdateId = seq(data['u']);
		// U > u is not a range: no sequence claim to check.
		if (frame.firstUpdateId !== null && frame.lastUpdateId !== null && frame.firstUpdateId > frame.lastUpdateId) {
			frame.firstUpdateId = null;
			frame.lastUpdateId = null;
		}
	}
	return frame;
}

/** Longest raw text handed to listeners: a 10 MB frame must not be copied into an inspector's ring. */
export const MAX_RAW_CHARS = 64 * 1024;

function rawText(data: unknown): string {
	let text: string;
	if (typeof data === 'string') text = data;
	else if (Buffer.isBuffer(data)) text = data.toString('utf8', 0, Math.min(data.length, MAX_RAW_CHARS * 4));
	else if (data instanceof ArrayBuffer) text = Buffer.from(data).toString('utf8');
	else if (Array.isArray(data)) text = Buffer.concat(data as Buffer[]).toString('utf8');
	else text = String(data);
	if (text.length <= MAX_RAW_CHARS) return text;
	const size = typeof data === 'string' ? Buffer.byteLength(data) : Buffer.isBuffer(data) ? data.length : text.length;
	return `${text.slice(0, MAX_RAW_CHARS)}… [truncated: ${size} bytes]`;
}

/** Listener registry; the ccxt subclass reports into it. */
export class TapSink implements WsTap {
	private readonly frameListeners = new Set<(frame: WsFrame) => void>();
	private readonly rawListeners = new Set<(streamId: string, text: string) => void>();
	private readonly connectionListeners = new Set<(event: WsConnectionEvent) => void>();
	/** The client's API key and secret: a frame that carries one (a venue echoing it) is redacted before listeners see it. */
	private secrets: string[] = [];
	private secretForms: string[] = [];

	setSecrets(secrets: readonly (string | undefined)[]): void {
		this.secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
		this.secretForms = this.secrets.flatMap(secretForms);
	}

	active(): boolean {
		return this.frameListeners.size > 0 || this.rawListeners.size > 0 || this.connectionListeners.size > 0;
	}

	onFrame(listener: (frame: WsFrame) => void): Unsubscribe {
		this.frameListeners.add(listener);
		return () => this.frameListeners.delete(listener);
	}

	onRawMessage(listener: (streamId: string, text: string) => void): Unsubscribe {
		this.rawListeners.add(listener);
		return () => this.rawListeners.delete(listener);
	}

	onConnection(listener: (event: WsConnectionEvent) => void): Unsubscribe {
		this.connectionListeners.add(listener);
		return () => this.connectionListeners.delete(listener);
	}

	frame(frame: WsFrame, client: TappedClient): void {
		if (frame.event === 'control') this.subscribed(frame, client);
		// Raw first, so a frame listener can pair the frame with the text it just got.
		if (this.rawListeners.size > 0 && frame.streamId !== null && client.drydockRaw !== undefined) {
			let text = rawText(client.drydockRaw);
			// A substring check per form (raw, URL-encoded, base64) per frame; the redaction only on a hit.
			if (this.secretForms.some(form => text.includes(form))) text = redactSecrets(text, this.secrets);
			for (const listener of this.rawListeners) safely(() => listener(frame.streamId!, text));
		}
		for (const listener of this.frameListeners) safely(() => listener(frame));
	}

	connection(event: WsConnectionEvent): void {
		for (const listener of this.connectionListeners) safely(() => listener(event));
	}

	private subscribed(frame: WsFrame, client: TappedClient): void {
		if (this.connectionListeners.size === 0) return;
		const pending = client.drydockPendingSubscribe;
		if (pending === undefined || pending.size === 0) return;
		const id = frame.requestId;
		if (id === undefined) return;
		const streams = pending.get(id);
		if (streams === undefined) return;
		pending.delete(id);
		this.connection({
			type: 'subscribed',
			url: client.url,
			at: frame.receivedAt,
			streams,
			reconnect: client.drydockReconnect === true,
		});
	}
}

function safely(fn: () => void): void {
	try {
		fn();
	} catch {
		// A listener's bug must not break the feed.
	}
}
