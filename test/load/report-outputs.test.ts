import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadReport} from '../../source/load/report.js';
import {runLoadInProcess, startCountingServer, type CountingServer} from './helpers.js';

let dir: string;
let server: CountingServer;
let simple: string;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'drydock-load-outputs-'));
	simple = join(dir, 'simple.scenario.mjs');
	writeFileSync(
		simple,
		`export default {wait: {constant: 0.005}, tasks: [{name: 'x', run: (user) => user.get('/x')}]};\n`,
	);
	server = await startCountingServer();
});
afterAll(async () => server.close());

/** A loopback port nothing listens on: every connection is refused. */
async function closedPort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
	const {port} = probe.address() as {port: number};
	await new Promise<void>(resolve => probe.close(() => resolve()));
	return port;
}

function reportOf(stderr: string): {report: LoadReport; path: string} {
	const path = /Report: (.+load-report\.json)/.exec(stderr)?.[1];
	expect(path, stderr).toBeDefined();
	return {report: JSON.parse(readFileSync(path!, 'utf8')) as LoadReport, path: path!};
}

describe('drydock load: exit code, HTML report, target watching', () => {
	it('exits 1 when every request fails and no threshold is given (default fail_ratio<0.01)', async () => {
		const port = await closedPort();
		const result = await runLoadInProcess([
			simple,
			'--host',
			`http://127.0.0.1:${port}`,
			'--users',
			'2',
			'--run-time',
			'1s',
			'--report-dir',
			join(dir, 'refused'),
			'--headless',
		]);
		expect(result.code).toBe(1);
		const {report} = reportOf(result.stderr);
		expect(report.aggregated.failRatio).toBe(1);
		expect(report.thresholds.map(t => [t.expression, t.passed])).toEqual([['fail_ratio<0.01', false]]);
		expect(report.success).toBe(false);
	});

	it('still exits 0 on a healthy run with no threshold, and an explicit threshold replaces the default', async () => {
		const healthy = await runLoadInProcess([
			simple,
			'--host',
			server.url,
			'--users',
			'2',
			'--run-time',
			'1s',
			'--report-dir',
			join(dir, 'healthy'),
			'--headless',
		]);
		expect(healthy.code).toBe(0);
		const port = await closedPort();
		const tolerant = await runLoadInProcess([
			simple,
			'--host',
			`http://127.0.0.1:${port}`,
			'--users',
			'1',
			'--run-time',
			'1s',
			'--report-dir',
			join(dir, 'tolerant'),
			'--headless',
			'--threshold',
			'fail_ratio<=1',
		]);
		expect(tolerant.code).toBe(0);
		expect(reportOf(tolerant.stderr).report.thresholds.map(t => t.expression)).toEqual(['fail_ratio<=1']);
	});

	it('writes report.html beside the JSON with requests/s, percentiles and users over time, a per-step table for steps, and its own cost', async () => {
		const result = await runLoadInProcess([
			simple,
			'--host',
			server.url,
			'--shape',
			'steps:1,3@2s',
			'--report-dir',
			join(dir, 'steps'),
			'--headless',
		]);
		expect(result.code).toBe(0);
		const {report, path} = reportOf(result.stderr);
		const html = join(dirname(path), 'report.html');
		expect(existsSync(html)).toBe(true);
		expect(result.stderr).toContain(`HTML: ${html}`);
		// Every second of the run, with the users it ran under.
		expect(report.timeline!.length).toBeGreaterThanOrEqual(3);
		expect(report.timeline!.map(p => p.second)).toEqual(report.timeline!.map((_, i) => i));
		expect(report.timeline!.some(p => p.rps > 0 && p.p95_ms > 0)).toBe(true);
		// Two steps (1 user, then 3), each with its own requests and exact percentiles.
		const steps = report.steps!;
		expect(steps.map(s => s.users)).toEqual([1, 3]);
		expect(steps[0]!.from_second).toBe(0);
		expect(steps[1]!.from_second).toBe(steps[0]!.to_second);
		for (const step of steps) {
			expect(step.requests).toBeGreaterThan(0);
			expect(step.p50_ms).toBeLessThanOrEqual(step.p99_ms);
			expect(step.p99_ms).toBeLessThanOrEqual(step.max_ms);
		}
		expect(steps.reduce((sum, s) => sum + s.requests, 0)).toBeLessThanOrEqual(report.aggregated.requests);
		expect(report.cost!.cpu_seconds).toBeGreaterThan(0);
		expect(report.cost!.requests_per_cpu_second).toBeGreaterThan(0);
		const page = readFileSync(html, 'utf8');
		for (const chart of ['rps-over-time', 'latency-over-time', 'users-over-time'])
			expect(page).toMatch(new RegExp(`data-chart="${chart}"><figcaption>[^<]+</figcaption><svg`));
		expect(page).toContain('<section id="steps">');
		expect(page).toContain('data-step="3"');
		expect(page).toContain('requests per CPU-second');
	});

	it('--watch-pid samples the target process CPU and memory into the report and the page', async () => {
		// A separate process that burns some CPU and holds some memory while the load runs.
		const target: ChildProcess = spawn(
			process.execPath,
			[
				'-e',
				'const keep = Buffer.alloc(64 * 1024 * 1024, 1); setInterval(() => { const end = Date.now() + 30; while (Date.now() < end); }, 60); setTimeout(() => {}, 60000); void keep;',
			],
			{stdio: 'ignore'},
		);
		try {
			const result = await runLoadInProcess([
				simple,
				'--host',
				server.url,
				'--users',
				'1',
				'--run-time',
				'3s',
				'--report-dir',
				join(dir, 'watch'),
				'--headless',
				'--watch-pid',
				String(target.pid),
			]);
			expect(result.code).toBe(0);
			const {report, path} = reportOf(result.stderr);
			const watched = report.target_process!;
			expect(watched.pid).toBe(target.pid);
			expect(watched.samples.length).toBeGreaterThanOrEqual(2);
			expect(watched.rss_max_mb).toBeGreaterThan(64);
			expect(watched.cpu_max_percent).toBeGreaterThan(0);
			expect(watched.exited).toBe(false);
			const page = readFileSync(join(dirname(path), 'report.html'), 'utf8');
			expect(page).toMatch(/data-chart="target-cpu"><figcaption>[^<]+<\/figcaption><svg/);
			expect(page).toMatch(/data-chart="target-memory"><figcaption>[^<]+<\/figcaption><svg/);
		} finally {
			target.kill('SIGKILL');
		}
	});

	it('--watch-pid naming no process is a usage error before anything starts', async () => {
		const result = await runLoadInProcess([
			simple,
			'--host',
			server.url,
			'--run-time',
			'1s',
			'--report-dir',
			join(dir, 'nopid'),
			'--headless',
			'--watch-pid',
			'999999',
		]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('--watch-pid: no process with pid 999999');
	});
});
