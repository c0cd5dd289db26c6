import type {IncomingMessage, ServerResponse} from 'node:http';
import type {ApiKeyBook, PublicKeyRegistration} from './api-keys.js';
import {clientAdmin} from './clients/client-admin.js';
import type {ClientHub} from './clients/client-hub.js';
import type {FaultController} from './faults/index.js';
import {parseFaultSpec} from './faults/index.js';
import type {MarketSimulator} from './market/simulator.js';
import {MARKET_ADMIN_PATHS, marketAdmin} from './market-admin.js';
import type {MatchingEngine} from './matching/index.js';

const MAX_ADMIN_BODY = 16 * 1024;

export interface AdminDeps {
	faults: FaultController;
	market: MarketSimulator;
	engine: MatchingEngine;
	defaultApiKey: string;
	clients: ClientHub;
	stats(): unknown;
	/** RSA/Ed25519 keys: GET /api-keys lists them, POST /api-keys {apiKey, publicKey, account?} registers one. */
	keys?: ApiKeyBook;
	/** Replay mode: GET/POST /replay (source/mock/replay/replay-admin.ts). */
	replay?: (method: string, body: unknown) => {status: number; value: unknown};
}

/**
 * The operator's side door at /__drydock: faults (GET/POST/DELETE /faults, DELETE /faults/<id>),
 * GET /stats, POST /market/trade {symbol, price, qty?} to print a trade at a chosen price, and
 * POST /balance {asset, delta, apiKey?} to deposit or withdraw, and the clients under /clients
 * (source/mock/clients/client-admin.ts). Never rate-limited or faulted.
 */
export function createAdminHandler(deps: AdminDeps) {
	return function admin(request: IncomingMessage, response: ServerResponse, path: string, query: string): void {
		const method = request.method ?? 'GET';
		const send = (status: number, value: unknown) => {
			const body = JSON.stringify(value);
			response.writeHead(status, {
				'Content-Type': 'application/json;charset=UTF-8',
				'Content-Length': Buffer.byteLength(body),
			});
			response.end(body);
		};
		const bad = (msg: string, status = 400) => send(status, {code: status === 404 ? -1000 : -1102, msg});
		const withBody = (use: (body: unknown) => void) => {
			const chunks: Buffer[] = [];
			let size = 0;
			let over = false;
			request.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size > MAX_ADMIN_BODY) over = true;
				else chunks.push(chunk);
			});
			request.on('end', () => {
				if (over) return bad(`admin body larger than ${MAX_ADMIN_BODY} bytes`, 413);
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed: unknown;
				try {
					parsed = text.trim() === '' ? {} : JSON.parse(text);
				} catch {
					return bad('admin body is not valid JSON');
				}
				try {
					use(parsed);
				} catch (error) {
					bad(error instanceof Error ? error.message : String(error));
				}
			});
			request.on('error', () => {});
		};

		if (path === '/faults' || path === '/faults/') {
			if (method === 'GET') return send(200, {faults: deps.faults.list()});
			if (method === 'DELETE') return send(200, {cleared: deps.faults.clear()});
			if (method === 'POST') {
				return withBody(body => {
					const parsed = parseFaultSpec(body);
					if (!parsed.ok) return bad(parsed.message);
					send(200, {fault: deps.faults.inject(parsed.spec)});
				});
			}
			return bad(`method ${method} not allowed on ${path}`, 405);
		}
		if (path.startsWith('/faults/') && method === 'DELETE') {
			const id = decodeURIComponent(path.slice('/faults/'.length));
			return deps.faults.remove(id)
				? send(200, {removed: id})
				: bad(`no active fault with id "${id.slice(0, 40)}"`, 404);
		}
		if (path === '/replay' && deps.replay) {
			const replay = deps.replay;
			if (method === 'POST')
				return withBody(body => {
					const reply = replay(method, body);
					send(reply.status, reply.value);
				});
			request.resume();
			const reply = replay(method, undefined);
			return send(reply.status, reply.value);
		}
		if (MARKET_ADMIN_PATHS.has(path)) return marketAdmin(deps.market, request, response, path);
		if (path === '/stats' && method === 'GET') return send(200, deps.stats());
		if (path === '/market/trade' && method === 'POST') {
			return withBody(body => {
				const {symbol, price, qty} = (body ?? {}) as Record<string, unknown>;
				if (typeof symbol !== 'string' || !deps.market.hasSymbol(symbol))
					return bad('"symbol" must be one of the simulated symbols');
				if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0)
					return bad('"price" must be a positive number');
				if (qty !== undefined && (typeof qty !== 'number' || !Number.isFinite(qty) || qty <= 0))
					return bad('"qty" must be a positive number');
				deps.market.forceTrade(symbol, price, qty);
				send(200, {symbol, price: deps.market.lastPriceString(symbol)});
			});
		}
		if (path === '/balance' && method === 'POST') {
			return withBody(body => {
				const {asset, delta, apiKey} = (body ?? {}) as Record<string, unknown>;
				if (typeof asset !== 'string' || !/^[A-Z0-9]{1,20}$/.test(asset))
					return bad('"asset" must be an asset name like USDT');
				if (typeof delta !== 'number' || !Number.isFinite(delta) || delta === 0)
					return bad('"delta" must be a non-zero number');
				const key = typeof apiKey === 'string' ? apiKey : deps.defaultApiKey;
				const result = deps.engine.adjustBalance(key, asset, delta);
				if (!result.ok) return send(400, result.error);
				send(200, {asset, free: result.value.toFixed(8)});
			});
		}
		if (path === '/api-keys' && deps.keys) {
			const keys = deps.keys;
			if (method === 'GET') return send(200, {apiKeys: keys.list()});
			if (method === 'POST')
				return withBody(body => send(200, keys.register((body ?? {}) as PublicKeyRegistration, deps.defaultApiKey)));
		}
		if (path === '/clients' || path.startsWith('/clients/')) {
			const body = () => new Promise<unknown>(resolve => withBody(resolve));
			// Only creating a client reads a body; anything else sent is let flow away.
			if (!(method === 'POST' && (path === '/clients' || path === '/clients/'))) request.resume();
			clientAdmin(deps.clients, method, path.slice('/clients'.length), query, body).then(
				reply => send(reply.status, reply.value),
				(error: unknown) => bad(error instanceof Error ? error.message : String(error), 500),
			);
			return;
		}
		if (path === '/' && method === 'GET') {
			return send(200, {
				endpoints: [
					'GET /faults',
					'POST /faults {fault, params, durationMs?}',
					'DELETE /faults',
					'DELETE /faults/<id>',
					'GET /stats',
					'POST /market/trade {symbol, price, qty?}',
					'POST /balance {asset, delta, apiKey?}',
					'GET /api-keys',
					'POST /api-keys {apiKey, publicKey, account?}',
					'GET /clients',
					'POST /clients {label?, balances?}',
					'DELETE /clients/<id>',
					'GET /clients/<id>/activity?since=SEQ',
					'GET /clients/<id>/open-orders',
					'GET /clients/<id>/account',
					'POST /clients/<id>/cancel-all',
					'POST /clients/<id>/drop',
				],
			});
		}
		request.resume();
		bad(`unknown admin endpoint ${method} ${path.slice(0, 100)}`, 404);
	};
}
