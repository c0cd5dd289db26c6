import type {ApiKeyBook} from '../api-keys.js';
import type {ListenKeyRegistry} from '../contracts.js';
import type {FaultController} from '../faults/index.js';
import type {SharedBody} from '../market/shared-body.js';
import type {MarketSimulator} from '../market/simulator.js';
import type {MatchingEngine} from '../matching/index.js';
import type {Params} from './params.js';
import type {OrderCounter, WeightLimiter} from './rate-limits.js';
import type {RequestStats} from './stats.js';

/** Everything a REST handler may touch. */
export interface MockContext {
	market: MarketSimulator;
	engine: MatchingEngine;
	faults: FaultController;
	/** API key → secret. */
	credentials: Map<string, string>;
	/** RSA and Ed25519 keys registered beside the HMAC `credentials` (absent: HMAC keys only). */
	keys?: ApiKeyBook;
	/** Serve the listenKey flow Binance withdrew on 2026-02-20 (`drydock mock --legacy-user-data`). */
	legacyUserData?: boolean;
	limiter: WeightLimiter;
	orders: OrderCounter;
	stats: RequestStats;
	/** Set once the WebSocket layer is mounted. */
	listenKeys?: ListenKeyRegistry;
	/** Server clock in ms (wall clock + clock-skew fault). */
	now(): number;
	enableWithdrawals: boolean;
	uid: number;
	/** Set on a client's listener: attribution of everything arriving there (absent on drydock's own port). */
	observer?: RestObserver;
}

/** An order placement as served, for attribution: accepted (no code) or rejected with its Binance code. */
export interface OrderAck {
	status: string;
	side: string;
	type: string;
	code?: number;
	clientOrderId: string;
	/** The newClientOrderId the client sent, if any (the engine's own ids are never duplicates). */
	sentClientOrderId?: string;
	latencyMs: number;
	/** Orders counted in the current 10 s bucket after this one. */
	count10s: number;
}

/** What a listener tells its client's activity; every call is a counter update or one ring entry. */
export interface RestObserver {
	request(path: string, now: number): void;
	/** Weight charged: `used` is the window's total after this request. */
	charged(used: number, now: number): void;
	/** A 429 or 418 told the client to wait `retryAfterSec`. */
	throttled(
		kind: 'limited' | 'banned',
		retryAfterSec: number,
		until: number | undefined,
		path: string,
		now: number,
	): void;
	/** Any answer with status ≥ 400. */
	answered(status: number, body: string, path: string, now: number): void;
	order(ack: OrderAck, now: number): void;
}

export interface ApiRequest {
	method: string;
	path: string;
	params: Params;
	/** The verified key for SIGNED and API-key routes. */
	apiKey: string;
	ip: string;
}

export interface Reply {
	status?: number;
	/** Already-serialised JSON. */
	body: string;
	/** The same JSON pre-encoded and shared between requests (see wire-body.ts): REST sends these bytes. */
	shared?: SharedBody;
	headers?: Record<string, string>;
	/** Set by order placement: what the ack said, for attribution. */
	order?: {status: string; clientOrderId: string};
}

export type Security = 'NONE' | 'API_KEY' | 'SIGNED';

export interface Route {
	security: Security;
	/** Request weight; may depend on parameters (e.g. depth limit). */
	weight: number | ((params: Params) => number);
	/** Counts toward the ORDERS limits and carries the order-count headers. */
	order?: boolean;
	handle(ctx: MockContext, request: ApiRequest): Reply;
}
