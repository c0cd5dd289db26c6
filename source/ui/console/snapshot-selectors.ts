/** Pure views over an engine snapshot that the console's panels and its key handler need to agree on. */
import type {CheckResult, Verdict} from '../../engine/checks.js';
import type {EngineSnapshot, ErrorGroup, PhaseView, RunState} from '../../engine/snapshot.js';

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

/**
 * "N/M passed" as the console shows it: only `pass` counts as passed; `info` entries are figures for
 * the reader, not checks, so they count in neither; a warning is a check that did not pass.
 */
export function checkCounts(phase: Pick<PhaseView, 'checks' | 'passed' | 'total'>): {passed: number; total: number} {
	if (phase.checks.length === 0) return {passed: phase.passed, total: phase.total};
	const judged = phase.checks.filter(c => c.verdict !== 'info');
	return {passed: judged.filter(c => c.verdict === 'pass').length, total: judged.length};
}

const severity: Record<Verdict, number> = {fail: 0, 'no-data': 1, warn: 2, info: 3, skipped: 4, pass: 5};

/** A phase's checks, problems first, then figures (info), then passes: the order the checks panel lists them and its cursor moves in. */
export function sortedChecks(phase: Pick<PhaseView, 'checks'> | undefined): readonly CheckResult[] {
	if (!phase) return [];
	return [...phase.checks].sort((a, b) => severity[a.verdict] - severity[b.verdict]);
}
