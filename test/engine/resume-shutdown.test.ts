/**
 * Ctrl-C while `run --resume` cancels the leftover orders (no run active yet): the shutdown coordinator
 * resolves at once, so the soak must not start afterwards and run on for its whole remaining time.
 * Real engine, coordinator and resume; the exchange is a fake whose open-orders read is where the signal lands.
 */
import {mkdtemp, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createShutdownCoordinator, engineShutdownTarget} from '../../source/engine/shutdown.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';
import type {ExchangeClient} from '../../source/exchange/exchange-client.js';
import {prepareResume, startResumedRun} from '../../source/runtime/resume.js';
import {testEngine} from './helpers.js';

describe('resume and shutdown', () => {
	it('a SIGINT while leftover orders are cancelled stops the resumed run before it starts', async () => {
		let soakRuns = 0;
		const soak: PhaseDefinition<object, {name: string}> = {
			id: 'soak',
			title: 'Soak',
			async run(ctx) {
				soakRuns++;
				while (!ctx.signal.aborted) {
					ctx.operation({kind: 'cycle', ok: true, latencyMs: 1});
					await ctx.sleep(20);
				}
			},
		};
		const first = testEngine([soak], {});
		const running = first.start({name: 'custom', phases: ['soak'], soakDurationMs: 2_000});
		await new Promise(resolve => setTimeout(resolve, 100));
		await first.interrupt('SIGINT');
		const interrupted = (await running).report!;
		await first.close();
		const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-resume-sigint-'));
		await writeFile(path.join(dir, 'report.json'), JSON.stringify(interrupted));
		const prepared = await prepareResume(dir, 'test');

		const second = testEngine([soak], {});
		const exits: number[] = [];
		const shutdown = createShutdownCoordinator({
			engine: engineShutdownTarget(second),
			signals: [],
			log: () => {},
			exit: code => void exits.push(code),
		});
		const exchange = {
			fetchOpenOrders: async () => {
				// The user presses Ctrl-C while the leftovers are read.
				shutdown.request('SIGINT');
				return [];
			},
		} as unknown as ExchangeClient;
		const lines: string[] = [];
		const before = soakRuns;
		const outcome = await startResumedRun(second, exchange, ['BTC/USDT'], prepared, line => void lines.push(line));
		await second.close();
		expect(await shutdown.done).toBe(130);
		expect(soakRuns).toBe(before);
		expect(outcome).toMatchObject({interruptedBy: 'SIGINT', exitCode: 130, report: null});
		expect(lines).toEqual(['resume: not carried on (SIGINT); 0 open order(s) of ours cancelled']);
		expect(second.store.run).toBeNull();
		expect(exits).toEqual([]);
	});
});
