/**
 * `drydock load SCENARIO …`: runs a load test — with the console's Load screen on a TTY, headless
 * (progress lines) otherwise — prints Locust's end-of-run tables, writes the CSV files and the JSON
 * report, and turns thresholds into the exit code.
 */
import {parseCommandArgs, numberOption} from '../util/args.js';
import {parseDuration} from '../util/duration.js';
import {UsageError} from '../util/usage-error.js';
import {
	asciiOption,
	assertProcessExists,
	checkedReportDir,
	headlessFrom,
	headlessOption,
	helpOption,
	positiveDuration,
	reportDirOption,
	showHelp,
} from './flags.js';
import {progressLine} from '../load/progress.js';
import {startLoadSession} from '../load/session.js';
import {parseThreshold} from '../load/thresholds.js';

const help = `drydock load SCENARIO [options]

SCENARIO is a .ts/.js module whose default export is {host, wait, onStart, tasks: [...]},
or a .json/.yaml list of requests {host, wait, requests: [{name, method, path, weight, json, expect}]}.

  --host URL             target base URL (overrides the scenario's host)
  --users N              users to run (arrival-rate mode: the concurrency cap)      [1]
  --spawn-rate R         users started per second                                  [all at once]
  --run-time DURATION    e.g. 30s, 5m, 1h (default: until Ctrl-C or the shape ends)
  --shape SPEC           steps:100,500,1000@60s | stages:30s:100,1m:100,30s:0 | FILE.json/.yaml
  --arrival-rate R       constant arrival rate, e.g. 200 or 200/s or 6000/m (open model; latencies
                         corrected for coordinated omission, uncorrected kept beside them)
  --csv PREFIX           write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv
  --threshold EXPR       repeatable: p95<2000, fail_ratio<0.01, rps>=16, avg<300, p99<500 …
                         (none given: fail_ratio<0.01, so failing requests fail the run)
  --watch-pid PID        sample this process's CPU and memory into the report (the target)
  --workers N            run the users in N worker threads (cores to spare; stats merged
                         exactly; progress lines only, no --shape)                  [1]
  --report-dir DIR       where <run-id>/load-report.json and report.html go        [reports]
  --progress-every DUR   progress line period                                      [2s]
  --stop-timeout DUR     time in-flight requests get to finish at the end          [5s]
  --headless             no console screen (progress lines; implied off a TTY)
  --ascii                Load screen without box/block characters (automatic off UTF-8)

Load screen keys: + / = add 1 user, - remove 1, ] add 10, [ remove 10, arrows select a name,
? help, q or Ctrl-C stop (asks while running; Ctrl-C twice forces). At the end the screen closes
and the end-of-run tables are printed as headless prints them.

Exit codes: 0 ok, 1 a threshold was missed (1 % or more failed requests without --threshold), 2 usage error, 130/143 interrupted.`;

const options = {
	host: {type: 'string'},
	users: {type: 'string', short: 'u'},
	'spawn-rate': {type: 'string', short: 'r'},
	'run-time': {type: 'string', short: 't'},
	shape: {type: 'string'},
	'arrival-rate': {type: 'string'},
	csv: {type: 'string'},
	threshold: {type: 'string', multiple: true},
	'watch-pid': {type: 'string'},
	workers: {type: 'string'},
	...reportDirOption,
	'progress-every': {type: 'string'},
	'stop-timeout': {type: 'string'},
	...headlessOption,
	...asciiOption,
	...helpOption,
} as const;

/** `200`, `200/s`, `6000/m` → iterations per second. */
function parseRate(text: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|min|h))?\s*$/.exec(text);
	const per = match?.[2];
	const value = match ? Number(match[1]) / (per === 'm' || per === 'min' ? 60 : per === 'h' ? 3600 : 1) : Number.NaN;
	if (!Number.isFinite(value) || value <= 0)
		throw new UsageError(`--arrival-rate: "${text}" is not a rate > 0 (e.g. 200, 200/s, 6000/m)`);
	return value;
}

export default async function command(argv: string[]): Promise<number> {
	const {values, positionals} = parseCommandArgs('load', argv, options);
	if (showHelp(values, help)) return 0;
	if (positionals.length !== 1)
		throw new UsageError(
			`load: expected one SCENARIO file${positionals.length > 1 ? `, got ${positionals.length}` : ''} (see drydock load --help)`,
		);
	const file = positionals[0]!;

	const usersGiven = numberOption(values.users, '--users', {min: 1, max: 1_000_000, integer: true});
	const spawnRateGiven = numberOption(values['spawn-rate'], '--spawn-rate', {min: Number.MIN_VALUE, max: 1_000_000});
	const runTimeMs = positiveDuration(values['run-time'], '--run-time');
	const arrivalRate = values['arrival-rate'] === undefined ? undefined : parseRate(values['arrival-rate']);
	const progressMs = positiveDuration(values['progress-every'], '--progress-every') ?? 2000;
	const stopTimeoutMs =
		values['stop-timeout'] === undefined ? 5000 : parseDuration(values['stop-timeout'], '--stop-timeout');
	// Thresholds are checked before anything starts, so a typo never costs a whole run.
	for (const expression of values.threshold ?? []) parseThreshold(expression);
	const reportDir = await checkedReportDir(values);
	const watchPid = numberOption(values['watch-pid'], '--watch-pid', {min: 1, integer: true});
	if (watchPid !== undefined) assertProcessExists(watchPid);

	const workers = numberOption(values.workers, '--workers', {min: 1, max: 256, integer: true}) ?? 1;
	if (workers > 1)
		return runWithWorkers(file, values, workers, {
			reportDir,
			usersGiven,
			spawnRateGiven,
			runTimeMs,
			arrivalRate,
			progressMs,
			stopTimeoutMs,
			watchPid,
		});

	const interactive = !headlessFrom(values);
	// Ink and React load while the scenario does, so the screen is up about when the first users start.
	const uiModule = interactive ? import('../ui/index.js') : null;
	void uiModule?.catch(() => {});

	const session = await startLoadSession({
		scenario: file,
		...(values.host !== undefined ? {host: values.host} : {}),
		...(usersGiven !== undefined ? {users: usersGiven} : {}),
		...(spawnRateGiven !== undefined ? {spawnRate: spawnRateGiven} : {}),
		...(runTimeMs !== undefined ? {runTimeMs} : {}),
		...(values.shape !== undefined ? {shape: values.shape} : {}),
		...(arrivalRate !== undefined ? {arrivalRate} : {}),
		...(values.csv !== undefined ? {csvPrefix: values.csv} : {}),
		thresholds: values.threshold ?? [],
		reportDir,
		stopTimeoutMs,
		...(watchPid !== undefined ? {watchPid} : {}),
	});
	const {runner} = session;
	const intro = `drydock load: ${file} → ${session.host}, ${session.description}${runTimeMs !== undefined ? `, for ${values['run-time']}` : ''}\n`;

	// The Load screen when a person is watching; progress lines otherwise (CI, pipes, --headless).
	let screen: import('../ui/index.js').MountedLoadScreen | null = null;
	let progress: NodeJS.Timeout | null = null;
	let signal: 'SIGINT' | 'SIGTERM' | undefined;
	const leave = (code: number) => {
		screen?.restoreTerminal();
		process.exit(code);
	};
	const onSignal = (name: 'SIGINT' | 'SIGTERM') => () => {
		if (signal !== undefined) leave(name === 'SIGINT' ? 130 : 143); // a second signal: leave now
		signal = name;
		// The screen shows "stopping" itself; a line on stderr would tear its frame.
		if (!screen) process.stderr.write(`\n${name}: stopping, finishing in-flight requests and writing results…\n`);
		runner.stop(true);
	};
	const onInt = onSignal('SIGINT');
	const onTerm = onSignal('SIGTERM');
	process.on('SIGINT', onInt);
	process.on('SIGTERM', onTerm);

	let outcome;
	try {
		if (uiModule) {
			const {mountLoadScreen, shouldUseAscii} = await uiModule;
			screen = mountLoadScreen(runner, {
				ascii: shouldUseAscii(process.env, values.ascii),
				description: session.description,
				onQuit(force) {
					// q / Ctrl-C, confirmed: a stop like the run time ending (thresholds decide the exit
					// code); a second Ctrl-C leaves at once, as a second SIGINT does headless.
					if (force) leave(130);
					else runner.dispatch({type: 'stop'});
				},
			});
		} else {
			process.stderr.write(intro);
			// Progress lines stop with the run: writing the reports afterwards is not part of it.
			progress = setInterval(() => {
				const snapshot = runner.getSnapshot();
				if (snapshot.status === 'running' || snapshot.status === 'starting')
					process.stderr.write(progressLine(snapshot) + '\n');
			}, progressMs);
		}
		outcome = await session.done;
	} finally {
		if (progress) clearInterval(progress);
		// Back to the normal screen before anything is printed, so the tables stay in the scrollback.
		screen?.unmount();
		process.off('SIGINT', onInt);
		process.off('SIGTERM', onTerm);
	}
	if (screen) {
		process.stderr.write(intro);
		// Whatever a library left open must not keep a finished run alive once the results are out.
		setTimeout(() => process.exit(), 3000).unref();
	}
	process.stdout.write(['', ...outcome.table].join('\n') + '\n');
	if (outcome.csvFiles.length > 0) process.stderr.write(`CSV: ${outcome.csvFiles.join(', ')}\n`);
	process.stderr.write(`Report: ${outcome.reportPath}\nHTML: ${outcome.htmlPath}\n`);
	if (signal === 'SIGTERM') return 143;
	return outcome.exitCode;
}

type LoadValues = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

/** `--workers N` (N > 1): headless, progress lines summed over the threads, one merged report. */
async function runWithWorkers(
	file: string,
	values: LoadValues,
	workers: number,
	parsed: {
		reportDir: string;
		usersGiven: number | undefined;
		spawnRateGiven: number | undefined;
		runTimeMs: number | undefined;
		arrivalRate: number | undefined;
		progressMs: number;
		stopTimeoutMs: number;
		watchPid: number | undefined;
	},
): Promise<number> {
	const {startLoadWorkers} = await import('../load/workers.js');
	const run = startLoadWorkers({
		scenario: file,
		workers,
		...(values.host !== undefined ? {host: values.host} : {}),
		...(parsed.usersGiven !== undefined ? {users: parsed.usersGiven} : {}),
		...(parsed.spawnRateGiven !== undefined ? {spawnRate: parsed.spawnRateGiven} : {}),
		...(parsed.runTimeMs !== undefined ? {runTimeMs: parsed.runTimeMs} : {}),
		...(values.shape !== undefined ? {shape: values.shape} : {}),
		...(parsed.arrivalRate !== undefined ? {arrivalRate: parsed.arrivalRate} : {}),
		thresholds: values.threshold ?? [],
		reportDir: parsed.reportDir,
		stopTimeoutMs: parsed.stopTimeoutMs,
		...(parsed.watchPid !== undefined ? {watchPid: parsed.watchPid} : {}),
	});
	process.stderr.write(
		`drydock load: ${file}, ${workers} worker threads${parsed.runTimeMs !== undefined ? `, for ${values['run-time']}` : ''}\n`,
	);
	let signal: 'SIGINT' | 'SIGTERM' | undefined;
	const onSignal = (name: 'SIGINT' | 'SIGTERM') => () => {
		if (signal !== undefined) process.exit(name === 'SIGINT' ? 130 : 143);
		signal = name;
		process.stderr.write(`\n${name}: stopping the workers, finishing in-flight requests and writing results…\n`);
		run.stop();
	};
	const onInt = onSignal('SIGINT');
	const onTerm = onSignal('SIGTERM');
	process.on('SIGINT', onInt);
	process.on('SIGTERM', onTerm);
	const progress = setInterval(() => {
		const p = run.progress();
		process.stderr.write(
			`[${workers} workers] users ${p.users}  req/s ${p.rps.toFixed(0)}  requests ${p.requests}  failures ${p.failures}\n`,
		);
	}, parsed.progressMs);
	try {
		const outcome = await run.done;
		process.stdout.write(['', ...outcome.table].join('\n') + '\n');
		process.stderr.write(`Report: ${outcome.reportPath}\nHTML: ${outcome.htmlPath}\n`);
		return signal === 'SIGTERM' ? 143 : outcome.exitCode;
	} finally {
		clearInterval(progress);
		process.off('SIGINT', onInt);
		process.off('SIGTERM', onTerm);
	}
}
