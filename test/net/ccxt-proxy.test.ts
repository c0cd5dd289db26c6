/**
 * Real ccxt (createExchange) against the embedded mock THROUGH the fault proxy: REST and WebSocket
 * traffic both pass it (counted in the proxy), and its faults reach ccxt as they would from a real
 * venue: latency measured on REST, a reset as a typed ExchangeError of kind `network`, a blackhole as
 * `timeout`, and a dropped stream that the StreamWatcher sees and reconnects.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	createExchange,
	ExchangeError,
	StreamWatcher,
	type ExchangeClient,
	type StreamEvent,
} from '../../source/exchange/index.js';
import {startFaultProxy, type FaultProxy} from '../../source/net/fault-proxy.js';
import {mockTarget, startMock, within, type Mock} from '../exchange/helpers.js';

let mock: Mock;
let proxy: FaultProxy;
let exchange: ExchangeClient;

beforeAll(async () => {
	mock = await startMock({symbols: ['BTCUSDT']});
	proxy = await startFaultProxy({allowTarget: host => host === '127.0.0.1'});
	exchange = await createExchange(mockTarget(mock, {proxyUrl: proxy.url, timeoutMs: 2_000}));
	await exchange.loadMarkets();
}, 30_000);

afterAll(async () => {
	await exchange?.close();
	await proxy?.close();
	await mock?.close();
});

async function timed<T>(fn: () => Promise<T>): Promise<number> {
	const started = performance.now();
	await fn();
	return performance.now() - started;
}

describe('ccxt through the fault proxy', () => {
	it('REST and WebSocket traffic both go through the proxy', async () => {
		const before = proxy.stats().connections;
		await exchange.fetchTicker('BTC/USDT');
		const trades = await within(10_000, 'watchTrades through the proxy', exchange.watchTrades('BTC/USDT'));
		expect(trades.length).toBeGreaterThan(0);
		const after = proxy.stats();
		expect(after.connections.rest).toBeGreaterThanOrEqual(1);
		expect(after.connections.streams).toBe(before.streams + 1);
		expect(after.connections.tunnels).toBeGreaterThanOrEqual(2);
		expect(after.bytes.down).toBeGreaterThan(0);
		await exchange.closeStreams();
	});

	it('added latency shows in REST round trips, and goes away when cleared', async () => {
		const base: number[] = [];
		for (let i = 0; i < 3; i++) base.push(await timed(() => exchange.fetchTicker('BTC/USDT')));
		proxy.inject({kind: 'latency', ms: 120});
		const slow = await timed(() => exchange.fetchTicker('BTC/USDT'));
		proxy.clear({kind: 'latency'});
		const again: number[] = [];
		for (let i = 0; i < 3; i++) again.push(await timed(() => exchange.fetchTicker('BTC/USDT')));
		// 120 ms on the way up, 120 ms on the way down; the fastest of three without it stays under that floor.
		expect(slow).toBeGreaterThanOrEqual(230);
		expect(Math.min(...base)).toBeLessThan(230);
		expect(Math.min(...again)).toBeLessThan(230);
	});

	it('a reset reaches ccxt as ExchangeError kind network; the next call after clearing works', async () => {
		proxy.inject({kind: 'reset', probability: 1, scope: 'rest'});
		const error = await exchange.fetchTicker('BTC/USDT').catch((e: unknown) => e);
		proxy.clear();
		expect(error).toBeInstanceOf(ExchangeError);
		expect((error as ExchangeError).kind).toBe('network');
		expect((error as ExchangeError).message).toMatch(/ECONNRESET|socket|closed|reset/i);
		expect(proxy.stats().effects.reset).toBeGreaterThanOrEqual(1);
		expect((await exchange.fetchTicker('BTC/USDT')).symbol).toBe('BTC/USDT');
	});

	it("a blackhole makes ccxt's own timeout fire: ExchangeError kind timeout", async () => {
		proxy.inject({kind: 'blackhole', scope: 'rest'}, 3_000);
		const started = performance.now();
		const error = await exchange.fetchTicker('BTC/USDT').catch((e: unknown) => e);
		const waited = performance.now() - started;
		proxy.clear();
		expect(error).toBeInstanceOf(ExchangeError);
		expect((error as ExchangeError).kind).toBe('timeout');
		expect(waited).toBeGreaterThanOrEqual(1_900);
		expect((await exchange.fetchTicker('BTC/USDT')).symbol).toBe('BTC/USDT');
	}, 15_000);

	it('a dropped stream: the StreamWatcher sees the drop and reconnects through the proxy', async () => {
		const events: StreamEvent[] = [];
		const watcher = new StreamWatcher(exchange, {onEvent: event => events.push(event)});
		try {
			watcher.start(['btcusdt@trade']);
			await expect.poll(() => watcher.stats('btcusdt@trade')?.messages ?? 0, {timeout: 10_000}).toBeGreaterThan(0);
			const streamsBefore = proxy.stats().connections.streams;
			proxy.inject({kind: 'drop-websockets'});
			expect(proxy.stats().effects['drop-websockets']).toBeGreaterThanOrEqual(1);
			await expect.poll(() => watcher.stats('btcusdt@trade')?.reconnects ?? 0, {timeout: 10_000}).toBeGreaterThan(0);
			const droppedAt = watcher.stats('btcusdt@trade')!.lastDropAt!;
			await expect
				.poll(() => watcher.stats('btcusdt@trade')!.lastMessageAt ?? 0, {timeout: 10_000})
				.toBeGreaterThan(droppedAt);
			expect(events.some(e => e.type === 'status' && (e.status === 'reconnecting' || e.status === 'closed'))).toBe(
				true,
			);
			expect(events.some(e => e.type === 'reconnect')).toBe(true);
			// The new connection went through the proxy too.
			expect(proxy.stats().connections.streams).toBeGreaterThan(streamsBefore);
		} finally {
			await watcher.close();
			await exchange.closeStreams();
		}
	}, 20_000);

	it('a first loadMarkets cut by a reset is not remembered: the next call loads them', async () => {
		const fresh = await createExchange(mockTarget(mock, {proxyUrl: proxy.url, timeoutMs: 2_000}));
		try {
			proxy.inject({kind: 'reset', probability: 1, scope: 'rest'});
			await expect(fresh.fetchTicker('BTC/USDT')).rejects.toMatchObject({kind: 'network'});
			proxy.clear();
			await expect(fresh.fetchTicker('BTC/USDT')).resolves.toMatchObject({symbol: 'BTC/USDT'});
		} finally {
			proxy.clear();
			await fresh.close();
		}
	});

	it('a venue the proxy cannot reach fails with the real reason (network, ECONNREFUSED), not as a timeout', async () => {
		const nowhere = await createExchange({
			environment: 'mock',
			restUrl: 'http://127.0.0.1:9',
			wsUrl: 'ws://127.0.0.1:9',
			enableRateLimit: false,
			timeoutMs: 2_000,
			proxyUrl: proxy.url,
		});
		try {
			const error = await nowhere.ping().catch((e: unknown) => e);
			expect(error).toMatchObject({
				kind: 'network',
				message: expect.stringMatching(/ECONNREFUSED 127\.0\.0\.1:9 \(CONNECT 127\.0\.0\.1:9 through the fault proxy/),
			});
		} finally {
			await nowhere.close();
		}
	});

	it('refuses a proxy URL that is not http://', async () => {
		await expect(createExchange(mockTarget(mock, {proxyUrl: 'socks5://127.0.0.1:1'}))).rejects.toMatchObject({
			kind: 'bad-request',
			message: expect.stringMatching(/must be an http:\/\/ proxy/),
		});
	});
});
