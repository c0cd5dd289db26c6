import {describe, expect, it} from 'vitest';
import {testEngine} from './helpers.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';
import type {SoakCriteriaProvider} from '../../source/engine/soak-criteria.js';

type P = PhaseDefinition<object, {name: string}>;

const soak: P = {
	id: 'soak',
	title: 'Soak',
	run: async ctx => {
		for (let i = 0; i < 20; i++) ctx.operation({kind: 'tick', ok: true, latencyMs: 0.5});
		ctx.check({id: 'cycles', title: 'Cycles ran', verdict: 'pass', measured: 20, threshold: '> 0'});
	},
};

describe('soak criteria providers', () => {
	it('the engine adds its own criteria to the soak, after the phase and its finalizers', async () => {
		const engine = testEngine([soak], {});
		engine.addPhaseFinalizer((check, phase) => {
			if (phase === 'soak') check({id: 'from-finalizer', title: 'Finalizer', verdict: 'pass'});
		});
		await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 1000});
		const ids = engine.store.phaseState('soak').checks.map(c => c.id);
		expect(ids).toEqual([
			'cycles',
			'from-finalizer',
			'critical-errors',
			'errors-per-hour',
			'success-rate',
			'average-latency',
			'peak-latency',
			'cpu-average',
			'memory-ceiling',
			'memory-slope',
			'grade',
		]);
		expect(engine.store.phaseState('soak').status).toBe('pass');
		await engine.close();
	});

	it('a contributed criterion judges the soak: a broken one fails it; an id the soak already has is not added twice', async () => {
		const engine = testEngine([soak], {});
		const seen: number[] = [];
		const sutLeak: SoakCriteriaProvider = ({view}) => {
			seen.push(view.soakStats.operations);
			return [
				{
					id: 'sut-open-orders',
					title: 'No orders left behind by the system under test',
					verdict: 'fail',
					measured: 3,
					threshold: '= 0',
					reason: '3 orders left open',
				},
				{id: 'cycles', title: 'A duplicate of the phase’s own check', verdict: 'fail'},
			];
		};
		const remove = engine.addSoakCriteria(sutLeak);
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 1000});
		const checks = engine.store.phaseState('soak').checks;
		expect(seen).toEqual([20]);
		expect(checks.filter(c => c.id === 'cycles')).toHaveLength(1);
		expect(checks.find(c => c.id === 'sut-open-orders')).toMatchObject({verdict: 'fail', reason: '3 orders left open'});
		expect(engine.store.phaseState('soak').status).toBe('fail');
		expect(outcome.exitCode).toBe(1);
		// Removed: the next soak is judged without it.
		remove();
		const again = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 1000});
		expect(engine.store.phaseState('soak').checks.some(c => c.id === 'sut-open-orders')).toBe(false);
		expect(again.exitCode).toBe(0);
		await engine.close();
	});
});
