/**
 * The flags more than one command takes, declared and read once, so `run`, the console, `load`,
 * `mock` and `report` spell them alike, default them alike and refuse them with the same one-line
 * usage error (exit 2) naming the flag. Each command spreads the option groups it takes into its own
 * `parseCommandArgs` call and reads them back with the readers below.
 */
import {numberOption} from '../util/args.js';
import {parseDuration} from '../util/duration.js';
import {UsageError} from '../util/usage-error.js';
import {assertReportDir} from '../util/report-dir.js';
import type {ExtrasOptions} from '../runtime/extras.js';
import {readReplayFlag} from '../runtime/replay.js';
import type {MockReplayOptions} from '../mock/replay/index.js';

/** `-h/--help`: every command. */
export const helpOption = {help: {type: 'boolean', short: 'h'}} as const;

/** `--report-dir DIR`: run, the console, load. */
export const reportDirOption = {'report-dir': {type: 'string'}} as const;

/** `--ascii`: run, the console, load. */
export const asciiOption = {ascii: {type: 'boolean'}} as const;

/** `--headless`: run, load. */
export const headlessOption = {headless: {type: 'boolean'}} as const;

/** What a run session takes, on the console and headless alike: profile, venue, safety, watching, exports. */
export const sessionOptions = {
	profile: {type: 'string'},
	...reportDirOption,
	...asciiOption,
	'watch-pid': {type: 'string'},
	sut: {type: 'string'},
	'exchange-url': {type: 'string'},
	replay: {type: 'string'},
	'allow-live': {type: 'boolean'},
	'metrics-port': {type: 'string'},
	'metrics-host': {type: 'string'},
	notify: {type: 'string'},
	'notify-format': {type: 'string'},
} as const;

/** The help lines of the session flags, shared so `drydock --help` and `drydock run --help` say the same. */
export const sessionFlagsHelp = {
	profile: '  --profile P          shipped profile name (mock, testnet, mainnet) or a JSON file (default mock)',
	ascii: '  --ascii              ASCII borders and glyphs (automatic when the locale is not UTF-8)',
	'exchange-url': '  --exchange-url URL   use a running mock (e.g. from `drydock mock`) instead of starting one',
	replay: '  --replay FILE        the embedded mock replays a recording (looping) instead of simulating',
	'watch-pid': '  --watch-pid N        also sample this process (the system under test)',
	sut: '  --sut "CMD"          start your own bot as the system under test and judge it in the soak (see examples/bots)',
	'report-dir': '  --report-dir DIR     where reports/<run-id>/ goes (default reports)',
	'allow-live': "  --allow-live         permit real orders on mainnet (held under the profile's live caps)",
	'metrics-port': '  --metrics-port N     serve Prometheus /metrics on 127.0.0.1:N (--metrics-host H to change)',
	notify:
		'  --notify URL         post JSON on phase failure, anomaly and run end (--notify-format generic|slack|telegram)',
} as const;

export const DEFAULT_REPORT_DIR = 'reports';
export const DEFAULT_PROFILE = 'mock';

/** `-h/--help` given: writes the command's help; the command then returns 0. */
export function showHelp(values: {help?: boolean | undefined}, text: string): boolean {
	if (!values.help) return false;
	process.stdout.write(text.endsWith('\n') ? text : text + '\n');
	return true;
}

export function reportDirFrom(values: {'report-dir'?: string | undefined}): string {
	return values['report-dir'] ?? DEFAULT_REPORT_DIR;
}

/** `--report-dir`, read and checked (creatable, writable, not a file) before anything starts. */
export async function checkedReportDir(values: {'report-dir'?: string | undefined}): Promise<string> {
	const dir = reportDirFrom(values);
	await assertReportDir(dir);
	return dir;
}

/** `--headless`, implied when stdout is not a terminal (CI, pipes). */
export function headlessFrom(
	values: {headless?: boolean | undefined},
	stdout: {isTTY?: boolean} = process.stdout,
): boolean {
	return Boolean(values.headless) || stdout.isTTY !== true;
}

/** A TCP port flag (`--port`, `--metrics-port`); 0 asks for a free one. */
export function portOption(value: string | undefined, flag: string): number | undefined {
	return numberOption(value, flag, {min: 0, max: 65_535, integer: true});
}

/** A duration flag that must be longer than zero (`--run-time 60s`). */
export function positiveDuration(text: string | undefined, flag: string): number | undefined {
	if (text === undefined) return undefined;
	const ms = parseDuration(text, flag);
	if (ms <= 0) throw new UsageError(`${flag}: "${text}" must be longer than zero`);
	return ms;
}

/** `--watch-pid` naming no process is the user's mistake: say so now, not as an anomaly an hour in. */
export function assertProcessExists(pid: number): void {
	try {
		process.kill(pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ESRCH')
			throw new UsageError(`--watch-pid: no process with pid ${pid}`);
		// EPERM: it exists, owned by someone else; pidusage can still read it on Linux.
	}
}

/** The flags behind ExtrasOptions, as `run` and the console take them. */
export interface ExtrasFlags {
	'metrics-port'?: string | undefined;
	'metrics-host'?: string | undefined;
	notify?: string | undefined;
	'notify-format'?: string | undefined;
}

/** `--metrics-port/--metrics-host/--notify/--notify-format`, validated (UsageError naming the flag). */
export async function parseExtrasFlags(values: ExtrasFlags): Promise<ExtrasOptions> {
	const metricsPort = portOption(values['metrics-port'], '--metrics-port');
	if (values['notify-format'] !== undefined && values.notify === undefined)
		throw new UsageError('--notify-format: needs --notify URL');
	if (values['metrics-host'] !== undefined && metricsPort === undefined)
		throw new UsageError('--metrics-host: needs --metrics-port N');
	if (values.notify !== undefined) {
		const {validateNotifyOptions} = await import('../notify/index.js');
		validateNotifyOptions(values.notify, values['notify-format'] ?? 'generic');
	}
	return {
		...(metricsPort !== undefined ? {metricsPort} : {}),
		...(values['metrics-host'] !== undefined ? {metricsHost: values['metrics-host']} : {}),
		...(values.notify !== undefined ? {notify: values.notify} : {}),
		...(values['notify-format'] !== undefined ? {notifyFormat: values['notify-format']} : {}),
	};
}

/** The session flags, read: what the console and `drydock run` hand to the session they start. */
export interface SessionArgs {
	profile: string;
	reportDir: string;
	watchPid?: number;
	/** `--sut "CMD"`. */
	sut?: string;
	exchangeUrl?: string;
	/** `--replay FILE`, read and checked. */
	replay?: MockReplayOptions;
	allowLive: boolean;
	ascii: boolean;
	extras: ExtrasOptions;
}

export type SessionFlagValues = ExtrasFlags & {
	profile?: string | undefined;
	'report-dir'?: string | undefined;
	ascii?: boolean | undefined;
	'watch-pid'?: string | undefined;
	sut?: string | undefined;
	'exchange-url'?: string | undefined;
	replay?: string | undefined;
	'allow-live'?: boolean | undefined;
};

/** Reads `sessionOptions` back: the watched pid must exist and the export flags must make sense. */
export async function readSessionFlags(values: SessionFlagValues): Promise<SessionArgs> {
	const watchPid = numberOption(values['watch-pid'], '--watch-pid', {min: 1, integer: true});
	if (watchPid !== undefined) assertProcessExists(watchPid);
	const extras = await parseExtrasFlags(values);
	const reportDir = await checkedReportDir(values);
	const replay = await readReplayFlag(values.replay);
	return {
		profile: values.profile ?? DEFAULT_PROFILE,
		reportDir,
		...(watchPid !== undefined ? {watchPid} : {}),
		...(values.sut !== undefined ? {sut: values.sut} : {}),
		...(values['exchange-url'] !== undefined ? {exchangeUrl: values['exchange-url']} : {}),
		...(replay ? {replay} : {}),
		allowLive: Boolean(values['allow-live']),
		ascii: Boolean(values.ascii),
		extras,
	};
}
