/**
 * Fault injection as the phases see it. On the mock, faults go to its admin HTTP API (the engine talks
 * to the mock only over the wire, as to any exchange). On a real venue, faults are what the client
 * side can do: through the local fault proxy in front of the venue (latency, stalled or dropped
 * streams, connection resets, silent connections), or without it only dropping our own WebSocket
 * connections. Everything else reports `supports(kind) === false` with the reason, and the phase or
 * chaos entry is skipped with it.
 */
import type {ExchangeClient} from '../exchange/types.js';
import type {FaultProxy} from '../net/fault-proxy.js';
import {parseProxyFault, type ProxyFault} from '../net/proxy-faults.js';

export type FaultKind = 'latency' | 'error-rate' | 'rate-limit-storm' | 'drop-websockets' | 'stall-streams' | 'clock-skew' | 'pause-market' | 'connection-reset' | 'timeout';

/** The kinds the mock's own fault controls take (POST {admin}/faults). */
const mockKinds: ReadonlySet<FaultKind> = new Set(['latency', 'error-rate', 'rate-limit-storm', 'drop-websockets', 'stall-streams', 'clock-skew', 'pause-market']);
/** The kinds only the fault proxy can do. */
const proxyOnlyKinds: ReadonlySet<FaultKind> = new Set(['connection-reset', 'timeout']);

export interface FaultRequest {
	fault: FaultKind;
	params?: Record<string, unknown>;
	/** The mock ends the fault by itself after this long. */
	durationMs?: number;
}

export interface FaultInjector {
	/**
	 * 'mock' when a venue-side fault API is available (possibly with the fault proxy for the kinds it
	 * lacks), 'proxy' on a real venue with the local fault proxy in front of it, 'client' otherwise.
	 */
	readonly mode: 'mock' | 'proxy' | 'client';
	supports(kind: FaultKind): boolean;
	/** Why a kind is unsupported, for the skipped check's reason. */
	unsupportedReason(kind: FaultKind): string;
	/** Resolves to an id for `effects` when the injector counts what a fault did (the fault proxy does). */
	inject(request: FaultRequest): Promise<string | void>;
	/** What an injected fault did so far, e.g. `5 connections reset`; null when not known. */
	effects?(id: string): string | null;
	/** Clears every active fault (venue side and proxy); a no-op on client mode. */
	clear(): Promise<void>;
	/** The mock's GET {admin}/stats and/or the proxy's counters (`proxy`), or null on client mode. */
	stats(): Promise<Record<string, unknown> | null>;
}

export class FaultError extends Error {
	override readonly name = 'FaultError';
}

const withoutProxy = 'needs the local fault proxy in front of the venue, which is off for this run (DRYDOCK_FAULT_PROXY=off)';

const clientReasons: Record<FaultKind, string> = {
	'latency': `venue gives no control over its latency; adding it ${withoutProxy}`,
	'error-rate': 'venue gives no control over 5xx responses',
	'rate-limit-storm': 'venue gives no control over 429 storms (and provoking one risks an IP ban)',
	'drop-websockets': '',
	'stall-streams': `venue gives no control over its stream delivery; stalling our side ${withoutProxy}`,
	'clock-skew': 'venue gives no control over its clock',
	'pause-market': 'venue gives no control over its market',
	'connection-reset': withoutProxy,
	'timeout': withoutProxy,
};

/** Through the proxy: everything but what only the venue (or TLS termination) could do. */
const proxyReasons: Partial<Record<FaultKind, string>> = {
	'error-rate': '5xx responses cannot be injected into a TLS tunnel without terminating TLS (the proxy forwards encrypted bytes it can neither read nor forge)',
	'rate-limit-storm': '429 responses cannot be injected into a TLS tunnel without terminating TLS (and provoking a real 429 storm risks an IP ban)',
	'clock-skew': 'venue gives no control over its clock',
	'pause-market': 'venue gives no control over its market',
};

const mockReason = (kind: FaultKind) => `the mock has no ${kind === 'timeout' ? 'silent-connection' : 'connection-reset'} control of its own: it needs the local fault proxy in front of it (on by itself when the chaos timeline has connection-reset or timeout; DRYDOCK_FAULT_PROXY=on forces it)`;

/** Faults via the mock's admin API: POST {admin}/faults {fault, params, durationMs}, DELETE {admin}/faults. */
export function createMockFaultInjector(adminUrl: string, timeoutMs = 5_000): FaultInjector {
	const base = adminUrl.replace(/\/+$/, '');
	const send = async (method: string, path: string, body?: unknown): Promise<unknown> => {
		let response: Response;
		try {
			response = await fetch(`${base}${path}`, {
				method,
				headers: body === undefined ? {} : {'content-type': 'application/json'},
				body: body === undefined ? null : JSON.stringify(body),
				signal: AbortSignal.timeout(timeoutMs),
			});
		} catch (error) {
			throw new FaultError(`mock admin ${method} ${path} unreachable: ${error instanceof Error ? error.message : String(error)}`);
		}
		const text = await response.text();
		if (!response.ok) throw new FaultError(`mock admin ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
		if (text === '') return null;
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	};
	return {
		mode: 'mock',
		supports: kind => mockKinds.has(kind),
		unsupportedReason: kind => (mockKinds.has(kind) ? '' : mockReason(kind)),
		async inject(request) {
			if (!mockKinds.has(request.fault)) throw new FaultError(`${request.fault}: ${mockReason(request.fault)}`);
			await send('POST', '/faults', {fault: request.fault, params: request.params ?? {}, ...(request.durationMs === undefined ? {} : {durationMs: request.durationMs})});
		},
		async clear() {
			await send('DELETE', '/faults');
		},
		async stats() {
			const value = await send('GET', '/stats');
			return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
		},
	};
}

/** Real venues: only our own connections can be dropped. */
export function createClientFaultInjector(exchange: ExchangeClient): FaultInjector {
	return {
		mode: 'client',
		supports: kind => kind === 'drop-websockets',
		unsupportedReason: kind => clientReasons[kind],
		async inject(request) {
			if (request.fault !== 'drop-websockets') throw new FaultError(`${request.fault}: ${clientReasons[request.fault]}`);
			await exchange.dropConnections();
		},
		async clear() {},
		async stats() {
			return null;
		},
	};
}

/** A chaos/phase fault request → what the proxy applies; FaultError naming the parameter when it can't. */
export function proxyFaultOf(request: FaultRequest): ProxyFault {
	const kind = request.fault === 'connection-reset' ? 'reset' : request.fault === 'timeout' ? 'blackhole' : request.fault;
	if (kind !== 'latency' && kind !== 'stall-streams' && kind !== 'drop-websockets' && kind !== 'reset' && kind !== 'blackhole') {
		throw new FaultError(`${request.fault}: ${proxyReasons[request.fault] ?? 'not possible through the fault proxy'}`);
	}
	const parsed = parseProxyFault(kind, request.params ?? {});
	if (!parsed.ok) throw new FaultError(`${request.fault}: ${parsed.message}`);
	return parsed.fault;
}

export interface ProxyFaultInjectorOptions {
	/**
	 * The venue's own fault controls (the mock's admin API): kinds it supports go there, so a chaos file
	 * means the same with and without the proxy; only connection-reset and timeout go to the proxy.
	 */
	venue?: FaultInjector;
}

/** What the proxy counts per fault kind, for the chaos checks. */
const effectUnits: Record<ProxyFault['kind'], string> = {
	'latency': 'chunks delayed',
	'stall-streams': 'streams stalled',
	'drop-websockets': 'streams dropped',
	'reset': 'connections reset',
	'blackhole': 'connections silenced',
};

/**
 * Faults through the local fault proxy in front of the venue: latency, stall-streams, drop-websockets
 * (the proxy cuts the stream tunnels; our own sockets too when it found none), connection-reset and
 * timeout (silent connections). 5xx and 429 stay unsupported: TLS passes through the proxy untouched.
 */
export function createProxyFaultInjector(proxy: Pick<FaultProxy, 'inject' | 'clear' | 'stats' | 'fault'>, exchange: Pick<ExchangeClient, 'dropConnections'>, options: ProxyFaultInjectorOptions = {}): FaultInjector {
	const venue = options.venue;
	const viaVenue = (kind: FaultKind) => venue !== undefined && !proxyOnlyKinds.has(kind) && venue.supports(kind);
	const supported = (kind: FaultKind) => viaVenue(kind) || proxyReasons[kind] === undefined;
	return {
		mode: venue?.mode ?? 'proxy',
		supports: supported,
		unsupportedReason: kind => (supported(kind) ? '' : (proxyReasons[kind] ?? venue?.unsupportedReason(kind) ?? '')),
		async inject(request) {
			if (viaVenue(request.fault)) return venue!.inject(request);
			const fault = proxyFaultOf(request);
			const before = proxy.stats().effects['drop-websockets'];
			const id = proxy.inject(fault, request.durationMs);
			// No stream tunnel known to the proxy (e.g. its stream hosts unset): cut our own sockets instead.
			if (fault.kind === 'drop-websockets' && proxy.stats().effects['drop-websockets'] === before) await exchange.dropConnections();
			return id;
		},
		effects(id) {
			const found = proxy.fault(id);
			return found ? `${found.effects} ${effectUnits[found.fault.kind]}` : null;
		},
		async clear() {
			proxy.clear();
			await venue?.clear();
		},
		async stats() {
			const counters = proxy.stats() as unknown as Record<string, unknown>;
			const own = venue ? await venue.stats() : null;
			return {...(own ?? {}), proxy: counters};
		},
	};
}
