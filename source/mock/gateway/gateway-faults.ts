import {FaultController, FAULT_NAMES, parseFaultSpec, type ActiveFault, type FaultSpec} from '../faults/index.js';
import type {Unsubscribe} from '../contracts.js';

/**
 * Faults a gateway can apply in front of a real venue: it forges answers and cuts or silences sockets; it
 * cannot move the venue's market or clock. connection-reset and timeout take the fault proxy's parameters
 * (source/net/proxy-faults.ts), so a chaos timeline drives the gateway as it drives the proxy.
 */
export const GATEWAY_FAULT_NAMES = [
	'latency',
	'error-rate',
	'rate-limit-storm',
	'connection-reset',
	'timeout',
	'drop-websockets',
	'stall-streams',
] as const;
export type GatewayFaultName = (typeof GATEWAY_FAULT_NAMES)[number];

/** Which connections a connection fault touches: REST requests, WebSockets, or both (default). */
export type ConnectionScope = 'all' | 'rest' | 'streams';

/**
 * `connection-reset`: a REST request's connection is destroyed without an answer, a WebSocket cut (once per
 * connection); `timeout`: the request gets no answer while the fault lasts, a WebSocket goes silent both ways.
 * Each with this probability (default 1); `route` narrows REST as the mock's faults do (and alone means scope rest).
 */
export interface ConnectionFaultSpec {
	fault: 'connection-reset' | 'timeout';
	params?: {probability?: number; scope?: ConnectionScope; route?: string};
	durationMs?: number;
}

export type GatewayFaultSpec = FaultSpec | ConnectionFaultSpec;
/** A fault as GET /__drydock/faults lists it on the gateway. */
export type GatewayActiveFault = Omit<ActiveFault, 'fault'> & {
	fault: ActiveFault['fault'] | ConnectionFaultSpec['fault'];
};
export type GatewayParseResult = {ok: true; spec: GatewayFaultSpec} | {ok: false; message: string};

export type ConnectionAction = 'reset' | 'blackhole';

interface ConnectionEntry {
	view: GatewayActiveFault;
	action: ConnectionAction;
	probability: number;
	scope: ConnectionScope;
	route: string | undefined;
	timer?: NodeJS.Timeout;
}

const SCOPES: readonly ConnectionScope[] = ['all', 'rest', 'streams'];

/**
 * Validates an admin body `{fault, params?, durationMs?}` for the gateway: the mock's faults it can apply
 * plus connection-reset and timeout; clock-skew and pause-market are refused with the reason.
 */
export function parseGatewayFault(body: unknown): GatewayParseResult {
	const fields =
		typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
	const name = fields?.fault ?? fields?.type;
	if ((name === 'connection-reset' || name === 'timeout') && fields) {
		const {params = {}, durationMs} = fields;
		if (
			durationMs !== undefined &&
			(typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0 || durationMs > 7 * 86_400_000)
		) {
			return {ok: false, message: '"durationMs" must be a positive number of milliseconds (at most 7 days)'};
		}
		if (typeof params !== 'object' || params === null || Array.isArray(params))
			return {ok: false, message: '"params" must be an object'};
		const {probability, route, scope} = params as Record<string, unknown>;
		if (probability !== undefined && (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)))
			return {ok: false, message: '"params.probability" must be a number between 0 and 1'};
		if (route !== undefined && (typeof route !== 'string' || route.length === 0 || route.length > 200))
			return {ok: false, message: '"params.route" must be a non-empty string'};
		if (scope !== undefined && !SCOPES.includes(scope as ConnectionScope))
			return {ok: false, message: `"params.scope" must be one of ${SCOPES.join(', ')}`};
		const spec: ConnectionFaultSpec = {
			fault: name,
			params: {
				...(probability === undefined ? {} : {probability}),
				...(route === undefined ? {} : {route}),
				...(scope === undefined ? {} : {scope: scope as ConnectionScope}),
			},
		};
		if (durationMs !== undefined) spec.durationMs = durationMs;
		return {ok: true, spec};
	}
	if (
		typeof name === 'string' &&
		(FAULT_NAMES as readonly string[]).includes(name) &&
		!(GATEWAY_FAULT_NAMES as readonly string[]).includes(name)
	) {
		return {
			ok: false,
			message: `"${name}" cannot be applied in front of a real venue; the gateway takes ${GATEWAY_FAULT_NAMES.join(', ')}`,
		};
	}
	const parsed = parseFaultSpec(body);
	if (!parsed.ok && typeof name === 'string' && !(FAULT_NAMES as readonly string[]).includes(name))
		return {ok: false, message: `"fault" must be one of ${GATEWAY_FAULT_NAMES.join(', ')}`};
	return parsed;
}

/**
 * The gateway's fault switchboard: the mock's FaultController for the faults both share (same decisions,
 * same admin shapes) plus the connection faults, which only a front can do to a venue it does not own.
 */
export class GatewayFaults {
	readonly controller = new FaultController();
	private connectionFaults: ConnectionEntry[] = [];
	private nextId = 1;
	/** Per WebSocket connection, the connection faults already rolled for it (once per connection and fault). */
	private readonly rolled = new WeakMap<object, Map<string, boolean>>();
	private readonly injectedListeners = new Set<() => void>();
	private readonly endedListeners = new Set<() => void>();

	/** Injects a fault; `durationMs` here overrides the spec's. */
	inject(spec: GatewayFaultSpec, durationMs?: number): GatewayActiveFault {
		const timed = durationMs === undefined ? spec : {...spec, durationMs};
		if (!isConnectionFault(timed)) return this.controller.inject(timed);
		const now = Date.now();
		const view: GatewayActiveFault = {
			id: `g${this.nextId++}`,
			fault: timed.fault,
			params: {...(timed.params ?? {})},
			startedAt: now,
			expiresAt: timed.durationMs === undefined ? null : now + timed.durationMs,
		};
		const entry: ConnectionEntry = {
			view,
			action: timed.fault === 'timeout' ? 'blackhole' : 'reset',
			probability: timed.params?.probability ?? 1,
			scope: timed.params?.scope ?? (timed.params?.route === undefined ? 'all' : 'rest'),
			route: timed.params?.route,
		};
		if (timed.durationMs !== undefined) {
			entry.timer = setTimeout(() => this.remove(view.id), timed.durationMs);
			entry.timer.unref();
		}
		this.connectionFaults.push(entry);
		for (const listener of this.injectedListeners) listener();
		return view;
	}

	remove(id: string): boolean {
		const entry = this.connectionFaults.find(e => e.view.id === id);
		if (!entry) return this.controller.remove(id);
		if (entry.timer) clearTimeout(entry.timer);
		this.connectionFaults = this.connectionFaults.filter(e => e !== entry);
		this.ended();
		return true;
	}

	clear(): number {
		for (const e of this.connectionFaults) if (e.timer) clearTimeout(e.timer);
		const n = this.connectionFaults.length;
		this.connectionFaults = [];
		if (n > 0) this.ended();
		return n + this.controller.clear();
	}

	list(): GatewayActiveFault[] {
		return [...this.controller.list(), ...this.active().map(e => e.view)];
	}

	/** What a connection fault does to this REST request, if one fires for it. */
	restAction(method: string, path: string): ConnectionAction | undefined {
		if (this.connectionFaults.length === 0) return undefined;
		for (const e of this.active()) {
			if (e.scope === 'streams' || !routeMatches(e.route, method, path)) continue;
			if (Math.random() < e.probability) return e.action;
		}
		return undefined;
	}

	/** What a connection fault does to this WebSocket connection: rolled once per connection and fault. */
	streamAction(connection: object): ConnectionAction | undefined {
		if (this.connectionFaults.length === 0) return undefined;
		let rolls = this.rolled.get(connection);
		if (!rolls) {
			rolls = new Map();
			this.rolled.set(connection, rolls);
		}
		let action: ConnectionAction | undefined;
		for (const e of this.active()) {
			if (e.scope === 'rest') continue;
			let hit = rolls.get(e.view.id);
			if (hit === undefined) {
				hit = Math.random() < e.probability;
				rolls.set(e.view.id, hit);
			}
			// A reset outranks a silence: the connection is gone either way.
			if (hit && (action === undefined || e.action === 'reset')) action = e.action;
		}
		return action;
	}

	/** Called when a connection fault is injected (the relay then judges its open connections). */
	onConnectionFault(listener: () => void): Unsubscribe {
		this.injectedListeners.add(listener);
		return () => this.injectedListeners.delete(listener);
	}

	/** Resolves when the connection faults in force now have all ended (a held request is let go then). */
	whenConnectionFaultsEnd(): Promise<void> {
		if (this.active().length === 0) return Promise.resolve();
		return new Promise(resolve => {
			const check = (): void => {
				if (this.active().length > 0) return;
				this.endedListeners.delete(check);
				resolve();
			};
			this.endedListeners.add(check);
		});
	}

	latencyFor(method: string, path: string): number {
		return this.controller.latencyFor(method, path);
	}

	errorFor(method: string, path: string): number | undefined {
		return this.controller.errorFor(method, path);
	}

	stormRetryAfter(): number | undefined {
		return this.controller.stormRetryAfter();
	}

	streamsStalled(): boolean {
		return this.controller.streamsStalled();
	}

	onDropWebSockets(listener: () => void): Unsubscribe {
		return this.controller.onDropWebSockets(listener);
	}

	/** Entries whose time has not run out (timers remove them too; this covers a busy event loop). */
	private active(): ConnectionEntry[] {
		const now = Date.now();
		if (this.connectionFaults.some(e => e.view.expiresAt !== null && e.view.expiresAt <= now)) {
			for (const e of this.connectionFaults)
				if (e.view.expiresAt !== null && e.view.expiresAt <= now && e.timer) clearTimeout(e.timer);
			this.connectionFaults = this.connectionFaults.filter(e => e.view.expiresAt === null || e.view.expiresAt > now);
			this.ended();
		}
		return this.connectionFaults;
	}

	private ended(): void {
		for (const listener of [...this.endedListeners]) listener();
	}
}

function isConnectionFault(spec: GatewayFaultSpec): spec is ConnectionFaultSpec {
	return spec.fault === 'connection-reset' || spec.fault === 'timeout';
}

/** The mock's route syntax: "/api/v3/order", "POST /api/v3/order" or a prefix ending in "*". */
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
