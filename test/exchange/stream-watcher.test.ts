/**
 * StreamWatcher's bookkeeping (gaps, latency, reconnects, stream names) on frames fed through a real
 * TapSink; the client's watch calls stand in for ccxt (they never resolve), which is what this unit
 * test is about: the code around them.
 */
import {describe, expect, it} from 'vitest';
import {StreamWatcher, parseStreamId, type ExchangeClient, type StreamEvent} from '../../source/exchange/index.js';
import {TapSink, frameFromMessage, type TappedClient} from '../../source/exchange/ws-tap.js';

function harness(options: {clockOffsetMs?: number} = {}) {
	const tap = new TapSink();
	const never = () => new Promise<never>(() => {});
	const client = {
		tap,
		watchTrades: never,
		watchOrderBook: never,
		watchBookTicker: never,
		watchOHLCV: never,
		watchTicker: never,
	} as unknown as ExchangeClient;
	const events: StreamEvent[] = [];
	const watcher = new StreamWatcher(client, {
		onEvent: e => events.push(e),
		includeRaw: true,
		clockOffsetMs: () => options.clockOffsetMs ?? 0,
	});
	const feed = (conn: TappedClient, message: Record<string, unknown>, receivedAt: number) => {
		conn.drydockRaw = Buffer.from(JSON.stringify(message));
		const frame = frameFromMessage(conn, message, receivedAt);
		if (frame) tap.frame(frame, conn);
	};
	const messages = (id: string) =>
		events.filter((e): e is Extract<StreamEvent, {type: 'message'}> => e.type === 'message' && e.stream === id);
	return {tap, watcher, events, feed, messages};
}

describe('StreamWatcher bookkeeping', () => {
	it('counts skipped trade ids as gaps and computes clock-corrected latency', async () => {
		const {watcher, feed, messages} = harness({clockOffsetMs: 100});
		watcher.start(['btcusdt@trade']);
		const conn: TappedClient = {url: 'ws://x/ws/0', drydockStreams: ['btcusdt@trade']};
		for (const [t, E] of [
			[10, 1000],
			[11, 1010],
			[15, 1020],
			[16, 1030],
		] as const)
			feed(conn, {e: 'trade', E, s: 'BTCUSDT', t, p: '1', q: '1', T: E, m: true, M: true}, E + 5);
		const got = messages('btcusdt@trade');
		expect(got.map(m => m.gap)).toEqual([0, 0, 3, 0]);
		expect(got[0]!.latencyMs).toBe(105);
		expect(JSON.parse(got[2]!.raw!)).toMatchObject({t: 15});
		expect(watcher.stats('btcusdt@trade')).toMatchObject({messages: 4, gaps: 1, missed: 3, status: 'live'});
		await watcher.close();
	});

	it('checks diff-depth continuity (U = previous u + 1) and names the stream as subscribed', async () => {
		const {watcher, feed, messages} = harness();
		expect(watcher.start(['ETHUSDT@depth'])).toEqual(['ethusdt@depth@100ms']);
		const conn: TappedClient = {url: 'ws://x/ws/1', drydockStreams: ['ethusdt@depth@100ms']};
		for (const [U, u] of [
			[1, 3],
			[4, 4],
			[5, 9],
			[12, 13],
		] as const)
			feed(conn, {e: 'depthUpdate', E: 1, s: 'ETHUSDT', U, u, b: [], a: []}, 2);
		expect(messages('ethusdt@depth@100ms').map(m => m.gap)).toEqual([0, 0, 0, 2]);
		await watcher.close();
	});

	it('reports reconnecting on a drop and a reconnect once the stream is subscribed again', async () => {
		const {tap, watcher, events} = harness();
		watcher.start(['btcusdt@bookTicker']);
		const conn: TappedClient = {
			url: 'ws://x/ws/2',
			drydockStreams: ['btcusdt@bookTicker'],
			drydockPendingSubscribe: new Map([['1', ['btcusdt@bookTicker']]]),
		};
		const feedRaw = (message: Record<string, unknown>, at: number) => {
			conn.drydockRaw = Buffer.from(JSON.stringify(message));
			const frame = frameFromMessage(conn, message, at);
			if (frame) tap.frame(frame, conn);
		};
		feedRaw({result: null, id: 1}, 10);
		feedRaw({u: 5, s: 'BTCUSDT', b: '1', B: '1', a: '2', A: '1'}, 11);
		tap.connection({type: 'closed', url: conn.url, at: 20, reason: 'test'});
		expect(watcher.stats('btcusdt@bookTicker')!.status).toBe('reconnecting');
		conn.drydockReconnect = true;
		conn.drydockPendingSubscribe!.set('2', ['btcusdt@bookTicker']);
		feedRaw({result: null, id: 2}, 30);
		feedRaw({u: 9, s: 'BTCUSDT', b: '1', B: '1', a: '2', A: '1'}, 31);
		expect(events.filter(e => e.type === 'reconnect')).toEqual([
			{type: 'reconnect', stream: 'btcusdt@bookTicker', at: 30},
		]);
		expect(watcher.stats('btcusdt@bookTicker')).toMatchObject({
			reconnects: 1,
			lastDropAt: 20,
			lastResubscribedAt: 30,
			status: 'live',
			messages: 2,
		});
		await watcher.close();
	});

	it('first-frame deadline: timed from the connection opening, not while ccxt is refused or backing off', async () => {
		const tap = new TapSink();
		let calls = 0;
		// First dial refused; then the watch hangs (ccxt waiting out its backoff, then a silent connection).
		const watchTrades = () =>
			++calls === 1 ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')) : new Promise<never>(() => {});
		const drops: {id: string; reason: string}[] = [];
		const client = {
			tap,
			watchTrades,
			dropStreamConnection: async (id: string, reason: string) => (drops.push({id, reason}), true),
		} as unknown as ExchangeClient;
		const errors: string[] = [];
		const watcher = new StreamWatcher(client, {
			onEvent: () => {},
			onError: (_id, e) => errors.push(`${e.kind}: ${e.message}`),
			firstFrameTimeoutMs: 200,
			retryDelayMs: 10,
		});
		const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
		try {
			watcher.start(['btcusdt@trade']);
			await sleep(600);
			// Only the refused dial: no deadline while no connection is open.
			expect(errors).toHaveLength(1);
			expect(errors[0]).toMatch(/ECONNREFUSED/);
			expect(drops).toEqual([]);
			// A connection opens (while the stream has no URL yet, any open counts): from now the venue has 200 ms.
			tap.connection({type: 'open', url: 'ws://x/ws/3', at: Date.now(), reconnect: true});
			await sleep(400);
			expect(drops.map(d => d.id)).toEqual(['btcusdt@trade']);
			expect(errors[1]).toBe(
				'timeout: btcusdt@trade: no frame (not even a subscription reply) within 200 ms of connecting; the venue accepted the connection and stayed silent, reconnecting',
			);
			expect(drops[0]!.reason).toBe(errors[1]!.slice('timeout: '.length));
			expect(watcher.stats('btcusdt@trade')).toMatchObject({status: 'reconnecting', errors: 2, messages: 0});
			// Once it fired, it waits for the next open rather than firing again on the same one.
			await sleep(400);
			expect(drops).toHaveLength(1);
		} finally {
			await watcher.close();
		}
	});

	it('first-frame deadline: an acknowledged subscription that stays quiet is noticed once, neither cut nor counted', async () => {
		const tap = new TapSink();
		const never = () => new Promise<never>(() => {});
		const drops: string[] = [];
		const client = {
			tap,
			watchTrades: never,
			dropStreamConnection: async (id: string) => (drops.push(id), true),
		} as unknown as ExchangeClient;
		const errors: string[] = [];
		const notices: string[] = [];
		const events: StreamEvent[] = [];
		const watcher = new StreamWatcher(client, {
			onEvent: e => events.push(e),
			onError: (_id, e) => errors.push(e.message),
			onNotice: (_id, text) => notices.push(text),
			firstFrameTimeoutMs: 200,
			retryDelayMs: 10,
		});
		const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
		const url = 'ws://x/ws/4';
		const statuses = () => events.flatMap(e => (e.type === 'status' ? [e.status] : []));
		try {
			watcher.start(['btcusdt@trade']);
			tap.connection({type: 'open', url, at: Date.now(), reconnect: false});
			tap.connection({type: 'subscribed', url, at: Date.now(), streams: ['btcusdt@trade'], reconnect: false});
			await sleep(700);
			expect(drops).toEqual([]);
			expect(errors).toEqual([]);
			expect(notices).toEqual([
				'btcusdt@trade: subscribed, but no frame within 200 ms of connecting (a quiet market, or a venue that stopped sending); the connection is kept',
			]);
			expect(watcher.stats('btcusdt@trade')).toMatchObject({
				status: 'silent',
				errors: 0,
				reconnects: 0,
				lastDropAt: null,
			});
			// The first trade makes it live.
			const conn: TappedClient = {url, drydockStreams: ['btcusdt@trade']};
			const trade = {e: 'trade', E: 1, s: 'BTCUSDT', t: 1, p: '1', q: '1', T: 1, m: true, M: true};
			conn.drydockRaw = Buffer.from(JSON.stringify(trade));
			tap.frame(frameFromMessage(conn, trade, Date.now())!, conn);
			expect(watcher.stats('btcusdt@trade')).toMatchObject({status: 'live', messages: 1});
			expect(statuses()).toEqual(['connecting', 'silent', 'live']);
			// After a drop, the next connection is timed afresh: without a reply this time, it is cut.
			tap.connection({type: 'closed', url, at: Date.now(), reason: 'test'});
			tap.connection({type: 'open', url, at: Date.now(), reconnect: true});
			await sleep(500);
			expect(drops).toEqual(['btcusdt@trade']);
			expect(errors).toEqual([
				'btcusdt@trade: no frame (not even a subscription reply) within 200 ms of connecting; the venue accepted the connection and stayed silent, reconnecting',
			]);
			expect(notices).toHaveLength(1);
		} finally {
			await watcher.close();
		}
	});

	it('parses stream names and rejects the rest', () => {
		expect(parseStreamId('BTCUSDT@kline_1m')).toEqual({
			id: 'btcusdt@kline_1m',
			kind: 'kline',
			symbol: 'BTCUSDT',
			interval: '1m',
		});
		expect(parseStreamId('btcusdt@depth@100ms').kind).toBe('depth');
		expect(parseStreamId('ethbtc@miniTicker')).toMatchObject({kind: 'miniTicker', symbol: 'ETHBTC'});
		expect(() => parseStreamId('btcusdt@depth@1000ms')).toThrow(/unknown stream/);
		expect(() => parseStreamId('no-at-sign')).toThrow(/unknown stream/);
	});
});
