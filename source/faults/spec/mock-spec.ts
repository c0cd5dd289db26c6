/**
 * The mock's fault specs: what each kind the mock's own fault controls take, and the validation of an
 * admin request body (POST {admin}/faults). A pure leaf of the fault vocabulary: the mock parses its
 * admin requests with it, and the chaos schema checks a timeline's parameters with it before a run, so
 * the mock is never imported outside its composition root.
 */
import {MOCK_FAULT_KINDS, type MockFaultKind} from './kinds.js';

/** Every fault the mock can inject, by the name the admin API takes. */
export const FAULT_NAMES = MOCK_FAULT_KINDS;
export type FaultName = MockFaultKind;

/**
 * What each fault takes. `route` matches a REST path ("/api/v3/order"), a method and path
 * ("POST /api/v3/order"), or a prefix ending in "*" ("/api/v3/ticker*"); absent = every route.
 */
export interface FaultParams {
	/** Adds `ms` (+ uniform 0..jitterMs) before the response. */
	latency: {ms: number; jitterMs?: number; route?: string};
	/** Answers with HTTP `status` (default 503, any 5xx) with this probability (0..1). */
	'error-rate': {probability: number; status?: number; route?: string};
	/** Every REST request (with this probability, default 1) gets 429 with Retry-After. */
	'rate-limit-storm': {retryAfterSec?: number; probability?: number};
	/** Closes every WebSocket connection at once (and keeps closing new ones while it lasts, if given a duration). */
	'drop-websockets': Record<string, never>;
	/** WebSocket connections stay open but receive no data. */
	'stall-streams': Record<string, never>;
	/** The server clock runs `ms` ahead (negative: behind): serverTime, event times, recvWindow checks. */
	'clock-skew': {ms: number};
	/** No price moves, trades or book updates. */
	'pause-market': Record<string, never>;
}

/** A fault to inject; faults without parameters may leave `params` out. */
export type FaultSpec = {
	[K in FaultName]: FaultParams[K] extends Record<string, never>
		? {fault: K; params?: FaultParams[K]; durationMs?: number}
		: {fault: K; params: FaultParams[K]; durationMs?: number};
}[FaultName];

export type ParseResult = {ok: true; spec: FaultSpec} | {ok: false; message: string};

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Validates an admin request body `{fault, params?, durationMs?}` into a FaultSpec, with a message
 * naming the offending field when it is not one.
 */
export function parseMockFaultSpec(body: unknown): ParseResult {
	if (typeof body !== 'object' || body === null || Array.isArray(body))
		return {ok: false, message: 'body must be a JSON object {fault, params, durationMs?}'};
	const fields = body as Record<string, unknown>;
	// `type` is accepted as another name for `fault`.
	const {params = {}, durationMs} = fields;
	const fault = fields.fault ?? fields.type;
	if (typeof fault !== 'string' || !(FAULT_NAMES as readonly string[]).includes(fault)) {
		return {ok: false, message: `"fault" must be one of ${FAULT_NAMES.join(', ')}`};
	}
	if (durationMs !== undefined && (!num(durationMs) || durationMs <= 0 || durationMs > 7 * 86_400_000)) {
		return {ok: false, message: '"durationMs" must be a positive number of milliseconds (at most 7 days)'};
	}
	if (typeof params !== 'object' || params === null || Array.isArray(params))
		return {ok: false, message: '"params" must be an object'};
	const p = params as Record<string, unknown>;
	const route = p.route;
	if (route !== undefined && (typeof route !== 'string' || route.length === 0 || route.length > 200))
		return {ok: false, message: '"params.route" must be a non-empty string'};
	const base = durationMs === undefined ? {} : {durationMs};
	switch (fault as FaultName) {
		case 'latency': {
			if (!num(p.ms) || p.ms < 0 || p.ms > 600_000)
				return {ok: false, message: '"params.ms" must be a number of milliseconds between 0 and 600000'};
			if (p.jitterMs !== undefined && (!num(p.jitterMs) || p.jitterMs < 0 || p.jitterMs > 600_000))
				return {ok: false, message: '"params.jitterMs" must be between 0 and 600000'};
			return {
				ok: true,
				spec: {
					fault: 'latency',
					params: {
						ms: p.ms,
						...(p.jitterMs === undefined ? {} : {jitterMs: p.jitterMs}),
						...(route === undefined ? {} : {route: route}),
					},
					...base,
				},
			};
		}
		case 'error-rate': {
			if (!num(p.probability) || p.probability < 0 || p.probability > 1)
				return {ok: false, message: '"params.probability" must be a number between 0 and 1'};
			if (p.status !== undefined && (!num(p.status) || !Number.isInteger(p.status) || p.status < 500 || p.status > 599))
				return {ok: false, message: '"params.status" must be an HTTP 5xx status'};
			return {
				ok: true,
				spec: {
					fault: 'error-rate',
					params: {
						probability: p.probability,
						...(p.status === undefined ? {} : {status: p.status}),
						...(route === undefined ? {} : {route: route}),
					},
					...base,
				},
			};
		}
		case 'rate-limit-storm': {
			if (p.retryAfterSec !== undefined && (!num(p.retryAfterSec) || p.retryAfterSec < 0 || p.retryAfterSec > 86_400))
				return {ok: false, message: '"params.retryAfterSec" must be between 0 and 86400'};
			if (p.probability !== undefined && (!num(p.probability) || p.probability < 0 || p.probability > 1))
				return {ok: false, message: '"params.probability" must be a number between 0 and 1'};
			return {
				ok: true,
				spec: {
					fault: 'rate-limit-storm',
					params: {
						...(p.retryAfterSec === undefined ? {} : {retryAfterSec: p.retryAfterSec}),
						...(p.probability === undefined ? {} : {probability: p.probability}),
					},
					...base,
				},
			};
		}
		case 'clock-skew': {
			if (!num(p.ms) || Math.abs(p.ms) > 86_400_000)
				return {ok: false, message: '"params.ms" must be a number of milliseconds within ±86400000'};
			return {ok: true, spec: {fault: 'clock-skew', params: {ms: p.ms}, ...base}};
		}
		case 'drop-websockets':
		case 'stall-streams':
		case 'pause-market':
			return {ok: true, spec: {fault: fault as 'pause-market', params: {}, ...base}};
	}
}
