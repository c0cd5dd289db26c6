import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadScenario} from '../../source/load/scenario-file.js';
import {LoadRunner} from '../../source/load/runner.js';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';

let mock: MockExchange;
beforeAll(async () => {
	mock = await startMockExchange({weightLimitPerMinute: 1_000_000});
});
afterAll(async () => mock.close());

describe('mock exchange scenario (signed requests)', () => {
	it('hits ticker, depth and the signed account endpoint without failures', async () => {
		const {scenario} = await loadScenario('examples/mock-exchange-signed.scenario.ts');
		// The shipped waits are for Binance's weight limit; here the limit is raised and the run short.
		const result = await new LoadRunner({
			scenario: {...scenario, wait: {constant: 0.01}},
			host: mock.rest,
			users: 4,
			spawnRate: Infinity,
			runTimeMs: 1500,
		}).run();
		const byName = new Map(result.snapshot.entries.map(e => [e.name, e]));
		expect(result.snapshot.failures).toEqual([]);
		for (const name of ['/api/v3/ticker/price', '/api/v3/depth', '/api/v3/account'])
			expect(byName.get(name)?.requests ?? 0).toBeGreaterThan(5);
		expect(result.snapshot.total.requests).toBeLessThanOrEqual(mock.stats().requests.total);
	});

	it('a wrong secret is refused by the mock and counted as failures', async () => {
		process.env.DRYDOCK_API_SECRET = 'not-the-secret';
		try {
			// A fresh module instance so the scenario reads the environment again.
			const {scenario} = await loadScenario('examples/mock-exchange-signed.scenario.ts');
			const account = scenario.tasks.find(task => task.name === 'account (signed)')!;
			const result = await new LoadRunner({
				scenario: {tasks: [account], wait: {constant: 0.02}},
				host: mock.rest,
				users: 2,
				spawnRate: Infinity,
				runTimeMs: 500,
			}).run();
			const total = result.snapshot.total;
			expect(total.requests).toBeGreaterThan(2);
			expect(total.failures).toBe(total.requests);
			// Binance answers a bad signature with 400 / code -1022.
			expect(result.snapshot.failures[0]!.error).toBe('unexpected status 400');
		} finally {
			delete process.env.DRYDOCK_API_SECRET;
		}
	});
});
