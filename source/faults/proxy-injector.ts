/**
 * Faults through the local fault proxy (source/net/fault-proxy.ts) in front of a venue, with the venue's
 * own controls (the mock's) kept for the kinds they have.
 */
import type {ExchangeClient} from '../exchange/exchange-client.js';
import type {FaultProxy} from '../net/fault-proxy.js';
import {FaultError, type FaultInjector} from './injector.js';
import type {FaultRequest} from './spec/fault-spec.js';
import {
	injectableAt,
	PROXY_KIND_OF,
	PROXY_ONLY_KINDS as proxyOnlyKinds,
	PROXY_REASONS as proxyReasons,
	type FaultKind,
} from './spec/kinds.js';
import {parseProxyFault, type ProxyFault} from './spec/proxy-spec.js';

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
	latency: 'chunks delayed',
	'stall-streams': 'streams stalled',
	'drop-websockets': 'streams dropped',
	reset: 'connections reset',
	blackhole: 'connections silenced',
};

/**
 * Faults through the local fault proxy in front of the venue: latency, stall-streams, drop-websockets
 * (the proxy cuts the stream tunnels; our own sockets too when it found none), connection-reset and
 * timeout (silent connections). 5xx and 429 stay unsupported: TLS passes through the proxy untouched.
 */
export function createProxyFaultInjector(
	proxy: Pick<FaultProxy, 'inject' | 'clear' | 'stats' | 'fault'>,
	exchange: Pick<ExchangeClient, 'dropConnections'>,
	options: ProxyFaultInjectorOptions = {},
): FaultInjector {
	const venue = options.venue;
	const viaVenue = (kind: FaultKind) => venue !== undefined && !proxyOnlyKinds.has(kind) && venue.supports(kind);
	const supported = (kind: FaultKind) => viaVenue(kind) || injectableAt(kind, 'proxy');
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
			if (fault.kind === 'drop-websockets' && proxy.stats().effects['drop-websockets'] === before)
				await exchange.dropConnections();
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
		...(venue?.marketState ? {marketState: (symbol: string) => venue.marketState!(symbol)} : {}),
		async stats() {
			const counters = proxy.stats() as unknown as Record<string, unknown>;
			const own = venue ? await venue.stats() : null;
			return {...(own ?? {}), proxy: counters};
		},
	};
}
