import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {
	recallFailedPhases,
	recallRun,
	rememberRun,
	userConfigEnabled,
	userConfigPath,
} from '../../source/profiles/user-config.js';
import {testEngine} from '../engine/helpers.js';

describe('user config (conf)', () => {
	it('remembers the last run per profile PATH (two profiles named "mock" never share it) and recalls its failed phases from the report', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-conf-'));
		const env = {DRYDOCK_CONFIG_DIR: dir, CI: 'true'};
		const reportPath = path.join(dir, 'report.json');
		await writeFile(
			reportPath,
			JSON.stringify({
				plan: {soak_duration_ms: 20_000},
				phases: [
					{id: 'streams', status: 'fail'},
					{id: 'config', status: 'pass'},
					{id: 'orders', status: 'no-data'},
				],
			}),
		);
		const mine = path.join(dir, 'a', 'mock.json');
		const theirs = path.join(dir, 'b', 'mock.json');
		await rememberRun({profile: 'mock', profilePath: mine, plan: 'quick', reportPath, exitCode: 1, at: 'now'}, env);
		await rememberRun(
			{
				profile: 'testnet',
				profilePath: path.join(dir, 'testnet.json'),
				plan: 'full',
				reportPath: '/gone.json',
				exitCode: 0,
				at: 'now',
			},
			env,
		);
		expect(await recallRun(mine, env)).toMatchObject({plan: 'quick', exitCode: 1, profilePath: mine});
		// Same name, another file: nothing remembered for it.
		expect(await recallRun(theirs, env)).toBeNull();
		expect(await recallRun('mock', env)).toBeNull();
		expect(await recallFailedPhases(mine, env)).toEqual({
			phases: ['streams', 'orders'],
			soakDurationMs: 20_000,
			reportPath,
		});
		expect(await recallFailedPhases(path.join(dir, 'testnet.json'), env)).toBeNull(); // report no longer there
		expect(
			(
				JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as {
					lastRuns: Record<string, {reportPath: string}>;
				}
			).lastRuns[mine]!.reportPath,
		).toBe(reportPath);
		expect(await userConfigPath(env)).toBe(path.join(dir, 'config.json'));
	});

	it('is off in CI unless a config dir is given, and off on request', () => {
		expect(userConfigEnabled({CI: 'true'})).toBe(false);
		expect(userConfigEnabled({CI: 'true', DRYDOCK_CONFIG_DIR: '/x'})).toBe(true);
		expect(userConfigEnabled({DRYDOCK_NO_USER_CONFIG: '1'})).toBe(false);
		expect(userConfigEnabled({})).toBe(true);
	});

	it('a fresh engine reruns the remembered failures when asked to rerun-failed', async () => {
		const ran: string[] = [];
		const engine = testEngine(
			[
				{
					id: 'streams',
					title: 's',
					run: async ctx => {
						ran.push('streams');
						ctx.check({id: 'x', title: 'x', verdict: 'pass'});
					},
				},
			],
			{},
			{
				rerunFallback: async () => ({phases: ['streams'], soakDurationMs: 1000, reportPath: '/r.json'}),
			},
		);
		await engine.execute({type: 'rerun-failed'});
		await engine.whenIdle();
		expect(ran).toEqual(['streams']);
		expect(engine.store.run!.plan).toMatchObject({name: 'rerun', phases: ['streams']});
		await engine.close();
	});
});
