/**
 * Replays journalled events into a fresh run state, for crash recovery: the result is read through the
 * RunView only, as every report is.
 */
import type {EngineEvent} from './events.js';
import type {PhaseId} from './phase-ids.js';
import type {ProfileView} from './snapshot.js';
import {RunReducer} from './run-reducer.js';
import type {RunView} from './run-view.js';

export interface RunReplay {
	apply(event: EngineEvent): void;
	readonly view: RunView;
}

export function createRunReplay(options: {
	profile: ProfileView;
	now: () => number;
	mask?: (text: string) => string;
	phaseTitles?: Partial<Record<PhaseId, string>>;
}): RunReplay {
	const state = new RunReducer({
		profile: options.profile,
		// Recovery judges nothing against limits: the journal's checks already carry their verdicts.
		limits: {cpuPercent: 100, rssMb: 1e9, rssSlopeMbPerHour: 1e9, eventLoopLagMs: 1e9},
		now: options.now,
		...(options.mask ? {mask: options.mask} : {}),
		...(options.phaseTitles ? {phaseTitles: options.phaseTitles} : {}),
	});
	return {apply: event => state.apply(event), view: state};
}
