/** Pure views over an engine snapshot that the console's panels and its key handler need to agree on. */
import type {EngineSnapshot, ErrorGroup, RunState} from '../../engine/snapshot.js';

const activeStates: readonly RunState[] = ['starting', 'running', 'stopping'];

export function isRunActive(snapshot: EngineSnapshot): boolean {
	return snapshot.run !== null && activeStates.includes(snapshot.run.state);
}

/** Error groups newest first, narrowed by a case-insensitive filter over kind, phase and message. */
export function visibleErrors(errors: readonly ErrorGroup[], filter: string): readonly ErrorGroup[] {
	const needle = filter.trim().toLowerCase();
	const sorted = [...errors].sort((a, b) => b.lastSeen - a.lastSeen);
	if (needle === '') return sorted;
	return sorted.filter(e => `${e.kind} ${e.phase ?? ''} ${e.message}`.toLowerCase().includes(needle));
}
