/**
 * Shorthands for the checks every phase records: a measured value held to a limit, a skip with its
 * reason, a failure from an error.
 */
import {toExchangeError} from '../exchange/errors.js';
import type {CheckResult} from '../engine/checks.js';
import type {PhaseCtx} from './phase-contract.js';
import {round} from './stats.js';

export interface LimitCheck {
	id: string;
	title: string;
	measured: number | null;
	/** Passes when measured ≤ max (or ≥ min). */
	max?: number;
	min?: number;
	unit?: string;
	/** A value within the limit but past this warns. */
	warnAbove?: number;
	/** Explains a miss; the default names the value and the limit. */
	reason?: string;
	/** Verdict when nothing was measured (default no-data). */
	whenMissing?: 'no-data' | 'fail' | 'skipped';
	missingReason?: string;
}

export function limit(ctx: PhaseCtx, spec: LimitCheck): CheckResult {
	const unit = spec.unit ? ` ${spec.unit}` : '';
	const threshold =
		spec.max !== undefined ? `≤ ${spec.max}${unit}` : spec.min !== undefined ? `≥ ${spec.min}${unit}` : null;
	const base = {id: spec.id, title: spec.title, threshold, ...(spec.unit ? {unit: spec.unit} : {})};
	if (spec.measured === null || !Number.isFinite(spec.measured)) {
		return ctx.check({
			...base,
			verdict: spec.whenMissing ?? 'no-data',
			measured: null,
			reason: spec.missingReason ?? 'nothing was measured',
		});
	}
	const measured = round(spec.measured, 3);
	const over = spec.max !== undefined && spec.measured > spec.max;
	const under = spec.min !== undefined && spec.measured < spec.min;
	if (over || under) {
		return ctx.check({
			...base,
			verdict: 'fail',
			measured,
			reason: spec.reason ?? `${measured}${unit} ${over ? '>' : '<'} ${over ? spec.max : spec.min}${unit}`,
		});
	}
	if (spec.warnAbove !== undefined && spec.measured > spec.warnAbove) {
		return ctx.check({
			...base,
			verdict: 'warn',
			measured,
			reason: `${measured}${unit} is above ${spec.warnAbove}${unit}`,
		});
	}
	return ctx.check({...base, verdict: 'pass', measured});
}

export function pass(
	ctx: PhaseCtx,
	id: string,
	title: string,
	measured: number | string | boolean | null,
	threshold: string | null,
	unit?: string,
): CheckResult {
	return ctx.check({id, title, verdict: 'pass', measured, threshold, ...(unit ? {unit} : {})});
}

export function fail(
	ctx: PhaseCtx,
	id: string,
	title: string,
	reason: string,
	measured: number | string | boolean | null = null,
	threshold: string | null = null,
): CheckResult {
	return ctx.check({id, title, verdict: 'fail', measured, threshold, reason});
}

export function skip(
	ctx: PhaseCtx,
	id: string,
	title: string,
	reason: string,
	threshold: string | null = null,
): CheckResult {
	return ctx.check({id, title, verdict: 'skipped', measured: null, threshold, reason});
}

/** The one-line description of an error for a check's reason (secrets already redacted by the exchange layer). */
export function describe(error: unknown): string {
	const typed = toExchangeError(error);
	return typed.kind === 'unknown' ? typed.message : `${typed.kind}: ${typed.message}`;
}

export function failFromError(
	ctx: PhaseCtx,
	id: string,
	title: string,
	error: unknown,
	threshold: string | null = null,
): CheckResult {
	return fail(ctx, id, title, describe(error), null, threshold);
}
