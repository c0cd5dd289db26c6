import {describe, expect, it} from 'vitest';
import {appendFile, mkdtemp, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {recoverRun} from '../../source/report/recover.js';
import {testEngine} from '../engine/helpers.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';

describe('report --recover', () => {
	it('rebuilds the final report of a killed run from its checkpoint and journal', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-recover-'));
		let ops = 0;
		let release!: () => void;
		const blocked = new Promise<void>(resolve => (release = resolve));
		const phases: PhaseDefinition<object, {name: string}>[] = [
			{
				id: 'config',
				title: 'Configuration',
				run: async ctx => void ctx.check({id: 'ok', title: 'ok', verdict: 'pass'}),
			},
			{
				id: 'soak',
				title: 'Soak',
				run: async ctx => {
					while (ops < 40) {
						ctx.operation({kind: 'cycle', ok: ops !== 3, latencyMs: 1 + ops / 10});
						ops++;
						await ctx.sleep(30);
					}
					ctx.order('placed', 40);
					await blocked; // "killed" here: the run never finishes
				},
			},
		];
		const engine = testEngine(phases, {}, {reportDir: dir, checkpointEveryMs: 1000});
		void engine.start({name: 'custom', phases: ['config', 'soak'], soakDurationMs: 60_000});
		while (ops < 40) await new Promise(r => setTimeout(r, 50));
		await new Promise(r => setTimeout(r, 1300)); // a checkpoint and the journal on disk
		const [run] = await readdir(dir);
		const runDir = path.join(dir, run!);
		await appendFile(path.join(runDir, 'events.ndjson'), '{"type":"operation","at":'); // the line cut by the crash
		const recovered = await recoverRun(runDir, {version: 'test'});
		release();
		await engine.interrupt('SIGTERM');
		await engine.close();
		const r = recovered.report;
		expect(recovered.fromCheckpoint).toBe(true);
		expect(recovered.skipped).toBe(1);
		expect(r).toMatchObject({
			interrupted: true,
			interrupted_by: 'killed',
			checkpoint: false,
			success: false,
			total_operations: 40,
		});
		expect(r.success_rate).toBeCloseTo(97.5, 3);
		expect(r.min_latency_ms).toBe(1);
		expect(r.metrics.orders_placed).toBe(40);
		expect(r.phases.map(p => `${p.id}:${p.status}`)).toEqual(['config:pass', 'soak:interrupted']);
		expect(r.phases[1]!.checks.at(-1)!.id).toBe('not-finished');
		expect(r.resources.self).toBeDefined();
	});
});
