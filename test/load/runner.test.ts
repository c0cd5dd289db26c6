import {createServer} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LoadRunner} from '../../source/load/runner.js';
import type {Scenario} from '../../source/load/scenario-api.js';
import {startCountingServer, type CountingServer} from './helpers.js';

let server: CountingServer;
beforeAll(async () => {
	server = await startCountingServer();
});
afterAll(async () => server.close());

describe('LoadRunner against a loopback server', () => {
	it('picks tasks by weight, names requests METHOD + path, and its totals equal the server count', async () => {
		server.counts.clear();
		let started = 0;
		// Stop after 1500 tasks rather than after a time, so a busy machine cannot starve the sample.
		const counted =
			(run: Scenario['tasks'][number]['run']): Scenario['tasks'][number]['run'] =>
			user => {
				// The tasks run only after `runner` below is assigned.
				if (++started === 1500) runner.stop(false);
				return run(user);
			};
		const scenario: Scenario = {
			tasks: [
				{name: 'a', weight: 3, run: counted(user => user.get('/a'))},
				{name: 'b', weight: 2, run: counted(user => user.get('/b'))},
				{name: 'c', weight: 1, run: counted(user => user.post('/c', {json: {x: 1}, name: 'create c'}))},
			],
		};
		const runner = new LoadRunner({scenario, host: server.url, users: 4, spawnRate: Infinity, runTimeMs: 20_000});
		const result = await runner.run();
		const entries = result.snapshot.entries;
		const count = (method: string, name: string) =>
			entries.find(e => e.method === method && e.name === name)?.requests ?? 0;
		const a = count('GET', '/a');
		const b = count('GET', '/b');
		const c = count('POST', 'create c');
		const n = a + b + c;
		expect(n).toBeGreaterThanOrEqual(1500);
		// 3:2:1 within four standard deviations of a binomial proportion (≈ 5 points at n = 1500).
		const within = (k: number, p: number) => expect(Math.abs(k / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
		within(a, 3 / 6);
		within(b, 2 / 6);
		within(c, 1 / 6);
		expect(result.snapshot.total.requests).toBe(n);
		expect(result.snapshot.total.failures).toBe(0);
		expect(server.total()).toBe(n);
		expect(server.counts.get('/c')).toBe(c);
		const t = result.snapshot.total;
		expect(t.percentiles['50%']).toBeGreaterThan(0);
		expect(t.percentiles['100%']).toBeGreaterThanOrEqual(t.percentiles['99%']!);
		expect(t.maxMs).toBeGreaterThanOrEqual(t.percentiles['99%']! * 0.99);
		expect(t.avgContentSize).toBeGreaterThan(10);
	});

	it('counts unexpected statuses, thrown tasks and user.fail as failures with reasons, and users carry on', async () => {
		let iterations = 0;
		const scenario: Scenario = {
			tasks: [
				{name: 'bad status', run: user => user.get('/status/503')},
				{name: 'expected 404', run: user => user.get('/status/404', {expect: 404})},
				{
					name: 'throws after request',
					run: async user => {
						iterations++;
						await user.get('/ok', {name: 'thrower'});
						throw new TypeError('boom');
					},
				},
				{name: 'throws without request', run: () => Promise.reject(new Error('no request made'))},
				{
					name: 'user.fail',
					run: async user => {
						await user.get('/ok', {name: 'checked'});
						user.fail('body did not say hello');
					},
				},
			],
			wait: {constant: 0.005},
		};
		const runner = new LoadRunner({scenario, host: server.url, users: 3, spawnRate: Infinity, runTimeMs: 600});
		const result = await runner.run();
		const byName = new Map(result.snapshot.entries.map(e => [e.name, e]));
		expect(byName.get('/status/503')!.failures).toBe(byName.get('/status/503')!.requests);
		expect(byName.get('/status/404')!.failures).toBe(0);
		expect(byName.get('thrower')!.failures).toBe(byName.get('thrower')!.requests);
		expect(byName.get('checked')!.failures).toBe(byName.get('checked')!.requests);
		expect(iterations).toBeGreaterThan(3); // the same users kept going after throwing
		const reasons = result.snapshot.failures.map(f => `${f.method} ${f.name}: ${f.error}`);
		expect(reasons).toContain('GET /status/503: unexpected status 503');
		expect(reasons).toContain('GET thrower: TypeError: boom');
		expect(reasons).toContain('GET checked: body did not say hello');
		expect(reasons).toContain('TASK throws without request: Error: no request made');
		expect(result.snapshot.taskErrors).toBeGreaterThan(0);
	});

	it('runs onStart once per user and onStop when users leave, including at the end of the run', async () => {
		server.counts.clear();
		const scenario: Scenario = {
			wait: {between: [0.02, 0.05]},
			onStart: user => user.post('/login', {json: {user: user.id}}),
			onStop: user => user.post('/logout'),
			tasks: [{name: 'x', run: user => user.get('/x')}],
		};
		const runner = new LoadRunner({scenario, host: server.url, users: 3, spawnRate: Infinity, runTimeMs: 900});
		const done = runner.run();
		setTimeout(() => runner.dispatch({type: 'remove-users', count: 1}), 400);
		const result = await done;
		expect(server.counts.get('/login')).toBe(3);
		expect(server.counts.get('/logout')).toBe(3);
		expect(result.snapshot.total.requests).toBe(server.total());
		expect(result.snapshot.total.failures).toBe(0);
	});

	it('counts an unreachable host as failures with the reason and keeps running to the end', async () => {
		const port = await new Promise<number>(resolve => {
			const probe = createServer();
			probe.listen(0, '127.0.0.1', () => {
				const {port} = probe.address() as {port: number};
				probe.close(() => resolve(port));
			});
		});
		const scenario: Scenario = {wait: {constant: 0.05}, tasks: [{name: 'x', run: user => user.get('/x')}]};
		const started = Date.now();
		const result = await new LoadRunner({
			scenario,
			host: `http://127.0.0.1:${port}`,
			users: 2,
			spawnRate: Infinity,
			runTimeMs: 500,
		}).run();
		expect(Date.now() - started).toBeGreaterThanOrEqual(450);
		expect(result.snapshot.total.requests).toBeGreaterThan(4);
		expect(result.snapshot.total.failures).toBe(result.snapshot.total.requests);
		expect(result.snapshot.failures[0]!.error).toMatch(/ECONNREFUSED/);
	});

	it('publishes snapshots to subscribers and obeys add/remove-user commands', async () => {
		const scenario: Scenario = {wait: {constant: 0.05}, tasks: [{name: 'x', run: user => user.get('/x')}]};
		const runner = new LoadRunner({
			scenario,
			host: server.url,
			users: 2,
			spawnRate: Infinity,
			runTimeMs: 1200,
			publishIntervalMs: 50,
		});
		const seen: number[] = [];
		const unsubscribe = runner.subscribe(() => seen.push(runner.getSnapshot().users.current));
		const done = runner.run();
		await new Promise(r => setTimeout(r, 200));
		expect(runner.getSnapshot()).toBe(runner.getSnapshot()); // stable between publications
		runner.dispatch({type: 'add-users', count: 10});
		await new Promise(r => setTimeout(r, 300));
		expect(runner.getSnapshot().users.current).toBe(12);
		runner.dispatch({type: 'remove-users', count: 11});
		await new Promise(r => setTimeout(r, 300));
		expect(runner.getSnapshot().users.current).toBe(1);
		const result = await done;
		unsubscribe();
		expect(seen.length).toBeGreaterThan(10);
		expect(result.peakUsers).toBe(12);
		expect(result.snapshot.status).toBe('finished');
		expect(result.snapshot.series.length).toBeGreaterThan(0);
	});
});

describe('LoadRunner timeline on a stalled event loop', () => {
	it('keeps one point per second, from second 0, when a timer tick comes seconds late', async () => {
		let stalled = false;
		const scenario: Scenario = {
			tasks: [
				{
					name: 'stall once',
					run: async user => {
						await user.get('/a');
						if (stalled) return;
						stalled = true;
						// Blocks the event loop past two whole seconds, as a starved machine would.
						const until = Date.now() + 2300;
						while (Date.now() < until);
					},
				},
			],
		};
		const runner = new LoadRunner({scenario, host: server.url, users: 1, spawnRate: Infinity, runTimeMs: 3500});
		const result = await runner.run();
		const seconds = result.timeline!.map(p => p.second);
		expect(seconds.length).toBeGreaterThanOrEqual(3);
		expect(seconds).toEqual(seconds.map((_, i) => i));
	});
});
