/**
 * End to end on the embedded mock (real session: mock, ccxt, phases, chaos runner): a short soak with a
 * 5xx window from the chaos timeline. The failures the window causes are counted in report.json
 * (failures_during_faults, expected_errors) and kept out of the graded success rate, the soak's
 * success-rate check and errors/hour — the grade is not dragged to C by drydock's own fault.
 */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../source/profiles/profile-file.js';
import {createSession} from '../../source/runtime/session.js';
import {loadChaosFile} from '../../source/faults/chaos/timeline-file.js';
import type {Report} from '../../source/report/model.js';

const chaosYaml = `chaos:
  - {from: 2s, to: 5s, fault: error-rate, params: {probability: 0.6}, recoveryBudget: 10s}
`;

describe('a soak with a chaos 5xx window on the mock', () => {
	it('keeps the failures the window caused out of the grade, and counts them in the report', async () => {
		const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-soak-faults-'));
		const chaosFile = path.join(reportDir, 'chaos.yaml');
		await writeFile(chaosFile, chaosYaml);
		const timeline = await loadChaosFile(chaosFile);
		const {profile: shipped} = await loadProfile('mock');
		// 8 cycles/s stays under the mock's order-count limit (100 orders per 10 s), so only the window fails cycles.
		const profile = {
			...shipped,
			soak: {...shipped.soak, ratePerSecond: 8},
			breaker: {...shipped.breaker, openMs: 1_000},
			chaos: timeline,
		};
		const session = createSession({profile, reportDir, rememberRuns: false, htmlReport: false});
		try {
			await session.ready;
			const outcome = await session.engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 14_000});
			const report = JSON.parse(await readFile(path.join(outcome.reportDir!, 'report.json'), 'utf8')) as Report;
			const soak = report.phases.find(p => p.id === 'soak')!;
			const explain = JSON.stringify(
				{
					metrics: report.metrics,
					success_rate: report.success_rate,
					ops: report.total_operations,
					grade: report.performance_grade,
					checks: soak.checks.map(c => `${c.id} ${c.verdict} ${c.measured} ${c.title}`),
					chaos: report.chaos,
				},
				null,
				1,
			);
			expect(report.chaos![0]!.verdict, explain).toBe('pass');
			const excluded = report.metrics.failures_during_faults!;
			expect(excluded, explain).toBeGreaterThan(0);
			expect(report.metrics.expected_errors!, explain).toBeGreaterThanOrEqual(excluded);
			expect(report.metrics.soak_expected_errors!, explain).toBeGreaterThanOrEqual(excluded);
			expect(report.hostname).toBe(os.hostname());
			// Counted the old way (every failure in), the window alone would have graded this soak C.
			const judged = report.total_operations - excluded;
			const succeeded = Math.round((report.success_rate! / 100) * judged);
			expect(succeeded / report.total_operations, explain).toBeLessThan(0.99);
			// Graded without them: every failure fell under the fault, so nothing else drags the grade.
			expect(report.success_rate!, explain).toBeGreaterThanOrEqual(99);
			expect(report.performance_grade, explain).not.toBe('C');
			const rate = soak.checks.find(c => c.id === 'soak-success-rate')!;
			expect(rate.verdict, explain).toBe('pass');
			expect(rate.title).toBe(`success rate (${excluded} failed under injected faults not counted)`);
			const grade = soak.checks.find(c => c.id === 'grade')!;
			expect(grade.verdict, explain).toBe('pass');
			expect(grade.title).toMatch(new RegExp(`\\(${excluded} failed operations under injected faults not graded\\)`));
			const perHour = soak.checks.find(c => c.id === 'errors-per-hour')!;
			expect(perHour.verdict, explain).toBe('pass');
			expect(perHour.title).toMatch(/\d+ during chaos faults not counted/);
		} finally {
			await session.close();
		}
	}, 60_000);
});
