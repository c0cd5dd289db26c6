import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {createShutdownCoordinator, type ShutdownTarget} from '../../source/engine/shutdown.js';
import {testEngine} from './helpers.js';

function fakeTarget(running: boolean) {
	const calls: string[] = [];
	let finish!: () => void;
	const target: ShutdownTarget = {
		running,
		interrupt: by => {
			calls.push(`interrupt:${by}`);
			return new Promise(resolve => (finish = () => resolve(null)));
		},
		writeEmergencyReport: () => {
			calls.push('emergency');
			return '/tmp/x/report.json';
		},
	};
	return {target, calls, finish: () => finish()};
}

describe('shutdown coordinator', () => {
	it('SIGTERM interrupts the run and resolves 143 once the report is written', async () => {
		const {target, calls, finish} = fakeTarget(true);
		const exits: number[] = [];
		const c = createShutdownCoordinator({engine: target, exit: code => exits.push(code), log: () => {}});
		c.request('SIGTERM');
		expect(calls).toEqual(['interrupt:SIGTERM']);
		finish();
		expect(await c.done).toBe(143);
		expect(exits).toEqual([]);
	});

	it("a second Ctrl-C forces: emergency report, terminal restored, exit with the first reason's code", async () => {
		const {target, calls} = fakeTarget(true);
		const exits: number[] = [];
		let restored = 0;
		const c = createShutdownCoordinator({
			engine: target,
			exit: code => exits.push(code),
			restoreTerminal: () => restored++,
			log: () => {},
		});
		c.request('SIGINT');
		c.request('SIGINT');
		expect(calls).toEqual(['interrupt:SIGINT', 'emergency']);
		expect(restored).toBe(1);
		expect(exits).toEqual([130]);
		const hup = createShutdownCoordinator({
			engine: fakeTarget(true).target,
			exit: code => exits.push(code),
			log: () => {},
		});
		hup.request('SIGHUP');
		hup.request('SIGINT');
		expect(exits.at(-1)).toBe(143);
	});

	it('with no run active it resolves at once', async () => {
		const {target, calls} = fakeTarget(false);
		const c = createShutdownCoordinator({engine: target, exit: () => {}, log: () => {}});
		c.request('SIGINT');
		expect(await c.done).toBe(130);
		expect(calls).toEqual([]);
	});
});

describe('checkpoints', () => {
	it('a running engine checkpoints report.json (marked checkpoint) on its interval', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-checkpoint-'));
		let sawCheckpoint: unknown = null;
		const engine = testEngine(
			[
				{
					id: 'soak',
					title: 'Soak',
					run: async ctx => {
						for (let i = 0; i < 30 && !sawCheckpoint; i++) {
							ctx.operation({kind: 'op', ok: true, latencyMs: 1});
							await ctx.sleep(100);
							const [run] = await readdir(dir);
							const text = run ? await readFile(path.join(dir, run, 'report.json'), 'utf8').catch(() => null) : null;
							if (text) sawCheckpoint = JSON.parse(text);
						}
						ctx.check({id: 'done', title: 'done', verdict: 'pass'});
					},
				},
			],
			{},
			{reportDir: dir, checkpointEveryMs: 1000},
		);
		await engine.start({name: 'phase', phases: ['soak'], soakDurationMs: 5000});
		await engine.close();
		expect(sawCheckpoint).toMatchObject({schema: 'drydock.report/1', checkpoint: true, success: false, end_time: null});
		const [run] = await readdir(dir);
		expect(JSON.parse(await readFile(path.join(dir, run!, 'report.json'), 'utf8'))).toMatchObject({checkpoint: false});
	});
});
