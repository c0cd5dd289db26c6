import type {ListenKeyRegistry} from '../contracts.js';
import type {FaultController} from '../faults/index.js';
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
	limiter: WeightLimiter;
	orders: OrderCounter;
	stats: RequestStats;
	/** Set once the WebSocket layer is mounted. */
	listenKeys?: ListenKeyRegistry;
	/** Server clock in ms (wall clock + clock-skew fault). */
	now(): number;
	enableWithdrawals: boolean;
	uid: number;
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
	headers?: Record<string, string>;
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
