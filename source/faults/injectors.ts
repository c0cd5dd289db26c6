/**
 * Fault injectors: how a fault request (source/faults/spec) reaches the place that applies it, for the
 * phases (resilience, rate-limit) and the chaos timeline. On the mock, faults go to its admin HTTP API
 * (the engine talks to the mock only over the wire, as to any exchange). On a real venue, faults are what the client
 * side can do: through the local fault proxy in front of the venue (latency, stalled or dropped
 * streams, connection resets, silent connections), or without it only dropping our own WebSocket
 * connections. Everything else reports `supports(kind) === false` with the reason, and the phase or
 * chaos entry is skipped with it.
 */
import type {ExchangeClient} from '../exchange/types.js';
import type {FaultProxy} from '../net/fault-proxy.js';
import {CLIENT_REASONS as clientReasons, isMockFaultKind, mockReason, PROXY_KIND_OF, PROXY_ONLY_KINDS as proxyOnlyKinds, PROXY_REASONS as proxyReasons, type FaultKind, type FaultPlace} from './spec/kinds.js';
import {parseProxyFault, type ProxyFault} from './spec/proxy-spec.js';

export type {FaultKind};

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
	readonly mode: FaultPlace;
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
		supports: kind => isMockFaultKind(kind),
		unsupportedReason: kind => (isMockFaultKind(kind) ? '' : mockReason(kind)),
		async inject(request) {
			if (!isMockFaultKind(request.fault)) throw new FaultError(`${request.fault}: ${mockReason(request.fault)}`);
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
	const kind = PROXY_KIND_OF[request.fault];
	if (kind === undefined) {
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
