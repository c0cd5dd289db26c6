import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, readdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {readRerunSource, RerunSourceError} from '../../source/report/rerun.js';
import {testEngine} from '../engine/helpers.js';

describe('--rerun-failed reruns under the profile the report was made with', () => {
	it('report.json records the profile file; the rerun source returns it with the failed phases', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-rerun-'));
		const profilePath = path.join(dir, 'profiles', 'my-testnet.json');
		const engine = testEngine(
			[
				{
					id: 'streams',
					title: 's',
					run: async ctx => void ctx.check({id: 'gaps', title: 'gaps', verdict: 'fail', reason: '3 gaps'}),
				},
			],
			{},
			{reportDir: dir, profilePath},
		);
		const outcome = await engine.start({name: 'custom', phases: ['config', 'streams'], soakDurationMs: 0});
		await engine.close();
		const [runDir] = (await readdir(dir)).filter(name => name !== 'profiles');
		const file = path.join(dir, runDir!, 'report.json');
		expect((JSON.parse(await readFile(file, 'utf8')) as {profile_path: string}).profile_path).toBe(profilePath);
		expect(outcome.report!.profile_path).toBe(profilePath);
		expect(await readRerunSource(file)).toEqual({
			phases: ['streams'],
			soakDurationMs: 300_000,
			profilePath,
			profileName: 'test',
			profile: profilePath,
		});
	});

	it("a report written before profile_path falls back to the profile's name, never silently to mock", async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-rerun-'));
		const file = path.join(dir, 'report.json');
		await writeFile(
			file,
			JSON.stringify({
				profile: {name: 'testnet'},
				plan: {soak_duration_ms: 60_000},
				phases: [{id: 'orders', status: 'fail'}],
			}),
		);
		expect(await readRerunSource(file)).toMatchObject({
			phases: ['orders'],
			soakDurationMs: 60_000,
			profilePath: null,
			profile: 'testnet',
		});
		await writeFile(file, '{"phases": 3}');
		await expect(readRerunSource(file)).rejects.toThrow(RerunSourceError);
		await expect(readRerunSource(path.join(dir, 'nope.json'))).rejects.toThrow(/no such file/);
	});
});
