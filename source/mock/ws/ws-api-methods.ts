import {ApiErrorWithData} from '../http/api-error-data.js';
import {ApiError} from '../http/errors.js';
import {refuseWhenHalted} from '../http/market-routes.js';
import {Params} from '../http/params.js';
import type {MockContext, OrderAck} from '../http/route.js';
import {routes} from '../http/route-table.js';
import {checkTiming, verifySignedParams, type KeyResolver, type WsApiError} from './ws-api-auth.js';

/**
 * WebSocket API methods and the REST route that serves each: one handler, two transports, so weights,
 * filters, limits and error codes are the same by construction. A method whose route does not exist
 * (yet) is not served.
 */
export const WS_API_ROUTES: Readonly<Record<string, string>> = {
	// market data
	exchangeInfo: 'GET /api/v3/exchangeInfo',
	depth: 'GET /api/v3/depth',
	'trades.recent': 'GET /api/v3/trades',
	'trades.historical': 'GET /api/v3/historicalTrades',
	'trades.aggregate': 'GET /api/v3/aggTrades',
	klines: 'GET /api/v3/klines',
	uiKlines: 'GET /api/v3/uiKlines',
	avgPrice: 'GET /api/v3/avgPrice',
	'ticker.24hr': 'GET /api/v3/ticker/24hr',
	'ticker.tradingDay': 'GET /api/v3/ticker/tradingDay',
	ticker: 'GET /api/v3/ticker',
	'ticker.price': 'GET /api/v3/ticker/price',
	'ticker.book': 'GET /api/v3/ticker/bookTicker',
	// trading
	'order.place': 'POST /api/v3/order',
	'order.test': 'POST /api/v3/order/test',
	'order.status': 'GET /api/v3/order',
	'order.cancel': 'DELETE /api/v3/order',
	'order.cancelReplace': 'POST /api/v3/order/cancelReplace',
	'order.amend.keepPriority': 'PUT /api/v3/order/amend/keepPriority',
	'openOrders.status': 'GET /api/v3/openOrders',
	'openOrders.cancelAll': 'DELETE /api/v3/openOrders',
	'orderList.place.oco': 'POST /api/v3/orderList/oco',
	'orderList.place.oto': 'POST /api/v3/orderList/oto',
	'orderList.place.otoco': 'POST /api/v3/orderList/otoco',
	'orderList.status': 'GET /api/v3/orderList',
	'orderList.cancel': 'DELETE /api/v3/orderList',
	'openOrderLists.status': 'GET /api/v3/openOrderList',
	allOrderLists: 'GET /api/v3/allOrderList',
	// account
	'account.status': 'GET /api/v3/account',
	'account.commission': 'GET /api/v3/account/commission',
	'account.rateLimits.orders': 'GET /api/v3/rateLimit/order',
	allOrders: 'GET /api/v3/allOrders',
	myTrades: 'GET /api/v3/myTrades',
};

/** The listenKey methods Binance withdrew on 2026-02-20; served only with the legacy option. */
const LEGACY_ROUTES: Readonly<Record<string, string>> = {
	'userDataStream.start': 'POST /api/v3/userDataStream',
	'userDataStream.ping': 'PUT /api/v3/userDataStream',
	'userDataStream.stop': 'DELETE /api/v3/userDataStream',
};

/** Names that authenticate a request; the route never reads them itself. */
const AUTH_PARAMS = ['apiKey', 'signature', 'timestamp', 'recvWindow'];

export type MethodOutcome = {result: unknown; rateLimits?: unknown[]} | {error: WsApiError; rateLimits?: unknown[]};

const apiError = (error: ApiError): {error: WsApiError} => ({
	error: {
		status: error.status,
		code: error.code,
		msg: error.msg,
		...(error instanceof ApiErrorWithData ? {data: error.data} : {}),
	},
});

/** JSON parameter values as REST would carry them: strings as sent, arrays and objects as JSON (e.g. `symbols`). */
function toParams(raw: Record<string, unknown>): Params {
	const search = new URLSearchParams();
	for (const [key, value] of Object.entries(raw)) {
		if (value === undefined || value === null) continue;
		search.append(key, typeof value === 'string' ? value : JSON.stringify(value));
	}
	return new Params(search.toString(), '');
}

/**
 * Serves the WebSocket API's market, trading and account methods of one connection by calling the
 * REST routes' handlers with the connection's IP (weights share the REST budget, as on Binance).
 */
export class WsApiGateway {
	constructor(
		private readonly ctx: MockContext,
		private readonly ip: string,
		private readonly resolve: KeyResolver,
	) {}

	routeKeyFor(method: string): string | undefined {
		const key = WS_API_ROUTES[method] ?? (this.ctx.legacyUserData ? LEGACY_ROUTES[method] : undefined);
		return key !== undefined && routes.has(key) ? key : undefined;
	}

	/** Methods served on this connection, for the unknown-method message. */
	methods(): string[] {
		return Object.keys({...WS_API_ROUTES, ...(this.ctx.legacyUserData ? LEGACY_ROUTES : {})}).filter(
			m => this.routeKeyFor(m) !== undefined,
		);
	}

	/** `sessionAccount`: the account a `session.logon` authenticated, used when the request carries no apiKey. */
	call(method: string, raw: Record<string, unknown>, sessionAccount: string | undefined): MethodOutcome {
		const routeKey = this.routeKeyFor(method)!;
		const route = routes.get(routeKey)!;
		const space = routeKey.indexOf(' ');
		const ctx = this.ctx;
		let params: Params;
		try {
			params = toParams(raw);
		} catch (error) {
			if (error instanceof ApiError) return apiError(error);
			throw error;
		}
		let weight: number;
		try {
			weight = typeof route.weight === 'number' ? route.weight : route.weight(params);
		} catch {
			weight = 1;
		}
		const now = ctx.now();
		const path = routeKey.slice(space + 1);
		// A client's port attributes WebSocket API requests as it does REST ones.
		const observer = ctx.observer;
		if (observer) observer.request(path, Date.now());
		const verdict = ctx.limiter.charge(this.ip, weight, now);
		if (observer && verdict.kind === 'ok') observer.charged(verdict.used, Date.now());
		const limits: unknown[] = [
			{
				rateLimitType: 'REQUEST_WEIGHT',
				interval: 'MINUTE',
				intervalNum: 1,
				limit: ctx.limiter.options.weightPerWindow,
				count: verdict.used,
			},
		];
		if (verdict.kind === 'banned') {
			return {
				error: {
					status: 418,
					code: -1003,
					msg: `Way too much request weight used; IP banned until ${verdict.until}. Please use WebSocket Streams for live updates to avoid bans.`,
				},
				rateLimits: limits,
			};
		}
		if (verdict.kind === 'limited') {
			return {
				error: {
					status: 429,
					code: -1003,
					msg: `Too much request weight used; current limit is ${ctx.limiter.options.weightPerWindow} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
				},
				rateLimits: limits,
			};
		}
		try {
			let account = '';
			if (route.security !== 'NONE') {
				const auth = this.authenticate(raw, route.security === 'SIGNED', sessionAccount, now);
				if ('error' in auth) return {...auth, rateLimits: limits};
				account = auth.account;
				for (const name of AUTH_PARAMS) params.raw(name);
			}
			if (route.order) {
				const counted = ctx.orders.count(account, ctx.now());
				limits.push(
					{
						rateLimitType: 'ORDERS',
						interval: 'SECOND',
						intervalNum: 10,
						limit: ctx.orders.per10s,
						count: counted.count10s,
					},
					{rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: ctx.orders.perDay, count: counted.countDay},
				);
				if (counted.exceeded) {
					const limit =
						counted.exceeded === '10s'
							? `${ctx.orders.per10s} orders per 10 SECOND`
							: `${ctx.orders.perDay} orders per 1 DAY`;
					return {
						error: {status: 429, code: -1015, msg: `Too many new orders; current limit is ${limit}.`},
						rateLimits: limits,
					};
				}
			}
			const startedAt = performance.now();
			let reply;
			try {
				// A halted symbol refuses orders on this transport too (REST does the same in rest-server).
				if (route.order) refuseWhenHalted(ctx, params.raw('symbol'));
				reply = route.handle(ctx, {method: routeKey.slice(0, space), path, params, apiKey: account, ip: this.ip});
			} catch (error) {
				if (observer && route.order && error instanceof ApiError)
					this.observeOrder(raw, account, startedAt, undefined, error.code);
				throw error;
			}
			if (observer && route.order) this.observeOrder(raw, account, startedAt, reply.order);
			if (route.security === 'NONE') params.checkAllRead();
			const body: unknown = JSON.parse(reply.body);
			if ((reply.status ?? 200) >= 400) {
				const e = body as {code: number; msg: string};
				return {error: {status: reply.status!, code: e.code, msg: e.msg}, rateLimits: limits};
			}
			return {result: body, rateLimits: limits};
		} catch (error) {
			if (error instanceof ApiError) return {...apiError(error), rateLimits: limits};
			throw error;
		}
	}

	private observeOrder(
		raw: Record<string, unknown>,
		account: string,
		startedAt: number,
		order: {status: string; clientOrderId: string} | undefined,
		code?: number,
	): void {
		const text = (name: string) => (typeof raw[name] === 'string' ? raw[name] : undefined);
		const sent = text('newClientOrderId');
		const ack: OrderAck = {
			status: order?.status ?? 'REJECTED',
			side: text('side') ?? '',
			type: text('type') ?? '',
			clientOrderId: order?.clientOrderId ?? sent ?? '',
			latencyMs: performance.now() - startedAt,
			count10s: this.ctx.orders.current(account, this.ctx.now()).count10s,
		};
		if (sent !== undefined) ack.sentClientOrderId = sent;
		if (code !== undefined) ack.code = code;
		this.ctx.observer?.order(ack, Date.now());
	}

	/** A signature in the request wins; otherwise the logged-on session's key (the timestamp is still required). */
	private authenticate(
		raw: Record<string, unknown>,
		signed: boolean,
		sessionAccount: string | undefined,
		now: number,
	): {account: string} | {error: WsApiError} {
		const explicit = raw['apiKey'] !== undefined || raw['signature'] !== undefined;
		if (!explicit && sessionAccount !== undefined) {
			if (!signed) return {account: sessionAccount};
			const timing = checkTiming(raw, now);
			return timing ? {error: timing} : {account: sessionAccount};
		}
		if (!signed) {
			// USER_STREAM-style methods: the key alone.
			const apiKey = raw['apiKey'];
			if (typeof apiKey !== 'string' || apiKey === '')
				return {
					error: {
						status: 400,
						code: -1102,
						msg: "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed.",
					},
				};
			const key = this.resolve(apiKey);
			return key
				? {account: key.account}
				: {error: {status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.'}};
		}
		const auth = verifySignedParams(raw, this.resolve, now);
		return auth.ok ? {account: auth.account} : {error: auth.error};
	}
}
