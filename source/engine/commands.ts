/** What a front end may ask of the engine, and the read/dispatch surface it gets. */
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import type {EngineSnapshot} from './snapshot.js';

/** What a front end may ask of the engine. */
export type EngineCommand =
	| {type: 'start'; plan: PlanSpec}
	| {type: 'stop'}
	| {type: 'rerun-failed'}
	| {type: 'run-phase'; phase: PhaseId}
	| {type: 'force-reconnect'}
	| {type: 'trip-breaker'}
	/** Toggles: engaged → cancel every open order (and close positions with `flatten`, default the profile's `killSwitch.flatten`) and block new ones; pressed again → released. */
	| {type: 'kill-switch'; flatten?: boolean};

export type EngineCommandType = EngineCommand['type'];

/** The read/dispatch surface a front end gets (`useSyncExternalStore(subscribe, getSnapshot)`). */
export interface EngineHandle {
	getSnapshot(): EngineSnapshot;
	subscribe(listener: () => void): () => void;
	dispatch(command: EngineCommand): void;
}
