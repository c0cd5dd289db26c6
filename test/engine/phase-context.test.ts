import {describe, expect, it} from 'vitest';
import {testEngine} from './helpers.js';
import type {PhaseContext, PhaseDefinition} from '../../source/engine/phase-definition.js';

type Ctx = PhaseContext<object, {name: string}>;

function phaseWith(body: (ctx: Ctx) => Promise<void>): PhaseDefinition<object, {name: string}> {
	return {id: 'resilience', title: 'R', run: body};
}

describe('ctx.call: breaker and retry around every exchange call', () => {
	it('retries transient failures, opens the breaker after the threshold and rejects while open', async () => {
		const seen: string[] = [];
		const engine = testEngine(
			[
				phaseWith(async ctx => {
					let n = 0;
					const value = await ctx.call('flaky', async () => {
						n++;
						if (n < 3) throw Object.assign(new Error('503 from venue'), {kind: 'unavailable'});
						return 42;
					});
					ctx.check({
						id: 'flaky',
						title: 'flaky recovered',
						verdict: value === 42 && n === 3 ? 'pass' : 'fail',
						measured: n,
					});
					// Three more consecutive failures open it (threshold 3, 3 attempts).
					await ctx
						.call('down', async () => {
							throw Object.assign(new Error('down'), {kind: 'network'});
						})
						.catch(e => seen.push((e as Error).message));
					seen.push(ctx.breakerState());
					await ctx.call('blocked', async () => 1).catch(e => seen.push((e as {kind: string}).kind));
					await ctx.sleep(120); // openMs 100
					seen.push(ctx.breakerState());
					await ctx.call('probe', async () => 1);
					seen.push(ctx.breakerState());
					// Non-transient errors are the caller's business: not retried, not counted, not logged.
					let m = 0;
					await ctx
						.call(
							'reject',
							async () => {
								m++;
								throw new Error('invalid order');
							},
							{isTransient: () => false},
						)
						.catch(() => {});
					seen.push(`reject attempts ${m}`);
				}),
			],
			{},
		);
		const outcome = await engine.start({name: 'phase', phases: ['resilience'], soakDurationMs: 0});
		expect(outcome.exitCode).toBe(0);
		expect(seen).toEqual(['down', 'open', 'breaker-open', 'half-open', 'closed', 'reject attempts 1']);
		const snap = engine.store.publish();
		expect(snap.breaker.state).toBe('closed');
		expect(snap.breaker.transitions).toBe(3);
		const kinds = snap.errors.map(e => e.kind).sort();
		expect(kinds).toEqual(['network', 'unavailable']);
		expect(snap.errors.find(e => e.kind === 'network')!.count).toBe(3);
		await engine.close();
	});

	it('times a hung call out and aborts its signal', async () => {
		let aborted = false;
		const engine = testEngine(
			[
				phaseWith(async ctx => {
					const error = await ctx
						.call(
							'hang',
							signal =>
								new Promise(() => {
									signal.addEventListener('abort', () => (aborted = true));
								}),
							{timeoutMs: 50, retry: false},
						)
						.catch(e => e as Error);
					ctx.check({
						id: 'timeout',
						title: 't',
						verdict: (error as {kind?: string}).kind === 'timeout' ? 'pass' : 'fail',
						measured: String(error),
					});
				}),
			],
			{},
		);
		await engine.start({name: 'phase', phases: ['resilience'], soakDurationMs: 0});
		expect(engine.store.phaseState('resilience').checks[0]!.verdict).toBe('pass');
		expect(aborted).toBe(true);
		await engine.close();
	});

	it('kill switch: engaging cancels open orders via the hook and blocks new orders in phases; pressing again releases', async () => {
		let cancels = 0;
		const engine = testEngine([], {});
		engine.provide({
			phases: [],
			services: {},
			hooks: {
				cancelAllOrders: async () => {
					cancels++;
					return 3;
				},
			},
		});
		await engine.execute({type: 'kill-switch'});
		let snap = engine.store.publish();
		expect(snap.killSwitch).toMatchObject({engaged: true, ordersCancelled: 3});
		expect(cancels).toBe(1);
		let blocked: boolean | null = null;
		engine.provide({
			phases: [
				phaseWith(async ctx => {
					blocked = ctx.killSwitchEngaged();
					ctx.check({id: 'x', title: 'x', verdict: 'pass'});
				}),
			],
			services: {},
			hooks: {},
		});
		await engine.start({name: 'phase', phases: ['resilience'], soakDurationMs: 0});
		expect(blocked).toBe(true);
		await engine.execute({type: 'kill-switch'});
		snap = engine.store.publish();
		expect(snap.killSwitch.engaged).toBe(false);
		await engine.close();
	});

	it('rerun-failed reruns exactly the failed phases; run-phase runs one', async () => {
		const ran: string[] = [];
		let failConfig = true;
		const mk = (
			id: 'config' | 'security' | 'orders',
			verdict: () => 'pass' | 'fail',
		): PhaseDefinition<object, {name: string}> => ({
			id,
			title: id,
			run: async ctx => {
				ran.push(id);
				ctx.check({id: 'c', title: 'c', verdict: verdict()});
			},
		});
		const engine = testEngine(
			[mk('config', () => (failConfig ? 'fail' : 'pass')), mk('security', () => 'pass'), mk('orders', () => 'fail')],
			{},
		);
		await engine.start({name: 'custom', phases: ['config', 'security', 'orders'], soakDurationMs: 0});
		ran.length = 0;
		failConfig = false;
		await engine.execute({type: 'rerun-failed'});
		await engine.whenIdle();
		expect(ran).toEqual(['config', 'orders']);
		expect(engine.store.run!.plan.name).toBe('rerun');
		ran.length = 0;
		await engine.execute({type: 'run-phase', phase: 'security'});
		await engine.whenIdle();
		expect(ran).toEqual(['security']);
		await engine.close();
	});
});

describe('breaker test command', () => {
	it('injects failures via the hook, probes while idle: open → half-open → closed', async () => {
		let failingUntil = 0;
		const engine = testEngine([], {});
		engine.provide({
			phases: [],
			services: {},
			hooks: {
				breakerTest: () => {
					failingUntil = Date.now() + 800;
				},
				probe: async () => {
					if (Date.now() < failingUntil) throw new Error('503');
				},
			},
		});
		const states: string[] = [];
		engine.onEvent(e => {
			if (e.type === 'breaker') states.push(e.view.state);
		});
		await engine.execute({type: 'trip-breaker'});
		const deadline = Date.now() + 5000;
		while (Date.now() < deadline && !(states.includes('open') && states.at(-1) === 'closed'))
			await new Promise(r => setTimeout(r, 50));
		expect(states).toContain('open');
		expect(states).toContain('half-open');
		expect(states.at(-1)).toBe('closed');
		const faults = engine.store.publish().faults;
		expect(faults[0]).toMatchObject({kind: 'breaker-test'});
		expect(faults[0]!.recoveredAt).toBeGreaterThan(faults[0]!.at);
		await engine.close();
	});
});
