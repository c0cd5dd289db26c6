/** WebSocket methods through real ccxt against the real mock: market streams, user data, the tap and the stream watcher. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	StreamWatcher,
	type ExchangeClient,
	type StreamEvent,
	type WsConnectionEvent,
} from '../../source/exchange/index.js';
import {admin, connect, startMock, within, type Mock} from './helpers.js';

let mock: Mock;
let client: ExchangeClient;

beforeAll(async () => {
	mock = await startMock();
	client = await connect(mock);
	await client.loadMarkets();
});

afterAll(async () => {
	await client?.close();
	await mock?.close();
});

describe('market streams', () => {
	it('watchTrades delivers trades with ids and prices', async () => {
		const trades = await within(8000, 'watchTrades', client.watchTrades('BTC/USDT'));
		expect(trades.length).toBeGreaterThan(0);
		expect(trades[0]).toMatchObject({symbol: 'BTC/USDT'});
		expect(trades[0]!.price).toBeGreaterThan(0);
		expect(trades[0]!.id).not.toBe('');
	});

	it('watchOHLCV delivers the forming 1m candle', async () => {
		const candles = await within(8000, 'watchOHLCV', client.watchOHLCV('BTC/USDT', '1m'));
		const last = candles.at(-1)!;
		expect(last.time % 60_000).toBe(0);
		expect(last.high).toBeGreaterThanOrEqual(last.low);
	});

	it('watchTicker (@ticker and @miniTicker) and watchBookTicker', async () => {
		const [ticker, mini, book] = await Promise.all([
			within(8000, 'watchTicker', client.watchTicker('BTC/USDT')),
			within(8000, 'watchTicker mini', client.watchTicker('ETH/USDT', {mini: true})),
			within(8000, 'watchBookTicker', client.watchBookTicker('BTC/USDT')),
		]);
		expect(ticker.symbol).toBe('BTC/USDT');
		expect(ticker.last).toBeGreaterThan(0);
		expect(ticker.bid).toBeGreaterThan(0);
		expect(mini.symbol).toBe('ETH/USDT');
		expect(mini.last).toBeGreaterThan(0);
		expect(book.symbol).toBe('BTC/USDT');
		expect(book.ask!).toBeGreaterThan(book.bid!);
		expect(book.updateId).toBeGreaterThan(0);
	});
});

describe('user data', () => {
	it('watchOrders and watchBalance see an order fill', async () => {
		// Subscribe first (the WebSocket API subscription is signed and acknowledged), then trade.
		const firstBalance = client.watchBalance();
		const firstOrders = client.watchOrders('BTC/USDT');
		await new Promise(resolve => setTimeout(resolve, 300));
		const placed = await client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001});
		const seen: string[] = [];
		let orders = await within(5000, 'watchOrders', firstOrders);
		while (!orders.some(o => o.id === placed.id && o.status === 'closed')) {
			seen.push(...orders.map(o => `${o.id}:${o.status}`));
			orders = await within(5000, `watchOrders (saw ${seen.join(', ')})`, client.watchOrders('BTC/USDT'));
		}
		const filled = orders.find(o => o.id === placed.id)!;
		expect(filled.filled).toBeCloseTo(0.001, 8);
		const balance = await within(5000, 'watchBalance', firstBalance);
		expect(balance.assets['BTC']?.free).toBeGreaterThan(0);
		expect(balance.assets['USDT']?.free).toBeGreaterThan(0);
	});
});

describe('tap and stream watcher', () => {
	it('reports frames, raw text, latency and reconnects after dropConnections', async () => {
		const events: StreamEvent[] = [];
		const errors: string[] = [];
		const connections: WsConnectionEvent[] = [];
		const offConnections = client.tap.onConnection(e => connections.push(e));
		const watcher = new StreamWatcher(client, {
			onEvent: e => events.push(e),
			onError: (s, e) => errors.push(`${s}: ${e.kind}`),
			includeRaw: true,
		});
		const ids = watcher.start(['btcusdt@trade', 'BTCUSDT@kline_1m', 'ethusdt@depth', 'btcusdt@bookTicker']);
		expect(ids).toEqual(['btcusdt@trade', 'btcusdt@kline_1m', 'ethusdt@depth@100ms', 'btcusdt@bookTicker']);
		const messagesOf = (id: string) =>
			events.filter((e): e is Extract<StreamEvent, {type: 'message'}> => e.type === 'message' && e.stream === id);
		const waitFor = async (what: string, predicate: () => boolean, ms = 8000) => {
			const deadline = Date.now() + ms;
			while (!predicate()) {
				if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (errors: ${errors.join('; ')})`);
				await new Promise(resolve => setTimeout(resolve, 50));
			}
		};
		await waitFor('a message on every stream', () => ids.every(id => messagesOf(id).length > 0));
		const trade = messagesOf('btcusdt@trade')[0]!;
		expect(trade.eventTime).toBeGreaterThan(0);
		expect(trade.latencyMs).not.toBeNull();
		expect(Math.abs(trade.latencyMs!)).toBeLessThan(2000);
		expect(JSON.parse(trade.raw!)).toMatchObject({e: 'trade', s: 'BTCUSDT'});
		expect(JSON.parse(messagesOf('ethusdt@depth@100ms')[0]!.raw!)).toMatchObject({e: 'depthUpdate', s: 'ETHUSDT'});
		expect(JSON.parse(messagesOf('btcusdt@bookTicker')[0]!.raw!)).toMatchObject({s: 'BTCUSDT'});
		expect(messagesOf('ethusdt@depth@100ms').every(m => m.gap === 0)).toBe(true);
		expect(events.some(e => e.type === 'status' && e.stream === 'btcusdt@trade' && e.status === 'live')).toBe(true);

		const dropAt = Date.now();
		await client.dropConnections();
		await waitFor(
			'a reconnect on every stream',
			() => ids.every(id => events.some(e => e.type === 'reconnect' && e.stream === id)),
			10_000,
		);
		expect(events.some(e => e.type === 'status' && e.status === 'reconnecting' && e.at >= dropAt)).toBe(true);
		const countAfter = (id: string) => messagesOf(id).filter(m => m.receivedAt > dropAt).length;
		await waitFor('messages after the reconnect', () => ids.every(id => countAfter(id) > 0));
		expect(watcher.stats('btcusdt@trade')!.reconnects).toBe(1);
		expect(connections.some(c => c.type === 'closed')).toBe(true);
		expect(connections.some(c => c.type === 'subscribed' && c.reconnect)).toBe(true);
		await watcher.close();
		offConnections();
	});

	it('turns silent while the mock stalls streams, live again after; reconnects after the mock drops every connection', async () => {
		const events: StreamEvent[] = [];
		const watcher = new StreamWatcher(client, {onEvent: e => events.push(e), silentAfterMs: 400});
		watcher.start(['ethusdt@trade', 'btcusdt@bookTicker']);
		const waitFor = async (what: string, predicate: () => boolean, ms = 8000) => {
			const deadline = Date.now() + ms;
			while (!predicate()) {
				if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
				await new Promise(resolve => setTimeout(resolve, 25));
			}
		};
		const statusOf = (id: string) => watcher.stats(id)?.status;
		await waitFor('live', () => statusOf('btcusdt@bookTicker') === 'live');
		await admin(mock, 'POST', '/faults', {fault: 'stall-streams'});
		await waitFor('silent while stalled', () => statusOf('btcusdt@bookTicker') === 'silent');
		await admin(mock, 'DELETE', '/faults');
		await waitFor('live after the stall', () => statusOf('btcusdt@bookTicker') === 'live');
		const before = watcher.stats('btcusdt@bookTicker')!.reconnects;
		await admin(mock, 'POST', '/faults', {fault: 'drop-websockets'});
		await waitFor(
			'reconnected after the drop',
			() => watcher.stats('btcusdt@bookTicker')!.reconnects === before + 1 && statusOf('btcusdt@bookTicker') === 'live',
			10_000,
		);
		const stats = watcher.stats('btcusdt@bookTicker')!;
		expect(stats.lastResubscribedAt! - stats.lastDropAt!).toBeGreaterThanOrEqual(0);
		expect(stats.lastResubscribedAt! - stats.lastDropAt!).toBeLessThan(5000);
		await watcher.close();
	});

	it('closeStreams closes every connection and the next watch dials at once', async () => {
		// ccxt's default reconnect backoff (1 s base), which closeStreams must not apply.
		const own = await connect(mock, {wsReconnectBaseMs: 1000});
		try {
			await within(8000, 'watchTrades', own.watchTrades('ETH/USDT'));
			const pending = own.watchTrades('ETH/USDT');
			await own.closeStreams();
			await expect(pending).rejects.toMatchObject({kind: 'network'});
			const opened: number[] = [];
			const off = own.tap.onConnection(e => {
				if (e.type === 'open') opened.push(e.at);
			});
			const started = Date.now();
			await within(8000, 'watchTrades after closeStreams', own.watchTrades('ETH/USDT'));
			off();
			// Dialled at once: the backoff would wait ≥ 800 ms before opening.
			expect(opened.length).toBeGreaterThan(0);
			expect(opened[0]! - started).toBeLessThan(500);
			await expect(own.fetchTime()).resolves.toBeGreaterThan(0);
		} finally {
			await own.close();
		}
	});

	it('an unreachable venue: the watcher reports network errors and keeps trying, nothing unhandled', async () => {
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		const gone = await startMock();
		const orphan = await connect(gone);
		await gone.close();
		const errors: string[] = [];
		const watcher = new StreamWatcher(orphan, {
			onEvent: () => {},
			onError: (_id, e) => errors.push(e.kind),
			retryDelayMs: 50,
		});
		try {
			watcher.start(['btcusdt@trade']);
			await new Promise(resolve => setTimeout(resolve, 600));
			expect(errors.length).toBeGreaterThan(2);
			expect(new Set(errors)).toEqual(new Set(['network']));
			expect(watcher.stats('btcusdt@trade')!.status).toBe('connecting');
			expect(unhandled).toEqual([]);
		} finally {
			await watcher.close();
			await orphan.close();
			process.off('unhandledRejection', onUnhandled);
		}
	});

	it('the venue going away mid-stream: reconnecting, network errors, nothing unhandled', async () => {
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		const leaving = await startMock();
		const own = await connect(leaving);
		const errors: string[] = [];
		const watcher = new StreamWatcher(own, {
			onEvent: () => {},
			onError: (_id, e) => errors.push(e.kind),
			retryDelayMs: 50,
		});
		try {
			watcher.start(['btcusdt@bookTicker']);
			const deadline = Date.now() + 8000;
			while (watcher.stats('btcusdt@bookTicker')!.messages === 0 && Date.now() < deadline)
				await new Promise(resolve => setTimeout(resolve, 25));
			expect(watcher.stats('btcusdt@bookTicker')!.messages).toBeGreaterThan(0);
			await leaving.close();
			await new Promise(resolve => setTimeout(resolve, 800));
			expect(watcher.stats('btcusdt@bookTicker')!.status).toBe('reconnecting');
			expect(errors.length).toBeGreaterThan(0);
			expect(errors.every(kind => kind === 'network')).toBe(true);
			expect(unhandled).toEqual([]);
		} finally {
			await watcher.close();
			await own.close();
			process.off('unhandledRejection', onUnhandled);
		}
	});

	it('rejects unknown stream names with a clear message', () => {
		const watcher = new StreamWatcher(client, {onEvent: () => {}});
		expect(() => watcher.start(['btcusdt@nonsense'])).toThrow(/unknown stream "btcusdt@nonsense"/);
		void watcher.close();
	});
});
