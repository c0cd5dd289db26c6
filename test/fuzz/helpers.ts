import http from 'node:http';
import type {AddressInfo, Socket} from 'node:net';
import {WebSocketServer, type WebSocket} from 'ws';
import {rawText} from '../../source/mock/ws/raw-text.js';

/**
 * Seeded fuzzing: a small PRNG (mulberry32), the case count and seed from the environment, and a
 * failure message that says how to replay. CI runs a bounded number of cases; more with
 * DRYDOCK_FUZZ_CASES=N, a fixed seed with DRYDOCK_FUZZ_SEED=S.
 */

export interface Rng {
	readonly seed: number;
	/** [0, 1) */
	next(): number;
	/** Integer in [0, n). */
	int(n: number): number;
	pick<T>(items: readonly T[]): T;
	chance(p: number): boolean;
	/** Random printable-ish text of up to `max` characters (with some control and non-ASCII characters). */
	text(max: number): string;
	bytes(n: number): Buffer;
}

export function createRng(seed: number): Rng {
	let state = seed >>> 0;
	const next = (): number => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number): number => Math.floor(next() * n);
	const alphabet = 'abcXYZ019 {}[]":,.-+eE\\/@&=?%\u0000\u001f\u00e9\u4e2d\ud83d\ude00';
	return {
		seed,
		next,
		int,
		pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
		chance: (p: number) => next() < p,
		text(max) {
			const length = int(max + 1);
			let out = '';
			// Surrogate pairs may be cut in half: lone surrogates are hostile input too.
			for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
			return out;
		},
		bytes(n) {
			const buffer = Buffer.alloc(n);
			for (let i = 0; i < n; i++) buffer[i] = int(256);
			return buffer;
		},
	};
}

export interface FuzzConfig {
	seed: number;
	cases: number;
}

/** Cases from DRYDOCK_FUZZ_CASES (default `defaultCases`), seed from DRYDOCK_FUZZ_SEED (default: random). */
export function fuzzConfig(defaultCases: number): FuzzConfig {
	const envCases = Number(process.env['DRYDOCK_FUZZ_CASES']);
	const envSeed = process.env['DRYDOCK_FUZZ_SEED'];
	const seed =
		envSeed !== undefined && envSeed !== '' && Number.isFinite(Number(envSeed))
			? Number(envSeed) >>> 0
			: (Math.random() * 2 ** 32) >>> 0;
	return {seed, cases: Number.isInteger(envCases) && envCases > 0 ? envCases : defaultCases};
}

/** Runs `body` with a seeded RNG; a failure is rethrown with the seed and the case that failed. */
export async function withSeed(
	name: string,
	config: FuzzConfig,
	body: (rng: Rng, cases: number, note: (what: string) => void) => Promise<void>,
): Promise<void> {
	const rng = createRng(config.seed);
	let last = '(before the first case)';
	try {
		await body(rng, config.cases, what => {
			last = what;
		});
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		const wrapped = new Error(
			`${name} failed with seed ${config.seed} at ${last}; replay: DRYDOCK_FUZZ_SEED=${config.seed} DRYDOCK_FUZZ_CASES=${config.cases}\n${message}`,
		);
		if (error instanceof Error && error.stack) wrapped.stack = `${wrapped.message}\n${error.stack}`;
		throw wrapped;
	}
}

/** Records unhandled rejections and uncaught exceptions while installed. */
export function trapProcessFailures(): {failures: unknown[]; remove(): void} {
	const failures: unknown[] = [];
	const onRejection = (reason: unknown) => failures.push(reason);
	const onException = (error: unknown) => failures.push(error);
	process.on('unhandledRejection', onRejection);
	process.on('uncaughtException', onException);
	return {
		failures,
		remove() {
			process.off('unhandledRejection', onRejection);
			process.off('uncaughtException', onException);
		},
	};
}

/** Deterministic hostile JSON-ish values. */
export function hostileNumber(rng: Rng): unknown {
	return rng.pick<unknown>([
		'NaN',
		'Infinity',
		'-Infinity',
		'1e400',
		'-1e400',
		1e308,
		-1e308,
		Number.MAX_SAFE_INTEGER + 2,
		'99999999999999999999999999',
		-1,
		0,
		'',
		' ',
		null,
		true,
		{},
		[],
		[1, 2],
		'0x10',
		'1,5',
		'abc',
		1.5e-320,
	]);
}

/** Cuts a JSON text at a random point (never the whole text). */
export function truncate(rng: Rng, text: string): string {
	return text.slice(0, Math.max(0, rng.int(Math.max(1, text.length - 1))));
}

export function sleep(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * A hostile REST venue on loopback. exchangeInfo is the real mock's (fetched once), so ccxt can load
 * markets; every other request gets whatever the test's handler does with the raw response: bad
 * bodies, bad statuses, silence, resets mid-body.
 */

export type HostileHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface HostileHttp {
	url: string;
	/** Handler for everything but exchangeInfo. */
	handle(handler: HostileHandler): void;
	requests(): number;
	close(): Promise<void>;
}

export async function startHostileHttp(options: {exchangeInfo?: string} = {}): Promise<HostileHttp> {
	let handler: HostileHandler = (_req, res) => {
		res.writeHead(200, {'content-type': 'application/json'}).end('{}');
	};
	let count = 0;
	const sockets = new Set<Socket>();
	const server = http.createServer((request, response) => {
		count++;
		request.resume();
		const path = (request.url ?? '/').split('?')[0];
		if (path === '/api/v3/exchangeInfo' && options.exchangeInfo !== undefined) {
			response.writeHead(200, {'content-type': 'application/json'}).end(options.exchangeInfo);
			return;
		}
		try {
			handler(request, response);
		} catch {
			response.destroy();
		}
	});
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		handle(next) {
			handler = next;
		},
		requests: () => count,
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}

/** The mock's exchangeInfo text, for a hostile venue to serve. */
export async function exchangeInfoOf(rest: string): Promise<string> {
	const response = await fetch(`${rest}/api/v3/exchangeInfo`);
	return response.text();
}

/**
 * A tiny hostile WebSocket venue on loopback: it accepts any path, acknowledges SUBSCRIBE like Binance
 * ({result:null,id}) and then sends whatever the test tells it to, to every open connection.
 */

export interface HostileWs {
	url: string;
	/** Streams each connection subscribed to, by connection. */
	subscriptions(): string[][];
	/** Sends to every connection subscribed to `stream` (all connections when omitted). */
	send(data: string | Buffer, options?: {stream?: string; binary?: boolean}): number;
	connections(): number;
	/** Waits until some connection subscribed to `stream`. */
	waitForSubscription(stream: string, timeoutMs?: number): Promise<void>;
	close(): Promise<void>;
}

export async function startHostileWs(): Promise<HostileWs> {
	const server = http.createServer((_req, res) => {
		res.writeHead(404).end();
	});
	const wss = new WebSocketServer({server, perMessageDeflate: false, maxPayload: 1024 * 1024});
	const streams = new Map<WebSocket, Set<string>>();
	const waiters: {stream: string; resolve: () => void}[] = [];
	wss.on('connection', ws => {
		streams.set(ws, new Set());
		ws.on('error', () => ws.terminate());
		ws.on('close', () => streams.delete(ws));
		ws.on('message', data => {
			let request: {method?: unknown; params?: unknown; id?: unknown};
			try {
				request = JSON.parse(rawText(data)) as typeof request;
			} catch {
				return;
			}
			if (request.method === 'SUBSCRIBE' && Array.isArray(request.params)) {
				for (const name of request.params) if (typeof name === 'string') streams.get(ws)?.add(name);
				ws.send(JSON.stringify({result: null, id: request.id}));
				for (const waiter of [...waiters]) {
					if ([...streams.values()].some(set => set.has(waiter.stream))) {
						waiters.splice(waiters.indexOf(waiter), 1);
						waiter.resolve();
					}
				}
			} else if (request.id !== undefined) {
				ws.send(JSON.stringify({result: null, id: request.id}));
			}
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: `ws://127.0.0.1:${port}`,
		subscriptions: () => [...streams.values()].map(set => [...set]),
		send(data, options = {}) {
			let sent = 0;
			for (const [ws, subscribed] of streams) {
				if (options.stream !== undefined && !subscribed.has(options.stream)) continue;
				if (ws.readyState !== ws.OPEN) continue;
				ws.send(data, {binary: options.binary ?? false});
				sent++;
			}
			return sent;
		},
		connections: () => streams.size,
		waitForSubscription(stream, timeoutMs = 10_000) {
			if ([...streams.values()].some(set => set.has(stream))) return Promise.resolve();
			return new Promise((resolve, reject) => {
				const timer = setTimeout(
					() =>
						reject(
							new Error(
								`no subscription to ${stream} within ${timeoutMs} ms (have ${JSON.stringify([...streams.values()].map(s => [...s]))})`,
							),
						),
					timeoutMs,
				);
				waiters.push({
					stream,
					resolve: () => {
						clearTimeout(timer);
						resolve();
					},
				});
			});
		},
		async close() {
			for (const ws of streams.keys()) ws.terminate();
			await new Promise<void>(resolve => wss.close(() => resolve()));
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
