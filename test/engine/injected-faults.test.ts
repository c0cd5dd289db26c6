/**
 * Errors and failures drydock causes on purpose (a ctx.fault mark until it recovers, a chaos fault while
 * its record is `active`) must not grade the system under test: they are counted apart (expected errors,
 * failures during faults), kept out of errors/hour, the graded success rate and the soak's checks.
 * Real engine and store; the phases are fakes that play the part of resilience / the chaos runner.
 */
import os from 'node:os';
import {describe, expect, it} from 'vitest';
import {testEngine} from './helpers.js';
import {formatSummary} from '../../source/report/summary.js';
import type {ChaosRecord} from '../../source/engine/fault-records.js';
import type {PhaseContext, PhaseDefinition} from '../../source/engine/phase-definition.js';

type Ctx = PhaseContext<object, {name: string}>;
type Def = PhaseDefinition<object, {name: string}>;

const phase = (id: Def['id'], run: (ctx: Ctx) => Promise<void>): Def => ({id, title: id, run});

function chaosRecord(index: number, verdict: ChaosRecord['verdict']): ChaosRecord {
	return {
		index,
		fault: 'error-rate',
		label: 'error-rate 50 %',
		params: {probability: 0.5},
		scheduled_ms: 0,
		duration_ms: 1000,
		recovery_budget_ms: 10_000,
		injected_at: null,
		detected_after_ms: null,
		detected_by: null,
		reconnected_after_ms: null,
		resubscribed_after_ms: null,
		recovered_after_ms: null,
		recovery_ms: verdict === 'pass' ? 5 : null,
		messages_missed: 0,
		book_resyncs: 0,
		failed_calls: 0,
		unknown_orders: [],
		breaker_transitions: [],
		verdict,
		reason: null,
	};
}

describe('errors under an injected fault are expected, not graded', () => {
	it('ctx.fault marks: errors until recovery are expected; after it (and past the phase that forgot to recover) they count', async () => {
		const active: boolean[] = [];
		const engine = testEngine(
			[
				phase('resilience', async ctx => {
					active.push(ctx.faultActive());
					const recovered = ctx.fault('error-rate', 'every REST request answered 503');
					active.push(ctx.faultActive());
					// Three failed attempts (retries) and one direct error while the fault is on: 4 expected.
					await ctx
						.call(
							'fetchTicker',
							async () => {
								throw Object.assign(new Error('503'), {kind: 'unavailable'});
							},
							{breaker: false},
						)
						.catch(() => {});
					ctx.error({kind: 'unavailable', message: 'probe failed'});
					recovered();
					active.push(ctx.faultActive());
					ctx.error({kind: 'network', message: 'after recovery'});
					// A mark the phase never recovers stops excusing errors when the phase ends.
					ctx.fault('timeout', 'never recovered');
					ctx.error({kind: 'timeout', message: 'under the forgotten mark'});
					ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
				}),
				phase('concurrency', async ctx => {
					active.push(ctx.faultActive());
					ctx.error({kind: 'network', message: 'a real one, later'});
					// Caused on purpose without a fault (e.g. the security phase's planted probe): expected too.
					ctx.error({kind: 'security-probe', message: 'planted probe', expected: true});
					ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
				}),
			],
			{},
		);
		const outcome = await engine.start({name: 'custom', phases: ['resilience', 'concurrency'], soakDurationMs: 0});
		await engine.close();
		expect(active).toEqual([false, true, false, false]);
		const snap = engine.store.publish();
		// 3 attempts + probe + 'under the forgotten mark' + the planted probe = 6 expected; 'after recovery' + 'a real one' = 2 counted.
		expect(snap.metrics.expectedErrors).toBe(6);
		const report = outcome.report!;
		expect(report.metrics.total_errors).toBe(8);
		expect(report.metrics.expected_errors).toBe(6);
		// The header's errors/hour (and report.json error_rate_per_hour) count the 2 unexpected ones only.
		const hours = Math.max((engine.store.run!.endedAt! - engine.store.run!.startedAt) / 3_600_000, 1 / 60);
		expect(snap.metrics.errorsPerHour).toBeCloseTo(2 / hours, 6);
		expect(report.metrics.error_rate_per_hour).toBeCloseTo(2 / hours, 2);
	});

	it('a soak whose failures all fell under an active chaos fault keeps its grade; the excluded count is named', async () => {
		const seen = {during: false, after: true, overlapping: false};
		const engine = testEngine(
			[
				phase('soak', async ctx => {
					for (let i = 0; i < 400; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 2});
					// What the chaos runner does: the record goes `active` at injection, judged when recovery is seen.
					engine.emit({type: 'chaos', at: ctx.now(), record: chaosRecord(0, 'active')});
					seen.during = ctx.faultActive();
					for (let i = 0; i < 60; i++) {
						ctx.operation({
							kind: 'cycle',
							ok: i % 2 === 0,
							latencyMs: 3,
							...(i % 2 === 0 ? {} : {error: {kind: 'unavailable', message: '503 from the venue'}}),
						});
					}
					engine.emit({type: 'chaos', at: ctx.now(), record: chaosRecord(0, 'pass')});
					await ctx.sleep(5);
					seen.after = ctx.faultActive();
					seen.overlapping = ctx.faultActive(1_000);
					// A straggler: started under the fault, failed after it was judged recovered. Still the fault's.
					ctx.operation({
						kind: 'cycle',
						ok: false,
						latencyMs: 1_000,
						error: {kind: 'unavailable', message: '503 from the venue'},
					});
					for (let i = 0; i < 540; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 2});
					// One failure outside the window: it counts.
					ctx.operation({kind: 'cycle', ok: false, latencyMs: 2, error: {kind: 'network', message: 'reset'}});
					ctx.check({id: 'rate', title: 'rate', verdict: 'pass'});
				}),
			],
			{},
		);
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 1_000});
		await engine.close();
		expect(seen).toEqual({during: true, after: false, overlapping: true});
		const report = outcome.report!;
		// 1002 operations, 32 failed: 31 under the fault left out → 970 / 971 succeeded (99.9 %, grade A), not 96.8 % (grade C).
		expect(report.total_operations).toBe(1002);
		expect(report.metrics.failures_during_faults).toBe(31);
		expect(report.success_rate!).toBeCloseTo((970 / 971) * 100, 3);
		expect(report.performance_grade).toBe('A');
		expect(report.metrics.expected_errors).toBe(31);
		expect(report.metrics.soak_errors).toBe(32);
		expect(report.metrics.soak_expected_errors).toBe(31);
		const soak = report.phases.find(p => p.id === 'soak')!;
		const grade = soak.checks.find(c => c.id === 'grade')!;
		expect(grade.verdict).toBe('pass');
		expect(grade.title).toMatch(/31 failed operations under injected faults not graded/);
		const perHour = soak.checks.find(c => c.id === 'errors-per-hour')!;
		expect(perHour.title).toMatch(/31 during chaos faults not counted/);
		// The soak's progress line and the console's snapshot agree with the report.
		const snap = engine.store.publish();
		expect(snap.soak!.failuresDuringFaults).toBe(31);
		expect(snap.soak!.expectedErrors).toBe(31);
		expect(snap.soak!.successRate!).toBeCloseTo(970 / 971, 6);
		expect(snap.grade).toBe('A');
		// The final block prints the soak's errors with the expected ones named, and the excluded failures.
		const summary = formatSummary(report);
		expect(summary).toMatch(/errors {8}32 \(31 during injected faults\)/);
		expect(summary).toMatch(/success rate {2}99\.897% \(31 failed under injected faults not counted\)/);
	});

	it('without an injected fault, failures grade as before (the same failures drag the soak to C)', async () => {
		const engine = testEngine(
			[
				phase('soak', async ctx => {
					for (let i = 0; i < 940; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 2});
					for (let i = 0; i < 60; i++)
						ctx.operation({
							kind: 'cycle',
							ok: i % 2 === 0,
							latencyMs: 3,
							...(i % 2 === 0 ? {} : {error: {kind: 'unavailable', message: '503 from the venue'}}),
						});
					ctx.operation({kind: 'cycle', ok: false, latencyMs: 2, error: {kind: 'network', message: 'reset'}});
					ctx.check({id: 'rate', title: 'rate', verdict: 'pass'});
				}),
			],
			{},
		);
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 1_000});
		await engine.close();
		const report = outcome.report!;
		expect(report.metrics.failures_during_faults).toBe(0);
		expect(report.metrics.expected_errors).toBe(0);
		expect(report.success_rate!).toBeCloseTo((970 / 1001) * 100, 3);
		expect(report.performance_grade).toBe('C');
		const grade = report.phases[0]!.checks.find(c => c.id === 'grade')!;
		expect(grade.title).toBe('Performance grade');
		// Grade C is below the default minimum grade (B): it fails the soak.
		expect(grade.verdict).toBe('fail');
	});

	it('an operator test (engine fault mark) counts as injected while it lasts', async () => {
		let releaseFault: () => void = () => {};
		const gate = new Promise<void>(resolve => (releaseFault = resolve));
		const engine = testEngine(
			[
				phase('soak', async ctx => {
					// The operator's breaker test fires mid-soak; nothing closes the breaker, so its mark stays open
					// until the test's deadline (120 s by default) or, here, the phase's end.
					engine.dispatch({type: 'trip-breaker'});
					await gate;
					ctx.operation({
						kind: 'cycle',
						ok: false,
						latencyMs: 1,
						error: {kind: 'breaker-open', message: 'breaker open'},
					});
					for (let i = 0; i < 99; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 1});
					ctx.check({id: 'rate', title: 'rate', verdict: 'pass'});
				}),
				phase('concurrency', async ctx => {
					await ctx.sleep(10); // begun after the mark closed
					ctx.operation({kind: 'op', ok: false, latencyMs: 1, error: {kind: 'network', message: 'reset'}});
					ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
				}),
			],
			{},
		);
		const off = engine.onEvent(event => {
			if (event.type === 'fault') releaseFault();
		});
		const outcome = await engine.start({name: 'custom', phases: ['soak', 'concurrency'], soakDurationMs: 1_000});
		off();
		await engine.close();
		const report = outcome.report!;
		expect(report.faults.map(f => f.kind)).toEqual(['breaker-test']);
		expect(report.metrics.soak_expected_errors).toBe(1);
		expect(report.metrics.failures_during_faults).toBe(1);
		expect(report.success_rate).toBe(100);
		// The mark closed with the soak: the concurrency failure is a real one.
		expect(report.metrics.expected_errors).toBe(1);
		expect(report.metrics.total_errors).toBe(2);
	});
});

describe("the operator's tests end: their marks never excuse failures for the rest of a soak", () => {
	const failure = (ctx: Ctx, message: string) =>
		ctx.operation({kind: 'cycle', ok: false, latencyMs: 1, error: {kind: 'network', message}});

	it("b pressed twice while a soak runs: both marks recover at the deadline whatever the breaker's state; a later failure counts", async () => {
		const seen: boolean[] = [];
		const soak = phase('soak', async ctx => {
			for (let i = 0; i < 99; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 1});
			await engine.execute({type: 'trip-breaker'});
			await ctx.sleep(50);
			await engine.execute({type: 'trip-breaker'});
			seen.push(ctx.faultActive());
			failure(ctx, 'under the test');
			// The run makes no calls: the breaker sits half-open, never closed. The deadline ends the test anyway.
			await ctx.sleep(500);
			seen.push(ctx.faultActive());
			failure(ctx, 'a real one, 500 ms later');
			ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
		});
		const engine = testEngine(
			[soak],
			{},
			{breakerTestMaxMs: 250, runtime: {phases: [soak], services: {}, hooks: {probe: async () => {}}}},
		);
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 5_000});
		await engine.close();
		expect(seen).toEqual([true, false]);
		const report = outcome.report!;
		expect(report.faults.map(f => [f.kind, typeof f.recoveredAt])).toEqual([
			['breaker-test', 'number'],
			['breaker-test', 'number'],
		]);
		expect(report.metrics.failures_during_faults).toBe(1);
		expect(report.success_rate!).toBeCloseTo((99 / 100) * 100, 6);
	});

	it('a breaker test or force reconnect whose hook throws recovers its mark at once', async () => {
		const seen: boolean[] = [];
		const errors: string[] = [];
		const hooks = {
			breakerTest: async () => {
				throw new Error('mock admin answered 500');
			},
			forceReconnect: async () => {
				throw new Error('no stream to drop');
			},
		};
		const soak = phase('soak', async ctx => {
			for (let i = 0; i < 99; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 1});
			await engine.execute({type: 'trip-breaker'}).catch((error: Error) => errors.push(error.message));
			seen.push(ctx.faultActive());
			await engine.execute({type: 'force-reconnect'}).catch((error: Error) => errors.push(error.message));
			seen.push(ctx.faultActive());
			await ctx.sleep(5);
			failure(ctx, 'a real one');
			ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
		});
		const engine = testEngine([soak], {}, {runtime: {phases: [soak], services: {}, hooks}});
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 5_000});
		await engine.close();
		expect(errors).toEqual(['mock admin answered 500', 'no stream to drop']);
		expect(seen).toEqual([false, false]);
		const report = outcome.report!;
		expect(report.faults.map(f => [f.kind, typeof f.recoveredAt])).toEqual([
			['breaker-test', 'number'],
			['force-reconnect', 'number'],
		]);
		expect(report.metrics.failures_during_faults).toBe(0);
		expect(report.success_rate!).toBeCloseTo((99 / 100) * 100, 6);
	});
});

describe('report.json: machine and soak figures', () => {
	it("names the machine (hostname) and the soak block prints the soak's errors, not the run's", async () => {
		const engine = testEngine(
			[
				phase('config', async ctx => {
					for (let i = 0; i < 5; i++) ctx.error({kind: 'config', message: `warning ${i}`});
					ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
				}),
				phase('soak', async ctx => {
					for (let i = 0; i < 50; i++)
						ctx.operation({
							kind: 'cycle',
							ok: i !== 3,
							latencyMs: 1,
							...(i === 3 ? {error: {kind: 'network', message: 'reset'}} : {}),
						});
					ctx.error({kind: 'network', message: 'one more'});
					ctx.check({id: 'rate', title: 'rate', verdict: 'pass'});
				}),
			],
			{},
		);
		const outcome = await engine.start({name: 'custom', phases: ['config', 'soak'], soakDurationMs: 1_000});
		await engine.close();
		const report = outcome.report!;
		expect(report.hostname).toBe(os.hostname());
		expect(report.metrics.total_errors).toBe(7);
		expect(report.metrics.soak_errors).toBe(2);
		const summary = formatSummary(report);
		const block = summary.slice(summary.indexOf('── soak: final ──'));
		expect(block).toMatch(/\n {2}errors {8}2\n/);
		// An older report without soak_errors still prints (the run's count, as before).
		const {soak_errors: _a, soak_expected_errors: _b, ...olderMetrics} = report.metrics;
		expect(formatSummary({...report, metrics: olderMetrics})).toMatch(/\n {2}errors {8}7\n/);
	});
});
