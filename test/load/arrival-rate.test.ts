import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LoadRunner} from '../../source/load/runner.js';
import type {Scenario} from '../../source/load/scenario-api.js';
import {startCountingServer, type CountingServer} from './helpers.js';

let server: CountingServer;
beforeAll(async () => {
	server = await startCountingServer();
});
afterAll(async () => server.close());

describe('constant arrival rate', () => {
	it('holds the rate when the server keeps up', async () => {
		const scenario: Scenario = {tasks: [{name: 'x', run: user => user.get('/x')}]};
		const result = await new LoadRunner({
			scenario,
			host: server.url,
			users: 10,
			spawnRate: Infinity,
			arrivalRate: 200,
			runTimeMs: 1500,
		}).run();
		const t = result.snapshot.total;
		// 200/s for 1.5 s: iteration 0 at t=0 … 300 due; allow for timer granularity on a busy machine.
		expect(t.requests).toBeGreaterThanOrEqual(270);
		expect(t.requests).toBeLessThanOrEqual(302);
		expect(t.correctedPercentiles).toBeDefined();
	});

	it('corrects for coordinated omission: a 1 s server stall shows in the corrected percentiles, not the uncorrected', async () => {
		const scenario: Scenario = {tasks: [{name: 'x', run: user => user.get('/x')}]};
		// Four users at 200/s: while the server stalls, the four wait and ~200 sends fall behind schedule.
		const runner = new LoadRunner({
			scenario,
			host: server.url,
			users: 4,
			spawnRate: Infinity,
			arrivalRate: 200,
			runTimeMs: 3000,
		});
		const done = runner.run();
		setTimeout(() => server.stall(1000), 1000);
		const result = await done;
		const t = result.snapshot.total;
		const raw = t.percentiles;
		const corrected = t.correctedPercentiles!;
		// Uncorrected: only the four requests in flight saw the stall (< 1% of ~600), so p95 looks healthy.
		expect(t.requests).toBeGreaterThan(450);
		expect(raw['95%']).toBeLessThan(100);
		expect(t.maxMs).toBeGreaterThan(800);
		// Corrected: a third of the run was sent late by up to a second.
		expect(corrected['95%']).toBeGreaterThan(500);
		expect(corrected['75%']).toBeGreaterThan(raw['75%']! + 100);
		expect(t.correctedMaxMs).toBeGreaterThan(800);
	});
});
