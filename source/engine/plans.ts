/**
 * Plans: which phases run and for how long the soak lasts. quick = every phase + 5-minute soak; full =
 * every phase + 24 h; --duration / TEST_DURATION_HOURS set the soak; --phases picks phases;
 * --rerun-failed picks exactly the phases that failed in a report.
 */
import {UsageError} from '../util/usage-error.js';
import {parseDuration} from '../util/duration.js';
import {isPhaseId, phaseIds, type PhaseId} from './phase-ids.js';
import type {PhaseStatus} from './checks.js';

export type PlanName = 'quick' | 'full' | 'custom' | 'rerun' | 'phase';

export interface PlanSpec {
	name: PlanName;
	phases: readonly PhaseId[];
	/** Soak duration when the plan includes the soak phase. */
	soakDurationMs: number;
}

export const QUICK_SOAK_MS = 5 * 60_000;
export const FULL_SOAK_MS = 24 * 3_600_000;

/** Failed-ish statuses a rerun picks up: fail and no-data (a stream that delivered nothing failed to prove anything). */
export const rerunStatuses: readonly PhaseStatus[] = ['fail', 'no-data'];

export function planFor(name: 'quick' | 'full', soakDurationMs?: number): PlanSpec {
	return {
		name,
		phases: [...phaseIds],
		soakDurationMs: soakDurationMs ?? (name === 'quick' ? QUICK_SOAK_MS : FULL_SOAK_MS),
	};
}

/** `a,b` → phase ids in canonical order; unknown ids are a usage error naming them. */
export function parsePhaseList(text: string, what = '--phases'): PhaseId[] {
	const wanted = text
		.split(',')
		.map(s => s.trim())
		.filter(Boolean);
	if (wanted.length === 0) throw new UsageError(`${what}: empty phase list (known: ${phaseIds.join(', ')})`);
	const unknown = wanted.filter(id => !isPhaseId(id));
	if (unknown.length > 0)
		throw new UsageError(
			`${what}: unknown phase${unknown.length > 1 ? 's' : ''} ${unknown.map(u => `"${u}"`).join(', ')} (known: ${phaseIds.join(', ')})`,
		);
	return canonicalOrder(wanted as PhaseId[]);
}

export function canonicalOrder(ids: readonly PhaseId[]): PhaseId[] {
	const set = new Set(ids);
	return phaseIds.filter(id => set.has(id));
}

/** Soak duration from --duration or TEST_DURATION_HOURS (hours, may be fractional). */
export function soakDurationFrom(
	duration: string | undefined,
	env: NodeJS.ProcessEnv = process.env,
): number | undefined {
	if (duration !== undefined) {
		const ms = parseDuration(duration, '--duration');
		if (ms <= 0) throw new UsageError(`--duration: must be more than zero (got "${duration}")`);
		return ms;
	}
	const hours = env.TEST_DURATION_HOURS;
	if (hours !== undefined && hours.trim() !== '') {
		const n = Number(hours);
		if (!Number.isFinite(n) || n <= 0)
			throw new UsageError(`TEST_DURATION_HOURS: "${hours}" is not a positive number of hours`);
		return Math.round(n * 3_600_000);
	}
	return undefined;
}

export interface PlanInputs {
	plan?: string;
	phases?: string;
	duration?: string;
	/** Phases that failed in a previous report (already read from the file). */
	rerunPhases?: readonly PhaseId[];
	env?: NodeJS.ProcessEnv;
}

export function buildPlan(inputs: PlanInputs): PlanSpec {
	const planName = inputs.plan ?? 'quick';
	if (planName !== 'quick' && planName !== 'full')
		throw new UsageError(`--plan: unknown plan "${planName}" (expected quick or full)`);
	const soak = soakDurationFrom(inputs.duration, inputs.env);
	const base = planFor(planName, soak);
	if (inputs.rerunPhases !== undefined) {
		if (inputs.phases !== undefined) throw new UsageError('--rerun-failed and --phases cannot be combined');
		return {name: 'rerun', phases: canonicalOrder(inputs.rerunPhases), soakDurationMs: base.soakDurationMs};
	}
	if (inputs.phases !== undefined)
		return {name: 'custom', phases: parsePhaseList(inputs.phases), soakDurationMs: base.soakDurationMs};
	return base;
}

/** The phases a report says failed (status fail or no-data), in canonical order. */
export function failedPhasesOf(report: {phases?: readonly {id: string; status: string}[]}): PhaseId[] {
	const failed = (report.phases ?? [])
		.filter(p => isPhaseId(p.id) && (rerunStatuses as readonly string[]).includes(p.status))
		.map(p => p.id as PhaseId);
	return canonicalOrder(failed);
}
