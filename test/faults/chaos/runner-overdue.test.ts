/**
 * A chaos fault the system never recovers from must stop excusing failures once its end + recovery
 * budget has passed (judged `fail` on the runner's tick, its timeline mark closed), not at the soak's
 * end; and the kill switch lifts the runner's injected faults before it cancels orders.
 * Real engine and store and ChaosRunner; the fault injector and the stream watcher are fakes.
 */
import {describe, expect, it} from 'vitest';
import {testEngine} from '../../engine/helpers.js';
import {ChaosRunner} from '../../../source/faults/chaos/runner.js';
import {normalizeTimeline, type ChaosTimeline} from '../../../source/faults/chaos/schema.js';
import {engineShutdownTarget} from '../../../source/engine/shutdown.js';
import type {Engine, EngineHooks} from '../../../source/engine/engine.js';
import type {PhaseContext, PhaseDefinition} from '../../../source/engine/phase-definition.js';
import type {StreamWatcher} from '../../../source/exchange/stream-watcher.js';
import type {ExchangeClient} from '../../../source/exchange/exchange-client.js';
import type {FaultInjector} from '../../../source/faults/injector.js';

type Ctx = PhaseContext<object, {name: string}>;
type Def = PhaseDefinition<object, {name: string}>;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The fake injector: `on` while a fault is injected and not cleared. */
function injector() {
	const state = {on: false, clears: 0};
	const faults: FaultInjector = {
		mode: 'mock',
		supports: () => true,
		unsupportedReason: () => '',
		inject: async () => void (state.on = true),
		clear: async () => {
			await sleep(5);
			state.on = false;
			state.clears++;
		},
		stats: async () => null,
	};
	return {state, faults};
}

function attachRunner(
	engine: Engine<object, {name: string}>,
	timeline: ChaosTimeline,
	faults: FaultInjector,
): ChaosRunner {
	const watcher = {start: (ids: readonly string[]) => [...ids], close: async () => {}} as unknown as StreamWatcher;
	return new ChaosRunner({
		host: {
			onEvent: listener => engine.onEvent(listener),
			emit: event => engine.emit(event),
			addPhaseFinalizer: finalizer => engine.addPhaseFinalizer(finalizer),
			soakStartedAt: () => engine.store.soakStartedAt,
			carriedOver: () => engine.store.chaos,
			addFaultLifter: lift => engine.addFaultLifter(lift),
		},
		timeline: normalizeTimeline(timeline),
		faults,
		exchange: {closeStreams: async () => {}} as unknown as ExchangeClient,
		symbol: 'BTCUSDT',
		silenceMs: 60_000,
		createWatcher: () => watcher,
	});
}

async function until(what: () => boolean, ms = 2_000): Promise<void> {
	const end = Date.now() + ms;
	while (!what()) {
		if (Date.now() > end) throw new Error('timed out waiting');
		await sleep(10);
	}
}

describe('chaos faults that never recover', () => {
	it('stop excusing failures once their end + recovery budget has passed', async () => {
		const seen: {verdictAtDeadline?: string; reason?: string | null; activeAfter?: boolean} = {};
		const soak: Def = {
			id: 'soak',
			title: 'soak',
			run: async (ctx: Ctx) => {
				for (let i = 0; i < 100; i++) ctx.operation({kind: 'cycle', ok: true, latencyMs: 1});
				await until(() => engine.store.chaos.get(0)?.verdict === 'active');
				// Under the fault: excused.
				for (let i = 0; i < 3; i++)
					ctx.operation({kind: 'cycle', ok: false, latencyMs: 1, error: {kind: 'unavailable', message: '503'}});
				// No success after it: the system never recovers. The runner judges it at end + budget, not at the soak's end.
				await until(() => engine.store.chaos.get(0)?.verdict !== 'active');
				seen.verdictAtDeadline = engine.store.chaos.get(0)!.verdict;
				seen.reason = engine.store.chaos.get(0)!.reason;
				await sleep(20);
				seen.activeAfter = ctx.faultActive();
				// A real failure long after the fault: it counts.
				ctx.operation({kind: 'cycle', ok: false, latencyMs: 1, error: {kind: 'network', message: 'reset'}});
				ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
			},
		};
		const engine = testEngine([soak], {});
		const {faults} = injector();
		const runner = attachRunner(
			engine,
			[{from: '0.02', to: '0.07', fault: 'error-rate', params: {probability: 1}, recoveryBudget: '0.1'}],
			faults,
		);
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 5_000});
		runner.close();
		await engine.close();
		expect(seen).toMatchObject({verdictAtDeadline: 'fail', activeAfter: false});
		expect(seen.reason).toMatch(/not recovered \d+ ms after the fault ended \(budget 100 ms\)/);
		const report = outcome.report!;
		expect(report.metrics.failures_during_faults).toBe(3);
		expect(report.success_rate!).toBeCloseTo((100 / 101) * 100, 3);
		expect(report.chaos![0]!.verdict).toBe('fail');
		const check = report.phases[0]!.checks.find(c => c.id === 'chaos-0')!;
		expect(check.verdict).toBe('fail');
		// Its mark on the timeline closed too.
		expect(report.faults).toHaveLength(1);
	});

	it("the kill switch (the operator's k and the crash path) lifts injected faults before it cancels orders", async () => {
		const {state, faults} = injector();
		const atCancel: boolean[] = [];
		let activeBefore = false;
		let activeAfter = true;
		const hooks: EngineHooks = {
			cancelAllOrders: async () => {
				atCancel.push(state.on);
				return 0;
			},
		};
		const soak: Def = {
			id: 'soak',
			title: 'soak',
			run: async (ctx: Ctx) => {
				await until(() => state.on);
				activeBefore = ctx.faultActive();
				await engineShutdownTarget(engine).engageKillSwitch!();
				activeAfter = ctx.faultActive();
				ctx.check({id: 'ok', title: 'ok', verdict: 'pass'});
			},
		};
		const engine = testEngine([soak], {}, {runtime: {phases: [soak], services: {}, hooks}});
		const runner = attachRunner(
			engine,
			[{at: '0.01', fault: 'error-rate', params: {probability: 1}, duration: '10s'}],
			faults,
		);
		await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 5_000});
		runner.close();
		await engine.close();
		// The kill switch's cancel, then the run's own on the way out: neither under drydock's fault.
		expect(atCancel[0]).toBe(false);
		expect(state.clears).toBeGreaterThanOrEqual(1);
		expect(engine.store.notices.toArray().map(n => n.text)).toContain(
			'chaos: injected faults lifted for the kill switch',
		);
		// Lifted before it ended: no verdict either way, and it excuses nothing after the lift.
		expect([activeBefore, activeAfter]).toEqual([true, false]);
		expect(engine.store.chaos.get(0)).toMatchObject({
			verdict: 'no-data',
			reason: expect.stringMatching(/^lifted \d+ ms after injection so the kill switch could cancel orders$/),
		});
	});
});
