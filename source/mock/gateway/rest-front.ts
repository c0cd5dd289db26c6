import type http from 'node:http';
import type {GatewayActivity, OrderQuery} from './gateway-activity.js';
import type {GatewayFaults} from './gateway-faults.js';
import type {NotionalCaps} from './notional-caps.js';
import {bodyText, type RestRelay, type VenueAnswer} from './rest-relay.js';

const MAX_BODY_BYTES = 1_048_576;
/** POST routes that place orders: checked against the caps, their answers attributed as order acks. */
const ORDER_PATHS = new Set(['/api/v3/order', '/api/v3/sor/order', '/api/v3/order/cancelReplace']);
const ORDER_LIST_PATHS = new Set([
	'/api/v3/order/oco',
	'/api/v3/orderList/oco',
	'/api/v3/orderList/oto',
	'/api/v3/orderList/otoco',
]);
const STORM_BODY =
	'{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."}';
const json = {'content-type': 'application/json;charset=UTF-8'};

export interface RestFrontDeps {
	relay: RestRelay;
	faults: GatewayFaults;
	caps: NotionalCaps;
	activity: GatewayActivity;
}

export type Send = (
	res: http.ServerResponse,
	status: number,
	headers: Record<string, string | string[]>,
	body: Buffer | string,
) => void;

/** Writes one answer with its length (never chunked), unless the SUT has gone. */
export const send: Send = (res, status, headers, body) => {
	if (res.destroyed) return;
	const payload = typeof body === 'string' ? Buffer.from(body) : body;
	res.writeHead(status, {...headers, 'content-length': String(payload.length)});
	res.end(payload);
};

type Params = (name: string) => string | undefined;

/** Which of the SUT's orders a REST request was about (its answer, or its -2011, tells the tracker what is open). */
function orderQueryOf(method: string, path: string): OrderQuery {
	if (path === '/api/v3/order' && (method === 'DELETE' || method === 'GET')) return 'one';
	if (path === '/api/v3/openOrders')
		return method === 'GET' ? 'open-list' : method === 'DELETE' ? 'cancel-all' : 'other';
	return 'other';
}

function paramsOf(query: string, req: http.IncomingMessage, body: Buffer): Params {
	const q = new URLSearchParams(query);
	const type = String(req.headers['content-type'] ?? '');
	const b = body.length > 0 && !type.includes('json') ? new URLSearchParams(body.toString('utf8')) : undefined;
	return name => q.get(name) ?? b?.get(name) ?? undefined;
}

/** The request body; 'too-large' over MAX_BODY_BYTES, 'aborted' when the SUT went away before sending it all. */
export function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
	return new Promise(resolve => {
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

export const parseJson = (text: string): unknown => {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
};

/**
 * The REST side of the gateway, one request at a time: the connection faults, the forged answers
 * (rate-limit storm, latency, 5xx), the notional caps, then the venue; everything attributed.
 */
export function createRestFront({
	relay,
	faults,
	caps,
	activity,
}: RestFrontDeps): (
	req: http.IncomingMessage,
	res: http.ServerResponse,
	method: string,
	path: string,
	query: string,
) => Promise<void> {
	return async function serveRest(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		method: string,
		path: string,
		query: string,
	): Promise<void> {
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
			await Promise.race([faults.whenConnectionFaultsEnd(), new Promise(resolve => req.socket.once('close', resolve))]);
			req.socket.destroy();
			return;
		}
		const body = await readBody(req);
		if (body === 'aborted') return;
		if (body === 'too-large')
			return answer(413, json, '{"code":-1000,"msg":"drydock gateway: request body over 1 MiB"}');
		const storm = faults.stormRetryAfter();
		if (storm !== undefined) {
			activity.forged++;
			return answer(429, {...json, 'retry-after': String(storm)}, STORM_BODY);
		}
		const delay = faults.latencyFor(method, path);
		if (delay > 0) await new Promise(resolve => setTimeout(resolve, delay));
		const injected = faults.errorFor(method, path);
		if (injected !== undefined) {
			activity.forged++;
			// As the mock: 500 carries Binance's internal-error code, a proxy-style 502/503/504 none.
			return answer(
				injected,
				json,
				injected === 500
					? '{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}'
					: '{"msg":"Service Unavailable."}',
			);
		}
		const placing = method === 'POST' && ORDER_PATHS.has(path);
		const params = paramsOf(query, req, body);
		let notional = 0;
		if (method === 'POST' && caps.active && ORDER_LIST_PATHS.has(path)) {
			caps.refusals++;
			return answer(
				400,
				json,
				JSON.stringify({
					code: -2010,
					msg: 'drydock gateway: order lists are not sent under the notional caps (profile live.perOrderNotionalCap / live.perRunNotionalCap)',
				}),
			);
		}
		if (placing) {
			const verdict = caps.check(params);
			if (!verdict.ok) {
				const refusal = {code: -2010, msg: verdict.msg};
				answer(400, json, JSON.stringify(refusal));
				activity.orderAck(
					{
						status: 400,
						body: refusal,
						side: params('side') ?? '',
						type: params('type') ?? '',
						sentClientOrderId: params('newClientOrderId'),
						latencyMs: 0,
						count10s: 0,
					},
					Date.now(),
				);
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
			return answer(
				502,
				json,
				JSON.stringify({
					code: -1000,
					msg: `drydock gateway: no answer from the venue: ${error instanceof Error ? error.message : String(error)}`,
				}),
			);
		}
		const latencyMs = performance.now() - started;
		const done = Date.now();
		send(res, venue.status, venue.headers, venue.body);
		const wantsText =
			venue.status >= 400 ||
			placing ||
			path.startsWith('/api/v3/order') ||
			path === '/api/v3/openOrders' ||
			path === '/api/v3/allOrders';
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
			const ack =
				path === '/api/v3/order/cancelReplace' && typeof value === 'object' && value !== null
					? ((value as Record<string, unknown>)['newOrderResponse'] ?? value)
					: value;
			const count = Number(venue.headers['x-mbx-order-count-10s'] ?? 0);
			activity.orderAck(
				{
					status: venue.status,
					body: ack,
					side: params('side') ?? '',
					type: params('type') ?? '',
					sentClientOrderId: params('newClientOrderId'),
					latencyMs,
					count10s: Number.isFinite(count) ? count : 0,
					symbol: params('symbol'),
					timeInForce: params('timeInForce'),
				},
				done,
			);
		}
		if (venue.status < 500) activity.orderAnswer(orderQueryOf(method, path), params, venue.status, value);
	};
}
