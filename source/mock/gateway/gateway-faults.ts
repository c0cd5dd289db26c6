import {FaultController, FAULT_NAMES, parseFaultSpec, type ActiveFault, type FaultSpec} from '../faults/index.js';
import type {Unsubscribe} from '../contracts.js';

/** Faults a gateway can apply in front of a real venue: it forges answers and cuts sockets, it cannot move the venue's market or clock. */
export const GATEWAY_FAULT_NAMES = ['latency', 'error-rate', 'rate-limit-storm', 'connection-reset', 'drop-websockets', 'stall-streams'] as const;
export type GatewayFaultName = (typeof GATEWAY_FAULT_NAMES)[number];

/** `connection-reset`: the SUT's REST connection is destroyed without an answer, with this probability (default 1). */
export interface ConnectionResetSpec {
	fault: 'connection-reset';
	params?: {probability?: number; route?: string};
	durationMs?: number;
}

export type GatewayFaultSpec = FaultSpec | ConnectionResetSpec;
/** A fault as GET /__drydock/faults lists it on the gateway. */
export type GatewayActiveFault = Omit<ActiveFault, 'fault'> & {fault: ActiveFault['fault'] | 'connection-reset'};
export type GatewayParseResult = {ok: true; spec: GatewayFaultSpec} | {ok: false; message: string};

interface ResetEntry {
	view: GatewayActiveFault;
	probability: number;
	route: string | undefined;
	timer?: NodeJS.Timeout;
}

/**
 * Validates an admin body `{fault, params?, durationMs?}` for the gateway: the mock's faults it can apply
 * plus connection-reset; clock-skew and pause-market are refused with the reason.
 */
export function parseGatewayFault(body: unknown): GatewayParseResult {
	const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
	const name = fields?.fault ?? fields?.type;
	if (name === 'connection-reset' && fields) {
		const {params = {}, durationMs} = fields;
		if (durationMs !== undefined && (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0 || durationMs > 7 * 86_400_000)) {
			return {ok: false, message: '"durationMs" must be a positive number of milliseconds (at most 7 days)'};
		}
		if (typeof params !== 'object' || params === null || Array.isArray(params)) return {ok: false, message: '"params" must be an object'};
		const {probability, route} = params as Record<string, unknown>;
		if (probability !== undefined && (typeof probability !== 'number' || !(probability >= 0 && probability <= 1))) return {ok: false, message: '"params.probability" must be a number between 0 and 1'};
		if (route !== undefined && (typeof route !== 'string' || route.length === 0 || route.length > 200)) return {ok: false, message: '"params.route" must be a non-empty string'};
		const spec: ConnectionResetSpec = {fault: 'connection-reset', params: {...(probability === undefined ? {} : {probability}), ...(route === undefined ? {} : {route})}};
		if (durationMs !== undefined) spec.durationMs = durationMs;
		return {ok: true, spec};
	}
	if (typeof name === 'string' && (FAULT_NAMES as readonly string[]).includes(name) && !(GATEWAY_FAULT_NAMES as readonly string[]).includes(name)) {
		return {ok: false, message: `"${name}" cannot be applied in front of a real venue; the gateway takes ${GATEWAY_FAULT_NAMES.join(', ')}`};
	}
	const parsed = parseFaultSpec(body);
	if (!parsed.ok && typeof name === 'string' && !(FAULT_NAMES as readonly string[]).includes(name)) return {ok: false, message: `"fault" must be one of ${GATEWAY_FAULT_NAMES.join(', ')}`};
	return parsed;
}

/**
 * The gateway's fault switchboard: the mock's FaultController for the faults both share (same decisions,
 * same admin shapes) plus connection-reset, which only a front can do to a venue it does not own.
 */
export class GatewayFaults {
	readonly controller = new FaultController();
	private resets: ResetEntry[] = [];
	private nextResetId = 1;

	/** Injects a fault; `durationMs` here overrides the spec's. */
	inject(spec: GatewayFaultSpec, durationMs?: number): GatewayActiveFault {
		const timed = durationMs === undefined ? spec : {...spec, durationMs};
		if (timed.fault !== 'connection-reset') return this.controller.inject(timed);
		const now = Date.now();
		const view: GatewayActiveFault = {id: `r${this.nextResetId++}`, fault: 'connection-reset', params: {...(timed.params ?? {})}, startedAt: now, expiresAt: timed.durationMs === undefined ? null : now + timed.durationMs};
		const entry: ResetEntry = {view, probability: timed.params?.probability ?? 1, route: timed.params?.route};
		if (timed.durationMs !== undefined) {
			entry.timer = setTimeout(() => this.remove(view.id), timed.durationMs);
			entry.timer.unref();
		}
		this.resets.push(entry);
		return view;
	}

	remove(id: string): boolean {
		const entry = this.resets.find((e) => e.view.id === id);
		if (!entry) return this.controller.remove(id);
		if (entry.timer) clearTimeout(entry.timer);
		this.resets = this.resets.filter((e) => e !== entry);
		return true;
	}

	clear(): number {
		for (const e of this.resets) if (e.timer) clearTimeout(e.timer);
		const n = this.resets.length;
		this.resets = [];
		return n + this.controller.clear();
	}

	list(): GatewayActiveFault[] {
		const now = Date.now();
		this.resets = this.resets.filter((e) => e.view.expiresAt === null || e.view.expiresAt > now);
		return [...this.controller.list(), ...this.resets.map((e) => e.view)];
	}

	/** True when a connection-reset fault fires for this request. */
	resetFor(method: string, path: string): boolean {
		if (this.resets.length === 0) return false;
		const now = Date.now();
		return this.resets.some((e) => (e.view.expiresAt === null || e.view.expiresAt > now) && routeMatches(e.route, method, path) && Math.random() < e.probability);
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
