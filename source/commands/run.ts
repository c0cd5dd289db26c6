/**
 * `drydock run`: one plan against one profile, headless (CI) or with the console on a TTY. Exit codes:
 * 0 passed (warn allowed), 1 a phase failed, 2 usage/configuration error, 130/143 interrupted,
 * 70 crashed (an uncaught exception: kill switch engaged, open orders cancelled, report written).
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {parseCommandArgs} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {loadProfile, resolveProfilePath} from '../profiles/profile-file.js';
import {rerunSourceOf, RerunSourceError, type RerunSource} from '../report/rerun.js';
import {buildPlan} from '../engine/plans.js';
import type {PlanSpec} from '../engine/plans.js';
import {CRASH_EXIT_CODE, createShutdownCoordinator, engineShutdownTarget} from '../engine/shutdown.js';
import {createSession} from '../runtime/session.js';
import {attachHeadlessReporter} from '../report/headless.js';
import {formatSummary} from '../report/summary.js';
import {processMasker} from '../profiles/mask.js';
import {attachExtras, type Extras} from '../runtime/extras.js';
import {loadChaosFile} from '../faults/chaos/timeline-file.js';
import type {ChaosTimeline} from '../faults/chaos/schema.js';
import {prepareResume, startResumedRun, type ResumePlan} from '../runtime/resume.js';
import {drydockVersion} from '../runtime/session.js';
import {describeJsonError} from '../util/json-error.js';
import {
	headlessFrom,
	headlessOption,
	helpOption,
	readSessionFlags,
	sessionFlagsHelp as flag,
	sessionOptions,
	showHelp,
	type SessionArgs,
} from './flags.js';

const options = {
	...sessionOptions,
	...headlessOption,
	plan: {type: 'string'},
	phases: {type: 'string'},
	duration: {type: 'string'},
	'rerun-failed': {type: 'string'},
	chaos: {type: 'string'},
	resume: {type: 'string'},
	...helpOption,
} as const;

export const runUsage = `Usage: drydock run [--profile P] [--plan quick|full] [--phases a,b] [--duration 5m|24h]
                   [--rerun-failed REPORT.json] [--report-dir DIR] [--headless] [--watch-pid N]
                   [--exchange-url URL] [--allow-live] [--ascii] [--sut CMD]
${flag.profile}
  --plan               quick = every phase + 5 min soak; full = every phase + 24 h soak (default quick)
  --phases a,b         only these phases
  --duration D         soak duration (also TEST_DURATION_HOURS)
  --rerun-failed FILE  exactly the phases that failed in that report.json
${flag['report-dir']}
  --headless           line output, no console (implied when stdout is not a TTY)
${[flag['watch-pid'], flag.sut, flag['exchange-url'], flag.replay, flag['allow-live'], flag['metrics-port'], flag.notify].join('\n')}
  --chaos FILE         fault timeline during the soak (JSON or YAML; replaces the profile's chaos section)
  --resume DIR         continue the interrupted soak of the run in DIR (the final report spans both)`;

export interface RunArgs extends SessionArgs {
	plan: PlanSpec;
	headless: boolean;
	/** `--chaos FILE`, validated. */
	chaos?: ChaosTimeline;
	/** `--resume DIR`. */
	resume?: string;
	/** Whether --profile was given (a resume otherwise takes the interrupted run's profile). */
	profileGiven?: boolean;
}

/** The failed phases of a report and the profile it was made with (its recorded path, else its name). */
async function readRerun(file: string): Promise<RerunSource> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		throw new UsageError(
			`--rerun-failed: cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
		);
	}
	let report: unknown;
	try {
		report = JSON.parse(text);
	} catch (error) {
		throw new UsageError(`--rerun-failed: ${file} is not valid JSON: ${describeJsonError(error, text)}`);
	}
	try {
		return rerunSourceOf(report, file);
	} catch (error) {
		if (error instanceof RerunSourceError) throw new UsageError(`--rerun-failed: ${error.message}`);
		throw error;
	}
}

export async function parseRunArgs(argv: string[]): Promise<RunArgs | null> {
	const {values} = parseCommandArgs('run', argv, options, false);
	if (showHelp(values, runUsage)) return null;
	if (values.resume !== undefined) {
		const clash = (['plan', 'phases', 'duration', 'rerun-failed'] as const).find(name => values[name] !== undefined);
		if (clash)
			throw new UsageError(
				`--resume: can't be combined with --${clash} (the interrupted run's plan and remaining soak time carry on)`,
			);
	}
	const chaos = values.chaos !== undefined ? await loadChaosFile(values.chaos) : undefined;
	const rerun = values['rerun-failed'] !== undefined ? await readRerun(values['rerun-failed']) : undefined;
	const rerunPhases = rerun?.phases;
	const plan = buildPlan({
		...(values.plan !== undefined ? {plan: values.plan} : {}),
		...(values.phases !== undefined ? {phases: values.phases} : {}),
		...(values.duration !== undefined ? {duration: values.duration} : {}),
		...(rerunPhases !== undefined ? {rerunPhases} : {}),
	});
	const session = await readSessionFlags(values);
	// A rerun runs under the profile its report was made with, unless --profile says otherwise.
	if (rerun?.profile && values.profile === undefined) session.profile = rerun.profile;
	return {
		...session,
		plan,
		headless: headlessFrom(values),
		...(chaos !== undefined ? {chaos} : {}),
		...(values.resume !== undefined ? {resume: values.resume} : {}),
		profileGiven: values.profile !== undefined,
	};
}

export default async function run(argv: string[]): Promise<number> {
	const args = await parseRunArgs(argv);
	if (!args) return 0;
	const consoleModule = args.headless ? null : import('./console.js');
	void consoleModule?.then(m => m.preloadUi()).catch(() => {});
	const resume = args.resume !== undefined ? await prepareResume(args.resume, drydockVersion()) : undefined;
	let {profile} = await loadProfile(resume && !args.profileGiven ? resume.profileName : args.profile).catch(
		(error: unknown) => {
			if (resume && !args.profileGiven)
				throw new UsageError(
					`--resume: the interrupted run's profile "${resume.profileName}" can't be loaded (${error instanceof Error ? error.message : String(error)}); name it with --profile`,
				);
			throw error;
		},
	);
	// --chaos replaces the profile's timeline; the session (console or headless) reads it from the profile.
	if (args.chaos) profile = {...profile, chaos: args.chaos};
	if (!resume && args.plan.phases.length === 0) {
		process.stdout.write('drydock run: nothing to rerun — no phase failed in that report\n');
		return 0;
	}
	const planned = resume ? {...args, plan: resume.plan} : args;
	if (!args.headless) {
		const {runConsole} = await consoleModule!;
		return runConsole({profile, args: planned, ...(resume ? {resume} : {})});
	}
	return runHeadless(profile, planned, resume);
}

/**
 * The headless line naming the venue, and the local fault proxy in front of it when one runs (so a CI
 * log shows that latency, resets and stalls can be injected, and where).
 */
export function exchangeLine(endpoints: {rest: string; embedded: boolean; faultProxy?: string}): string {
	const notes = [
		...(endpoints.embedded ? ['embedded mock'] : []),
		...(endpoints.faultProxy ? [`through the fault proxy at ${endpoints.faultProxy}`] : []),
	];
	return `exchange: ${endpoints.rest}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

async function runHeadless(
	profile: Awaited<ReturnType<typeof loadProfile>>['profile'],
	args: RunArgs,
	resume?: ResumePlan,
): Promise<number> {
	const write = (text: string) => void process.stdout.write(processMasker.mask(text));
	const session = createSession({
		profile,
		allowLive: args.allowLive,
		reportDir: args.reportDir,
		...(args.watchPid !== undefined ? {watchPid: args.watchPid} : {}),
		...(args.sut !== undefined ? {sut: args.sut} : {}),
		...(args.exchangeUrl !== undefined ? {exchangeUrl: args.exchangeUrl} : {}),
		...(args.replay ? {replay: args.replay} : {}),
		profilePath: resolveProfilePath(args.profile).file,
		onEndpoints: endpoints => write(exchangeLine(endpoints) + '\n'),
	});
	const {engine} = session;
	const shutdown = createShutdownCoordinator({
		engine: engineShutdownTarget(engine),
		mask: text => processMasker.mask(text),
	});
	shutdown.install();
	const detach = attachHeadlessReporter(engine, {write, progressEveryMs: profile.soak.progressEveryMs});
	let extras: Extras | null = null;
	try {
		extras = await attachExtras(engine, {...args.extras, log: line => write(line + '\n')});
		const ready = await Promise.race([
			session.ready.then(() => 'ready' as const),
			shutdown.done.then(() => 'interrupted' as const),
		]);
		if (ready === 'interrupted') return shutdown.done;
		// Orders an interrupted segment left open come first: cancelled, never adopted twice.
		const outcome = resume
			? await startResumedRun(engine, (await session.ready).exchange, profile.symbols, resume, line =>
					write(line + '\n'),
				)
			: await engine.start(args.plan);
		if (outcome.report)
			write(
				'\n' +
					formatSummary(outcome.report, outcome.reportDir ? path.join(outcome.reportDir, 'report.json') : undefined),
			);
		// The SUT never started (bad command, exited, never ready): the user's mistake, exit 2 with its last output.
		if (session.sut?.startFailure && !outcome.interruptedBy) throw session.sut.startFailure;
		// A crash stopped the run: the engine reports it interrupted; the process says it crashed.
		return shutdown.requested === 'crash' ? CRASH_EXIT_CODE : outcome.exitCode;
	} finally {
		detach();
		shutdown.uninstall();
		await session.settled();
		await extras?.close();
		await session.close();
		// Whatever a library left open (sockets, timers) must not keep a finished run alive.
		setTimeout(() => process.exit(), 3000).unref();
	}
}
