/**
 * The stream watcher's first-frame deadline, against real WebSocket venues on loopback: one that
 * accepts connections and never sends a byte, one that acknowledges the subscription and then stays
 * silent. REST (markets) comes from the real mock; ccxt is real. Without any reply the stream must
 * report a timeout naming the stream and the deadline, cut the connection and dial again; with an
 * acknowledged subscription it is only quiet: one notice, no error, no cut. Nothing may go unhandled.
 */
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {WebSocket, WebSocketServer} from 'ws';
import {
	FIRST_FRAME_TIMEOUT_MS,
	StreamWatcher,
	createPaperBroker,
	type ExchangeClient,
	type ExchangeError,
	type StreamEvent,
} from '../../source/exchange/index.js';
import {trapProcessFailures} from '../fuzz/helpers.js';
import {connect, startMock, type Mock} from './helpers.js';

const DEADLINE_MS = 500;

interface SilentWsVenue {
	url: string;
	/** Connections accepted so far, and how many the client has closed. */
	accepted: number;
	closed: number;
	subscribes: number;
	close(): Promise<void>;
}

/** Accepts every WebSocket; with `ack`, answers SUBSCRIBE as Binance does, and otherwise never speaks. */
async function silentWsVenue(options: {ack: boolean}): Promise<SilentWsVenue> {
	const server = new WebSocketServer({host: '127.0.0.1', port: 0});
	const sockets = new Set<WebSocket>();
	const venue: SilentWsVenue = {
		url: '',
		accepted: 0,
		closed: 0,
		subscribes: 0,
		close: async () => {
			for (const socket of sockets) socket.terminate();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
	server.on('connection', socket => {
		venue.accepted++;
		sockets.add(socket);
		socket.on('error', () => {});
		socket.on('close', () => {
			venue.closed++;
			sockets.delete(socket);
		});
		socket.on('message', data => {
			let message: {method?: unknown; id?: unknown};
			try {
				message = JSON.parse((data as Buffer).toString('utf8')) as typeof message;
			} catch {
				return;
			}
			if (message.method !== 'SUBSCRIBE') return;
			venue.subscribes++;
			if (options.ack) socket.send(JSON.stringify({result: null, id: message.id}));
		});
	});
	await new Promise<void>(resolve => server.once('listening', () => resolve()));
	venue.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
	return venue;
}

interface MutingRelay {
	url: string;
	/** Connections that subscribed to the muted stream, and to anything else; closes of each. */
	muted: {accepted: number; closed: number};
	relayed: {accepted: number; closed: number};
	close(): Promise<void>;
}

/**
 * Relays every WebSocket connection to the mock, except one whose SUBSCRIBE names `mute`: that one is
 * held open and never hears anything (one silent stream among live ones; ccxt opens a connection per
 * subscription).
 */
async function mutingRelay(upstreamBase: string, mute: string): Promise<MutingRelay> {
	const server = new WebSocketServer({host: '127.0.0.1', port: 0});
	const sockets = new Set<WebSocket>();
	const relay: MutingRelay = {
		url: '',
		muted: {accepted: 0, closed: 0},
		relayed: {accepted: 0, closed: 0},
		close: async () => {
			for (const socket of sockets) socket.terminate();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
	server.on('connection', (socket, request) => {
		sockets.add(socket);
		let kind: 'muted' | 'relayed' | null = null;
		const upstream = new WebSocket(upstreamBase + (request.url ?? '/ws'));
		sockets.add(upstream);
		const pending: string[] = [];
		upstream.on('open', () => {
			for (const text of pending.splice(0)) upstream.send(text);
		});
		upstream.on('message', (data, binary) => {
			if (kind !== 'muted' && socket.readyState === WebSocket.OPEN) socket.send(data, {binary});
		});
		const end = () => {
			upstream.terminate();
			socket.terminate();
		};
		upstream.on('close', end);
		upstream.on('error', () => {});
		socket.on('error', () => {});
		socket.on('close', () => {
			if (kind !== null) relay[kind].closed++;
			sockets.delete(socket);
			sockets.delete(upstream);
			end();
		});
		socket.on('message', data => {
			const text = (data as Buffer).toString('utf8');
			if (kind === null) {
				let params: unknown;
				try {
					params = (JSON.parse(text) as {params?: unknown}).params;
				} catch {
					params = undefined;
				}
				kind = Array.isArray(params) && params.includes(mute) ? 'muted' : 'relayed';
				relay[kind].accepted++;
			}
			if (kind === 'muted') return;
			if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
			else pending.push(text);
		});
	});
	await new Promise<void>(resolve => server.once('listening', () => resolve()));
	relay.url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
	return relay;
}

async function until(what: string, condition: () => boolean, ms = 5000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

let mock: Mock;
const trap = trapProcessFailures();

beforeAll(async () => {
	mock = await startMock();
});

afterAll(async () => {
	await mock?.close();
	expect(trap.failures).toEqual([]);
	trap.remove();
});

/** A client whose REST is the mock and whose WebSocket host is `wsUrl`. */
async function clientFor(wsUrl: string): Promise<ExchangeClient> {
	const client = await connect(mock, {wsUrl, wsReconnectBaseMs: 50});
	await client.loadMarkets();
	return client;
}

function watch(client: ExchangeClient, options: {firstFrameTimeoutMs?: number} = {}) {
	const errors: {stream: string; error: ExchangeError}[] = [];
	const notices: {stream: string; message: string}[] = [];
	const events: StreamEvent[] = [];
	const watcher = new StreamWatcher(client, {
		onEvent: e => events.push(e),
		onError: (stream, error) => errors.push({stream, error}),
		onNotice: (stream, message) => notices.push({stream, message}),
		retryDelayMs: 50,
		firstFrameTimeoutMs: DEADLINE_MS,
		...options,
	});
	const statuses = (id: string) =>
		events
			.filter((e): e is Extract<StreamEvent, {type: 'status'}> => e.type === 'status' && e.stream === id)
			.map(e => e.status);
	return {watcher, errors, notices, events, statuses};
}

describe('first-frame deadline', () => {
	it('defaults to 15 s', () => {
		expect(FIRST_FRAME_TIMEOUT_MS).toBe(15_000);
	});

	it('a venue that accepts and never speaks: timeout error naming the stream, connection cut, dialled again', async () => {
		const venue = await silentWsVenue({ack: false});
		const client = await clientFor(venue.url);
		const {watcher, errors, notices, statuses} = watch(client);
		try {
			const started = Date.now();
			watcher.start(['btcusdt@trade']);
			await until('the deadline reports', () => errors.length > 0, 4000);
			const elapsed = Date.now() - started;
			expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS);
			// Generous: the checking timer ticks every deadline/4, and the machine is shared.
			expect(elapsed).toBeLessThan(DEADLINE_MS + 3000);
			const first = errors[0]!;
			expect(first.stream).toBe('btcusdt@trade');
			expect(first.error.kind).toBe('timeout');
			expect(first.error.source).toBe('FirstFrameTimeout');
			expect(first.error.message).toBe(
				'btcusdt@trade: no frame (not even a subscription reply) within 500 ms of connecting; the venue accepted the connection and stayed silent, reconnecting',
			);
			expect(statuses('btcusdt@trade')).toEqual(['connecting', 'reconnecting']);
			// The silent connection is closed by us and a new one dialled (ccxt's own reconnect).
			await until('the silent connection is closed', () => venue.closed >= 1);
			await until('a new connection is dialled', () => venue.accepted >= 2);
			// It keeps trying while the venue stays silent: a second deadline, one error per deadline.
			await until('a second deadline', () => errors.length >= 2, 4000);
			expect(errors.every(e => e.error.source === 'FirstFrameTimeout')).toBe(true);
			expect(watcher.stats('btcusdt@trade')).toMatchObject({
				messages: 0,
				status: 'reconnecting',
				errors: errors.length,
			});
			expect(notices).toEqual([]);
		} finally {
			await watcher.close();
			await client.close();
			await venue.close();
		}
	}, 15_000);

	it('a venue that acknowledges the subscription and then stays silent: quiet, not hostile: one notice, no error, not cut', async () => {
		const venue = await silentWsVenue({ack: true});
		const client = await clientFor(venue.url);
		const {watcher, errors, notices, statuses} = watch(client);
		try {
			watcher.start(['btcusdt@kline_1m']);
			await until('the deadline notices', () => notices.length > 0, 4000);
			expect(venue.subscribes).toBeGreaterThanOrEqual(1);
			expect(notices[0]).toEqual({
				stream: 'btcusdt@kline_1m',
				message:
					'btcusdt@kline_1m: subscribed, but no frame within 500 ms of connecting (a quiet market, or a venue that stopped sending); the connection is kept',
			});
			// Three more deadlines' worth: a cut would have been reported, and ccxt would have dialled again.
			await new Promise(resolve => setTimeout(resolve, DEADLINE_MS * 3));
			expect(errors).toEqual([]);
			expect(notices).toHaveLength(1);
			expect(venue).toMatchObject({accepted: 1, closed: 0});
			expect(statuses('btcusdt@kline_1m')).toEqual(['connecting', 'silent']);
			expect(watcher.stats('btcusdt@kline_1m')).toMatchObject({
				messages: 0,
				errors: 0,
				reconnects: 0,
				status: 'silent',
				lastDropAt: null,
			});
		} finally {
			await watcher.close();
			await client.close();
			await venue.close();
		}
	}, 15_000);

	it("in paper mode a silent stream's deadline cuts only its own connection (the broker passes dropStreamConnection through)", async () => {
		const relay = await mutingRelay(mock.ws, 'btcusdt@trade');
		const inner = await clientFor(relay.url);
		const paper = createPaperBroker(inner);
		expect(typeof paper.dropStreamConnection).toBe('function');
		// The deadline for the live stream too: it must not trip (bookTicker ticks several times a second on the mock).
		const {watcher, errors} = watch(paper, {firstFrameTimeoutMs: 1000});
		try {
			watcher.start(['btcusdt@trade', 'btcusdt@bookTicker']);
			await until('the deadline reports', () => errors.length > 0, 5000);
			expect(errors[0]!.stream).toBe('btcusdt@trade');
			expect(errors[0]!.error.source).toBe('FirstFrameTimeout');
			await until('the silent connection is closed', () => relay.muted.closed >= 1);
			await until('the silent stream is dialled again', () => relay.muted.accepted >= 2);
			const messages = watcher.stats('btcusdt@bookTicker')!.messages;
			await until('the live stream keeps flowing', () => watcher.stats('btcusdt@bookTicker')!.messages > messages);
			// The live stream's connection was never cut: dropConnections() would have taken it down too.
			expect(relay.relayed).toEqual({accepted: 1, closed: 0});
			expect(watcher.stats('btcusdt@bookTicker')).toMatchObject({status: 'live', lastDropAt: null, reconnects: 0});
			expect(errors.every(e => e.stream === 'btcusdt@trade')).toBe(true);
		} finally {
			await watcher.close();
			await paper.close();
			await relay.close();
		}
	}, 15_000);

	it('through a client without a per-stream drop: every connection is cut and redialled', async () => {
		const venue = await silentWsVenue({ack: false});
		const inner = await clientFor(venue.url);
		// A client that offers only dropConnections(), as a third-party ExchangeClient may.
		const bare: ExchangeClient = {...createPaperBroker(inner), dropStreamConnection: undefined};
		const {watcher, errors} = watch(bare);
		try {
			watcher.start(['btcusdt@bookTicker']);
			await until('the deadline reports', () => errors.length > 0, 4000);
			expect(errors[0]!.error.source).toBe('FirstFrameTimeout');
			await until('the silent connection is closed', () => venue.closed >= 1);
			await until('a new connection is dialled', () => venue.accepted >= 2);
		} finally {
			await watcher.close();
			await inner.close();
			await venue.close();
		}
	}, 15_000);

	it('a healthy venue never trips it, and a deadline of 0 turns it off', async () => {
		const client = await clientFor(mock.ws);
		// Streams that tick several times a second on the mock (its trades come at 1–10 per second).
		const healthy = watch(client, {firstFrameTimeoutMs: 1000});
		const venue = await silentWsVenue({ack: false});
		const silentClient = await clientFor(venue.url);
		const off = watch(silentClient, {firstFrameTimeoutMs: 0});
		try {
			healthy.watcher.start(['btcusdt@bookTicker', 'btcusdt@depth@100ms']);
			off.watcher.start(['btcusdt@trade']);
			await new Promise(resolve => setTimeout(resolve, 2500));
			expect(healthy.errors).toEqual([]);
			expect(healthy.watcher.stats('btcusdt@bookTicker')!.status).toBe('live');
			expect(healthy.watcher.stats('btcusdt@depth@100ms')!.status).toBe('live');
			expect(off.errors).toEqual([]);
			expect(off.watcher.stats('btcusdt@trade')!.status).toBe('connecting');
			expect(venue.accepted).toBe(1);
		} finally {
			await healthy.watcher.close();
			await off.watcher.close();
			await client.close();
			await silentClient.close();
			await venue.close();
		}
	}, 15_000);

	it('dropStreamConnection cuts only the connection carrying that stream', async () => {
		const client = await clientFor(mock.ws);
		const {watcher, errors} = watch(client, {firstFrameTimeoutMs: 0});
		try {
			watcher.start(['btcusdt@trade', 'btcusdt@bookTicker']);
			await until(
				'both streams live',
				() => watcher.stats('btcusdt@trade')!.messages > 0 && watcher.stats('btcusdt@bookTicker')!.messages > 0,
			);
			expect(await client.dropStreamConnection?.('btcusdt@trade', 'test: cut this one')).toBe(true);
			expect(await client.dropStreamConnection?.('ethusdt@trade', 'not watched')).toBe(false);
			await until('the trade stream reconnects', () => watcher.stats('btcusdt@trade')!.reconnects === 1);
			expect(errors.map(e => `${e.stream}: ${e.error.message}`)).toEqual([
				expect.stringMatching(/^btcusdt@trade: .*test: cut this one/),
			]);
			expect(watcher.stats('btcusdt@bookTicker')!.lastDropAt).toBeNull();
		} finally {
			await watcher.close();
			await client.close();
		}
	}, 15_000);
});
