import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {decodeFromCompressedBase64} from 'hdr-histogram-js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {LoadReport} from '../../source/load/report.js';
import {startInventoryApi, type InventoryApi} from '../../examples/inventory-api/server.js';
import {parseCsv, runLoadCli, runLoadInProcess, startCountingServer, type CountingServer} from './helpers.js';

const LOCUST_STATS = [
	'Type',
	'Name',
	'Request Count',
	'Failure Count',
	'Median Response Time',
	'Average Response Time',
	'Min Response Time',
	'Max Response Time',
	'Average Content Size',
	'Requests/s',
	'Failures/s',
	'50%',
	'66%',
	'75%',
	'80%',
	'90%',
	'95%',
	'98%',
	'99%',
	'99.9%',
	'99.99%',
	'100%',
];
const LOCUST_HISTORY = [
	'Timestamp',
	'User Count',
	'Type',
	'Name',
	'Requests/s',
	'Failures/s',
	'50%',
	'66%',
	'75%',
	'80%',
	'90%',
	'95%',
	'98%',
	'99%',
	'99.9%',
	'99.99%',
	'100%',
	'Total Request Count',
	'Total Failure Count',
	'Total Median Response Time',
	'Total Average Response Time',
	'Total Min Response Time',
	'Total Max Response Time',
	'Total Average Content Size',
];

let dir: string;
let server: CountingServer;
let simple: string;

beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'drydock-load-cli-'));
	// ESM package so .ts fixtures load as modules (and stack lines point into the source).
	writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
	simple = join(dir, 'simple.scenario.mjs');
	writeFileSync(
		simple,
		`export default {wait: {constant: 0.01}, tasks: [{name: 'x', run: (user) => user.get('/x')}]};\n`,
	);
	server = await startCountingServer();
});
afterAll(async () => server.close());

describe('drydock load (CLI)', () => {
	it('runs the inventory example: token refresh, out of stock not a failure, CSV totals equal the server count', async () => {
		const api: InventoryApi = await startInventoryApi({tokenTtlMs: 700, products: 20, pageSize: 10, stock: 40});
		try {
			const prefix = join(dir, 'inv');
			const result = await runLoadInProcess([
				'examples/inventory-reserve.scenario.ts',
				'--host',
				api.url,
				'--users',
				'30',
				'--spawn-rate',
				'60',
				'--run-time',
				'2.5s',
				'--csv',
				prefix,
				'--report-dir',
				join(dir, 'reports'),
				'--headless',
				'--threshold',
				'fail_ratio<0.01',
			]);
			expect(result.stderr).not.toMatch(/internal error/);
			expect(result.code).toBe(0);
			expect(result.stdout).toMatch(/Aggregated/);

			const stats = parseCsv(readFileSync(`${prefix}_stats.csv`, 'utf8'));
			expect(stats[0]).toEqual(LOCUST_STATS);
			const rows = stats.slice(1);
			const aggregated = rows.find(row => row[1] === 'Aggregated')!;
			expect(aggregated[0]).toBe('');
			const column = (name: string) => LOCUST_STATS.indexOf(name);
			// The client's count of every request equals what the server says it served.
			expect(Number(aggregated[column('Request Count')])).toBe(api.total());
			expect(Number(aggregated[column('Failure Count')])).toBe(0);
			const requests = (name: string) => Number(rows.find(row => row[1] === name)?.[column('Request Count')] ?? 0);
			const served = api.counts();
			expect(requests('/api/auth/login')).toBe(30);
			expect(served['POST /api/auth/login']).toBe(30);
			expect(requests('/api/products/?page=[n]')).toBe(served['GET /api/products/']);
			expect(requests('/api/products/[id]/availability')).toBe(served['GET /api/products/:id/availability']);
			expect(requests('/api/products/[id]/reserve')).toBe(served['POST /api/products/:id/reserve']);
			// Tokens lived 0.7 s in a 2.5 s run: users refreshed them, and the server never saw an expired one.
			expect(requests('/api/auth/refresh')).toBeGreaterThan(0);
			expect(requests('/api/auth/refresh')).toBe(served['POST /api/auth/refresh']);
			const statuses = api.statuses();
			expect(Object.keys(statuses).filter(key => key.endsWith(' 401'))).toEqual([]);
			// Stock of 40 per product against 1–100 unit reservations: out-of-stock answers happened, none failed.
			expect(statuses['POST /api/products/:id/reserve 409']).toBeGreaterThan(0);

			const history = parseCsv(readFileSync(`${prefix}_stats_history.csv`, 'utf8'));
			expect(history[0]).toEqual(LOCUST_HISTORY);
			expect(history.length).toBeGreaterThanOrEqual(3);
			expect(history[1]![3]).toBe('Aggregated');
			expect(parseCsv(readFileSync(`${prefix}_failures.csv`, 'utf8'))[0]).toEqual([
				'Method',
				'Name',
				'Error',
				'Occurrences',
			]);

			const [id] = readdirSync(join(dir, 'reports'));
			const report = JSON.parse(readFileSync(join(dir, 'reports', id!, 'load-report.json'), 'utf8')) as LoadReport;
			expect(report.schema).toBe('drydock.load-report/1');
			expect(report.aggregated.requests).toBe(api.total());
			expect(report.success).toBe(true);
			// The encoded histogram decodes to exactly the counted requests.
			expect(decodeFromCompressedBase64(report.aggregated.histogram.data).totalCount).toBe(api.total());
		} finally {
			await api.close();
		}
	});

	it('runs the YAML request-list example', async () => {
		const api = await startInventoryApi();
		try {
			const result = await runLoadInProcess([
				'examples/simple.requests.yaml',
				'--host',
				api.url,
				'--users',
				'3',
				'--run-time',
				'1s',
				'--report-dir',
				join(dir, 'reports-yaml'),
			]);
			expect(result.code).toBe(0);
			expect(result.stdout).toMatch(/POST\s+login/);
			expect(result.stdout).toMatch(/Aggregated\s+\d+\s+0\(0\.00%\)/);
			expect(api.total()).toBeGreaterThan(3);
		} finally {
			await api.close();
		}
	});

	it('turns thresholds into the exit code', async () => {
		const missed = await runLoadInProcess([
			simple,
			'--host',
			server.url,
			'--users',
			'2',
			'--run-time',
			'1s',
			'--report-dir',
			join(dir, 'r1'),
			'--threshold',
			'rps>=1000000',
			'--threshold',
			'fail_ratio<0.01',
		]);
		const met = await runLoadInProcess([
			simple,
			'--host',
			server.url,
			'--users',
			'2',
			'--run-time',
			'1s',
			'--report-dir',
			join(dir, 'r2'),
			'--threshold',
			'fail_ratio<0.01',
			'--threshold',
			'p95<5000',
			'--threshold',
			'rps>=16',
		]);
		expect(missed.code).toBe(1);
		expect(missed.stdout).toMatch(/FAIL\s+rps>=1000000/);
		expect(missed.stdout).toMatch(/pass\s+fail_ratio<0.01/);
		expect(met.code).toBe(0);
		expect(met.stdout).not.toMatch(/FAIL/);
	});

	it('rejects a bad scenario with exit 2 naming file and line', async () => {
		const write = (name: string, text: string) => {
			writeFileSync(join(dir, name), text);
			return join(dir, name);
		};
		const syntax = write(
			'syntax.scenario.ts',
			'const a: number = 1;\n\nexport default {tasks: [ {name: "x", run() {} ]};\n',
		);
		const throwsTs = write(
			'throws.scenario.ts',
			'const a: number = 1;\nconst b = a + 1;\n\n\nthrow new Error("no config for " + b);\nexport default {tasks: []};\n',
		);
		const throwsJs = write('throws.scenario.mjs', '// top\nconst x = 1;\nundefinedFunction(x);\nexport default {};\n');
		const noRun = write('norun.scenario.mjs', 'export default {tasks: [{name: "x", weight: 2}]};\n');
		const badYaml = write('bad.requests.yaml', 'requests:\n  - path: /a\n  - path: /b\n    weight: -1\n');
		// TypeScript ones through the real CLI (exit status, no stack trace, tsx's source maps — vitest
		// replaces Node's stack mapping in-process), the rest in-process.
		const results = await Promise.all(
			[syntax, throwsTs].map(async file =>
				runLoadCli([file, '--host', server.url, '--run-time', '1s', '--report-dir', join(dir, 'rx')]),
			),
		);
		for (const file of [throwsJs, noRun, badYaml])
			results.push(
				await runLoadInProcess([file, '--host', server.url, '--run-time', '1s', '--report-dir', join(dir, 'rx')]),
			);
		for (const result of results) {
			expect(result.code).toBe(2);
			expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
		}
		expect(results[0]!.stderr).toMatch(/syntax\.scenario\.ts:3\b.*SyntaxError/);
		expect(results[1]!.stderr).toMatch(/throws\.scenario\.ts:5\b.*no config for 2/);
		expect(results[2]!.stderr).toMatch(/throws\.scenario\.mjs:3\b.*ReferenceError/);
		expect(results[3]!.stderr).toMatch(/norun\.scenario\.mjs: tasks\[0\]\.run: expected a function/);
		expect(results[4]!.stderr).toMatch(/bad\.requests\.yaml: requests\[1\]\.weight: expected a number > 0/);
	});

	it('rejects nonsense numbers with a usage error (exit 2)', async () => {
		const cases = [
			['--users', '-5'],
			['--run-time', '0'],
			['--spawn-rate', 'fast'],
			['--arrival-rate', '-1/s'],
			['--threshold', 'p95 is low'],
		];
		const results = [];
		for (const extra of cases)
			results.push(await runLoadInProcess([simple, '--host', server.url, '--report-dir', join(dir, 'ry'), ...extra]));
		for (const [i, result] of results.entries()) {
			expect(result.code, cases[i]!.join(' ')).toBe(2);
			expect(result.stderr).toContain(cases[i]![0]!);
		}
	});

	it('stops gracefully on SIGINT: table printed, report written as interrupted, exit 130', async () => {
		const reports = join(dir, 'r-int');
		const result = await runLoadCli(
			[
				simple,
				'--host',
				server.url,
				'--users',
				'2',
				'--run-time',
				'60s',
				'--report-dir',
				reports,
				'--csv',
				join(dir, 'int'),
				'--progress-every',
				'300ms',
			],
			{
				onSpawn: child => {
					// Interrupt once the run is under way (its first progress line).
					child.stderr!.on('data', (d: Buffer) => {
						if (d.toString().includes('[')) child.kill('SIGINT');
					});
				},
			},
		);
		expect(result.code).toBe(130);
		expect(result.stdout).toMatch(/Aggregated/);
		const [id] = readdirSync(reports);
		const report = JSON.parse(readFileSync(join(reports, id!, 'load-report.json'), 'utf8')) as LoadReport;
		expect(report.interrupted).toBe(true);
		expect(report.aggregated.requests).toBeGreaterThan(0);
		expect(readFileSync(join(dir, 'int_stats.csv'), 'utf8')).toMatch(/Aggregated/);
	});
});
