/**
 * rawPublicGet (the rate-limit probes' plain GET, outside ccxt) goes through the fault proxy when the
 * target has a proxyUrl, like ccxt's own REST: the proxy counts its tunnel, and its latency and resets
 * reach the probe. Real mock, real proxy, real client, all on loopback.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createExchange, ExchangeError, type ExchangeClient} from '../../source/exchange/index.js';
import {startFaultProxy, type FaultProxy} from '../../source/net/fault-proxy.js';
import {mockTarget, startMock, type Mock} from '../exchange/helpers.js';

let mock: Mock;
let proxy: FaultProxy;
let exchange: ExchangeClient;

beforeAll(async () => {
	mock = await startMock({symbols: ['BTCUSDT']});
	proxy = await startFaultProxy({allowTarget: host => host === '127.0.0.1'});
	exchange = await createExchange(mockTarget(mock, {proxyUrl: proxy.url, timeoutMs: 2_000}));
}, 30_000);

afterAll(async () => {
	await exchange?.close();
	await proxy?.close();
	await mock?.close();
});

describe('rawPublicGet through the fault proxy', () => {
	it('dials through the proxy: its tunnel is counted and the reply bytes pass it', async () => {
		const before = proxy.stats();
		const reply = await exchange.rawPublicGet('/api/v3/time');
		expect(reply.status).toBe(200);
		expect(JSON.parse(reply.body)).toHaveProperty('serverTime');
		const after = proxy.stats();
		expect(after.connections.tunnels).toBeGreaterThan(before.connections.tunnels);
		expect(after.connections.rest).toBeGreaterThan(before.connections.rest);
		expect(after.bytes.down - before.bytes.down).toBeGreaterThanOrEqual(reply.body.length);
	});

	// Before any aborted request: undici dials a spare connection after one, which would blur the count.
	it('without a proxyUrl the probe dials the venue directly (the proxy sees nothing)', async () => {
		const direct = await createExchange(mockTarget(mock, {timeoutMs: 2_000}));
		try {
			const before = proxy.stats().connections.total;
			expect((await direct.rawPublicGet('/api/v3/ping')).status).toBe(200);
			expect(proxy.stats().connections.total).toBe(before);
		} finally {
			await direct.close();
		}
	});

	it('feels injected latency, and not once it is cleared', async () => {
		proxy.inject({kind: 'latency', ms: 150});
		let slow: number;
		try {
			slow = (await exchange.rawPublicGet('/api/v3/ping')).latencyMs;
		} finally {
			proxy.clear({kind: 'latency'});
		}
		const fast: number[] = [];
		for (let i = 0; i < 3; i++) fast.push((await exchange.rawPublicGet('/api/v3/ping')).latencyMs);
		// 150 ms each way on the kept-alive tunnel; the fastest of three without it stays under that floor.
		expect(slow).toBeGreaterThanOrEqual(290);
		expect(Math.min(...fast)).toBeLessThan(290);
	});

	it('a reset fails the probe as ExchangeError kind network; after clearing it works again', async () => {
		const resets = proxy.stats().effects.reset;
		proxy.inject({kind: 'reset', probability: 1, scope: 'rest'});
		let error: unknown;
		try {
			error = await exchange.rawPublicGet('/api/v3/ping').then(
				() => null,
				(e: unknown) => e,
			);
		} finally {
			proxy.clear();
		}
		expect(error).toBeInstanceOf(ExchangeError);
		expect((error as ExchangeError).kind).toBe('network');
		expect((error as ExchangeError).message).toMatch(/^GET \/api\/v3\/ping failed: /);
		expect(proxy.stats().effects.reset).toBeGreaterThan(resets);
		expect((await exchange.rawPublicGet('/api/v3/ping')).status).toBe(200);
	});

	it('a blackhole ends the probe at the profile timeout as ExchangeError kind timeout', async () => {
		proxy.inject({kind: 'blackhole', scope: 'rest'}, 5_000);
		const started = performance.now();
		let error: unknown;
		try {
			error = await exchange.rawPublicGet('/api/v3/ping').then(
				() => null,
				(e: unknown) => e,
			);
		} finally {
			proxy.clear();
		}
		const waited = performance.now() - started;
		expect(error).toBeInstanceOf(ExchangeError);
		expect((error as ExchangeError).kind).toBe('timeout');
		expect(waited).toBeGreaterThanOrEqual(1_900);
		expect(waited).toBeLessThan(4_000);
	}, 10_000);

	it('keeps the body cap through the proxy: an endless body is aborted at the cap', async () => {
		let closed = false;
		let sent = 0;
		const chunk = Buffer.alloc(64 * 1024, 'x');
		const server = http.createServer((req, res) => {
			req.resume();
			res.on('close', () => {
				closed = true;
			});
			res.writeHead(200, {'content-type': 'application/json'});
			const pump = () => {
				while (!res.destroyed && sent < 256 * 1024 * 1024) {
					sent += chunk.length;
					if (!res.write(chunk)) return void res.once('drain', pump);
				}
			};
			pump();
		});
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const venue = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		const client = await createExchange({
			environment: 'mock',
			restUrl: venue,
			wsUrl: 'ws://127.0.0.1:9',
			enableRateLimit: false,
			timeoutMs: 20_000,
			proxyUrl: proxy.url,
		});
		try {
			const tunnels = proxy.stats().connections.tunnels;
			const error = await client.rawPublicGet('/api/v3/endless').then(
				() => null,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(ExchangeError);
			expect((error as ExchangeError).source).toBe('BodyTooLarge');
			expect((error as ExchangeError).message).toBe(
				'GET /api/v3/endless: the reply body exceeds 4 MB (the cap on raw GET bodies); request aborted',
			);
			// At least: undici dials a spare connection after an aborted request (its own behaviour, global fetch too).
			expect(proxy.stats().connections.tunnels).toBeGreaterThan(tunnels);
			const deadline = Date.now() + 3_000;
			while (!closed && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
			expect(closed).toBe(true);
			expect(sent).toBeLessThan(64 * 1024 * 1024);
		} finally {
			await client.close();
			server.closeAllConnections();
			await new Promise<void>(resolve => server.close(() => resolve()));
		}
	});
});
