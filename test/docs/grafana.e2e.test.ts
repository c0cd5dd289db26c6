/**
 * docs/grafana/drydock.json against a real Prometheus (Debian's `prometheus`) scraping a real
 * `drydock run --metrics-port` on the embedded mock: every panel's query is run through Prometheus's
 * HTTP API at a moment mid-soak and must return data. The SUT panels: a run without a system under
 * test exports the `drydock_sut_*` metrics with no samples (asserted: empty, never a false 0), so they
 * are also run against a second target, a metrics server whose SUT feed was given a sample. The run
 * watches this test's own process (--watch-pid) so the watched-process queries have data.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {EngineStore} from '../../source/engine/store.js';
import {startMetricsServer, type EngineMetricsServer} from '../../source/metrics/index.js';
import {drydock, type Spawned} from '../commands/helpers.js';
import {scrape} from '../metrics/helpers.js';

const prometheusBin = '/usr/bin/prometheus';
const root = fileURLToPath(new URL('../../', import.meta.url));
const dashboardFile = path.join(root, 'docs/grafana/drydock.json');

interface Target {
	refId: string;
	expr: string;
	legendFormat?: string;
	datasource?: {type?: string; uid?: string};
}
interface Panel {
	id: number;
	type: string;
	title: string;
	targets?: Target[];
	datasource?: {type?: string; uid?: string};
	gridPos: {h: number; w: number; x: number; y: number};
}
interface Dashboard {
	__inputs: {name: string; type: string; pluginId: string}[];
	panels: Panel[];
	templating: {list: {name: string; query: {query: string} | string}[]};
	uid: string;
	title: string;
}
interface QueryResult {
	status: string;
	error?: string;
	data: {resultType: string; result: {metric: Record<string, string>; value: [number, string]}[]};
}

const readDashboard = async () => JSON.parse(await readFile(dashboardFile, 'utf8')) as Dashboard;
const queryPanels = (d: Dashboard) => d.panels.filter(p => p.type !== 'row');
const isSut = (expr: string) => expr.includes('drydock_sut_');

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	await new Promise(resolve => server.close(resolve));
	return port;
}

/** Grafana's variables as this test fills them: one drydock instance, a rate window of 10 scrapes. */
function fill(expr: string, instance: string): string {
	return expr.replaceAll('$instance', instance.replaceAll('.', '\\\\.')).replaceAll('$__rate_interval', '10s');
}

describe('docs/grafana/drydock.json', () => {
	it('is an importable dashboard: datasource as an input, every panel and query on it, ids unique', async () => {
		const d = await readDashboard();
		expect(d.__inputs).toEqual([
			expect.objectContaining({name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus'}),
		]);
		expect(d.uid).toBe('drydock');
		const ids = d.panels.map(p => p.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const p of queryPanels(d)) {
			expect(p.datasource?.uid, p.title).toBe('${DS_PROMETHEUS}');
			expect(p.targets?.length, `${p.title} has queries`).toBeGreaterThan(0);
			for (const t of p.targets!) {
				expect(t.datasource?.uid, `${p.title} ${t.refId}`).toBe('${DS_PROMETHEUS}');
				// Every selector is scoped to the chosen drydock, so two runs on one Prometheus don't mix.
				for (const selector of t.expr.match(/drydock_[a-z_]+\{[^}]*\}/g) ?? [])
					expect(selector, `${p.title}: ${t.expr}`).toContain('instance=~"$instance"');
				expect(
					t.expr.match(/drydock_[a-z_]+(?![a-z_{])/g) ?? [],
					`${p.title}: metric without the instance selector in ${t.expr}`,
				).toEqual([]);
			}
			expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
		}
		const variable = d.templating.list.find(v => v.name === 'instance');
		expect(JSON.stringify(variable?.query)).toContain('label_values(drydock_run_state, instance)');
		const titles = queryPanels(d).map(p => p.title);
		for (const title of [
			'Run state',
			'Phase status',
			'Operations per second',
			'Operation latency percentiles',
			'Stream messages per second',
			'Circuit breaker',
			'CPU',
			'Memory',
			'SUT up',
			'SUT restarts',
			'SUT CPU',
			'SUT memory',
			'SUT requests per second',
			'SUT 429 / 418',
			'SUT orders per second',
			'SUT open orders',
		])
			expect(titles).toContain(title);
		expect(JSON.stringify(d)).toContain(
			'histogram_quantile(0.99, sum by (le) (rate(drydock_operation_latency_seconds_bucket',
		);
	});

	const hasPrometheus = existsSync(prometheusBin);
	const title = hasPrometheus
		? `every panel's query through a real Prometheus (${prometheusBin})`
		: `every panel's query through a real Prometheus — SKIPPED: ${prometheusBin} is missing (Debian package \`prometheus\`)`;
	describe.skipIf(!hasPrometheus)(title, () => {
		const cleanup: (() => Promise<unknown>)[] = [];
		afterAll(async () => {
			for (const step of cleanup.reverse()) await step().catch(() => {});
		});

		it('returns data for every drydock panel mid-soak, and for the SUT panels once a sample is fed', async () => {
			const dist = path.join(root, 'dist/cli.js');
			if (!existsSync(dist))
				throw new Error(`${dist} missing: run \`npm run build\` first (bin/drydock.js imports dist/)`);
			const dashboard = await readDashboard();
			const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-grafana-'));
			cleanup.push(() => rm(dir, {recursive: true, force: true}));

			// A second target whose SUT feed has a sample, as the SUT module will feed a run with --sut.
			const store = new EngineStore({
				profile: {name: 'mock', exchange: 'binance', environment: 'mock', execution: 'exchange', symbols: ['BTCUSDT']},
				limits: {cpuPercent: 50, rssMb: 300, rssSlopeMbPerHour: 5, eventLoopLagMs: 200},
			});
			const fed: EngineMetricsServer = await startMetricsServer(
				{getSnapshot: store.getSnapshot, subscribe: store.subscribe, dispatch: () => {}},
				{port: 0},
			);
			cleanup.push(() => fed.close());
			let tick = 0;
			const feed = () => {
				tick++;
				fed.sut.setSutSample({
					up: true,
					restarts: 1,
					cpuPercent: 7 + (tick % 3),
					rssBytes: (80 + tick) * 1024 * 1024,
					requests: 40 * tick,
					responses429: tick > 3 ? 1 : 0,
					responses418: 0,
					orders: {placed: 4 * tick, filled: 3 * tick, canceled: tick},
					openOrders: 2,
				});
			};
			feed();
			const feeder = setInterval(feed, 500);
			cleanup.push(async () => clearInterval(feeder));

			const run: Spawned = drydock(
				[
					'run',
					'--phases',
					'connectivity,streams,soak',
					'--duration',
					'30s',
					'--headless',
					'--metrics-port',
					'0',
					'--watch-pid',
					String(process.pid),
					'--report-dir',
					path.join(dir, 'reports'),
				],
				{cwd: root},
			);
			cleanup.push(async () => {
				if (run.child.exitCode === null) run.child.kill('SIGTERM');
				await run.exit;
			});
			const metricsUrl = (await run.waitFor(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/, 30_000)).slice(
				'metrics: '.length,
			);
			const runInstance = new URL(metricsUrl).host;
			const fedInstance = new URL(fed.url).host;

			const promPort = await freePort();
			await writeFile(
				path.join(dir, 'prometheus.yml'),
				[
					'global:',
					'  scrape_interval: 1s',
					'  scrape_timeout: 1s',
					'  evaluation_interval: 1s',
					'scrape_configs:',
					'  - job_name: drydock',
					'    static_configs:',
					`      - targets: ['${runInstance}']`,
					'  - job_name: drydock-sut-fed',
					'    static_configs:',
					`      - targets: ['${fedInstance}']`,
					'',
				].join('\n'),
			);
			const prometheus: ChildProcess = spawn(
				prometheusBin,
				[
					`--config.file=${path.join(dir, 'prometheus.yml')}`,
					`--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
					`--web.listen-address=127.0.0.1:${promPort}`,
					'--log.level=warn',
				],
				{stdio: ['ignore', 'ignore', 'pipe']},
			);
			let promLog = '';
			prometheus.stderr!.on('data', (chunk: Buffer) => (promLog += chunk.toString()));
			const promExit = new Promise(resolve => prometheus.once('exit', resolve));
			cleanup.push(async () => {
				prometheus.kill('SIGTERM');
				await promExit;
			});
			const api = `http://127.0.0.1:${promPort}/api/v1`;
			const query = async (expr: string, time?: number): Promise<QueryResult['data']['result']> => {
				const params = new URLSearchParams({query: expr, ...(time !== undefined ? {time: String(time)} : {})});
				const body = (await (await fetch(`${api}/query?${params.toString()}`)).json()) as QueryResult;
				if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? body.status}`);
				return body.data.result;
			};
			const until = async (what: string, ok: () => Promise<boolean>, timeoutMs: number) => {
				const deadline = Date.now() + timeoutMs;
				for (;;) {
					if (await ok().catch(() => false)) return;
					if (Date.now() > deadline)
						throw new Error(`timed out: ${what}\nprometheus:\n${promLog}\ndrydock:\n${run.stdout()}${run.stderr()}`);
					await new Promise(resolve => setTimeout(resolve, 500));
				}
			};
			await until('Prometheus ready', async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok, 30_000);
			// Mid-soak with at least 10 s of soak scraped: every rate window holds operations.
			await until(
				'10 s of soak scraped',
				async () => (await query(`drydock_soak_progress_ratio{instance="${runInstance}"} > 0.35`)).length === 1,
				60_000,
			);
			const at = Date.now() / 1000;

			// The run's own /metrics declares every metric the dashboard names (a typo would be "no data" forever).
			const declared = (await scrape(metricsUrl)).scrape.types;
			const named = new Set(JSON.stringify(dashboard).match(/drydock_[a-z_]+?(?=_bucket\b|\{)/g));
			for (const name of named)
				expect(declared.has(name), `${name} is exported by drydock run --metrics-port`).toBe(true);

			const empty: string[] = [];
			let queries = 0;
			for (const panel of queryPanels(dashboard)) {
				for (const target of panel.targets!) {
					const label = `${panel.title} [${target.refId}] ${target.expr}`;
					const onRun = await query(fill(target.expr, runInstance), at);
					queries++;
					if (isSut(target.expr)) {
						// No system under test in this run: declared, no samples, so the panel says "no data".
						expect(onRun, `${label} on a run without a SUT`).toEqual([]);
						const onFed = await query(fill(target.expr, fedInstance), at);
						if (onFed.length === 0) empty.push(`${label} (SUT fed)`);
						for (const series of onFed)
							expect(Number.isFinite(Number(series.value[1])), `${label}: ${series.value[1]}`).toBe(true);
						continue;
					}
					if (onRun.length === 0) empty.push(label);
					for (const series of onRun)
						expect(
							Number.isFinite(Number(series.value[1])),
							`${label} ${JSON.stringify(series.metric)}: ${series.value[1]}`,
						).toBe(true);
				}
			}
			expect(empty, 'queries without data').toEqual([]);
			expect(queries).toBeGreaterThanOrEqual(40);

			// A few figures checked, not just present: the run is mid-soak, passing, with streams seen.
			expect(
				(
					await query(
						fill('max by (phase, status) (drydock_phase_status{instance=~"$instance"}) == 1', runInstance),
						at,
					)
				).map(r => `${r.metric.phase}:${r.metric.status}`),
			).toEqual(expect.arrayContaining(['connectivity:pass', 'streams:pass', 'soak:running']));
			const p99 = await query(
				fill(
					'histogram_quantile(0.99, sum by (le) (rate(drydock_operation_latency_seconds_bucket{instance=~"$instance"}[$__rate_interval])))',
					runInstance,
				),
				at,
			);
			expect(Number(p99[0]!.value[1])).toBeGreaterThan(0);
			expect(Number(p99[0]!.value[1])).toBeLessThan(10);
			const sut429 = await query(
				fill('sum by (status) (drydock_sut_rate_limited_responses_total{instance=~"$instance"})', fedInstance),
				at,
			);
			expect(sut429.map(r => r.metric.status).sort()).toEqual(['418', '429']);

			const {code} = await run.exit;
			expect(code, run.stdout()).toBe(0);
		}, 150_000);
	});
});
