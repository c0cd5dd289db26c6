import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LoadRunner} from '../../source/load/runner.js';
import {parseShapeOption, stageShape, stepShape} from '../../source/load/shapes.js';
import type {Scenario} from '../../source/load/scenario-api.js';
import {UsageError} from '../../source/util/usage-error.js';
import {startCountingServer, type CountingServer} from './helpers.js';

let server: CountingServer;
beforeAll(async () => {
	server = await startCountingServer();
});
afterAll(async () => server.close());

// Light users: one request every 50 ms, so the test measures the spawner, not the CPU.
const scenario: Scenario = {wait: {constant: 0.05}, tasks: [{name: 'x', run: user => user.get('/x')}]};

/** Samples the user count at the given times (ms after the start of the run). */
async function usersAt(
	runner: LoadRunner,
	times: number[],
): Promise<{samples: number[]; done: Awaited<ReturnType<LoadRunner['run']>>}> {
	const started = Date.now();
	const done = runner.run();
	const samples: number[] = [];
	for (const t of times) {
		await new Promise(r => setTimeout(r, Math.max(0, started + t - Date.now())));
		samples.push(runner.getSnapshot().users.current);
	}
	return {samples, done: await done};
}

describe('load shapes', () => {
	it('spawn rate: 20 users at 20/s are ~10 at 0.5 s and all 20 by 1.1 s', async () => {
		// Snapshots publish every 50 ms, so a sample can be up to 50 ms (≈1 user) old.
		const runner = new LoadRunner({
			scenario,
			host: server.url,
			users: 20,
			spawnRate: 20,
			runTimeMs: 1500,
			publishIntervalMs: 50,
		});
		const {samples} = await usersAt(runner, [500, 1150, 1400]);
		expect(samples[0]).toBeGreaterThanOrEqual(7);
		expect(samples[0]).toBeLessThanOrEqual(13);
		expect(samples[1]).toBe(20);
		expect(samples[2]).toBe(20);
	});

	it('steps:2,6,10@1s holds each step for a second and ends the run after the last', async () => {
		const shape = await parseShapeOption('steps:2,6,10@1s', undefined);
		const runner = new LoadRunner({
			scenario,
			host: server.url,
			users: 1,
			spawnRate: Infinity,
			shape,
			publishIntervalMs: 50,
		});
		const started = Date.now();
		const {samples, done} = await usersAt(runner, [500, 1500, 2500]);
		expect(samples).toEqual([2, 6, 10]);
		expect(done.peakUsers).toBe(10);
		// Ends when the shape returns null, at the 3 s tick.
		expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
		expect(Date.now() - started).toBeLessThan(4500);
	});

	it('a custom shape function is obeyed, with its spawn rate', async () => {
		const runner = new LoadRunner({
			scenario,
			host: server.url,
			users: 1,
			spawnRate: 1,
			shape: t => (t < 1 ? {users: 3, spawnRate: 100} : t < 2 ? {users: 1, spawnRate: 100} : null),
			publishIntervalMs: 50,
		});
		const {samples} = await usersAt(runner, [500, 1500]);
		expect(samples).toEqual([3, 1]);
	});

	it('stage and step functions compute the targets', () => {
		const steps = stepShape([100, 500], 60, 10);
		expect(steps(0)).toEqual({users: 100, spawnRate: 10});
		expect(steps(59.9)).toEqual({users: 100, spawnRate: 10});
		expect(steps(60)).toEqual({users: 500, spawnRate: 10});
		expect(steps(120)).toBeNull();
		const stages = stageShape([
			{seconds: 10, target: 100},
			{seconds: 10, target: 100},
			{seconds: 10, target: 0},
		]);
		expect(stages(0)).toEqual({users: 10, spawnRate: 10});
		expect(stages(5)!.users).toBe(60);
		expect(stages(15)).toEqual({users: 100, spawnRate: 1});
		expect(stages(25)!.users).toBe(40);
		expect(stages(30)).toBeNull();
	});

	it('reads steps and stages from JSON and YAML shape files, naming a bad field', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'drydock-shape-'));
		writeFileSync(join(dir, 'steps.json'), JSON.stringify({steps: [5, 10], every: '30s', spawnRate: 2}));
		writeFileSync(
			join(dir, 'stages.yaml'),
			'stages:\n  - {duration: 10s, target: 20}\n  - {duration: 10s, target: 0}\n',
		);
		writeFileSync(join(dir, 'bad.yaml'), 'stages:\n  - {duration: 10s, target: -3}\n');
		const steps = await parseShapeOption(join(dir, 'steps.json'), undefined);
		expect([steps(0), steps(31), steps(60)]).toEqual([{users: 5, spawnRate: 2}, {users: 10, spawnRate: 2}, null]);
		const stages = await parseShapeOption(join(dir, 'stages.yaml'), undefined);
		expect(stages(5)!.users).toBe(12);
		expect(stages(20)).toBeNull();
		await expect(parseShapeOption(join(dir, 'bad.yaml'), undefined)).rejects.toThrow(/stages\.0\.target/);
	});

	it('rejects malformed shape specs with a usage error naming the problem', async () => {
		await expect(parseShapeOption('steps:1,2', undefined)).rejects.toThrow(/step length/);
		await expect(parseShapeOption('steps:1,-2@1s', undefined)).rejects.toThrow(UsageError);
		await expect(parseShapeOption('stages:30s', undefined)).rejects.toThrow(/DURATION:TARGET/);
		await expect(parseShapeOption('/nonexistent/shape.json', undefined)).rejects.toThrow(/neither/);
	});
});
