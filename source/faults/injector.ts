/**
 * Fault injectors: how a fault request (source/faults/spec) reaches the place that applies it, for the
 * phases (resilience, rate-limit), the operator's breaker test and the chaos timeline. On the mock,
 * faults go to its admin HTTP API (mock-injector). On a real venue, faults are what the client side can
 * do: through the local fault proxy in front of the venue (latency, stalled or dropped
 * streams, connection resets, silent connections; proxy-injector), or without it only dropping our
 * own WebSocket connections (client-injector). Everything else reports `supports(kind) === false` with the reason, and the phase or
 * chaos entry is skipped with it.
 */
import type {FaultRequest} from './spec/fault-spec.js';
import type {FaultKind, FaultPlace} from './spec/kinds.js';

export interface FaultInjector {
	/**
	 * 'mock' when a venue-side fault API is available (possibly with the fault proxy for the kinds it
	 * lacks), 'proxy' on a real venue with the local fault proxy in front of it, 'client' otherwise.
	 */
	readonly mode: FaultPlace;
	supports(kind: FaultKind): boolean;
	/** Where a kind is applied, for the chaos timeline's marks, when `mode` does not say it (the SUT's gateway). */
	placeOf?(kind: FaultKind): string;
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
	/** A symbol's market as the venue's steering sees it (the mock's GET {admin}/market), for the market faults' recovery. */
	marketState?(symbol: string): Promise<MarketStateView | null>;
}

/** What the market faults' judgement reads: the last price and whether the symbol trades. */
export interface MarketStateView {
	price: number;
	status: string;
	regime: string;
}

export class FaultError extends Error {
	override readonly name = 'FaultError';
}
