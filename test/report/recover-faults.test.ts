/**
 * report --recover replays the journal through a fresh store: the counts kept apart for injected faults
 * (expected errors, failures during faults, the soak's own errors) come back the same as the run wrote them.
 */
import {mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {recoverRun} from '../../source/report/recover.js';
import {testEngine} from '../engine/helpers.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';

describe('report --recover and injected faults', () => {
	it('rebuilds expected_errors, failures_during_faults and the graded success rate from the journal', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-recover-faults-'));
		const fail = {ok: false, latencyMs: 2, error: {kind: 'unavailable', message: '503'}} as const;
		const phases: PhaseDefinition<object, {name: string}>[] = [
			{
				id: 'resilience',
				title: 'Resilience',
				run: async ctx => {
					const recovered = ctx.fault('error-rate', 'every REST request answered 503');
					ctx.error({kind: 'unavailable', message: 'fetchTicker: 503'});
					recovered();
					ctx.error({kind: 'network', message: 'a real one'});
					ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
				},
			},
			{
				id: 'soak',
				title: 'Soak',
				run: async ctx => {
					for (let i = 0; i < 100; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 2});
					const recovered = ctx.fault('breaker-test', 'operator test');
					for (let i = 0; i < 10; i++) ctx.operation({kind: 'cycle', ...fail});
					recovered();
					await ctx.sleep(5);
					ctx.operation({kind: 'cycle', ...fail});
					ctx.check({id: 'rate', title: 'rate', verdict: 'pass'});
				},
			},
		];
		const engine = testEngine(phases, {}, {reportDir: dir});
		const outcome = await engine.start({name: 'custom', phases: ['resilience', 'soak'], soakDurationMs: 1_000});
		await engine.close();
		const written = outcome.report!;
		expect(written.metrics).toMatchObject({
			total_errors: 13,
			expected_errors: 11,
			failures_during_faults: 10,
			soak_errors: 11,
			soak_expected_errors: 10,
		});
		expect(written.success_rate!).toBeCloseTo((100 / 101) * 100, 3);
		const {report} = await recoverRun(outcome.reportDir!, {version: 'test'});
		for (const key of [
			'total_errors',
			'expected_errors',
			'failures_during_faults',
			'soak_errors',
			'soak_expected_errors',
		] as const)
			expect(report.metrics[key], key).toBe(written.metrics[key]);
		expect(report.success_rate).toBe(written.success_rate);
		expect(report.performance_grade).toBe(written.performance_grade);
		expect(report.hostname).toBe(written.hostname);
	});
});
