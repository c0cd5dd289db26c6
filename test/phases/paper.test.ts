/** The same phase code with paper execution: the mock's real market data, fills simulated locally. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {PhaseId} from '../../source/engine/phase-ids.js';
import {startHarness, summary, type Harness} from './helpers.js';

describe('phases with paper execution', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness({
			execution: 'paper',
			strategy: {builtin: 'pinger', file: 'test/phases/fixtures/strategy-js.mjs'},
		});
	});
	afterAll(async () => {
		await h?.close();
	});

	it('orders, portfolio, pipeline (with a user strategy from a file), concurrency and a short soak pass', async () => {
		const ids: PhaseId[] = ['orders', 'portfolio', 'pipeline', 'concurrency', 'soak'];
		const r = await h.run(ids, 2_000);
		for (const id of ids) expect(['pass', 'warn'], `${id}:\n${summary(r.phase(id))}`).toContain(r.phase(id).status);
		expect(h.runtime.exchange.execution).toBe('paper');
		expect(r.check('orders', 'partial-fill').verdict).toBe('pass');
		expect(r.check('portfolio', 'fill-reconciles').verdict).toBe('pass');
		const user = r.check('pipeline', 'strategy-user');
		expect(user.verdict).toBe('pass');
		expect(user.title).toContain('fixture-js');
		expect(user.measured).toMatch(/^[1-9]\d* signals/);
		expect(await h.runtime.exchange.fetchOpenOrders('BTC/USDT')).toEqual([]);
	}, 30_000);
});
