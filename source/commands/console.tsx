/**
 * The interactive console's composition root (`drydock`, and `drydock run` on a TTY). It mounts the UI
 * FIRST on an engine that has no exchange yet, and only then builds the runtime (mock, ccxt, phases —
 * ccxt alone takes ~0.5 s to import), so the first frame appears well within a second.
 */
import path from 'node:path';
import {parseCommandArgs} from '../util/args.js';
import {loadProfile, resolveProfilePath} from '../profiles/profile-file.js';
import type {Profile} from '../profiles/schema.js';
import {processMasker} from '../profiles/mask.js';
import {CRASH_EXIT_CODE, createShutdownCoordinator, engineShutdownTarget} from '../engine/shutdown.js';
import {createSession} from '../runtime/session.js';
import {formatSummary} from '../report/summary.js';
import {attachExtras, type Extras} from '../runtime/extras.js';
import {startResumedRun, type ResumePlan} from '../runtime/resume.js';
import type {PlanSpec} from '../engine/plans.js';
import {
	DEFAULT_PROFILE,
	helpOption,
	readSessionFlags,
	sessionFlagsHelp as flag,
	sessionOptions,
	showHelp,
	type SessionArgs,
} from './flags.js';

const options = {...sessionOptions, ...helpOption} as const;

export const consoleUsage = `Usage: drydock [--profile P] [--ascii] [--exchange-url URL] [--watch-pid N] [--sut CMD] [--report-dir DIR]
               [--allow-live] [--metrics-port N] [--notify URL]
${[flag.profile, flag.ascii, flag['exchange-url'], flag.replay, flag['watch-pid'], flag.sut, flag['report-dir'], flag['allow-live'], flag['metrics-port'], flag.notify].join('\n')}
Keys: Q quick run, F full run, r rerun failed, ? help (every key), q quit.
\`drydock run\` on a terminal opens this console with its plan (and \`drydock run --resume DIR\` with the resumed soak).`;

let uiModule: Promise<typeof import('../ui/index.js')> | null = null;
/** Starts loading Ink and the panels (the slowest part of the first frame) while the profile is read. */
export function preloadUi(): Promise<typeof import('../ui/index.js')> {
	uiModule ??= import('../ui/index.js');
	return uiModule;
}

export interface ConsoleRun {
	profile: Profile;
	/** With a plan: start it as soon as the runtime is ready (`drydock run` on a TTY); without: idle. */
	args: SessionArgs & {plan?: PlanSpec};
	/** `drydock run --resume DIR` on a TTY: carry that soak on (instead of args.plan) once the runtime is ready. */
	resume?: ResumePlan;
}

export async function runConsole({profile, args, resume}: ConsoleRun): Promise<number> {
	const session = createSession({
		profile,
		allowLive: args.allowLive,
		reportDir: args.reportDir,
		deferRuntime: true,
		profilePath: resolveProfilePath(args.profile).file,
		...(args.watchPid !== undefined ? {watchPid: args.watchPid} : {}),
		...(args.sut !== undefined ? {sut: args.sut} : {}),
		...(args.exchangeUrl !== undefined ? {exchangeUrl: args.exchangeUrl} : {}),
		...(args.replay ? {replay: args.replay} : {}),
	});
	const {engine} = session;
	let ui: import('../ui/index.js').MountedConsole | null = null;
	// Restoring also stops Ink (a crash or a forced exit prints on the normal screen, not under a frame).
	const restoreTerminal = () => {
		ui?.unmount();
		ui?.restoreTerminal();
	};
	const shutdown = createShutdownCoordinator({
		engine: engineShutdownTarget(engine),
		restoreTerminal,
		mask: text => processMasker.mask(text),
	});
	shutdown.install();
	let resolveQuit!: (code: number) => void;
	const quit = new Promise<number>(resolve => (resolveQuit = resolve));
	void shutdown.done.then(resolveQuit);
	let setupError: unknown = null;
	let extras: Extras | null = null;
	try {
		extras = await attachExtras(engine, {...args.extras, log: line => engine.notice('info', line)});
		const {mountConsole, createRuntimeStatus, followRuntime} = await preloadUi();
		// The console shows a failed setup with its whole reason; `R` builds the runtime again.
		const buildStarted = Date.now();
		const announce = (ready: Promise<{endpoints: {rest: string; embedded: boolean}}>, since: number) =>
			ready.then(
				runtime =>
					engine.notice(
						'info',
						`exchange ready: ${runtime.endpoints.rest}${runtime.endpoints.embedded ? ' (embedded mock)' : ''} in ${((Date.now() - since) / 1000).toFixed(1)}s`,
					),
				() => {},
			);
		const runtimeStatus = createRuntimeStatus(() => {
			if (shutdown.requested !== null || runtimeStatus.get().state !== 'failed') return;
			const next = session.retry();
			followRuntime(runtimeStatus, next);
			void announce(next, Date.now());
		});
		followRuntime(runtimeStatus, session.ready);
		// `killSwitch.flatten` arrives with the profile schema's kill-switch section; read it without depending on that change.
		const flatten = (profile as {killSwitch?: {flatten?: unknown}}).killSwitch?.flatten;
		ui = mountConsole(engine, {
			runtime: runtimeStatus,
			...(typeof flatten === 'boolean' ? {killSwitchFlatten: flatten} : {}),
			...(args.ascii ? {ascii: true} : {}),
			onQuit(force) {
				if (!engine.running && !force) resolveQuit(engine.lastRun?.exitCode ?? 0);
				else shutdown.request('quit', force);
			},
		});
		// After a crash the coordinator decides the exit code, once the orders are cancelled.
		void ui.waitUntilExit().then(() => shutdown.requested !== 'crash' && resolveQuit(engine.lastRun?.exitCode ?? 0));
		// Only now pay for ccxt and the mock: the first frame is already on screen.
		setTimeout(() => session.build(), 30);
		void announce(session.ready, buildStarted);
		if (resume || args.plan) {
			const plan = args.plan;
			const say = (line: string) => engine.notice('info', line);
			session.ready.then(
				runtime => {
					if (shutdown.requested !== null) return;
					if (resume)
						void startResumedRun(engine, runtime.exchange, profile.symbols, resume, say).catch((error: unknown) =>
							engine.notice('error', `resume: ${error instanceof Error ? error.message : String(error)}`),
						);
					else if (plan) void engine.start(plan);
				},
				(error: unknown) => {
					// `drydock run` on a TTY: a configuration error ends the command (exit 2), as headless.
					setupError = error;
					resolveQuit(2);
				},
			);
		}
		const code = await quit;
		if (setupError)
			throw setupError instanceof Error
				? setupError
				: new Error(typeof setupError === 'string' ? setupError : 'setup failed');
		return shutdown.requested === 'crash' ? CRASH_EXIT_CODE : code;
	} finally {
		ui?.unmount();
		ui?.restoreTerminal();
		shutdown.uninstall();
		await session.settled();
		await extras?.close();
		const last = engine.lastRun;
		if (last?.report)
			process.stdout.write(
				processMasker.mask(
					formatSummary(last.report, last.reportDir ? path.join(last.reportDir, 'report.json') : undefined),
				),
			);
		await session.close();
		setTimeout(() => process.exit(), 3000).unref();
	}
}

export default async function consoleCommand(argv: string[]): Promise<number> {
	const {values} = parseCommandArgs('console', argv, options, false);
	if (!values.help && process.stdout.isTTY) void preloadUi().catch(() => {});
	if (showHelp(values, consoleUsage)) return 0;
	const {profile} = await loadProfile(values.profile ?? DEFAULT_PROFILE);
	const args = await readSessionFlags(values);
	if (!process.stdout.isTTY) {
		process.stderr.write('drydock: the console needs a terminal; use `drydock run --headless` in scripts and CI\n');
		return 2;
	}
	return runConsole({profile, args: {...args, profile: profile.name}});
}
