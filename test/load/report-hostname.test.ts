/**
 * A load report names the machine that ran it (os.hostname()), so `drydock report merge` can name each
 * machine's row. One real `drydock load` run against a loopback server; its load-report.json is then
 * merged with copies as other machines (another host, and one from before the field) would write them.
 */
import {mkdtemp, readdir, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {mergeReportFiles, type MergedLoadReport} from '../../source/report/merge/index.js';
import type {LoadReport} from '../../source/load/report.js';
import {runLoadInProcess, startCountingServer, type CountingServer} from './helpers.js';

let dir: string;
let server: CountingServer;

beforeAll(async () => {
	dir = await mkdtemp(join(os.tmpdir(), 'drydock-load-hostname-'));
	await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
	server = await startCountingServer();
});
afterAll(async () => server.close());

describe('load report hostname', () => {
	it('the written load-report.json carries the hostname and merged machine rows are named by it', async () => {
		const scenario = join(dir, 'simple.scenario.mjs');
		await writeFile(
			scenario,
			`export default {wait: {constant: 0.02}, tasks: [{name: 'x', run: (user) => user.get('/x')}]};\n`,
		);
		const reports = join(dir, 'reports');
		const result = await runLoadInProcess([
			scenario,
			'--host',
			server.url,
			'--users',
			'2',
			'--run-time',
			'1s',
			'--report-dir',
			reports,
			'--headless',
		]);
		expect(result.code, result.stderr).toBe(0);
		const [id] = await readdir(reports);
		const file = join(reports, id!, 'load-report.json');
		const report = JSON.parse(await readFile(file, 'utf8')) as LoadReport;
		expect(report.hostname).toBe(os.hostname());
		expect(report.aggregated.requests).toBe(server.total());

		// The same figures as if written on another machine, and by a drydock from before the field.
		const other = join(dir, 'other.json');
		await writeFile(other, JSON.stringify({...report, id: 'load-other', hostname: 'load-02'}));
		const {hostname: _dropped, ...withoutHost} = report;
		const older = join(dir, 'older.json');
		await writeFile(older, JSON.stringify({...withoutHost, id: 'load-older'}));

		const merged = (await mergeReportFiles([file, other, older], join(dir, 'merged.json'))) as MergedLoadReport;
		expect(merged.machines.map(m => [m.hostname, m.run_id, m.operations])).toEqual([
			[os.hostname(), report.id, server.total()],
			['load-02', 'load-other', server.total()],
			[null, 'load-older', server.total()],
		]);
		// Hosts differ: the merged report names none itself.
		expect('hostname' in merged).toBe(false);

		// Two reports from this one host: the merged report keeps it.
		const again = join(dir, 'again.json');
		await writeFile(again, JSON.stringify({...report, id: 'load-again'}));
		const sameHost = (await mergeReportFiles([file, again], join(dir, 'merged-same.json'))) as MergedLoadReport;
		expect(sameHost.hostname).toBe(os.hostname());
		expect(sameHost.machines.map(m => m.hostname)).toEqual([os.hostname(), os.hostname()]);
		expect((JSON.parse(await readFile(join(dir, 'merged-same.json'), 'utf8')) as MergedLoadReport).hostname).toBe(
			os.hostname(),
		);
	});
});
