/** Shared helpers for the mock exchange's tests: a real server on loopback and a plain fetch client. */
import {startMockExchange, type MockExchange, type MockExchangeOptions} from '../../source/mock/index.js';
import {hmacHex} from '../../source/mock/signing.js';

export async function startMock(options: MockExchangeOptions = {}): Promise<MockExchange> {
	return startMockExchange({host: '127.0.0.1', port: 0, seed: 7, ...options});
}

/** Where signed and public requests go: the mock's own port, or a client's port with the client's key. */
export type Venue = Pick<MockExchange, 'rest' | 'apiKey' | 'apiSecret'>;

export interface Reply {
	status: number;
	headers: Headers;
	body: unknown;
	text: string;
}

async function reply(response: Response): Promise<Reply> {
	const text = await response.text();
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return {status: response.status, headers: response.headers, body, text};
}

export async function publicGet(mock: Venue, path: string): Promise<Reply> {
	return reply(await fetch(mock.rest + path));
}

export interface SignOptions {
	apiKey?: string | null;
	secret?: string;
	timestamp?: number;
	/** Put the parameters in a form body instead of the query string. */
	inBody?: boolean;
	/** Override the computed signature. */
	signature?: string | null;
}

/** A SIGNED request as Binance documents it: HMAC-SHA256 over the query string (or body) with timestamp. */
export async function signed(mock: Venue, method: string, path: string, params: Record<string, string | number | boolean> = {}, options: SignOptions = {}): Promise<Reply> {
	const query = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) query.set(k, String(v));
	if (!('timestamp' in params)) query.set('timestamp', String(options.timestamp ?? Date.now()));
	const payload = query.toString();
	const signature = options.signature === undefined ? hmacHex(options.secret ?? mock.apiSecret, payload) : options.signature;
	const full = signature === null ? payload : `${payload}&signature=${signature}`;
	const headers: Record<string, string> = {};
	const apiKey = options.apiKey === undefined ? mock.apiKey : options.apiKey;
	if (apiKey !== null) headers['X-MBX-APIKEY'] = apiKey;
	if (options.inBody) {
		headers['content-type'] = 'application/x-www-form-urlencoded';
		return reply(await fetch(`${mock.rest}${path}`, {method, headers, body: full}));
	}
	return reply(await fetch(`${mock.rest}${path}?${full}`, {method, headers}));
}

export async function adminCall(mock: MockExchange, method: string, path: string, body?: unknown): Promise<Reply> {
	return reply(
		await fetch(`${mock.admin}${path}`, {
			method,
			headers: body === undefined ? {} : {'content-type': 'application/json'},
			body: body === undefined ? undefined : JSON.stringify(body),
		}),
	);
}

export function expectError(r: Reply, code: number, msgPart?: string): void {
	const body = r.body as {code?: number; msg?: string} | undefined;
	if (!body || body.code !== code || (msgPart !== undefined && !body.msg?.includes(msgPart))) {
		throw new Error(`expected error ${code}${msgPart ? ` "${msgPart}"` : ''}, got HTTP ${r.status} ${r.text.slice(0, 200)}`);
	}
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, everyMs = 50): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Balances = Record<string, {free: number; locked: number}>;

export async function balances(mock: Venue): Promise<Balances> {
	const r = await signed(mock, 'GET', '/api/v3/account');
	const out: Balances = {};
	for (const b of (r.body as {balances: Array<{asset: string; free: string; locked: string}>}).balances) out[b.asset] = {free: Number(b.free), locked: Number(b.locked)};
	return out;
}

export interface ClientReply {
	id: string;
	label: string;
	apiKey: string;
	apiSecret: string;
	port: number;
	rest: string;
	ws: string;
	wsApi: string;
}

/** A client created through the admin API, as drydock's SUT module does. */
export async function createClient(mock: MockExchange, body: {label?: string; balances?: Record<string, number>} = {}): Promise<ClientReply> {
	const r = await adminCall(mock, 'POST', '/clients', body);
	if (r.status !== 201) throw new Error(`POST /clients → ${r.status} ${r.text}`);
	return r.body as ClientReply;
}

/** GET /clients/:id/activity, typed loosely: tests read the fields they judge. */
export async function activity(mock: MockExchange, id: string, since?: number): Promise<Activity> {
	const r = await adminCall(mock, 'GET', `/clients/${id}/activity${since === undefined ? '' : `?since=${since}`}`);
	if (r.status !== 200) throw new Error(`activity of ${id} → ${r.status} ${r.text}`);
	return r.body as Activity;
}

export interface Activity {
	seq: number;
	at: number;
	rest: {requests: number; weightUsed: number; weightLimit: number; requestsPerMinute: number; status429: number; status418: number; bannedUntil: number | null; requestsInsideRetryAfter: number; errorsByCode: Record<string, number>};
	orders: {placed: number; filled: number; partiallyFilled: number; canceled: number; rejected: number; rejectedByCode: Record<string, number>; duplicateClientOrderIds: number; maxOrdersPer10s: number; ordersPer10sLimit: number; open: number; ackLatencyMs: {count: number; avg: number; p50: number; p99: number; max: number}};
	streams: {connectionsOpen: number; connectionsTotal: number; subscriptions: string[]};
	events: Array<{seq: number; at: number; type: string} & Record<string, unknown>>;
}
