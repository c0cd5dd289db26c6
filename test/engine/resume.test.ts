/**
 * A resumed run in the engine: the seed (finished phases, counters, HDR histograms, errors) carries
 * over, only the given phases run, the soak's clock includes the first segment's time, and the report
 * spans both segments with resumed_from. The prepared seed itself comes from a real interrupted
 * report.json (prepareResume), so the round trip is exercised too.
 */
import {copyFile, mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';
import {buildReport} from '../../source/report/build.js';
import {decodeHistogram} from '../../source/engine/latency.js';
import {prepareResume} from '../../source/runtime/resume.js';
import {testEngine} from './helpers.js';

function soakOf(opsPerRun: number, latencyMs: number): PhaseDefinition<object, {name: string}> {
	return {
		id: 'soak',
		title: 'Soak',
		async run(ctx) {
			for (let i = 0; i < opsPerRun; i++) {
				ctx.operation({
					kind: 'trade-cycle',
					ok: i !== 0,
					latencyMs,
					...(i === 0 ? {error: {kind: 'network', message: 'boom'}} : {}),
				});
				ctx.order('placed');
				await ctx.sleep(ctx.soakDurationMs / opsPerRun);
			}
		},
	};
}

const config: PhaseDefinition<object, {name: string}> = {
	id: 'config',
	title: 'Configuration',
	run: async ctx => void ctx.check({id: 'ok', title: 'ok', verdict: 'pass'}),
};

describe('engine resume', () => {
	it('carries counters, histograms, phases and soak time into the resumed segment', async () => {
		// Segment 1: config passes, the soak is interrupted part-way.
		const first = testEngine([config, soakOf(10, 4)], {});
		const plan = {name: 'custom' as const, phases: ['config' as const, 'soak' as const], soakDurationMs: 1_000};
		const running = first.start(plan);
		await new Promise(resolve => setTimeout(resolve, 400));
		await first.interrupt('SIGINT');
		const interrupted = (await running).report!;
		await first.close();
		expect(interrupted.interrupted).toBe(true);
		const firstOps = interrupted.total_operations;
		expect(firstOps).toBeGreaterThan(0);
		const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-resume-unit-'));
		await writeFile(path.join(dir, 'report.json'), JSON.stringify(interrupted));
		const prepared = await prepareResume(dir, 'test');
		expect(prepared.runPhases).toEqual(['soak']);
		expect(prepared.soakDurationMs).toBeLessThan(1_000);
		expect(prepared.soakDurationMs).toBeGreaterThan(300);
		expect(prepared.seed.soak.operations).toBe(firstOps);

		// Segment 2: only the soak runs, for the time left, with slower operations.
		const second = testEngine([config, soakOf(5, 40)], {});
		const outcome = await second.start(prepared.plan, {
			resume: prepared.seed,
			runPhases: prepared.runPhases,
			soakDurationMs: prepared.soakDurationMs,
		});
		const report = buildReport(second.store, {
			version: 't',
			interruptedBy: null,
			checkpoint: false,
			exitCode: outcome.exitCode,
			callLatency: second.callLatency,
			ordersCancelledOnExit: null,
			rssSlopeMbPerHour: null,
			mask: t => t,
		});
		await second.close();
		expect(report.total_operations).toBe(firstOps + 5);
		expect(report.metrics.orders_placed).toBe(interrupted.metrics.orders_placed + 5);
		// Both segments' latencies: 4 ms from the first, 40 ms from the second (the histogram carried over).
		expect(report.min_latency_ms).toBe(4);
		expect(report.peak_latency_ms).toBe(40);
		expect(decodeHistogram(report.histograms.soak!).count).toBe(firstOps + 5);
		expect(report.average_latency_ms!).toBeCloseTo((firstOps * 4 + 5 * 40) / (firstOps + 5), 1);
		// One failed operation per segment; the first segment's error groups are kept.
		expect(report.success_rate!).toBeCloseTo(((firstOps - 1 + 4) / (firstOps + 5)) * 100, 2);
		expect(report.errors.find(e => e.kind === 'network')!.count).toBe(2);
		// config was not run again but is in the report as it passed; the soak spans the whole second.
		expect(report.phases.map(p => [p.id, p.status])).toEqual([
			['config', 'pass'],
			['soak', expect.stringMatching(/pass|warn|fail/)],
		]);
		expect(report.phases[1]!.duration_ms!).toBeGreaterThanOrEqual(950);
		expect(report.start_time).toBe(interrupted.start_time);
		expect(report.resumed_from).toMatchObject({
			run_id: interrupted.run_id,
			soak_elapsed_ms: prepared.seed.soakElapsedMs,
		});
	});

	it('carries failures under injected faults and expected errors, so the graded success rate comes out exact', async () => {
		// Segment 1, deterministic: 3 failures while a fault is injected (expected), 1 real failure, 6 successes;
		// then it idles until interrupted.
		const faulty: PhaseDefinition<object, {name: string}> = {
			id: 'soak',
			title: 'Soak',
			async run(ctx) {
				const recovered = ctx.fault('error-rate', 'every REST request answered 503');
				for (let i = 0; i < 3; i++)
					ctx.operation({
						kind: 'trade-cycle',
						ok: false,
						latencyMs: 1,
						error: {kind: 'unavailable', message: '503 under the fault'},
					});
				recovered();
				// Past the recovery, so the next failure is not the fault's (an operation overlapping it would be).
				await ctx.sleep(30);
				ctx.operation({kind: 'trade-cycle', ok: false, latencyMs: 1, error: {kind: 'network', message: 'a real one'}});
				for (let i = 0; i < 6; i++) ctx.operation({kind: 'trade-cycle', ok: true, latencyMs: 2});
				await ctx.sleep(ctx.soakDurationMs);
			},
		};
		const first = testEngine([config, faulty], {});
		const plan = {name: 'custom' as const, phases: ['config' as const, 'soak' as const], soakDurationMs: 1_000};
		const running = first.start(plan);
		await new Promise(resolve => setTimeout(resolve, 300));
		await first.interrupt('SIGINT');
		const interrupted = (await running).report!;
		await first.close();
		expect(interrupted.total_operations).toBe(10);
		expect(interrupted.metrics.failures_during_faults).toBe(3);
		expect(interrupted.metrics.expected_errors).toBe(3);
		expect(interrupted.metrics.soak_expected_errors).toBe(3);
		// 6 of the 7 judged (10 less the 3 under the fault).
		expect(interrupted.success_rate).toBe(85.7143);
		const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-resume-faults-'));
		await writeFile(path.join(dir, 'report.json'), JSON.stringify(interrupted));
		const prepared = await prepareResume(dir, 'test');
		expect(prepared.seed.soak).toMatchObject({
			operations: 10,
			succeeded: 6,
			failed: 4,
			errors: 4,
			failedDuringFaults: 3,
			expectedErrors: 3,
		});
		expect(prepared.seed.overall).toMatchObject({operations: 10, failed: 4, failedDuringFaults: 3});
		expect(prepared.seed.expectedErrors).toBe(3);

		// Segment 2: 5 operations, the first a real failure (soakOf).
		const second = testEngine([config, soakOf(5, 2)], {});
		const outcome = await second.start(prepared.plan, {
			resume: prepared.seed,
			runPhases: prepared.runPhases,
			soakDurationMs: prepared.soakDurationMs,
		});
		const report = buildReport(second.store, {
			version: 't',
			interruptedBy: null,
			checkpoint: false,
			exitCode: outcome.exitCode,
			callLatency: second.callLatency,
			ordersCancelledOnExit: null,
			rssSlopeMbPerHour: null,
			mask: t => t,
		});
		await second.close();
		expect(report.total_operations).toBe(15);
		expect(report.metrics.failures_during_faults).toBe(3);
		expect(report.metrics.total_errors).toBe(5);
		expect(report.metrics.expected_errors).toBe(3);
		expect(report.metrics.soak_errors).toBe(5);
		expect(report.metrics.soak_expected_errors).toBe(3);
		// Succeeded 6 + 4 = 10 of the 12 judged (15 less the 3 under the fault): exactly, not 86.6667 (13 of 15).
		expect(report.success_rate).toBe(83.3333);
		// Errors per hour count the 2 real ones only.
		const hours = Math.max((second.store.run!.endedAt! - second.store.run!.startedAt) / 3_600_000, 1 / 60);
		expect(report.metrics.error_rate_per_hour).toBeCloseTo(2 / hours, 2);
	});

	it('a report from before failures_during_faults resumes as before (rate × total operations)', async () => {
		const first = testEngine([config, soakOf(10, 4)], {});
		const running = first.start({name: 'custom', phases: ['config', 'soak'], soakDurationMs: 1_000});
		await new Promise(resolve => setTimeout(resolve, 400));
		await first.interrupt('SIGINT');
		const interrupted = (await running).report!;
		await first.close();
		const {
			expected_errors: _e,
			failures_during_faults: _f,
			soak_errors: _s,
			soak_expected_errors: _se,
			...oldMetrics
		} = interrupted.metrics;
		const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-resume-old-'));
		await writeFile(path.join(dir, 'report.json'), JSON.stringify({...interrupted, metrics: oldMetrics}));
		const prepared = await prepareResume(dir, 'test');
		const ops = interrupted.total_operations;
		expect(prepared.seed.soak).toMatchObject({
			operations: ops,
			succeeded: ops - 1,
			failed: 1,
			failedDuringFaults: 0,
			expectedErrors: 0,
		});
		expect(prepared.seed.overall.failedDuringFaults).toBe(0);
		expect(prepared.seed.expectedErrors).toBe(0);
	});

	it('after a kill -9 (journal, no final report) the state is rebuilt from the journal and the soak is resumable', async () => {
		const base = await mkdtemp(path.join(os.tmpdir(), 'drydock-resume-kill-'));
		const engine = testEngine([config, soakOf(10, 4)], {}, {reportDir: base});
		const running = engine.start({name: 'custom', phases: ['config', 'soak'], soakDurationMs: 2_000});
		await new Promise(resolve => setTimeout(resolve, 600));
		// What a kill -9 leaves behind: the journal so far, no final report.json.
		const runDir = engine.store.run!.reportDir!;
		const killed = path.join(base, 'killed');
		await mkdir(killed);
		await copyFile(path.join(runDir, 'events.ndjson'), path.join(killed, 'events.ndjson'));
		await engine.interrupt('stop');
		await running;
		await engine.close();
		const prepared = await prepareResume(killed, 't');
		expect(prepared.recovered).toBe(true);
		expect(prepared.runPhases).toEqual(['soak']);
		expect(prepared.seed.phases.map(p => [p.id, p.status])).toEqual([['config', 'pass']]);
		expect(prepared.seed.soak.operations).toBeGreaterThan(0);
		expect(prepared.soakDurationMs).toBeGreaterThan(1_000);
		expect(prepared.soakDurationMs).toBeLessThan(2_000);
	});

	it('refuses a finished run, and a run without a soak, with the reason', async () => {
		const engine = testEngine([config], {});
		const report = (await engine.start({name: 'custom', phases: ['config'], soakDurationMs: 0})).report!;
		await engine.close();
		const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-resume-unit-'));
		await writeFile(path.join(dir, 'report.json'), JSON.stringify(report));
		await expect(prepareResume(dir, 't')).rejects.toThrow(/that run finished \(exit 0\) — there is nothing to resume/);
		await writeFile(path.join(dir, 'report.json'), JSON.stringify({...report, interrupted: true}));
		await expect(prepareResume(dir, 't')).rejects.toThrow(/has no soak to resume/);
		await expect(prepareResume(path.join(dir, 'nowhere'), 't')).rejects.toThrow(
			/no readable report\.json or journal there/,
		);
	});
});
