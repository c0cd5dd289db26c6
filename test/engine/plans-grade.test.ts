import {describe, expect, it} from 'vitest';
import {buildPlan, failedPhasesOf, parsePhaseList, FULL_SOAK_MS, QUICK_SOAK_MS} from '../../source/engine/plans.js';
import {gradeFor} from '../../source/engine/grade.js';
import {derivePhaseStatus} from '../../source/engine/checks.js';
import {phaseIds} from '../../source/engine/phase-ids.js';
import {UsageError} from '../../source/util/usage-error.js';

describe('plans', () => {
	it('quick and full run every phase with 5 min / 24 h soaks; --duration and TEST_DURATION_HOURS override', () => {
		expect(buildPlan({plan: 'quick', env: {}})).toEqual({
			name: 'quick',
			phases: [...phaseIds],
			soakDurationMs: QUICK_SOAK_MS,
		});
		expect(buildPlan({plan: 'full', env: {}}).soakDurationMs).toBe(FULL_SOAK_MS);
		expect(buildPlan({plan: 'full', duration: '20s', env: {}}).soakDurationMs).toBe(20_000);
		expect(buildPlan({env: {TEST_DURATION_HOURS: '1.5'}}).soakDurationMs).toBe(5_400_000);
		expect(buildPlan({duration: '90s', env: {TEST_DURATION_HOURS: '2'}}).soakDurationMs).toBe(90_000);
	});

	it('--phases picks phases in canonical order; unknown ids and bad durations are usage errors naming them', () => {
		expect(buildPlan({phases: 'soak,config', env: {}}).phases).toEqual(['config', 'soak']);
		expect(() => parsePhaseList('config,warp-drive')).toThrow(/unknown phase "warp-drive"/);
		expect(() => buildPlan({plan: 'medium', env: {}})).toThrow(UsageError);
		expect(() => buildPlan({duration: 'soon', env: {}})).toThrow(/--duration/);
		expect(() => buildPlan({env: {TEST_DURATION_HOURS: 'x'}})).toThrow(/TEST_DURATION_HOURS/);
	});

	it('--rerun-failed selects exactly the failed (and no-data) phases of a report', () => {
		const report = {
			phases: [
				{id: 'config', status: 'pass'},
				{id: 'streams', status: 'no-data'},
				{id: 'orders', status: 'fail'},
				{id: 'portfolio', status: 'warn'},
				{id: 'soak', status: 'skipped'},
				{id: 'bogus', status: 'fail'},
			],
		};
		const failed = failedPhasesOf(report);
		expect(failed).toEqual(['streams', 'orders']);
		const plan = buildPlan({rerunPhases: failed, env: {}});
		expect(plan).toMatchObject({name: 'rerun', phases: ['streams', 'orders']});
		expect(() => buildPlan({rerunPhases: failed, phases: 'config', env: {}})).toThrow(/cannot be combined/);
	});
});

describe('grade and verdicts', () => {
	it('grades by DESIGN.md boundaries, with profile overrides', () => {
		expect(gradeFor(null, null)).toBeNull();
		expect(gradeFor(0.9995, 0.5)).toBe('A+');
		expect(gradeFor(0.999, 0.999)).toBe('A+');
		expect(gradeFor(0.999, 1)).toBe('A');
		expect(gradeFor(0.995, 4.9)).toBe('A');
		expect(gradeFor(0.9949, 4.9)).toBe('B');
		expect(gradeFor(0.99, 199)).toBe('B');
		expect(gradeFor(0.99, 200)).toBe('C');
		expect(gradeFor(0.5, 0.1)).toBe('C');
		const loose = {
			'A+': {minSuccessRate: 0.99, maxAvgLatencyMs: 100},
			A: {minSuccessRate: 0.9, maxAvgLatencyMs: 500},
			B: {minSuccessRate: 0.5, maxAvgLatencyMs: 1000},
		};
		expect(gradeFor(0.995, 50, loose)).toBe('A+');
		expect(gradeFor(0.6, 900, loose)).toBe('B');
	});

	it('derives a phase status from its checks', () => {
		const v = (...verdicts: ('pass' | 'warn' | 'fail' | 'no-data' | 'skipped')[]) =>
			derivePhaseStatus(verdicts.map(verdict => ({verdict})));
		expect(v('pass', 'warn', 'fail', 'no-data')).toBe('fail');
		expect(v('pass', 'no-data', 'warn')).toBe('no-data');
		expect(v('pass', 'warn', 'skipped')).toBe('warn');
		expect(v('skipped', 'skipped')).toBe('skipped');
		expect(v('pass', 'skipped')).toBe('pass');
		expect(v()).toBe('no-data');
	});
});
