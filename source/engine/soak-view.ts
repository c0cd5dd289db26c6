/**
 * The soak's progress line and figures, from the few pieces of run state they need (a narrow source,
 * so the reducer and the snapshot views can both use it without importing each other).
 */
import type {SoakView, BreakerView, KillSwitchView} from './snapshot.js';
import type {PhaseStatus} from './checks.js';
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import {gradeFor, type GradeRules} from './grade.js';
import type {OperationStats} from './run-aggregates.js';
import {formatDuration} from '../util/duration.js';

export interface SoakViewSource {
	readonly run: {readonly plan: PlanSpec} | null;
	readonly soakStartedAt: number | null;
	readonly soakEndedAt: number | null;
	readonly soakStats: OperationStats;
	readonly options: {readonly gradeRules: GradeRules};
	readonly phases: ReadonlyMap<PhaseId, {readonly status: PhaseStatus}>;
	readonly breaker: Pick<BreakerView, 'state'>;
	readonly killSwitch: Pick<KillSwitchView, 'engaged'>;
}

export function soakView(state: SoakViewSource, now: number): SoakView | null {
	if (!state.run || !state.run.plan.phases.includes('soak')) return null;
	const durationMs = state.run.plan.soakDurationMs;
	const elapsedMs =
		state.soakStartedAt === null ? 0 : Math.min(durationMs, (state.soakEndedAt ?? now) - state.soakStartedAt);
	const s = state.soakStats;
	const grade = gradeFor(s.successRate, s.latency.avgMs, state.options.gradeRules);
	const phase = state.phases.get('soak')!;
	const progress =
		phase.status === 'pending' ? 'waiting' : phase.status === 'running' ? 'running' : `finished (${phase.status})`;
	const rate = s.successRate === null ? '—' : `${(s.successRate * 100).toFixed(2)}%`;
	const underFaults = s.expectedErrors > 0 ? ` (${s.expectedErrors} under injected faults)` : '';
	const statusLine = `soak ${progress}: ${formatDuration(elapsedMs)} of ${formatDuration(durationMs)}, ${s.operations} ops, ${rate} ok, ${s.errors} errors${underFaults}${grade ? `, grade ${grade}` : ''}${state.breaker.state !== 'closed' ? `, breaker ${state.breaker.state}` : ''}${state.killSwitch.engaged ? ', KILL SWITCH' : ''}`;
	return {
		durationMs,
		elapsedMs,
		operations: s.operations,
		successRate: s.successRate,
		avgLatencyMs: s.latency.avgMs,
		peakLatencyMs: s.latency.maxMs,
		errors: s.errors,
		expectedErrors: s.expectedErrors,
		failuresDuringFaults: s.failedDuringFaults,
		grade,
		statusLine,
	};
}
