import type {StreamFaults, Unsubscribe} from '../contracts.js';

/** Every fault the mock can inject, by the name the admin API takes. */
export const FAULT_NAMES = ['latency', 'error-rate', 'rate-limit-storm', 'drop-websockets', 'stall-streams', 'clock-skew', 'pause-market'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

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
	[K in FaultName]: FaultParams[K] extends Record<string, never> ? {fault: K; params?: FaultParams[K]; durationMs?: number} : {fault: K; params: FaultParams[K]; durationMs?: number};
}[FaultName];

export interface ActiveFault {
	id: string;
	fault: FaultName;
	params: Record<string, unknown>;
	startedAt: number;
	/** null: until cleared. */
	expiresAt: number | null;
}

export type ParseResult = {ok: true; spec: FaultSpec} | {ok: false; message: string};

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Validates an admin request body `{fault, params?, durationMs?}` into a FaultSpec, with a message
 * naming the offending field when it is not one.
 */
export function parseFaultSpec(body: unknown): ParseResult {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return {ok: false, message: 'body must be a JSON object {fault, params, durationMs?}'};
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
	if (typeof params !== 'object' || params === null || Array.isArray(params)) return {ok: false, message: '"params" must be an object'};
	const p = params as Record<string, unknown>;
	const route = p.route;
	if (route !== undefined && (typeof route !== 'string' || route.length === 0 || route.length > 200)) return {ok: false, message: '"params.route" must be a non-empty string'};
	const base = durationMs === undefined ? {} : {durationMs};
	switch (fault as FaultName) {
		case 'latency': {
			if (!num(p.ms) || p.ms < 0 || p.ms > 600_000) return {ok: false, message: '"params.ms" must be a number of milliseconds between 0 and 600000'};
			if (p.jitterMs !== undefined && (!num(p.jitterMs) || p.jitterMs < 0 || p.jitterMs > 600_000)) return {ok: false, message: '"params.jitterMs" must be between 0 and 600000'};
			return {ok: true, spec: {fault: 'latency', params: {ms: p.ms, ...(p.jitterMs === undefined ? {} : {jitterMs: p.jitterMs as number}), ...(route === undefined ? {} : {route: route as string})}, ...base}};
		}
		case 'error-rate': {
			if (!num(p.probability) || p.probability < 0 || p.probability > 1) return {ok: false, message: '"params.probability" must be a number between 0 and 1'};
			if (p.status !== undefined && (!num(p.status) || !Number.isInteger(p.status) || p.status < 500 || p.status > 599)) return {ok: false, message: '"params.status" must be an HTTP 5xx status'};
			return {ok: true, spec: {fault: 'error-rate', params: {probability: p.probability, ...(p.status === undefined ? {} : {status: p.status as number}), ...(route === undefined ? {} : {route: route as string})}, ...base}};
		}
		case 'rate-limit-storm': {
			if (p.retryAfterSec !== undefined && (!num(p.retryAfterSec) || p.retryAfterSec < 0 || p.retryAfterSec > 86_400)) return {ok: false, message: '"params.retryAfterSec" must be between 0 and 86400'};
			if (p.probability !== undefined && (!num(p.probability) || p.probability < 0 || p.probability > 1)) return {ok: false, message: '"params.probability" must be a number between 0 and 1'};
			return {
				ok: true,
				spec: {fault: 'rate-limit-storm', params: {...(p.retryAfterSec === undefined ? {} : {retryAfterSec: p.retryAfterSec as number}), ...(p.probability === undefined ? {} : {probability: p.probability as number})}, ...base},
			};
		}
		case 'clock-skew': {
			if (!num(p.ms) || Math.abs(p.ms) > 86_400_000) return {ok: false, message: '"params.ms" must be a number of milliseconds within ±86400000'};
			return {ok: true, spec: {fault: 'clock-skew', params: {ms: p.ms}, ...base}};
		}
		case 'drop-websockets':
		case 'stall-streams':
		case 'pause-market':
			return {ok: true, spec: {fault: fault as 'pause-market', params: {}, ...base}};
	}
}

interface Entry extends ActiveFault {
	spec: FaultSpec;
	timer?: NodeJS.Timeout;
}

/**
 * The mock's fault switchboard. The REST path asks it per request (cheap when nothing is active),
 * the market and the WebSocket layer obey it. Faults end when cleared, removed or their duration
 * runs out.
 */
export class FaultController implements StreamFaults {
	private entries: Entry[] = [];
	private nextId = 1;
	private readonly dropListeners = new Set<() => void>();
	private readonly changeListeners = new Set<() => void>();

	/** Adds a fault; returns it as listed by GET {admin}/faults. */
	inject(spec: FaultSpec): ActiveFault {
		const now = Date.now();
		const entry: Entry = {
			id: `f${this.nextId++}`,
			fault: spec.fault,
			params: {...(spec.params ?? {})},
			startedAt: now,
			expiresAt: spec.durationMs === undefined ? null : now + spec.durationMs,
			spec,
		};
		if (spec.fault === 'drop-websockets') {
			this.fireDrop();
			// One-shot unless it has a duration: then new connections keep being dropped until it ends.
			if (spec.durationMs === undefined) return this.view(entry);
			entry.timer = setInterval(() => this.fireDrop(), 200);
			entry.timer.unref();
			setTimeout(() => this.remove(entry.id), spec.durationMs).unref();
		} else if (spec.durationMs !== undefined) {
			entry.timer = setTimeout(() => this.remove(entry.id), spec.durationMs);
			entry.timer.unref();
		}
		this.entries.push(entry);
		this.changed();
		return this.view(entry);
	}

	remove(id: string): boolean {
		const entry = this.entries.find((e) => e.id === id);
		if (!entry) return false;
		if (entry.timer) clearTimeout(entry.timer);
		this.entries = this.entries.filter((e) => e !== entry);
		this.changed();
		return true;
	}

	clear(): number {
		const n = this.entries.length;
		for (const e of this.entries) if (e.timer) clearTimeout(e.timer);
		this.entries = [];
		if (n > 0) this.changed();
		return n;
	}

	list(): ActiveFault[] {
		return this.active().map((e) => this.view(e));
	}

	/** Added delay for a request, in ms (0 when no latency fault matches). */
	latencyFor(method: string, path: string): number {
		if (this.entries.length === 0) return 0;
		let ms = 0;
		for (const e of this.active()) {
			if (e.spec.fault !== 'latency' || !routeMatches(e.spec.params.route, method, path)) continue;
			ms += e.spec.params.ms + Math.random() * (e.spec.params.jitterMs ?? 0);
		}
		return ms;
	}

	/** The 5xx status to answer with, if an error-rate fault fires for this request. */
	errorFor(method: string, path: string): number | undefined {
		if (this.entries.length === 0) return undefined;
		for (const e of this.active()) {
			if (e.spec.fault !== 'error-rate' || !routeMatches(e.spec.params.route, method, path)) continue;
			if (Math.random() < e.spec.params.probability) return e.spec.params.status ?? 503;
		}
		return undefined;
	}

	/** Retry-After seconds when a rate-limit storm forces this request to 429. */
	stormRetryAfter(): number | undefined {
		if (this.entries.length === 0) return undefined;
		for (const e of this.active()) {
			if (e.spec.fault !== 'rate-limit-storm') continue;
			if (Math.random() < (e.spec.params.probability ?? 1)) return e.spec.params.retryAfterSec ?? 1;
		}
		return undefined;
	}

	clockSkewMs(): number {
		if (this.entries.length === 0) return 0;
		let ms = 0;
		for (const e of this.active()) if (e.spec.fault === 'clock-skew') ms += e.spec.params.ms;
		return ms;
	}

	marketPaused(): boolean {
		return this.has('pause-market');
	}

	streamsStalled(): boolean {
		return this.has('stall-streams');
	}

	onDropWebSockets(listener: () => void): Unsubscribe {
		this.dropListeners.add(listener);
		return () => this.dropListeners.delete(listener);
	}

	/** Called whenever the set of active faults changes (the market watches pause-market through it). */
	onChange(listener: () => void): Unsubscribe {
		this.changeListeners.add(listener);
		return () => this.changeListeners.delete(listener);
	}

	private has(name: FaultName): boolean {
		if (this.entries.length === 0) return false;
		return this.active().some((e) => e.fault === name);
	}

	/** Entries whose time has not run out (timers remove them too; this covers a busy event loop). */
	private active(): Entry[] {
		const now = Date.now();
		if (this.entries.some((e) => e.expiresAt !== null && e.expiresAt <= now)) {
			for (const e of this.entries) if (e.expiresAt !== null && e.expiresAt <= now && e.timer) clearTimeout(e.timer);
			this.entries = this.entries.filter((e) => e.expiresAt === null || e.expiresAt > now);
			this.changed();
		}
		return this.entries;
	}

	private view(e: Entry): ActiveFault {
		return {id: e.id, fault: e.fault, params: e.params, startedAt: e.startedAt, expiresAt: e.expiresAt};
	}

	private fireDrop(): void {
		for (const listener of this.dropListeners) {
			try {
				listener();
			} catch {
				// One broken listener must not keep the others from dropping their sockets.
			}
		}
	}

	private changed(): void {
		for (const listener of this.changeListeners) listener();
	}
}

function routeMatches(route: string | undefined, method: string, path: string): boolean {
	if (route === undefined) return true;
	const space = route.indexOf(' ');
	let target = route;
	if (space > 0) {
		if (route.slice(0, space).toUpperCase() !== method) return false;
		target = route.slice(space + 1);
	}
	return target.endsWith('*') ? path.startsWith(target.slice(0, -1)) : path === target;
}
