/**
 * rawPublicGet caps the reply body: a venue on loopback that streams an endless body (or declares a
 * huge one) gets the request aborted with a typed ExchangeError naming the cap and the path, fast,
 * while the socket is released; an ordinary reply still reads whole.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import type net from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {RAW_BODY_LIMIT_BYTES, type CcxtExchangeClient} from '../../source/exchange/ccxt-client.js';
import {ExchangeError, createExchange} from '../../source/exchange/index.js';

const chunk = Buffer.alloc(64 * 1024, 'x');

interface Venue {
	url: string;
	/** Bytes written per request path, and whether the client went away. */
	sent: Map<string, {bytes: number; closed: boolean}>;
	close(): Promise<void>;
}

async function startVenue(): Promise<Venue> {
	const sent = new Map<string, {bytes: number; closed: boolean}>();
	const sockets = new Set<net.Socket>();
	const server = http.createServer((req, res) => {
		req.resume();
		const path = (req.url ?? '').split('?')[0]!;
		const record = {bytes: 0, closed: false};
		sent.set(path, record);
		res.on('close', () => {
			record.closed = true;
		});
		if (path === '/api/v3/endless') {
			// Chunked, no Content-Length, never ends: write while the socket takes it.
			res.writeHead(200, {'content-type': 'application/json'});
			const pump = () => {
				while (!res.destroyed && record.bytes < 512 * 1024 * 1024) {
					record.bytes += chunk.length;
					if (!res.write(chunk)) {
						res.once('drain', pump);
						return;
					}
				}
			};
			pump();
		} else if (path === '/api/v3/declared') {
			res.writeHead(200, {'content-type': 'application/json', 'content-length': String(1024 * 1024 * 1024)});
			res.write('{"a":');
			record.bytes += 5;
		} else {
			res.writeHead(200, {'content-type': 'application/json', 'x-mbx-used-weight-1m': '3'}).end('{}');
			record.bytes += 2;
		}
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url,
		sent,
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

let venue: Venue;
let client: CcxtExchangeClient;

beforeAll(async () => {
	venue = await startVenue();
	// A long timeout: the cap, not the timeout, must end these requests.
	client = (await createExchange({
		environment: 'mock',
		restUrl: venue.url,
		wsUrl: 'ws://127.0.0.1:9',
		enableRateLimit: false,
		timeoutMs: 20_000,
	})) as CcxtExchangeClient;
});

afterAll(async () => {
	await client.close();
	await venue.close();
});

async function rejection(promise: Promise<unknown>): Promise<ExchangeError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(ExchangeError);
		return error as ExchangeError;
	}
	throw new Error('expected the call to fail');
}

async function until(what: string, condition: () => boolean, ms = 3000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
		await new Promise(resolve => setTimeout(resolve, 20));
	}
}

describe('rawPublicGet body cap', () => {
	it('defaults to a few MB', () => {
		expect(RAW_BODY_LIMIT_BYTES).toBe(4 * 1024 * 1024);
		expect(client.rawBodyLimitBytes).toBe(RAW_BODY_LIMIT_BYTES);
	});

	it('aborts an endless body at the cap with a typed error naming the cap and the path, not the query', async () => {
		const started = Date.now();
		const error = await rejection(client.rawPublicGet('/api/v3/endless', {signature: 'SECRETSIGNATURE123'}));
		expect(Date.now() - started).toBeLessThan(5000);
		expect(error.kind).toBe('unknown');
		expect(error.source).toBe('BodyTooLarge');
		expect(error.httpStatus).toBe(200);
		expect(error.message).toBe(
			'GET /api/v3/endless: the reply body exceeds 4 MB (the cap on raw GET bodies); request aborted',
		);
		expect(error.message).not.toContain('SECRETSIGNATURE123');
		expect(error.message).not.toContain('127.0.0.1');
		// The request really ended: the venue saw the client go away, having sent not much past the cap.
		await until('the venue sees the request aborted', () => venue.sent.get('/api/v3/endless')?.closed === true);
		expect(venue.sent.get('/api/v3/endless')!.bytes).toBeLessThan(64 * 1024 * 1024);
	});

	it('honours a lowered cap and refuses a declared Content-Length over it without reading', async () => {
		client.rawBodyLimitBytes = 256 * 1024;
		try {
			const endless = await rejection(client.rawPublicGet('/api/v3/endless'));
			expect(endless.message).toContain('exceeds 256 KB');
			const started = Date.now();
			const declared = await rejection(client.rawPublicGet('api/v3/declared'));
			expect(Date.now() - started).toBeLessThan(3000);
			expect(declared.message).toBe(
				'GET /api/v3/declared: the reply body exceeds 256 KB (the cap on raw GET bodies); request aborted',
			);
			await until(
				'the venue sees the declared request aborted',
				() => venue.sent.get('/api/v3/declared')?.closed === true,
			);
		} finally {
			client.rawBodyLimitBytes = RAW_BODY_LIMIT_BYTES;
		}
	});

	it('still reads an ordinary reply whole, with its headers', async () => {
		const raw = await client.rawPublicGet('/api/v3/ping');
		expect(raw).toMatchObject({status: 200, body: '{}'});
		expect(raw.headers['x-mbx-used-weight-1m']).toBe('3');
	});
});
