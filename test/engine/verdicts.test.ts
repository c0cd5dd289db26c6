/**
 * Verdicts that never flatter (issue 13): a stopped soak is `interrupted` on every stop path, the
 * guides' criteria gate the soak by default, `targets_met` is the guides' object, informational entries
 * are not passed checks, operator actions are recorded, percentiles never exceed the maximum.
 */
import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {XMLParser} from 'fast-xml-parser';
import {testEngine} from './helpers.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';
import type {PhaseContext} from '../../source/engine/phase-definition.js';
import {derivePhaseStatus} from '../../source/engine/checks.js';
import {LatencyRecorder} from '../../source/engine/latency.js';
import {formatSummary} from '../../source/report/summary.js';
import {toJUnit} from '../../source/report/junit.js';
import {renderHtmlReport} from '../../source/report/html/index.js';
import type {Report} from '../../source/report/model.js';

type P = PhaseDefinition<object, {name: string}>;
type Ctx = PhaseContext<object, {name: string}>;

const phase = (id: P['id'], run: (ctx: Ctx) => Promise<void>): P => ({id, title: id, run});

/** Like the real soak: on abort it stops its loop and returns quietly, having judged what it saw. */
const quietSoak = phase('soak', async ctx => {
	while (!ctx.signal.aborted) {
		ctx.operation({kind: 'cycle', ok: true, latencyMs: 0.5});
		await new Promise(resolve => setTimeout(resolve, 5));
	}
	ctx.check({id: 'soak-rate', title: 'rate', verdict: 'pass', measured: 10, threshold: '≥ 9'});
});

/** A soak that runs `n` operations and returns (its duration is whatever they take). */
const soakOf = (ops: {ok: boolean; latencyMs: number}[], extra?: (ctx: Ctx) => void) =>
	phase('soak', async ctx => {
		for (const op of ops)
			ctx.operation({
				kind: 'cycle',
				ok: op.ok,
				latencyMs: op.latencyMs,
				...(op.ok ? {} : {error: {kind: 'rejected', message: 'venue said no'}}),
			});
		ctx.check({id: 'soak-rate', title: 'rate', verdict: 'pass'});
		extra?.(ctx);
	});

const ok = (n: number, latencyMs = 0.5) => Array.from({length: n}, () => ({ok: true, latencyMs}));

async function reportFor(dir: string): Promise<Report> {
	const [runDir] = await readdir(dir);
	return JSON.parse(await readFile(path.join(dir, runDir!, 'report.json'), 'utf8')) as Report;
}

describe('a stopped soak: one verdict everywhere', () => {
	for (const by of ['stop', 'quit', 'SIGHUP', 'SIGINT'] as const) {
		it(`${by} while the soak winds down quietly → interrupted, never pass, targets not met`, async () => {
			const engine = testEngine([quietSoak], {});
			const done = engine.start({name: 'quick', phases: ['soak'], soakDurationMs: 60_000});
			await new Promise(resolve => setTimeout(resolve, 80));
			if (by === 'stop') engine.dispatch({type: 'stop'});
			else void engine.interrupt(by);
			const outcome = await done;
			await engine.close();
			const report = outcome.report!;
			const soak = report.phases.find(p => p.id === 'soak')!;
			expect(soak.status).toBe('interrupted');
			expect(soak.reason).toMatch(/^interrupted \(/);
			expect(typeof report.targets_met.latency).toBe('boolean');
			expect(typeof report.targets_met.success_rate).toBe('boolean');
			expect(report.targets_met.overall).toBe(false);
			expect(report.success).toBe(false);
			const summary = formatSummary(report);
			expect(summary).toMatch(/soak\s+INTERRUPTED/);
			expect(summary).not.toMatch(/soak\s+PASS/);
			expect(summary).not.toContain('targets met');
			expect(summary).toContain('Result: INTERRUPTED');
		});
	}

	it('the forced path (second Ctrl-C) writes the running soak as interrupted, not running', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-verdicts-'));
		const engine = testEngine(
			[phase('config', async ctx => void ctx.check({id: 'ok', title: 'ok', verdict: 'pass'})), quietSoak],
			{},
			{reportDir: dir},
		);
		const done = engine.start({name: 'quick', phases: ['config', 'soak', 'orders'], soakDurationMs: 60_000});
		await new Promise(resolve => setTimeout(resolve, 80));
		expect(engine.writeEmergencyReport()).not.toBeNull();
		const report = await reportFor(dir);
		expect(report.phases.map(p => `${p.id}:${p.status}`)).toEqual([
			'config:pass',
			'soak:interrupted',
			'orders:skipped',
		]);
		expect(report.targets_met.overall).toBe(false);
		expect(report.success).toBe(false);
		await engine.interrupt('SIGINT');
		await done;
		await engine.close();
	});

	it('a soak that completed, but shorter than its planned duration, does not meet its targets', async () => {
		const engine = testEngine([soakOf(ok(50))], {});
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 60_000});
		await engine.close();
		expect(outcome.report!.targets_met).toEqual({latency: true, success_rate: true, overall: false});
	});
});

describe("the guides' criteria gate the soak by default", () => {
	it('a healthy soak that ran its duration meets every target: {latency, success_rate, overall}', async () => {
		const soak = phase('soak', async ctx => {
			for (let i = 0; i < 100; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 0.5});
			await ctx.sleep(30);
			ctx.check({id: 'soak-rate', title: 'rate', verdict: 'pass'});
		});
		const engine = testEngine([soak], {});
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 20});
		await engine.close();
		const report = outcome.report!;
		expect(report.phases[0]!.status).toBe('pass');
		expect(report.targets_met).toEqual({latency: true, success_rate: true, overall: true});
		expect(report.success).toBe(true);
	});

	it('a success rate below the target fails (66.67 % against 99 %), and so does grade C', async () => {
		const ops = [...ok(2), {ok: false, latencyMs: 0.5}];
		const engine = testEngine([soakOf(ops)], {});
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await engine.close();
		const checks = outcome.report!.phases[0]!.checks;
		expect(checks.find(c => c.id === 'success-rate')).toMatchObject({
			verdict: 'fail',
			measured: 66.667,
			threshold: '≥ 99',
		});
		expect(checks.find(c => c.id === 'grade')).toMatchObject({verdict: 'fail', measured: 'C'});
		expect(outcome.report!.phases[0]!.status).toBe('fail');
		expect(outcome.report!.targets_met).toMatchObject({success_rate: false, overall: false});
		expect(outcome.exitCode).toBe(1);
	});

	it('minGrade C lets grade C pass; minGrade A fails grade B', async () => {
		const lenient = testEngine([soakOf([...ok(2), {ok: false, latencyMs: 0.5}])], {}, {targets: {minGrade: 'C'}});
		const a = await lenient.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await lenient.close();
		expect(a.report!.phases[0]!.checks.find(c => c.id === 'grade')!.verdict).toBe('pass');
		expect(a.report!.phases[0]!.checks.find(c => c.id === 'success-rate')!.verdict).toBe('pass');
		const strict = testEngine([soakOf(ok(100, 50))], {}, {targets: {minGrade: 'A'}});
		const b = await strict.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await strict.close();
		expect(b.report!.performance_grade).toBe('B');
		expect(b.report!.phases[0]!.checks.find(c => c.id === 'grade')).toMatchObject({
			verdict: 'fail',
			threshold: 'A+ / A',
		});
		expect(b.report!.phases[0]!.checks.find(c => c.id === 'average-latency')).toMatchObject({
			verdict: 'fail',
			threshold: '< 5',
		});
	});

	it('peak latency over its limit fails (default 500 ms), and the latency target is missed', async () => {
		const engine = testEngine([soakOf([...ok(999), {ok: true, latencyMs: 750}])], {});
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await engine.close();
		expect(outcome.report!.phases[0]!.checks.find(c => c.id === 'peak-latency')).toMatchObject({
			verdict: 'fail',
			measured: 750,
			threshold: '≤ 500',
		});
		expect(outcome.report!.targets_met.latency).toBe(false);
	});

	it('process memory over its ceiling and CPU over its limit fail', async () => {
		const engine = testEngine(
			[soakOf(ok(10))],
			{},
			{limits: {cpuPercent: 50, rssMb: 500, rssSlopeMbPerHour: 1e9, eventLoopLagMs: 200}},
		);
		const at = Date.now();
		for (let i = 0; i < 3; i++)
			engine.emit({
				type: 'resource',
				at: at + i,
				sample: {
					which: 'self',
					pid: 1,
					label: 'drydock',
					at: at + i,
					cpuPercent: 80,
					rssMb: 600,
					heapMb: 10,
					eventLoopLagMs: 1,
					alive: true,
				},
			});
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await engine.close();
		const checks = outcome.report!.phases[0]!.checks;
		expect(checks.find(c => c.id === 'memory-ceiling')).toMatchObject({
			verdict: 'fail',
			measured: 600,
			threshold: '< 500',
		});
		expect(checks.find(c => c.id === 'cpu-average')).toMatchObject({verdict: 'fail', measured: 80});
	});

	it('errors per hour default to the guides\' "< 1 per hour": one real error in a short soak fails; injected ones do not count', async () => {
		const engine = testEngine(
			[soakOf(ok(200), ctx => ctx.error({kind: 'network', message: 'reset by peer'}))],
			{},
			{limits: {cpuPercent: 50, rssMb: 500, rssSlopeMbPerHour: 5, eventLoopLagMs: 200}},
		);
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await engine.close();
		expect(outcome.report!.phases[0]!.checks.find(c => c.id === 'errors-per-hour')).toMatchObject({
			verdict: 'fail',
			threshold: '< 1',
		});
		const clean = testEngine(
			[soakOf(ok(200), ctx => ctx.error({kind: 'network', message: 'reset by peer', expected: true}))],
			{},
			{limits: {cpuPercent: 50, rssMb: 500, rssSlopeMbPerHour: 5, eventLoopLagMs: 200}},
		);
		const cleanOutcome = await clean.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await clean.close();
		expect(cleanOutcome.report!.phases[0]!.checks.find(c => c.id === 'errors-per-hour')).toMatchObject({
			verdict: 'pass',
			measured: 0,
		});
	});
});

describe('informational entries and warnings are not passed checks', () => {
	it('derivePhaseStatus ignores info; "N/M passed" counts neither info nor warn in the snapshot, summary, junit and HTML', async () => {
		expect(derivePhaseStatus([{verdict: 'pass'}, {verdict: 'info'}])).toBe('pass');
		expect(derivePhaseStatus([{verdict: 'info'}])).toBe('no-data');
		const streams = phase('streams', async ctx => {
			ctx.check({id: 'gaps', title: 'No gaps', verdict: 'pass', measured: 0, threshold: '= 0'});
			ctx.check({id: 'rate', title: 'Message rate', verdict: 'warn', measured: 1, threshold: '≥ 2', reason: 'slow'});
			ctx.check({
				id: 'ws-drop-missed',
				title: 'Messages missed across the drop',
				verdict: 'info',
				measured: 3,
				threshold: null,
				reason: 'counted',
			});
		});
		const engine = testEngine([streams], {});
		const outcome = await engine.start({name: 'custom', phases: ['streams'], soakDurationMs: 0});
		const view = engine.store.publish().phases.find(p => p.id === 'streams')!;
		await engine.close();
		expect(view.status).toBe('warn');
		expect([view.passed, view.total]).toEqual([1, 2]);
		const report = outcome.report!;
		expect(formatSummary(report)).toMatch(/streams\s+WARN\s+1\/2 /);
		type Suite = {tests: string; testcase: {name: string} | {name: string}[]; properties: {property: {name: string}}};
		const junit = new XMLParser({ignoreAttributes: false, attributeNamePrefix: ''}).parse(toJUnit(report)) as {
			testsuites: {testsuite: Suite};
		};
		const suite = junit.testsuites.testsuite;
		expect(suite.tests).toBe('2');
		const names = [suite.testcase].flat().map(t => t.name);
		expect(names.some((n: string) => n.startsWith('ws-drop-missed'))).toBe(false);
		expect(suite.properties.property.name).toBe('ws-drop-missed: Messages missed across the drop');
		expect(renderHtmlReport(report)).toMatch(/data-phase="streams" data-status="warn">.*?<td class="num">1\/2<\/td>/);
	});
});

describe('operator actions are part of the record', () => {
	it('kill switch engaged/released with orders cancelled, x and b land in report.json, the summary and the HTML marks', async () => {
		let release: () => void = () => {};
		const gate = new Promise<void>(resolve => (release = resolve));
		const soak = phase('soak', async ctx => {
			ctx.operation({kind: 'cycle', ok: true, latencyMs: 1});
			await gate;
			ctx.check({id: 'soak-rate', title: 'rate', verdict: 'pass'});
		});
		let streams = 2;
		const engine = testEngine(
			[soak],
			{},
			{
				runtime: {
					phases: [soak],
					services: {},
					hooks: {
						cancelAllOrders: async () => 3,
						forceReconnect: async () => streams,
						flattenPositions: async () => ({closed: 1, detail: 'sold 0.001 BTC'}),
					},
				},
			},
		);
		const done = engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await new Promise(resolve => setTimeout(resolve, 20));
		// Resource samples around the actions, so the HTML has time charts to mark.
		const sample = (at: number) =>
			engine.emit({
				type: 'resource',
				at,
				sample: {
					which: 'self',
					pid: 1,
					label: 'drydock',
					at,
					cpuPercent: 5,
					rssMb: 100,
					heapMb: 10,
					eventLoopLagMs: 1,
					alive: true,
				},
			});
		sample(Date.now() - 1000);
		await engine.execute({type: 'kill-switch', flatten: true});
		await engine.execute({type: 'kill-switch'});
		await engine.execute({type: 'force-reconnect'});
		streams = 0;
		await engine.execute({type: 'force-reconnect'});
		await engine.execute({type: 'trip-breaker'});
		sample(Date.now() + 1000);
		release();
		const report = (await done).report!;
		await engine.close();
		const actions = report.operator_actions!;
		expect(actions.map(a => a.action)).toEqual([
			'kill-switch-engaged',
			'kill-switch-released',
			'force-reconnect',
			'force-reconnect',
			'breaker-test',
		]);
		expect(actions[0]).toMatchObject({ordersCancelled: 3, positionsClosed: 1});
		expect(actions[0]!.detail).toContain('3 open orders cancelled');
		expect(actions[2]).toMatchObject({streamsDropped: 2, detail: '2 streams dropped'});
		// `x` with no stream open says so, and records nothing as recovered.
		expect(actions[3]).toMatchObject({streamsDropped: 0, detail: 'no stream open to drop'});
		expect(report.faults.filter(f => f.kind === 'force-reconnect')).toHaveLength(1);
		expect(engine.store.publish().notices.map(n => n.text)).toContain('force reconnect: no stream open to drop');
		const summary = formatSummary(report);
		expect(summary).toContain('── operator actions ──');
		expect(summary).toMatch(/kill-switch-engaged\s+3 open orders cancelled; 1 position closed \(sold 0\.001 BTC\)/);
		const html = renderHtmlReport(report);
		expect(html).toContain('kill switch on');
		expect(html).toContain('data-event="operator"');
	});

	it("the profile's killSwitch.flatten is the default for `k`; without the hook it says so", async () => {
		const soak = soakOf(ok(1));
		const engine = testEngine(
			[soak],
			{},
			{killSwitchFlatten: true, runtime: {phases: [soak], services: {}, hooks: {cancelAllOrders: async () => 0}}},
		);
		const done = engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 0});
		await engine.execute({type: 'kill-switch'});
		const report = (await done).report!;
		await engine.close();
		expect(report.operator_actions![0]!.detail).toContain('closing positions is not available for this exchange');
	});
});

describe('percentiles never exceed the maximum', () => {
	it('HDR rounding cannot put p99 above the recorded peak (299.152 ms)', () => {
		const recorder = new LatencyRecorder();
		for (let i = 0; i < 10; i++) recorder.record(299.152);
		expect(recorder.maxMs).toBe(299.152);
		expect(recorder.percentileMs(99)).toBeLessThanOrEqual(299.152);
		expect(recorder.summary().p99Ms).toBeLessThanOrEqual(recorder.summary().peakMs!);
	});

	it("report.json's p50/p99 are at most its peak", async () => {
		const engine = testEngine([soakOf(ok(20, 299.152))], {});
		const report = (await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 0})).report!;
		await engine.close();
		expect(report.p99_latency_ms!).toBeLessThanOrEqual(report.peak_latency_ms!);
		expect(report.p50_latency_ms!).toBeLessThanOrEqual(report.peak_latency_ms!);
	});
});

describe('a runtime that failed to build', () => {
	it('refuses a start with one clear notice (no phases failed in 0 s)', async () => {
		const failed = Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9 (venue unreachable)'));
		failed.catch(() => {});
		const engine = testEngine([], {}, {runtime: failed});
		await new Promise(resolve => setTimeout(resolve, 10));
		const outcome = await engine.start({
			name: 'quick',
			phases: ['config', 'connectivity', 'streams', 'orders'],
			soakDurationMs: 0,
		});
		const snap = engine.store.publish();
		await engine.close();
		expect(outcome).toMatchObject({exitCode: 1, report: null, reportDir: null});
		expect(snap.run).toBeNull();
		expect(snap.phases.every(p => p.status === 'pending')).toBe(true);
		const said = snap.notices.filter(n => n.text.includes('venue unreachable')).map(n => n.text);
		expect(said).toContain('run not started: setup failed: connect ECONNREFUSED 127.0.0.1:9 (venue unreachable)');
	});

	it('when it fails while a start waits for it, the reason is said once: the first phase fails, the rest are not run', async () => {
		let reject: (error: Error) => void = () => {};
		const pending = new Promise<never>((_, r) => (reject = r));
		const engine = testEngine([], {}, {runtime: pending});
		const done = engine.start({name: 'quick', phases: ['config', 'connectivity', 'streams'], soakDurationMs: 0});
		reject(new Error('venue unreachable'));
		const report = (await done).report!;
		await engine.close();
		expect(report.phases.map(p => `${p.id}:${p.status}`)).toEqual([
			'config:fail',
			'connectivity:skipped',
			'streams:skipped',
		]);
		expect(formatSummary(report).match(/venue unreachable/g)).toHaveLength(1);
	});
});
