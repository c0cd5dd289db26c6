/**
 * A small inventory API for load-test examples and tests: JWT-style login (HS256 tokens with a short,
 * configurable expiry), token refresh, a paginated product list, availability, reservations that run
 * out of stock (409), and a count of every request served per route so a test can compare a load
 * run's totals with the server's own.
 *
 *   npx tsx examples/inventory-api/server.ts --port 8000 [--token-ttl 60s]
 *
 * Users: user0 … user9999, password `password`.
 */
import {createHmac, randomUUID, timingSafeEqual} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

export interface InventoryApiOptions {
	host?: string;
	/** 0 = any free port. */
	port?: number;
	/** Access-token lifetime. */
	tokenTtlMs?: number;
	products?: number;
	/** Units in stock per product at start. */
	stock?: number;
	pageSize?: number;
	secret?: string;
}

export interface InventoryApi {
	url: string;
	port: number;
	/** Requests served per route key (`GET /api/products/`, `POST /api/products/:id/reserve`, …), any status. */
	counts(): Record<string, number>;
	/** Sum of `counts()`. */
	total(): number;
	/** Responses per `route status` (e.g. `POST /api/products/:id/reserve 409`). */
	statuses(): Record<string, number>;
	/** Freezes the event loop for `ms` (a "stop the world" stall, like a GC pause). */
	stall(ms: number): void;
	close(): Promise<void>;
}

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

function sign(secret: string, payload: Record<string, unknown>): string {
	const head = b64(JSON.stringify({alg: 'HS256', typ: 'JWT'}));
	const body = b64(JSON.stringify(payload));
	const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
	return `${head}.${body}.${mac}`;
}

type Claims = {sub: string; typ: 'access' | 'refresh'; exp: number};

function verify(secret: string, token: string, typ: Claims['typ']): Claims | 'expired' | 'invalid' {
	const parts = token.split('.');
	if (parts.length !== 3) return 'invalid';
	const expected = Buffer.from(createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest('base64url'));
	const given = Buffer.from(parts[2]!);
	if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
	let claims: Claims;
	try {
		claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Claims;
	} catch {
		return 'invalid';
	}
	if (claims.typ !== typ) return 'invalid';
	return claims.exp * 1000 <= Date.now() ? 'expired' : claims;
}

function send(res: ServerResponse, status: number, body: unknown): void {
	res.statusCode = status;
	const text = JSON.stringify(body);
	res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)});
	res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	if (chunks.length === 0) return {};
	try {
		const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		return value !== null && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

export async function startInventoryApi(options: InventoryApiOptions = {}): Promise<InventoryApi> {
	const secret = options.secret ?? 'inventory-example-secret';
	const ttlMs = options.tokenTtlMs ?? 60_000;
	const productCount = options.products ?? 200;
	const pageSize = options.pageSize ?? 20;
	const stock = new Map<number, number>();
	for (let id = 1; id <= productCount; id++) stock.set(id, options.stock ?? 1000);
	const counts: Record<string, number> = {};
	const statuses: Record<string, number> = {};
	const routeOf = new WeakMap<ServerResponse, string>();
	const count = (key: string, res: ServerResponse) => {
		counts[key] = (counts[key] ?? 0) + 1;
		routeOf.set(res, key);
	};

	const issue = (sub: string) => ({
		access: sign(secret, {sub, typ: 'access', exp: (Date.now() + ttlMs) / 1000}),
		refresh: sign(secret, {sub, typ: 'refresh', exp: Date.now() / 1000 + 86_400}),
		expires_in: ttlMs / 1000,
	});

	const authorize = (req: IncomingMessage, res: ServerResponse): boolean => {
		const header = req.headers.authorization ?? '';
		const claims = header.startsWith('Bearer ') ? verify(secret, header.slice(7), 'access') : 'invalid';
		if (claims === 'expired') {
			send(res, 401, {error: 'token_expired'});
			return false;
		}
		if (claims === 'invalid') {
			send(res, 401, {error: 'unauthorized'});
			return false;
		}
		return true;
	};

	const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const method = req.method ?? 'GET';
		const path = url.pathname;
		let match: RegExpExecArray | null;
		if (method === 'POST' && path === '/api/auth/login') {
			count('POST /api/auth/login', res);
			const body = await readJson(req);
			const username = typeof body?.username === 'string' ? body.username : '';
			const valid = /^user(\d{1,4})$/.test(username) && body?.password === 'password';
			if (!valid) return send(res, 401, {error: 'invalid_credentials'});
			return send(res, 200, issue(username));
		}
		if (method === 'POST' && path === '/api/auth/refresh') {
			count('POST /api/auth/refresh', res);
			const body = await readJson(req);
			const claims = typeof body?.refresh === 'string' ? verify(secret, body.refresh, 'refresh') : 'invalid';
			if (typeof claims === 'string') return send(res, 401, {error: `refresh_${claims}`});
			const {access, expires_in} = issue(claims.sub);
			return send(res, 200, {access, expires_in});
		}
		if (method === 'GET' && path === '/api/products/') {
			count('GET /api/products/', res);
			if (!authorize(req, res)) return;
			const page = Number(url.searchParams.get('page') ?? '1');
			const pages = Math.ceil(productCount / pageSize);
			if (!Number.isInteger(page) || page < 1 || page > pages) return send(res, 404, {error: 'no_such_page'});
			const first = (page - 1) * pageSize + 1;
			const results = [];
			for (let id = first; id < first + pageSize && id <= productCount; id++)
				results.push({id, sku: `SKU-${String(id).padStart(5, '0')}`, name: `Product ${id}`});
			return send(res, 200, {
				count: productCount,
				page,
				pages,
				next: page < pages ? `/api/products/?page=${page + 1}` : null,
				previous: page > 1 ? `/api/products/?page=${page - 1}` : null,
				results,
			});
		}
		if (method === 'GET' && (match = /^\/api\/products\/(\d+)\/availability$/.exec(path))) {
			count('GET /api/products/:id/availability', res);
			if (!authorize(req, res)) return;
			const id = Number(match[1]);
			const available = stock.get(id);
			if (available === undefined) return send(res, 404, {error: 'no_such_product'});
			return send(res, 200, {id, available});
		}
		if (method === 'POST' && (match = /^\/api\/products\/(\d+)\/reserve$/.exec(path))) {
			count('POST /api/products/:id/reserve', res);
			if (!authorize(req, res)) return;
			const id = Number(match[1]);
			const body = await readJson(req);
			const quantity = body?.quantity;
			const available = stock.get(id);
			if (available === undefined) return send(res, 404, {error: 'no_such_product'});
			if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > 100)
				return send(res, 400, {error: 'quantity must be an integer 1..100'});
			if (quantity > available) return send(res, 409, {error: 'out_of_stock', available});
			stock.set(id, available - quantity);
			return send(res, 201, {reservation_id: randomUUID(), id, quantity, remaining: available - quantity});
		}
		count(`${method} (unknown)`, res);
		send(res, 404, {error: 'not_found'});
	};

	const server = createServer((req, res) => {
		res.once('finish', () => {
			const key = `${routeOf.get(res) ?? '?'} ${res.statusCode}`;
			statuses[key] = (statuses[key] ?? 0) + 1;
		});
		handle(req, res).catch(() => {
			if (!res.headersSent) send(res, 500, {error: 'internal'});
			else res.destroy();
		});
	});
	server.keepAliveTimeout = 60_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const address = server.address() as AddressInfo;
	const host = options.host ?? '127.0.0.1';
	return {
		url: `http://${host}:${address.port}`,
		port: address.port,
		counts: () => ({...counts}),
		total: () => Object.values(counts).reduce((a, b) => a + b, 0),
		statuses: () => ({...statuses}),
		stall(ms: number) {
			const until = Date.now() + ms;
			while (Date.now() < until) {
				// Busy-wait on purpose: nothing is served while this runs.
			}
		},
		close: () =>
			new Promise<void>(resolve => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

// Run directly: `npx tsx examples/inventory-api/server.ts --port 8000`.
if (import.meta.url === `file://${process.argv[1]}`) {
	const arg = (name: string): string | undefined => {
		const at = process.argv.indexOf(name);
		return at >= 0 ? process.argv[at + 1] : undefined;
	};
	const ttl = arg('--token-ttl');
	const api = await startInventoryApi({
		port: Number(arg('--port') ?? 8000),
		...(ttl ? {tokenTtlMs: Number.parseFloat(ttl) * (ttl.endsWith('ms') ? 1 : 1000)} : {}),
	});
	process.stdout.write(`inventory API on ${api.url} (users user0…user9999, password "password")\n`);
	process.on('SIGINT', () => {
		process.stdout.write(`served ${JSON.stringify(api.counts())}\n`);
		void api.close().then(() => process.exit(0));
	});
}
