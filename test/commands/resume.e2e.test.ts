/**
 * `drydock run --resume DIR` as spawned processes (needs `npm run build`): a 20 s soak interrupted at
 * ~8 s (exit 130) is finished by --resume — the final report spans both segments (operations, soak
 * time, start time) and names the run it resumed; resuming a finished run is exit 2 with the reason.
 */
import {mkdtemp, readFile, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {DEFAULT_API_KEY, DEFAULT_API_SECRET} from '../../source/mock/index.js';
import type {Report} from '../../source/report/model.js';
import {drydock, openOrders, startMock} from './helpers.js';

async function onlyRun(dir: string): Promise<{report: Report; runDir: string}> {
	const runs = await readdir(dir);
	expect(runs).toHaveLength(1);
	const runDir = path.join(dir, runs[0]!);
	return {report: JSON.parse(await readFile(path.join(runDir, 'report.json'), 'utf8')) as Report, runDir};
}

let mock: Awaited<ReturnType<typeof startMock>>;
beforeAll(async () => {
	mock = await startMock();
});
afterAll(async () => {
	await mock?.stop();
});

describe('drydock run --resume (spawned)', () => {
	it('finishes an interrupted soak; the final report covers both segments; a finished run cannot be resumed', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-resume-'));
		const first = drydock([
			'run',
			'--phases',
			'soak',
			'--duration',
			'20s',
			'--headless',
			'--report-dir',
			path.join(dir, 'a'),
			'--exchange-url',
			mock.rest,
		]);
		await first.waitFor(/>> soak/);
		await new Promise(resolve => setTimeout(resolve, 8000));
		first.child.kill('SIGINT');
		expect((await first.exit).code, first.stdout() + first.stderr()).toBe(130);
		const {report: interrupted, runDir} = await onlyRun(path.join(dir, 'a'));
		expect(interrupted.interrupted).toBe(true);
		expect(interrupted.total_operations).toBeGreaterThan(0);
		const firstSoakMs = interrupted.phases.find(p => p.id === 'soak')!.duration_ms!;

		const second = drydock([
			'run',
			'--resume',
			runDir,
			'--headless',
			'--report-dir',
			path.join(dir, 'b'),
			'--exchange-url',
			mock.rest,
		]);
		const {code} = await second.exit;
		expect(code, second.stdout() + second.stderr()).toBe(0);
		expect(second.stdout()).toMatch(/resuming .*s of soak done, \d+ s left/);
		const {report: final, runDir: finalDir} = await onlyRun(path.join(dir, 'b'));
		expect(final.resumed_from).toMatchObject({run_id: interrupted.run_id, dir: runDir});
		expect(final.interrupted).toBe(false);
		expect(final.total_operations).toBeGreaterThan(interrupted.total_operations);
		expect(final.metrics.orders_placed).toBeGreaterThan(interrupted.metrics.orders_placed);
		// The report spans both segments: same start, the soak's time is the whole 20 s.
		expect(final.start_time).toBe(interrupted.start_time);
		const soak = final.phases.find(p => p.id === 'soak')!;
		expect(soak.duration_ms!).toBeGreaterThanOrEqual(19_000);
		expect(soak.duration_ms! - firstSoakMs).toBeGreaterThan(8_000);
		expect(final.duration_hours * 3_600_000).toBeGreaterThanOrEqual(20_000);
		expect(await openOrders(mock.rest, DEFAULT_API_KEY, DEFAULT_API_SECRET)).toEqual([]);

		const again = drydock([
			'run',
			'--resume',
			finalDir,
			'--headless',
			'--report-dir',
			path.join(dir, 'c'),
			'--exchange-url',
			mock.rest,
		]);
		expect((await again.exit).code).toBe(2);
		expect(again.stderr()).toMatch(/--resume .*: that run finished \(exit 0\) — there is nothing to resume/);
	}, 60_000);
});
