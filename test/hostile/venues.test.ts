/**
 * Hostile venues, all on loopback: one that accepts and never answers, one that sends headers and then
 * stalls the body, one that resets connections mid-body, a closed port, and a DNS failure. Every call
 * ends within the profile's timeout with kind `timeout` or `network` and a message that says what
 * happened; nothing hangs.
 *
 * DNS: a lookup of even a reserved `.invalid` name may reach the machine's resolver, so the DNS case
 * is a unit test of the code around ccxt's fetch: ccxt's own request path is given a fetch that fails
 * the way undici does on a failed lookup (code ENOTFOUND). The CLI secrets test covers a real lookup
 * with every non-loopback connection blocked inside the process (test/security/no-network.mjs).
 */
import net from 'node:net';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {configureBinance} from '../../source/exchange/ccxt-binance.js';
import {CcxtExchangeClient} from '../../source/exchange/ccxt-client.js';
import {
	ExchangeError,
	createExchange,
	type ExchangeClient,
	type ExchangeErrorKind,
	type ExchangeTarget,
} from '../../source/exchange/index.js';
import {startMockExchange} from '../../source/mock/index.js';
import {exchangeInfoOf} from '../fuzz/helpers.js';
import {trapProcessFailures} from '../fuzz/helpers.js';

const TIMEOUT_MS = 700;
const SLACK_MS = 1500;

interface Venue {
	url: string;
	close(): Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as AddressInfo).port;
}

function tracked(server: net.Server): () => Promise<void> {
	const sockets = new Set<net.Socket>();
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		socket.on('error', () => {});
	});
	return async () => {
		for (const socket of sockets) socket.destroy();
		await new Promise<void>(resolve => server.close(() => resolve()));
	};
}

/** Accepts the connection, reads the request, never answers. */
async function silentVenue(): Promise<Venue> {
	const server = net.createServer(socket => socket.resume());
	const close = tracked(server);
	return {url: `http://127.0.0.1:${await listen(server)}`, close};
}

/** exchangeInfo answered properly; everything else gets `behaviour`. */
async function httpVenue(info: string, behaviour: (res: http.ServerResponse) => void): Promise<Venue> {
	const server = http.createServer((req, res) => {
		req.resume();
		if ((req.url ?? '').startsWith('/api/v3/exchangeInfo')) {
			res.writeHead(200, {'content-type': 'application/json'}).end(info);
			return;
		}
		behaviour(res);
	});
	const close = tracked(server);
	return {url: `http://127.0.0.1:${await listen(server)}`, close};
}

function target(url: string, overrides: Partial<ExchangeTarget> = {}): ExchangeTarget {
	return {
		environment: 'mock',
		restUrl: url,
		wsUrl: 'ws://127.0.0.1:9',
		apiKey: 'HostileKey0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR',
		secret: 'HostileSecret0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO',
		enableRateLimit: false,
		timeoutMs: TIMEOUT_MS,
		...overrides,
	};
}

async function expectKind(
	promise: Promise<unknown>,
	kind: ExchangeErrorKind,
	within: number,
	message?: RegExp,
): Promise<ExchangeError> {
	const started = Date.now();
	let caught: unknown;
	try {
		await promise;
	} catch (error) {
		caught = error;
	}
	const elapsed = Date.now() - started;
	expect(caught, 'expected a rejection').toBeInstanceOf(ExchangeError);
	const error = caught as ExchangeError;
	expect(error.kind, error.message).toBe(kind);
	expect(elapsed, `${kind} after ${elapsed} ms: ${error.message}`).toBeLessThan(within);
	if (message) expect(error.message).toMatch(message);
	return error;
}

let info: string;
const trap = trapProcessFailures();

beforeAll(async () => {
	const mock = await startMockExchange({port: 0, host: '127.0.0.1', seed: 1, quiet: true});
	info = await exchangeInfoOf(mock.rest);
	await mock.close();
});

afterAll(() => {
	expect(trap.failures).toEqual([]);
	trap.remove();
});

describe('a venue that never answers', () => {
	let venue: Venue;
	let client: ExchangeClient;
	beforeAll(async () => {
		venue = await silentVenue();
		client = await createExchange(target(venue.url));
	});
	afterAll(async () => {
		await client.close();
		await venue.close();
	});

	it('every call times out within the profile timeout, kind timeout', async () => {
		const within = TIMEOUT_MS + SLACK_MS;
		await expectKind(client.ping(), 'timeout', within, /timed out \(700 ms\)/);
		await expectKind(client.fetchTime(), 'timeout', within);
		// Markets load first (and time out) before the ticker itself.
		await expectKind(client.fetchTicker('BTC/USDT'), 'timeout', within);
		await expectKind(client.fetchBalance(), 'timeout', within);
		await expectKind(
			client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 0.001}),
			'timeout',
			within,
		);
		await expectKind(client.rawPublicGet('/api/v3/ping'), 'timeout', within);
		// Concurrent calls time out together, not one after another.
		const started = Date.now();
		await Promise.all(Array.from({length: 5}, () => expectKind(client.ping(), 'timeout', within)));
		expect(Date.now() - started).toBeLessThan(within);
	}, 30_000);
});

describe('a venue that sends headers and stalls the body', () => {
	let venue: Venue;
	let client: ExchangeClient;
	beforeAll(async () => {
		venue = await httpVenue(info, res => {
			res.writeHead(200, {'content-type': 'application/json', 'content-length': '1000'});
			res.write('{"serverTime":');
			// ... and nothing more, ever.
		});
		client = await createExchange(target(venue.url));
		await client.loadMarkets();
	});
	afterAll(async () => {
		await client.close();
		await venue.close();
	});

	it("times out on the body too (not undici's 300 s default)", async () => {
		const error = await expectKind(client.fetchTime(), 'timeout', TIMEOUT_MS + SLACK_MS);
		expect(error.message.length).toBeGreaterThan(0);
		await expectKind(client.fetchTicker('BTC/USDT'), 'timeout', TIMEOUT_MS + SLACK_MS);
	}, 20_000);
});

describe('a venue that resets connections', () => {
	it('mid-body → network', async () => {
		const venue = await httpVenue(info, res => {
			res.writeHead(200, {'content-type': 'application/json', 'content-length': '5000'});
			res.write('{"serverTime":1700000000000,"pad":"');
			setTimeout(() => res.socket?.resetAndDestroy(), 20);
		});
		const client = await createExchange(target(venue.url));
		try {
			await client.loadMarkets();
			await expectKind(client.fetchTime(), 'network', TIMEOUT_MS + SLACK_MS);
			await expectKind(client.fetchOrderBook('BTC/USDT'), 'network', TIMEOUT_MS + SLACK_MS);
		} finally {
			await client.close();
			await venue.close();
		}
	});

	it('before any response → network, naming the cause', async () => {
		const server = net.createServer(socket => socket.resetAndDestroy());
		const close = tracked(server);
		const url = `http://127.0.0.1:${await listen(server)}`;
		const client = await createExchange(target(url));
		try {
			await expectKind(client.ping(), 'network', TIMEOUT_MS + SLACK_MS, /ECONNRESET|other side closed|socket/i);
		} finally {
			await client.close();
			await close();
		}
	});

	it('a closed port → network (connection refused)', async () => {
		const server = net.createServer();
		const port = await listen(server);
		await new Promise<void>(resolve => server.close(() => resolve()));
		const client = await createExchange(target(`http://127.0.0.1:${port}`));
		try {
			await expectKind(client.ping(), 'network', TIMEOUT_MS + SLACK_MS, /ECONNREFUSED|refused/i);
		} finally {
			await client.close();
		}
	});
});

describe("DNS that fails (unit: ccxt's request path with a fetch that fails like undici on ENOTFOUND)", () => {
	it('→ network, with the host named in the message', async () => {
		const venueTarget = target('http://venue.drydock-test.invalid');
		const {exchange, endpoints} = await configureBinance(venueTarget);
		const attempted: string[] = [];
		// ccxt takes a user-supplied fetch as is; this one never touches the network.
		(exchange as unknown as {fetchImplementation: (url: string) => Promise<never>}).fetchImplementation = async (
			url: string,
		) => {
			attempted.push(url);
			throw Object.assign(new Error(`getaddrinfo ENOTFOUND venue.drydock-test.invalid`), {
				code: 'ENOTFOUND',
				errno: -3008,
				syscall: 'getaddrinfo',
				hostname: 'venue.drydock-test.invalid',
			});
		};
		const client = new CcxtExchangeClient(exchange, 'mock', endpoints, venueTarget);
		try {
			await expectKind(client.ping(), 'network', 2000, /ENOTFOUND venue\.drydock-test\.invalid/);
			await expectKind(client.fetchBalance(), 'network', 2000, /ENOTFOUND/);
			expect(attempted.length).toBeGreaterThanOrEqual(2);
			expect(attempted.every(u => u.startsWith('http://venue.drydock-test.invalid/'))).toBe(true);
		} finally {
			await client.close();
		}
	});

	it('a raw undici/system error that escapes ccxt still gets a kind', async () => {
		const {toExchangeError} = await import('../../source/exchange/errors.js');
		expect(toExchangeError(Object.assign(new Error('getaddrinfo EAI_AGAIN x'), {code: 'EAI_AGAIN'})).kind).toBe(
			'network',
		);
		expect(toExchangeError(Object.assign(new Error('Body Timeout Error'), {code: 'UND_ERR_BODY_TIMEOUT'})).kind).toBe(
			'timeout',
		);
		expect(
			toExchangeError(
				new TypeError('fetch failed', {
					cause: Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'}),
				}),
			).kind,
		).toBe('network');
		// A plain bug stays `unknown`: not everything is the network's fault.
		expect(toExchangeError(new TypeError('x is not a function')).kind).toBe('unknown');
	});
});
