/** What the composition root plugs into the engine: phases, services and hooks acting on the exchange the engine never sees. */
import type {PhaseDefinition} from './phase-definition.js';

export interface EngineHooks {
	/** Cancels every open order drydock placed (kill switch, interruption, end of run); resolves to how many. */
	cancelAllOrders?(): Promise<number>;
	/** Drops every stream connection now; resolves to how many it dropped (0: none was open — nothing to recover; void: unknown). */
	forceReconnect?(): Promise<number | void> | number | void;
	/** Closes every position drydock holds (kill switch with flatten), inside the notional caps; resolves to how many and what was done. */
	flattenPositions?(): Promise<{closed: number; detail: string}>;
	/** Makes real calls fail (e.g. a 5xx burst on the mock) so the breaker opens on its own; absent → trip it directly. */
	breakerTest?(): Promise<void> | void;
	/** A cheap call (e.g. ping) used to probe a half-open breaker while no phase runs. */
	probe?(signal: AbortSignal): Promise<void>;
}

export interface EngineRuntime<S, P> {
	phases: readonly PhaseDefinition<S, P>[];
	services: S;
	hooks?: EngineHooks;
	/** Releases services (closes connections, stops an embedded mock). */
	close?(): Promise<void>;
}
