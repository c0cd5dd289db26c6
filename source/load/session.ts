/**
 * One load test from configuration to files: load the scenario, pick the load model, run, then
 * write CSV + JSON report and judge thresholds. `drydock load` and the console's Load screen both
 * start runs through `startLoadSession`; the screen reads `session.runner` as its store.
 */
import {dirname, join, resolve} from 'node:path';
import {UsageError} from '../util/usage-error.js';
import {HistoryCsvWriter, writeFailuresCsv, writeStatsCsv} from './csv.js';
import {buildLoadReport, loadRunId, writeLoadReport} from './report.js';
import {LoadRunner, type LoadResult} from './runner.js';
import {loadScenario} from './scenario-file.js';
import {parseShapeOption, stageShape, stagesFromSpec} from './shapes.js';
import {errorReport, percentileTable, requestTable, thresholdLines} from './table.js';
import {evaluateThresholds, parseThreshold, type ThresholdResult} from './thresholds.js';
import type {ShapeFunction} from './scenario-api.js';
import {TargetWatch} from './target-watch.js';

/** With no --threshold, failed requests still fail the run: the guides' criterion (under 1 %). */
export const DEFAULT_THRESHOLD = 'fail_ratio<0.01';

export interface LoadSessionConfig {
	/** Path of the scenario file (.ts/.js/.mjs/.json/.yaml). */
	scenario: string;
	/** Overrides the scenario's host. */
	host?: string;
	/** Closed model: users; arrival-rate mode: the concurrency cap. */
	users?: number;
	/** Users per second; default: all at once. */
	spawnRate?: number;
	runTimeMs?: number;
	/** `steps:…`, `stages:…` or a shape file. */
	shape?: string;
	/** Iterations per second. */
	arrivalRate?: number;
	/** Writes PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv. */
	csvPrefix?: string;
	/** e.g. `p95<2000`; validated up front. */
	thresholds?: string[];
	/** Reports root; default `reports`. */
	reportDir?: string;
	stopTimeoutMs?: number;
	/** false: no report.html (worker threads; the main thread writes the merged page). */
	writeHtml?: boolean;
	/** Samples this process's CPU and memory into the report (the system under test). */
	watchPid?: number;
}

export interface LoadOutcome {
	result: LoadResult;
	thresholds: ThresholdResult[];
	reportPath: string;
	/** report.html beside the JSON report. */
	htmlPath: string;
	csvFiles: string[];
	/** Locust-layout end-of-run text, one entry per line. */
	table: string[];
	/** 0 ok, 1 a threshold missed, 130 interrupted (the caller maps SIGTERM to 143). */
	exitCode: number;
}

export interface LoadSession {
	/** The store (subscribe/getSnapshot/dispatch) of the run in progress. */
	runner: LoadRunner;
	/** One-line description of the load model, for headers. */
	description: string;
	host: string;
	/** Resolves when the run is over and its files are written. */
	done: Promise<LoadOutcome>;
}

function describeModel(config: LoadSessionConfig, users: number, shapeLabel: string | null): string {
	if (config.arrivalRate !== undefined) return `${config.arrivalRate}/s arrival rate, up to ${users} users`;
	if (shapeLabel !== null) return `shape ${shapeLabel}`;
	return `${users} users${config.spawnRate !== undefined ? ` at ${config.spawnRate}/s` : ''}`;
}

/** Validates everything (throwing UsageError), then starts the run. */
export async function startLoadSession(config: LoadSessionConfig): Promise<LoadSession> {
	const given = config.thresholds ?? [];
	const thresholds = (given.length > 0 ? given : [DEFAULT_THRESHOLD]).map(parseThreshold);
	if (config.arrivalRate !== undefined && config.shape !== undefined)
		throw new UsageError('--arrival-rate and --shape cannot be combined (the arrival rate is the load model)');
	const {scenario} = await loadScenario(config.scenario);
	const host = config.host ?? scenario.host;
	if (host === undefined) throw new UsageError(`load: no target: give --host URL or set host in ${config.scenario}`);
	if (!/^https?:\/\/[^/\s]+/.test(host) || !URL.canParse(host))
		throw new UsageError(`--host: "${host}" is not an http:// or https:// URL`);

	let shape: ShapeFunction | undefined;
	let shapeLabel: string | null = null;
	if (config.shape !== undefined) {
		shape = await parseShapeOption(config.shape, config.spawnRate);
		shapeLabel = config.shape;
	} else if (config.arrivalRate === undefined && scenario.shape) {
		shape = scenario.shape;
		shapeLabel = 'scenario shape()';
	} else if (config.arrivalRate === undefined && scenario.stages) {
		shape = stageShape(stagesFromSpec(scenario.stages, `${config.scenario}: stages`));
		shapeLabel = 'scenario stages';
	}
	const arrivalRate = config.arrivalRate;
	const users = config.users ?? (arrivalRate !== undefined ? Math.min(1000, Math.max(10, Math.ceil(arrivalRate))) : 1);
	const runner = new LoadRunner({
		scenario,
		scenarioFile: config.scenario,
		host,
		users,
		spawnRate: config.spawnRate ?? Infinity,
		...(config.runTimeMs !== undefined ? {runTimeMs: config.runTimeMs} : {}),
		...(shape ? {shape} : {}),
		...(arrivalRate !== undefined ? {arrivalRate} : {}),
		stopTimeoutMs: config.stopTimeoutMs ?? 5000,
	});
	const history = config.csvPrefix !== undefined ? await HistoryCsvWriter.open(config.csvPrefix) : undefined;
	if (history) runner.onSecond(tick => history.append(tick));
	const watch = config.watchPid !== undefined ? new TargetWatch(config.watchPid) : undefined;

	const finish = async (): Promise<LoadOutcome> => {
		let result: LoadResult;
		watch?.start();
		try {
			result = await runner.run();
		} finally {
			await history?.close();
		}
		const target = await watch?.stop();
		const snapshot = result.snapshot;
		const thresholdResults = evaluateThresholds(thresholds, snapshot.total);
		const table = [
			...requestTable(snapshot.entries, snapshot.total),
			'',
			...percentileTable(snapshot.entries, snapshot.total),
			...(snapshot.total.correctedPercentiles ? ['', ...percentileTable(snapshot.entries, snapshot.total, true)] : []),
			'',
			...errorReport(snapshot.failures),
			...(snapshot.taskErrors > 0 ? [`Task errors outside any request: ${snapshot.taskErrors}`] : []),
			...(result.stats.droppedIterations > 0
				? [`Arrival-rate iterations dropped (backlog over a minute): ${result.stats.droppedIterations}`]
				: []),
			...thresholdLines(thresholdResults),
		];
		const csvFiles: string[] = [];
		if (config.csvPrefix !== undefined) {
			csvFiles.push(await writeStatsCsv(config.csvPrefix, snapshot.entries, snapshot.total));
			csvFiles.push(history!.path);
			csvFiles.push(await writeFailuresCsv(config.csvPrefix, snapshot.failures));
		}
		const report = buildLoadReport({
			id: loadRunId(result.startedAt),
			scenario: config.scenario,
			host,
			result,
			config: {
				mode: snapshot.mode,
				users,
				spawnRate: config.spawnRate ?? null,
				runTimeMs: config.runTimeMs ?? null,
				shape: shapeLabel,
				arrivalRate: arrivalRate ?? null,
				thresholds: thresholds.map(t => t.expression),
			},
			thresholds: thresholdResults,
			...(target ? {target} : {}),
		});
		const reportPath = await writeLoadReport(resolve(config.reportDir ?? 'reports'), report);
		// The page is rendered with ECharts: loaded only now, after the run.
		let htmlPath = join(dirname(reportPath), 'report.html');
		if (config.writeHtml !== false) {
			const {writeHtmlReport} = await import('../report/html/index.js');
			htmlPath = await writeHtmlReport(htmlPath, report);
		}
		const exitCode = result.interrupted ? 130 : thresholdResults.every(t => t.passed) ? 0 : 1;
		return {result, thresholds: thresholdResults, reportPath, htmlPath, csvFiles, table, exitCode};
	};
	return {runner, host, description: describeModel(config, users, shapeLabel), done: finish()};
}
