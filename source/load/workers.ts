/**
 * `drydock load --workers N`: N worker threads, each running an equal share of the users (and of the
 * spawn and arrival rates) against the same target, for machines with cores to spare. Each worker
 * writes an ordinary load report; they are merged exactly — HDR histograms added, counters summed,
 * percentiles recomputed — by the same code as `drydock report merge`, then judged and written once.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {Worker} from 'node:worker_threads';
import type {LoadReport, LoadTimelinePoint} from './report.js';
import {loadRunId, writeLoadReport} from './report.js';
import {DEFAULT_THRESHOLD, type LoadSessionConfig} from './session.js';
import {errorReport, percentileTable, requestTable, thresholdLines} from './table.js';
import {parseThreshold} from './thresholds.js';
import {UsageError} from '../util/usage-error.js';
import {TargetWatch} from './target-watch.js';

export interface WorkersOutcome {
	report: LoadReport;
	reportPath: string;
	htmlPath: string;
	table: string[];
	exitCode: number;
}

export interface WorkersRun {
	done: Promise<WorkersOutcome>;
	/** Ends the run early (as SIGINT does): workers finish in-flight requests and report. */
	stop(): void;
	/** Sum over workers of their last progress figures. */
	progress(): {rps: number; requests: number; failures: number; users: number};
}

/** Splits `total` into `parts` integers that add up to it (the first ones get the remainder). */
export function share(total: number, parts: number, index: number): number {
	return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/** Starts the worker module beside this one: compiled .js (dist/, the bundle), or the .ts source through tsx (tests). */
function startWorker(workerData: LoadSessionConfig): Worker {
	if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker-entry.js', import.meta.url), {workerData});
	const entry = new URL('./worker-entry.ts', import.meta.url).href;
	const boot = `import('tsx/esm/api').then(({tsImport}) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
	return new Worker(boot, {eval: true, workerData});
}

/** Per second of the run: rates and users add up; a second's percentiles are the worst worker's (an upper bound). */
function mergeTimelines(reports: readonly LoadReport[]): LoadTimelinePoint[] {
	const bySecond = new Map<number, LoadTimelinePoint>();
	for (const report of reports) {
		for (const p of report.timeline ?? []) {
			const seen = bySecond.get(p.second);
			bySecond.set(
				p.second,
				seen
					? {
							second: p.second,
							rps: seen.rps + p.rps,
							failures_per_second: seen.failures_per_second + p.failures_per_second,
							p50_ms: Math.max(seen.p50_ms, p.p50_ms),
							p95_ms: Math.max(seen.p95_ms, p.p95_ms),
							p99_ms: Math.max(seen.p99_ms, p.p99_ms),
							users: seen.users + p.users,
						}
					: {...p},
			);
		}
	}
	return [...bySecond.values()].sort((a, b) => a.second - b.second);
}

export function startLoadWorkers(config: LoadSessionConfig & {workers: number}): WorkersRun {
	const workers = config.workers;
	if (config.shape !== undefined)
		throw new UsageError('--workers cannot be combined with --shape yet (a shape gives total users; run one process)');
	const users = config.users ?? 1;
	if (users < workers) throw new UsageError(`--workers ${workers}: needs at least as many --users (got ${users})`);
	const thresholds = config.thresholds?.length ? config.thresholds : [DEFAULT_THRESHOLD];
	thresholds.forEach(parseThreshold);
	const cpuAtStart = process.cpuUsage();
	const watch = config.watchPid !== undefined ? new TargetWatch(config.watchPid) : undefined;
	watch?.start();
	const latest: Array<{rps: number; requests: number; failures: number; users: number}> = [];
	const threads: Worker[] = [];
	let stopped = false;

	const run = async (): Promise<WorkersOutcome> => {
		const scratch = await mkdtemp(join(tmpdir(), 'drydock-load-workers-'));
		try {
			const reports = await Promise.all(
				Array.from({length: workers}, (_, i) => {
					const part: LoadSessionConfig = {
						...config,
						users: share(users, workers, i),
						...(config.spawnRate !== undefined ? {spawnRate: config.spawnRate / workers} : {}),
						...(config.arrivalRate !== undefined ? {arrivalRate: config.arrivalRate / workers} : {}),
						thresholds,
						reportDir: join(scratch, `worker-${i}`),
					};
					delete (part as {csvPrefix?: string}).csvPrefix;
					delete (part as {watchPid?: number}).watchPid;
					delete (part as {workers?: number}).workers;
					const worker = startWorker(part);
					threads.push(worker);
					if (stopped) worker.postMessage('stop');
					return new Promise<LoadReport>((resolveReport, reject) => {
						worker.on(
							'message',
							(message: {
								type: string;
								report?: LoadReport;
								rps?: number;
								requests?: number;
								failures?: number;
								users?: number;
							}) => {
								if (message.type === 'report') resolveReport(message.report!);
								else if (message.type === 'progress')
									latest[i] = {
										rps: message.rps ?? 0,
										requests: message.requests ?? 0,
										failures: message.failures ?? 0,
										users: message.users ?? 0,
									};
							},
						);
						worker.on('error', reject);
						worker.on('exit', code => reject(new Error(`load worker ${i + 1} exited (${code}) without a report`)));
					});
				}),
			);
			const target = await watch?.stop();
			const {mergeLoadReports} = await import('../report/merge/load-reports.js');
			const merged = mergeLoadReports(reports.map((report, i) => ({report, source: `worker ${i + 1}`})));
			const cpu = process.cpuUsage(cpuAtStart);
			const cpuSeconds = (cpu.user + cpu.system) / 1e6;
			const report: LoadReport = {
				...merged,
				id: loadRunId(new Date(merged.start_time)),
				timeline: mergeTimelines(reports),
				// process.cpuUsage covers every thread of the process: the whole cost of the run.
				cost: {
					cpu_seconds: Math.round(cpuSeconds * 1000) / 1000,
					requests_per_cpu_second: cpuSeconds > 0 ? Math.round(merged.aggregated.requests / cpuSeconds) : null,
				},
				workers,
				...(target ? {target_process: target} : {}),
			};
			const reportPath = await writeLoadReport(resolve(config.reportDir ?? 'reports'), report);
			const {writeHtmlReport} = await import('../report/html/index.js');
			const htmlPath = await writeHtmlReport(join(dirname(reportPath), 'report.html'), report);
			const table = [
				...requestTable(report.entries, report.aggregated),
				'',
				...percentileTable(report.entries, report.aggregated),
				...(report.aggregated.correctedPercentiles
					? ['', ...percentileTable(report.entries, report.aggregated, true)]
					: []),
				'',
				...errorReport(report.failures),
				...thresholdLines(report.thresholds),
				`Workers: ${workers} threads, merged (HDR histograms added); ${report.cost!.requests_per_cpu_second ?? '—'} requests per CPU-second`,
			];
			const exitCode = report.interrupted ? 130 : report.thresholds.every(t => t.passed) ? 0 : 1;
			return {report, reportPath, htmlPath, table, exitCode};
		} finally {
			await Promise.all(threads.map(t => t.terminate()));
			await rm(scratch, {recursive: true, force: true});
		}
	};
	return {
		done: run(),
		stop() {
			stopped = true;
			for (const t of threads) t.postMessage('stop');
		},
		progress() {
			return latest.reduce(
				(sum, p) => ({
					rps: sum.rps + p.rps,
					requests: sum.requests + p.requests,
					failures: sum.failures + p.failures,
					users: sum.users + p.users,
				}),
				{rps: 0, requests: 0, failures: 0, users: 0},
			);
		},
	};
}
