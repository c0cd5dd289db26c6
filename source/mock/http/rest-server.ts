import type {IncomingMessage, ServerResponse} from 'node:http';
import {resolveApiKey} from '../api-keys.js';
import {verifySignature} from '../signing.js';
import type {MockContext, OrderAck, Reply, RestObserver, Route} from './route.js';
import {ApiError, errors} from './errors.js';
import {refuseWhenHalted} from './market-routes.js';
import {Params} from './params.js';
import {routes} from './route-table.js';
import {bodyInMicroseconds, timestampMs, wantsMicroseconds} from './time-unit.js';
import {writeShared} from './wire-body.js';

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_RECV_WINDOW = 60_000;
const API_KEY_FORMAT = /^[A-Za-z0-9]{1,128}$/;

/** Paths that exist under some method, to tell 405 from 404. */
const knownPaths = new Set([...routes.keys()].map(k => k.slice(k.indexOf(' ') + 1)));

export type AdminHandler = (request: IncomingMessage, response: ServerResponse, path: string, query: string) => void;

/**
 * The REST request path: route lookup, request weight and bans, faults, body reading, parameters,
 * signature, handler, headers. Kept flat and allocation-light because the public endpoints must
 * serve tens of thousands of requests a second.
 */
export function createRestHandler(ctx: MockContext, adminPrefix: string, admin: AdminHandler) {
	return function handle(request: IncomingMessage, response: ServerResponse): void {
		const url = request.url ?? '/';
		const q = url.indexOf('?');
		const path = q < 0 ? url : url.slice(0, q);
		const query = q < 0 ? '' : url.slice(q + 1);
		if (path.startsWith(adminPrefix)) {
			admin(request, response, path.slice(adminPrefix.length) || '/', query);
			return;
		}
		const method = request.method ?? 'GET';
		const key = `${method} ${path}`;
		const route = routes.get(key);
		const statsKey = route ? key : 'other';
		const ip = request.socket.remoteAddress ?? '?';
		const now = ctx.now();
		// A client's listener attributes what arrives; drydock's own port has no observer and pays one check.
		const observer = ctx.observer;
		// Wall clock for attribution (never skewed by a clock-skew fault); read once per request.
		const wallNow = observer ? Date.now() : 0;
		if (observer) observer.request(path, wallNow);
		const startedAt = observer && route?.order ? performance.now() : 0;

		const send = (status: number, body: string, extra?: Record<string, string>): void => {
			ctx.stats.record(statsKey, status);
			if (observer && status >= 400) observer.answered(status, body, path, Date.now());
			if (response.destroyed) return;
			const headers: Record<string, string | number> = {
				'Content-Type': 'application/json;charset=UTF-8',
				'Content-Length': Buffer.byteLength(body),
				'X-MBX-USED-WEIGHT-1M': ctx.limiter.used(ip, ctx.now()),
			};
			if (extra) Object.assign(headers, extra);
			response.writeHead(status, headers);
			response.end(body);
		};
		const fail = (error: ApiError, extra?: Record<string, string>): void => send(error.status, error.body(), extra);

		if (!route) {
			drain(request);
			fail(knownPaths.has(path) ? errors.badMethod(method) : errors.notFound(method, path));
			return;
		}

		// Weight first, as Binance charges every request that reaches it, valid or not.
		let params: Params;
		try {
			params = new Params(query, '');
		} catch (error) {
			drain(request);
			fail(error instanceof ApiError ? error : errors.malformed('query string'));
			return;
		}
		let weight: number;
		try {
			weight = typeof route.weight === 'number' ? route.weight : route.weight(params);
		} catch {
			weight = 1;
		}
		const verdict = ctx.limiter.charge(ip, weight, now);
		if (verdict.kind !== 'ok') {
			drain(request);
			if (observer)
				observer.throttled(
					verdict.kind,
					verdict.retryAfterSec,
					verdict.kind === 'banned' ? verdict.until - now + wallNow : undefined,
					path,
					wallNow,
				);
			const retry = {'Retry-After': String(verdict.retryAfterSec)};
			if (verdict.kind === 'banned') {
				fail(
					new ApiError(
						-1003,
						`Way too much request weight used; IP banned until ${verdict.until}. Please use WebSocket Streams for live updates to avoid bans.`,
						418,
					),
					retry,
				);
			} else if (verdict.raw) {
				fail(
					new ApiError(
						-1003,
						`Too many requests; current limit of IP(${ip}) is ${ctx.limiter.options.rawPer5m} requests per 5 MINUTE.`,
						429,
					),
					retry,
				);
			} else {
				fail(
					new ApiError(
						-1003,
						`Too much request weight used; current limit is ${ctx.limiter.options.weightPerWindow} request weight per ${windowText(ctx.limiter.options.windowMs)}. Please use WebSocket Streams for live updates to avoid polling the API.`,
						429,
					),
					retry,
				);
			}
			return;
		}
		if (observer) observer.charged(verdict.used, wallNow);
		const storm = ctx.faults.stormRetryAfter();
		if (storm !== undefined) {
			drain(request);
			if (observer) observer.throttled('limited', storm, undefined, path, Date.now());
			fail(
				new ApiError(
					-1003,
					`Too much request weight used; current limit is ${ctx.limiter.options.weightPerWindow} request weight per ${windowText(ctx.limiter.options.windowMs)}. Please use WebSocket Streams for live updates to avoid polling the API.`,
					429,
				),
				{'Retry-After': String(storm)},
			);
			return;
		}

		const proceed = (body: string): void => {
			const delay = ctx.faults.latencyFor(method, path);
			if (delay > 0) {
				setTimeout(() => respond(body), delay);
			} else {
				respond(body);
			}
		};
		const respond = (body: string): void => {
			const injected = ctx.faults.errorFor(method, path);
			if (injected !== undefined) {
				// 500 carries Binance's internal-error code; gateway-style 502/503/504 carry none, like a proxy's reply.
				send(
					injected,
					injected === 500
						? '{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}'
						: '{"msg":"Service Unavailable."}',
				);
				return;
			}
			// Order-count headers go on every counted order reply, accepted or rejected.
			let orderHeaders: Record<string, string> | undefined;
			let count10s = 0;
			let all: Params | undefined;
			try {
				all = body === '' ? params : new Params(query, body);
				const apiKey = route.security === 'NONE' ? '' : authenticate(ctx, request, route, all, query, body);
				if (route.order) {
					const counted = ctx.orders.count(apiKey, ctx.now());
					count10s = counted.count10s;
					if (counted.exceeded) {
						const limit =
							counted.exceeded === '10s'
								? `${ctx.orders.per10s} orders per 10 SECOND`
								: `${ctx.orders.perDay} orders per 1 DAY`;
						throw new ApiError(-1015, `Too many new orders; current limit is ${limit}.`, 429);
					}
					orderHeaders = {
						'X-MBX-ORDER-COUNT-10S': String(counted.count10s),
						'X-MBX-ORDER-COUNT-1D': String(counted.countDay),
					};
				}
				if (route.order) refuseWhenHalted(ctx, all.raw('symbol'));
				const unitHeader = request.headers['x-mbx-time-unit'];
				const micro = wantsMicroseconds(Array.isArray(unitHeader) ? unitHeader[0] : unitHeader, 'X-MBX-TIME-UNIT');
				const reply: Reply = route.handle(ctx, {method, path, params: all, apiKey, ip});
				if (route.security === 'NONE') all.checkAllRead();
				const status = reply.status ?? 200;
				if (reply.shared && !micro && status < 400) {
					// Pre-encoded bytes: no per-request encoding of a body that may be hundreds of KB.
					ctx.stats.record(statsKey, status);
					if (!response.destroyed)
						writeShared(response, status, reply.shared, request.headers['accept-encoding'], {
							'Content-Type': 'application/json;charset=UTF-8',
							'X-MBX-USED-WEIGHT-1M': ctx.limiter.used(ip, ctx.now()),
							...orderHeaders,
							...reply.headers,
						});
				} else {
					send(
						status,
						micro ? bodyInMicroseconds(reply.body, path) : reply.body,
						orderHeaders ? {...orderHeaders, ...reply.headers} : reply.headers,
					);
				}
				if (observer && route.order) observeOrder(observer, all, startedAt, count10s, reply.order);
			} catch (error) {
				if (error instanceof ApiError) {
					fail(error, orderHeaders);
					if (observer && route.order)
						observeOrder(observer, all ?? params, startedAt, count10s, undefined, error.code);
				} else {
					// A bug of ours must not take the server down: answer like Binance's internal error.
					process.stderr.write(
						`drydock mock: ${key} failed: ${error instanceof Error ? error.stack : String(error)}\n`,
					);
					send(500, '{"code":-1000,"msg":"An unknown error occurred while processing the request."}');
				}
			}
		};

		if (method === 'GET' || method === 'HEAD') {
			proceed('');
			return;
		}
		readBody(request, (body, error) => {
			if (error) {
				fail(error, {Connection: 'close'});
				if (error.status === 413) response.once('finish', () => request.socket.destroy());
				return;
			}
			proceed(body);
		});
	};
}

/** Tells a client's activity about one order placement, accepted or rejected. */
function observeOrder(
	observer: RestObserver,
	params: Params,
	startedAt: number,
	count10s: number,
	order: Reply['order'],
	code?: number,
): void {
	const sent = params.raw('newClientOrderId');
	const ack: OrderAck = {
		status: order?.status ?? 'REJECTED',
		side: params.raw('side') ?? '',
		type: params.raw('type') ?? '',
		clientOrderId: order?.clientOrderId ?? sent ?? '',
		latencyMs: performance.now() - startedAt,
		count10s,
	};
	if (sent !== undefined) ack.sentClientOrderId = sent;
	if (code !== undefined) ack.code = code;
	observer.order(ack, Date.now());
}

function windowText(ms: number): string {
	return ms % 60_000 === 0 ? `${ms / 60_000} MINUTE` : `${Math.round(ms / 1000)} SECOND`;
}

/** Reads a form body up to MAX_BODY_BYTES; past that, 413 without reading the rest. */
function readBody(request: IncomingMessage, done: (body: string, error?: ApiError) => void): void {
	const declared = Number(request.headers['content-length'] ?? 0);
	if (declared > MAX_BODY_BYTES) {
		request.pause();
		done('', errors.tooLarge(MAX_BODY_BYTES));
		return;
	}
	const chunks: Buffer[] = [];
	let size = 0;
	let finished = false;
	request.on('data', (chunk: Buffer) => {
		if (finished) return;
		size += chunk.length;
		if (size > MAX_BODY_BYTES) {
			finished = true;
			request.pause();
			done('', errors.tooLarge(MAX_BODY_BYTES));
			return;
		}
		chunks.push(chunk);
	});
	request.on('end', () => {
		if (finished) return;
		finished = true;
		done(chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8'));
	});
	request.on('error', () => {
		finished = true;
	});
}

/** Lets an unread request body flow away so keep-alive connections stay usable. */
function drain(request: IncomingMessage): void {
	if (request.method !== 'GET' && request.method !== 'HEAD') request.resume();
}

/** API-key and (for SIGNED) signature and timestamp checks, in Binance's order and with its codes. */
function authenticate(
	ctx: MockContext,
	request: IncomingMessage,
	route: Route,
	params: Params,
	query: string,
	body: string,
): string {
	const header = request.headers['x-mbx-apikey'];
	const apiKey = Array.isArray(header) ? header[0] : header;
	if (apiKey === undefined || apiKey === '' || !API_KEY_FORMAT.test(apiKey)) throw errors.apiKeyFormat();
	const key = resolveApiKey(ctx.credentials, ctx.keys, apiKey);
	if (key === undefined) throw errors.apiKeyUnknown();
	if (route.security !== 'SIGNED') return key.account;
	const sent = params.integer('timestamp', 0);
	if (sent === undefined) throw errors.missing('timestamp');
	const timestamp = timestampMs(sent);
	const recvWindow = params.decimal('recvWindow') ?? 5000;
	if (recvWindow > MAX_RECV_WINDOW) throw errors.badRecvWindow();
	const signature = params.raw('signature');
	if (signature === undefined) throw errors.missing('signature');
	if (!verifySignature(key.credential, signedPayload(query, body), signature)) throw errors.badSignature();
	const serverTime = ctx.now();
	if (timestamp >= serverTime + 1000) throw errors.aheadOfServer();
	if (serverTime - timestamp > recvWindow) throw errors.outsideRecvWindow();
	return key.account;
}

/** queryString + requestBody as sent, without the signature parameter itself. */
function signedPayload(query: string, body: string): string {
	const strip = (s: string) => (s.includes('signature=') ? s.replace(/(^|&)signature=[^&]*/, '').replace(/^&/, '') : s);
	return strip(query) + strip(body);
}
