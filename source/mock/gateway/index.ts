/**
 * The venue drydock serves to a SUT on testnet and mainnet: a local gateway (plain HTTP and WS on loopback)
 * in front of the real venue. Requests and frames pass unchanged — signatures are the SUT's own and drydock
 * holds no key of its — while the gateway attributes what passes (as the mock does for a client), applies
 * chaos faults in front of the venue and refuses orders over the mainnet notional caps.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {GatewayActivity, type GatewayActivitySnapshot} from './gateway-activity.js';
import {gatewayAdmin} from './gateway-admin.js';
import {GatewayFaults} from './gateway-faults.js';
import {NotionalCaps, type NotionalCapOptions} from './notional-caps.js';
import {bodyText, RestRelay, type VenueAnswer} from './rest-relay.js';
import {attachWsRelay} from './ws-relay.js';

export {GatewayFaults, GATEWAY_FAULT_NAMES, parseGatewayFault, type GatewayFaultSpec, type GatewayActiveFault, type GatewayFaultName} from './gateway-faults.js';
export type {GatewayActivitySnapshot} from './gateway-activity.js';
export {GATEWAY_UPSTREAMS} from './venues.js';

export interface GatewayOptions {
	/** The venue: REST base, market-stream base and WebSocket API URL. */
	upstream: {rest: string; ws: string; wsApi: string};
	host?: string;
	port?: number;
	/** Mainnet caps (profile live.perOrderNotionalCap / live.perRunNotionalCap); absent: no cap. */
	caps?: NotionalCapOptions;
	/** The price to value a MARKET order at; absent or undefined: the last trade seen on the SUT's streams. */
	markPrice?: (symbol: string) => number | undefined;
	/** Extra trust for the venue's certificate (tests put a self-signed venue behind it). */
	tls?: {ca?: string | Buffer};
	/** The venue's request weight limit per minute (Binance spot: 6000) and orders per 10 s (100). */
	weightLimit?: number;
	ordersPer10s?: number;
	/** The id and label the SUT's activity is served under (default "sut"). */
	client?: {id?: string; label?: string};
}

export interface Gateway {
	rest: string;
	/** Market-stream base, as `drydock mock` prints its own: append /ws/<stream> or /stream?streams=. */
	ws: string;
	wsApi: string;
	admin: string;
	port: number;
	clientId: string;
	faults: GatewayFaults;
	activity(since?: number): GatewayActivitySnapshot;
	close(): Promise<void>;
}

const ADMIN_PREFIX = '/__drydock';
const MAX_BODY_BYTES = 1_048_576;
/** POST routes that place orders: checked against the caps, their answers attributed as order acks. */
const ORDER_PATHS = new Set(['/api/v3/order', '/api/v3/sor/order', '/api/v3/order/cancelReplace']);
const ORDER_LIST_PATHS = new Set(['/api/v3/order/oco', '/api/v3/orderList/oco', '/api/v3/orderList/oto', '/api/v3/orderList/otoco']);
const STORM_BODY = '{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."}';

function checkOptions(o: GatewayOptions): void {
	const fail = (message: string): never => {
		throw new TypeError(`startGateway: ${message}`);
	};
	const url = (name: string, value: unknown, schemes: string[]): void => {
		let parsed: URL | undefined;
		try {
			parsed = new URL(String(value));
		} catch {
			parsed = undefined;
		}
		if (!parsed || !schemes.includes(parsed.protocol)) fail(`upstream.${name} "${String(value)}" is not a ${schemes.map((s) => s.replace(':', '://')).join(' or ')} URL`);
	};
	if (typeof o.upstream !== 'object' || o.upstream === null) fail('upstream {rest, ws, wsApi} is required');
	url('rest', o.upstream.rest, ['https:', 'http:']);
	url('ws', o.upstream.ws, ['wss:', 'ws:']);
	url('wsApi', o.upstream.wsApi, ['wss:', 'ws:']);
	if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535)) fail(`port ${o.port} is not an integer between 0 and 65535`);
	for (const name of ['maxOrderNotional', 'maxRunNotional'] as const) {
		const v = o.caps?.[name];
		if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) fail(`caps.${name} must be a positive number`);
	}
}

type Params = (name: string) => string | undefined;

function paramsOf(query: string, req: http.IncomingMessage, body: Buffer): Params {
	const q = new URLSearchParams(query);
	const type = String(req.headers['content-type'] ?? '');
	const b = body.length > 0 && !type.includes('json') ? new URLSearchParams(body.toString('utf8')) : undefined;
	return (name) => q.get(name) ?? b?.get(name) ?? undefined;
}

/** The request body; 'too-large' over MAX_BODY_BYTES, 'aborted' when the SUT went away before sending it all. */
function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				resolve('too-large');
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.once('end', () => resolve(Buffer.concat(chunks)));
		req.once('error', () => resolve('aborted'));
		req.once('close', () => resolve(req.complete ? Buffer.concat(chunks) : 'aborted'));
	});
}

const parseJson = (text: string): unknown => {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
};

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
	checkOptions(options);
	const host = options.host ?? '127.0.0.1';
	const clientId = options.client?.id ?? 'sut';
	const lastTrades = new Map<string, number>();
	const caps = new NotionalCaps(options.caps ?? {}, (symbol) => options.markPrice?.(symbol) ?? lastTrades.get(symbol));
	const faults = new GatewayFaults();
	const venueHost = new URL(options.upstream.rest).host;
	const activity = new GatewayActivity({weightLimit: options.weightLimit ?? 6000, ordersPer10s: options.ordersPer10s ?? 100}, () => ({venue: venueHost, capRefusals: caps.refusals, runNotional: caps.total}));
	const relay = new RestRelay({upstream: options.upstream.rest, ...(options.tls?.ca === undefined ? {} : {ca: options.tls.ca})});
	let port = 0;

	const send = (res: http.ServerResponse, status: number, headers: Record<string, string | string[]>, body: Buffer | string): void => {
		if (res.destroyed) return;
		const payload = typeof body === 'string' ? Buffer.from(body) : body;
		res.writeHead(status, {...headers, 'content-length': String(payload.length)});
		res.end(payload);
	};
	const json = {'content-type': 'application/json;charset=UTF-8'};

	async function serveAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string, query: string): Promise<void> {
		const reply = await gatewayAdmin({faults, activity, client: {id: clientId, label: options.client?.label ?? 'sut', port}}, req.method ?? 'GET', path, query, async () => {
			const body = await readBody(req);
			return typeof body === 'string' ? undefined : parseJson(body.toString('utf8'));
		});
		send(res, reply.status, json, JSON.stringify(reply.value));
	}

	async function serveRest(req: http.IncomingMessage, res: http.ServerResponse, method: string, path: string, query: string): Promise<void> {
		const now = Date.now();
		activity.request(path, now);
		const answer = (status: number, headers: Record<string, string | string[]>, text: string): void => {
			activity.response(status, headers, text, path, Date.now());
			send(res, status, headers, text);
		};
		const cut = faults.restAction(method, path);
		if (cut === 'reset') {
			activity.resets++;
			req.socket.destroy();
			return;
		}
		if (cut === 'blackhole') {
			// No answer while the fault lasts: the SUT's own timeout must fire. Then the connection is let go.
			activity.silenced++;
			await Promise.race([faults.whenConnectionFaultsEnd(), new Promise((resolve) => req.socket.once('close', resolve))]);
			req.socket.destroy();
			return;
		}
		const body = await readBody(req);
		if (body === 'aborted') return;
		if (body === 'too-large') return answer(413, json, '{"code":-1000,"msg":"drydock gateway: request body over 1 MiB"}');
		const storm = faults.stormRetryAfter();
		if (storm !== undefined) {
			activity.forged++;
			return answer(429, {...json, 'retry-after': String(storm)}, STORM_BODY);
		}
		const delay = faults.latencyFor(method, path);
		if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
		const injected = faults.errorFor(method, path);
		if (injected !== undefined) {
			activity.forged++;
			// As the mock: 500 carries Binance's internal-error code, a proxy-style 502/503/504 none.
			return answer(injected, json, injected === 500 ? '{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}' : '{"msg":"Service Unavailable."}');
		}
		const placing = method === 'POST' && ORDER_PATHS.has(path);
		const params = paramsOf(query, req, body);
		let notional = 0;
		if (method === 'POST' && caps.active && ORDER_LIST_PATHS.has(path)) {
			caps.refusals++;
			return answer(400, json, JSON.stringify({code: -2010, msg: 'drydock gateway: order lists are not sent under the notional caps (profile live.perOrderNotionalCap / live.perRunNotionalCap)'}));
		}
		if (placing) {
			const verdict = caps.check(params);
			if (!verdict.ok) {
				const refusal = {code: -2010, msg: verdict.msg};
				answer(400, json, JSON.stringify(refusal));
				activity.orderAck({status: 400, body: refusal, side: params('side') ?? '', type: params('type') ?? '', sentClientOrderId: params('newClientOrderId'), latencyMs: 0, count10s: 0}, Date.now());
				return;
			}
			notional = verdict.notional;
		}
		const started = performance.now();
		let venue: VenueAnswer;
		try {
			venue = await relay.forward(method, path + (query ? `?${query}` : ''), req.headers, body);
		} catch (error) {
			caps.release(notional);
			return answer(502, json, JSON.stringify({code: -1000, msg: `drydock gateway: no answer from the venue: ${error instanceof Error ? error.message : String(error)}`}));
		}
		const latencyMs = performance.now() - started;
		const done = Date.now();
		send(res, venue.status, venue.headers, venue.body);
		const wantsText = venue.status >= 400 || placing || path.startsWith('/api/v3/order') || path === '/api/v3/openOrders' || path === '/api/v3/allOrders';
		if (!wantsText) {
			activity.response(venue.status, venue.headers, '', path, done);
			return;
		}
		const text = bodyText(venue);
		activity.response(venue.status, venue.headers, text, path, done);
		const value = parseJson(text);
		// A venue 5xx leaves the order's fate unknown (Binance: it may exist): neither an ack nor a rejection,
		// and its notional stays counted against the run cap.
		if (placing && venue.status < 500) {
			if (venue.status >= 400) caps.release(notional);
			const ack = path === '/api/v3/order/cancelReplace' && typeof value === 'object' && value !== null ? ((value as Record<string, unknown>)['newOrderResponse'] ?? value) : value;
			const count = Number(venue.headers['x-mbx-order-count-10s'] ?? 0);
			activity.orderAck({status: venue.status, body: ack, side: params('side') ?? '', type: params('type') ?? '', sentClientOrderId: params('newClientOrderId'), latencyMs, count10s: Number.isFinite(count) ? count : 0}, done);
		}
		if (venue.status < 400) activity.orders.seeAnswer(value);
	}

	const server = http.createServer((req, res) => {
		const url = req.url ?? '/';
		const q = url.indexOf('?');
		const path = q < 0 ? url : url.slice(0, q);
		const query = q < 0 ? '' : url.slice(q + 1);
		const method = (req.method ?? 'GET').toUpperCase();
		const work = path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`) ? serveAdmin(req, res, path.slice(ADMIN_PREFIX.length), query) : serveRest(req, res, method, path, query);
		work.catch((error: unknown) => send(res, 500, json, JSON.stringify({code: -1000, msg: `drydock gateway: ${error instanceof Error ? error.message : String(error)}`})));
	});
	const wsRelay = attachWsRelay(server, {
		upstream: {ws: options.upstream.ws, wsApi: options.upstream.wsApi},
		...(options.tls?.ca === undefined ? {} : {ca: options.tls.ca}),
		activity,
		faults,
		caps,
		onTrade: (symbol, price) => lastTrades.set(symbol, price),
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	port = (server.address() as AddressInfo).port;
	const hostPart = host.includes(':') ? `[${host}]` : host;

	let closing: Promise<void> | undefined;
	return {
		rest: `http://${hostPart}:${port}`,
		ws: `ws://${hostPart}:${port}`,
		wsApi: `ws://${hostPart}:${port}/ws-api/v3`,
		admin: `http://${hostPart}:${port}${ADMIN_PREFIX}`,
		port,
		clientId,
		faults,
		activity: (since = 0) => activity.snapshot(since),
		close() {
			closing ??= (async () => {
				faults.clear();
				await wsRelay.close();
				await new Promise<void>((resolve) => {
					server.close(() => resolve());
					server.closeAllConnections();
				});
				relay.close();
			})();
			return closing;
		},
	};
}
