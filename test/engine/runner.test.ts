import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {testEngine} from './helpers.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';

type P = PhaseDefinition<{calls: number}, {name: string}>;

const passing: P = {
	id: 'config',
	title: 'Config',
	run: async ctx => void ctx.check({id: 'ok', title: 'ok', verdict: 'pass', measured: 1, threshold: '= 1'}),
};
const throwing: P = {
	id: 'connectivity',
	title: 'Conn',
	run: async () => {
		throw new Error('boom at the venue');
	},
};
const warning: P = {
	id: 'security',
	title: 'Sec',
	run: async ctx =>
		void ctx.check({id: 'w', title: 'w', verdict: 'warn', measured: 'meh', threshold: null, reason: 'a little off'}),
};

describe('engine runner', () => {
	it('runs phases in order; a throwing phase becomes a failed check and the run goes on', async () => {
		const order: string[] = [];
		const track = (p: P): P => ({
			...p,
			run: async ctx => {
				order.push(p.id);
				await p.run(ctx);
			},
		});
		const engine = testEngine([track(passing), track(throwing), track(warning)], {calls: 0});
		const outcome = await engine.start({
			name: 'custom',
			phases: ['config', 'connectivity', 'security'],
			soakDurationMs: 0,
		});
		expect(order).toEqual(['config', 'connectivity', 'security']);
		expect(outcome.exitCode).toBe(1);
		const snap = engine.store.publish();
		const byId = Object.fromEntries(snap.phases.map(p => [p.id, p]));
		expect(byId.config!.status).toBe('pass');
		expect(byId.connectivity!.status).toBe('fail');
		expect(byId.connectivity!.checks[0]!.id).toBe('phase-error');
		expect(byId.connectivity!.checks[0]!.reason).toBe('boom at the venue');
		expect(byId.security!.status).toBe('warn');
		expect(snap.run!.state).toBe('finished');
		expect(snap.errors[0]!.kind).toBe('phase-crash');
		await engine.close();
	});

	it('exit 0 when every phase passes or warns; phases without an implementation are skipped', async () => {
		const engine = testEngine([passing, warning], {calls: 0});
		const outcome = await engine.start({name: 'custom', phases: ['config', 'security', 'orders'], soakDurationMs: 0});
		expect(outcome.exitCode).toBe(0);
		expect(engine.store.phaseState('orders').status).toBe('skipped');
		await engine.close();
	});

	it('interrupt aborts the running phase, cancels open orders and marks the report interrupted', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-engine-'));
		let cancelled = 0;
		const slow: P = {
			id: 'soak',
			title: 'Soak',
			run: async ctx => {
				for (;;) {
					ctx.operation({kind: 'tick', ok: true, latencyMs: 0.5});
					await ctx.sleep(5);
				}
			},
		};
		const engine = testEngine([passing, slow], {calls: 0}, {reportDir: dir});
		engine.provide({
			phases: [passing, slow],
			services: {calls: 0},
			hooks: {
				cancelAllOrders: async () => {
					cancelled++;
					return 2;
				},
			},
		});
		const done = engine.start({name: 'quick', phases: ['config', 'soak', 'orders'] as never, soakDurationMs: 60_000});
		await new Promise(r => setTimeout(r, 150));
		const outcome = await engine.interrupt('SIGTERM');
		expect(outcome!.exitCode).toBe(143);
		expect(await done).toBe(outcome);
		expect(cancelled).toBe(1);
		const [runDir] = await readdir(dir);
		const report = JSON.parse(await readFile(path.join(dir, runDir!, 'report.json'), 'utf8'));
		expect(report.schema).toBe('drydock.report/1');
		expect(report.interrupted).toBe(true);
		expect(report.interrupted_by).toBe('SIGTERM');
		expect(report.success).toBe(false);
		expect(report.orders_cancelled_on_exit).toBe(2);
		expect(report.total_operations).toBeGreaterThan(5);
		expect(report.phases.map((p: {id: string; status: string}) => `${p.id}:${p.status}`)).toEqual([
			'config:pass',
			'soak:interrupted',
			'orders:skipped',
		]);
		const junit = await readFile(path.join(dir, runDir!, 'junit.xml'), 'utf8');
		expect(junit).toContain('<testsuite name="soak"');
		const journal = (await readFile(path.join(dir, runDir!, 'events.ndjson'), 'utf8'))
			.trim()
			.split('\n')
			.map(l => JSON.parse(l));
		expect(journal[0].type).toBe('run-started');
		expect(journal.at(-1).type).toBe('run-finished');
		await engine.close();
	});
});

describe('a phase that ignores its abort signal', () => {
	it('is left behind after the grace period so the run still ends', async () => {
		const {vi} = await import('vitest');
		vi.useFakeTimers({toFake: ['setTimeout', 'clearTimeout']});
		try {
			const stubborn: P = {id: 'soak', title: 'Soak', run: () => new Promise(() => {})};
			const engine = testEngine([stubborn], {calls: 0});
			const done = engine.start({name: 'phase', phases: ['soak'], soakDurationMs: 1000});
			await vi.advanceTimersByTimeAsync(10);
			const interrupted = engine.interrupt('SIGTERM');
			await vi.advanceTimersByTimeAsync(10_500);
			const outcome = await interrupted;
			expect(outcome!.exitCode).toBe(143);
			expect(await done).toBe(outcome);
			expect(engine.store.phaseState('soak').checks.find(c => c.id === 'interrupted')).toBeDefined();
			await engine.close();
		} finally {
			vi.useRealTimers();
		}
	});
});
