import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {decodeFromCompressedBase64} from 'hdr-histogram-js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadReport} from '../../source/load/report.js';
import {share} from '../../source/load/workers.js';
import {runLoadInProcess, startCountingServer, type CountingServer} from './helpers.js';

let dir: string;
let server: CountingServer;
let scenario: string;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'drydock-load-workers-'));
	scenario = join(dir, 'w.scenario.mjs');
	writeFileSync(
		scenario,
		`export default {wait: {constant: 0.002}, tasks: [{name: 'a', run: (user) => user.get('/a')}, {name: 'b', run: (user) => user.get('/status/404')}]};\n`,
	);
	server = await startCountingServer();
});
afterAll(async () => server.close());

describe('drydock load --workers N', () => {
	it('splits users so the shares add up', () => {
		expect([0, 1, 2].map(i => share(7, 3, i))).toEqual([3, 2, 2]);
		expect([0, 1].map(i => share(8, 2, i))).toEqual([4, 4]);
	});

	it('runs the users in worker threads and merges their stats exactly into one report', async () => {
		const result = await runLoadInProcess([
			scenario,
			'--host',
			server.url,
			'--users',
			'6',
			'--workers',
			'2',
			'--run-time',
			'2s',
			'--report-dir',
			join(dir, 'r'),
			'--threshold',
			'fail_ratio<=1',
			'--progress-every',
			'1h',
		]);
		expect(result.stderr).not.toMatch(/internal error/);
		expect(result.code).toBe(0);
		const path = /Report: (.+load-report\.json)/.exec(result.stderr)![1]!;
		const report = JSON.parse(readFileSync(path, 'utf8')) as LoadReport & {machines: {operations: number}[]};
		expect(report.workers).toBe(2);
		expect(report.config.users).toBe(6);
		expect(report.machines).toHaveLength(2);
		// Every request the server answered is counted once, in the total and in the merged histogram.
		expect(report.aggregated.requests).toBe(server.total());
		expect(report.machines.reduce((sum, m) => sum + m.operations, 0)).toBe(report.aggregated.requests);
		expect(decodeFromCompressedBase64(report.aggregated.histogram.data).totalCount).toBe(report.aggregated.requests);
		const byName = new Map(report.entries.map(e => [e.name, e]));
		expect(byName.get('/status/404')!.failures).toBe(server.counts.get('/status/404'));
		expect(byName.get('/a')!.requests).toBe(server.counts.get('/a'));
		expect(report.cost!.requests_per_cpu_second).toBeGreaterThan(0);
		expect(result.stdout).toContain('Workers: 2 threads');
		// Each worker compiles the sources through tsx on its own: slow on a busy machine.
	}, 120_000);

	it('says why --workers cannot run a shape or fewer users than workers', async () => {
		const shaped = await runLoadInProcess([
			scenario,
			'--host',
			server.url,
			'--workers',
			'2',
			'--shape',
			'steps:2,4@1s',
			'--report-dir',
			join(dir, 'x'),
		]);
		expect(shaped.code).toBe(2);
		expect(shaped.stderr).toContain('--workers cannot be combined with --shape');
		const few = await runLoadInProcess([
			scenario,
			'--host',
			server.url,
			'--workers',
			'4',
			'--users',
			'2',
			'--report-dir',
			join(dir, 'x'),
		]);
		expect(few.code).toBe(2);
		expect(few.stderr).toContain('--workers 4: needs at least as many --users (got 2)');
	});
});
