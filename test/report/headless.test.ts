import {describe, expect, it} from 'vitest';
import {attachHeadlessReporter} from '../../source/report/headless.js';
import {testEngine} from '../engine/helpers.js';

describe('headless line reporter', () => {
	it('prints phase start/finish lines with verdicts, non-passing checks, and soak progress blocks', async () => {
		const engine = testEngine(
			[
				{
					id: 'config',
					title: 'Configuration',
					run: async ctx => {
						ctx.check({id: 'keys', title: 'keys', verdict: 'pass'});
						ctx.check({
							id: 'urls',
							title: 'urls',
							verdict: 'fail',
							measured: 'http://x',
							threshold: 'https',
							reason: 'r'.repeat(1000),
						});
					},
				},
				{
					id: 'soak',
					title: 'Soak',
					run: async ctx => {
						for (let i = 0; i < 12; i++) {
							ctx.operation({kind: 'cycle', ok: true, latencyMs: 2});
							await ctx.sleep(25);
						}
						ctx.check({id: 'rate', title: 'rate', verdict: 'pass'});
					},
				},
			],
			{},
		);
		let out = '';
		const detach = attachHeadlessReporter(engine, {write: t => void (out += t), progressEveryMs: 100});
		await engine.start({name: 'custom', phases: ['config', 'soak'], soakDurationMs: 300});
		detach();
		await engine.close();
		expect(out).toMatch(/>> config: Configuration/);
		expect(out).toMatch(/FAIL\s+config: 1\/2 checks/);
		expect(out).toMatch(/FAIL\s+urls: measured http:\/\/x \(threshold https\) — r+…/);
		expect(out).not.toMatch(/KEYS|keys:/i);
		expect(out).toMatch(/── soak progress/);
		expect(out).toMatch(/success rate {2}100\.000%/);
		expect(out).toMatch(/PASS\s+soak: /);
		for (const line of out.split('\n')) expect(line.length).toBeLessThan(400);
	});
});
