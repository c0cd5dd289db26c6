/**
 * The fault vocabulary's names, and where each kind can be injected. A pure leaf (no imports): the
 * mock, the fault proxy, the phases, the chaos timeline and the profile schema all read it.
 *
 * source/faults is the one home of fault injection:
 * - spec/      the vocabulary, pure leaves importing nothing outside spec/: kinds and places (here),
 *              each place's parameters (mock-spec, proxy-spec), default budgets, the recovery judgement;
 * - injectors  a fault request → the mock's admin API, the local fault proxy (source/net) or our client;
 * - chaos/     the chaos timeline: its schema (used by the profile schema), its file reader, the runner
 *              that injects and measures during the soak, and the order-fate accounting.
 *
 * Three places can inject a fault:
 * - mock: the embedded (or a running) mock's own fault controls, POST {admin}/faults — every kind the
 *   venue side owns: its latency, 5xx, 429 storms, its WebSockets, its clock and its market;
 * - proxy: the local fault proxy in front of any venue — timing and connections only, since it
 *   forwards opaque bytes (TLS stays end to end) and so can never forge a response (5xx, 429);
 * - client: with neither, only dropping our own WebSocket connections.
 */

/** Every fault kind, by the name chaos files, profiles and the phases use. */
export const FAULT_KINDS = [
	'latency',
	'error-rate',
	'rate-limit-storm',
	'drop-websockets',
	'stall-streams',
	'clock-skew',
	'pause-market',
	'connection-reset',
	'timeout',
	'price-shock',
	'halt',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The kinds the mock's own fault controls take (POST {admin}/faults). */
export const MOCK_FAULT_KINDS = [
	'latency',
	'error-rate',
	'rate-limit-storm',
	'drop-websockets',
	'stall-streams',
	'clock-skew',
	'pause-market',
] as const;
export type MockFaultKind = (typeof MOCK_FAULT_KINDS)[number];

/**
 * The market faults: the mock's market steering (POST {admin}/market/shock, /market/halt), not its
 * /faults controls. Only the mock owns a market, so only it can inject them.
 */
export const MARKET_FAULT_KINDS = ['price-shock', 'halt'] as const;
export type MarketFaultKind = (typeof MARKET_FAULT_KINDS)[number];

export function isMarketFaultKind(kind: string): kind is MarketFaultKind {
	return (MARKET_FAULT_KINDS as readonly string[]).includes(kind);
}

/** Where a fault is applied. */
export type FaultPlace = 'mock' | 'proxy' | 'client';

/** The kinds only the fault proxy can apply (the mock has no control of its own for them). */
export const PROXY_ONLY_KINDS: ReadonlySet<FaultKind> = new Set(['connection-reset', 'timeout']);

/** The kinds the fault proxy can apply at all, with the name of its own fault for each. */
export const PROXY_KIND_OF: Readonly<
	Partial<Record<FaultKind, 'latency' | 'stall-streams' | 'drop-websockets' | 'reset' | 'blackhole'>>
> = {
	latency: 'latency',
	'stall-streams': 'stall-streams',
	'drop-websockets': 'drop-websockets',
	'connection-reset': 'reset',
	timeout: 'blackhole',
};

export function isMockFaultKind(kind: string): kind is MockFaultKind {
	return (MOCK_FAULT_KINDS as readonly string[]).includes(kind);
}

/** Whether a place can inject a kind at all (the reasons below say why not). */
export function injectableAt(kind: FaultKind, place: FaultPlace): boolean {
	switch (place) {
		case 'mock':
			return isMockFaultKind(kind) || isMarketFaultKind(kind);
		case 'proxy':
			return PROXY_KIND_OF[kind] !== undefined;
		case 'client':
			return kind === 'drop-websockets';
	}
}

const withoutProxy =
	'needs the local fault proxy in front of the venue, which is off for this run (DRYDOCK_FAULT_PROXY=off)';

/** Why a kind cannot be injected on a real venue without the proxy ('' for the one that can: our own drop). */
export const CLIENT_REASONS: Readonly<Record<FaultKind, string>> = {
	latency: `venue gives no control over its latency; adding it ${withoutProxy}`,
	'error-rate': 'venue gives no control over 5xx responses',
	'rate-limit-storm': 'venue gives no control over 429 storms (and provoking one risks an IP ban)',
	'drop-websockets': '',
	'stall-streams': `venue gives no control over its stream delivery; stalling our side ${withoutProxy}`,
	'clock-skew': 'venue gives no control over its clock',
	'pause-market': 'venue gives no control over its market',
	'connection-reset': withoutProxy,
	timeout: withoutProxy,
	'price-shock': 'venue gives no control over its prices: a price shock needs the mock',
	halt: 'venue gives no control over trading status: a halt needs the mock',
};

/** Why a kind cannot go through the proxy: what only the venue (or TLS termination) could do. */
export const PROXY_REASONS: Readonly<Partial<Record<FaultKind, string>>> = {
	'error-rate':
		'5xx responses cannot be injected into a TLS tunnel without terminating TLS (the proxy forwards encrypted bytes it can neither read nor forge)',
	'rate-limit-storm':
		'429 responses cannot be injected into a TLS tunnel without terminating TLS (and provoking a real 429 storm risks an IP ban)',
	'clock-skew': 'venue gives no control over its clock',
	'pause-market': 'venue gives no control over its market',
	'price-shock':
		"a proxy forwards bytes and cannot move a venue's prices (rewriting them would show the bot a market that does not trade there)",
	halt: "a proxy cannot halt a venue's trading (refusing orders on the wire would not change what the venue matches)",
};

/** Why the mock alone cannot inject a proxy-only kind. */
export function mockReason(kind: FaultKind): string {
	return `the mock has no ${kind === 'timeout' ? 'silent-connection' : 'connection-reset'} control of its own: it needs the local fault proxy in front of it (on by itself when the chaos timeline has connection-reset or timeout; DRYDOCK_FAULT_PROXY=on forces it)`;
}
