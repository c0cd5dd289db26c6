import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {recallFailedPhases, recallRun, rememberRun, userConfigEnabled} from '../../source/profiles/user-config.js';
import {testEngine} from '../engine/helpers.js';

describe('user config (conf)', () => {
	it('remembers the last run per profile and recalls its failed phases from the report', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-conf-'));
		const env = {DRYDOCK_CONFIG_DIR: dir, CI: 'true'};
		const reportPath = path.join(dir, 'report.json');
		await writeFile(reportPath, JSON.stringify({plan: {soak_duration_ms: 20_000}, phases: [{id: 'streams', status: 'fail'}, {id: 'config', status: 'pass'}, {id: 'orders', status: 'no-data'}]}));
		await rememberRun({profile: 'mock', plan: 'quick', reportPath, exitCode: 1, at: 'now'}, env);
		await rememberRun({profile: 'testnet', plan: 'full', reportPath: '/gone.json', exitCode: 0, at: 'now'}, env);
		expect(await recallRun('mock', env)).toMatchObject({plan: 'quick', exitCode: 1});
		expect(await recallFailedPhases('mock', env)).toEqual({phases: ['streams', 'orders'], soakDurationMs: 20_000, reportPath});
		expect(await recallFailedPhases('testnet', env)).toBeNull(); // report no longer there
		expect(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')).lastRuns.mock.reportPath).toBe(reportPath);
	});

	it('is off in CI unless a config dir is given, and off on request', () => {
		expect(userConfigEnabled({CI: 'true'})).toBe(false);
		expect(userConfigEnabled({CI: 'true', DRYDOCK_CONFIG_DIR: '/x'})).toBe(true);
		expect(userConfigEnabled({DRYDOCK_NO_USER_CONFIG: '1'})).toBe(false);
		expect(userConfigEnabled({})).toBe(true);
	});

	it('a fresh engine reruns the remembered failures when asked to rerun-failed', async () => {
		const ran: string[] = [];
		const engine = testEngine([{id: 'streams', title: 's', run: async ctx => { ran.push('streams'); ctx.check({id: 'x', title: 'x', verdict: 'pass'}); }}], {}, {
			rerunFallback: async () => ({phases: ['streams'], soakDurationMs: 1000, reportPath: '/r.json'}),
		});
		await engine.execute({type: 'rerun-failed'});
		await engine.whenIdle();
		expect(ran).toEqual(['streams']);
		expect(engine.store.run!.plan).toMatchObject({name: 'rerun', phases: ['streams']});
		await engine.close();
	});
});
