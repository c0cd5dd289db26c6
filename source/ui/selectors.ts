/** Pure views over a snapshot that both the panels and the key handler need to agree on. */
import type {EngineSnapshot, ErrorGroup, RunState} from '../engine/snapshot.js';

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

export function clampIndex(index: number, length: number): number {
	if (length <= 0) return 0;
	return Math.min(Math.max(0, index), length - 1);
}

/** First row to show so that `selected` stays inside a window of `rows` rows. */
export function scrollStart(selected: number, length: number, rows: number): number {
	if (rows <= 0 || length <= rows) return 0;
	const start = selected - Math.floor(rows / 2);
	return Math.min(Math.max(0, start), length - rows);
}
