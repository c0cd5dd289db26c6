/**
 * The profile's `sut` section: how to start, watch and stop the user's own system under test. The schema
 * keeps what the user wrote (durations as text, patterns as strings) so a profile still serialises;
 * `resolveSutSpec` turns it into the runtime spec (milliseconds, compiled patterns, a typed readiness
 * probe) and names the field of any bad value. `--sut "CMD"` overrides `sut.command`.
 */
import {z} from 'zod';
import {parseDuration} from '../util/duration.js';
import {UsageError} from '../util/usage-error.js';

/** `30s`, `5m`, `1h30m`, or a number of seconds. */
const durationText = z.union([z.string().min(1), z.number().nonnegative()]).refine(value => {
	try {
		parseDuration(String(value));
		return true;
	} catch {
		return false;
	}
}, 'expected a duration such as 30s, 5m or 1h30m');

const envVarName = z
	.string()
	.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (letters, digits, _)');

/** Signals a SUT may be asked to stop with; SIGKILL always follows after `stopTimeout`. */
export const stopSignals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
export type StopSignal = (typeof stopSignals)[number];

/**
 * Case-sensitive on purpose: a log level in capitals (Python's logging, Go's panic, Node's unhandled
 * rejection), not the word "error" in an ordinary line such as "0 errors".
 */
export const defaultErrorPatterns = [
	'\\bERROR\\b',
	'\\bCRITICAL\\b',
	'Traceback \\(most recent call last\\)',
	'\\bpanic\\b',
	'\\bUnhandled',
] as const;

const restartSchema = z.union([
	z.literal('never'),
	z.strictObject({
		policy: z.literal('on-failure'),
		/** Restarts allowed over the whole run. */
		max: z.number().int().min(1).max(1000),
	}),
]);

export const sutMetricsSchema = z.strictObject({
	/** StatsD timer (|ms, |h or |d) the SUT sends once per operation, e.g. "bot.cycle". */
	operation: z.string().min(1).optional(),
	/** StatsD counter of successful operations. */
	success: z.string().min(1).optional(),
	/** StatsD counter of failed operations. */
	failure: z.string().min(1).optional(),
});

export const sutLimitsSchema = z.strictObject({
	/** Peak RSS of the SUT's whole process tree (the test guides' ceiling). */
	sutRssMb: z.number().positive().default(500),
	/** Average CPU of the SUT's process tree, % of one core. */
	sutCpuPercent: z.number().positive().default(50),
	/** RSS slope after warm-up over which the SUT leaks (the profile's `limits.rssSlopeMbPerHour` when absent). */
	sutRssSlopeMbPerHour: z.number().positive().optional(),
	/** Error lines per hour (the profile's `limits.errorsPerHour` when absent). */
	errorsPerHour: z.number().nonnegative().optional(),
});

export const sutSchema = z.strictObject({
	/** Run through `/bin/sh -c`, so pipes, `cd x &&` and variables work as in a shell. */
	command: z.string().trim().min(1).optional(),
	/** Working directory, relative to drydock's. */
	cwd: z.string().min(1).optional(),
	/** Extra environment, values are templates: {rest} {ws} {wsApi} {apiKey} {apiSecret} {symbols} {statsd}. */
	env: z.record(envVarName, z.string()).default({}),
	/** A regex matched against each output line, `tcp:PORT` (or `tcp:HOST:PORT`) or an http(s):// URL answering 2xx/3xx. */
	readyWhen: z.string().min(1).optional(),
	startTimeout: durationText.default('30s'),
	stopSignal: z.enum(stopSignals).default('SIGTERM'),
	stopTimeout: durationText.default('10s'),
	restart: restartSchema.default('never'),
	/** Regexes (case-sensitive) an output line must match to count as a SUT error. */
	errorPatterns: z
		.array(z.string().min(1))
		.max(100)
		.default([...defaultErrorPatterns]),
	metrics: sutMetricsSchema.prefault({}),
	limits: sutLimitsSchema.prefault({}),
	/** On testnet/mainnet: the environment variables holding the SUT's own key (drydock stores none of it). */
	apiKeyEnv: envVarName.default('DRYDOCK_SUT_API_KEY'),
	apiSecretEnv: envVarName.default('DRYDOCK_SUT_API_SECRET'),
});

/** The validated section as the profile holds it. */
export type SutSection = z.output<typeof sutSchema>;
export type SutSectionInput = z.input<typeof sutSchema>;
export type SutMetricNames = z.output<typeof sutMetricsSchema>;

export type ReadyProbe =
	| {kind: 'none'}
	| {kind: 'output'; pattern: RegExp; source: string}
	| {kind: 'tcp'; host: string; port: number}
	| {kind: 'http'; url: string};

export type RestartPolicy = {policy: 'never'} | {policy: 'on-failure'; max: number};

/** What the supervisor and the judge run with. */
export interface SutSpec {
	command: string;
	cwd: string | undefined;
	env: Record<string, string>;
	ready: ReadyProbe;
	startTimeoutMs: number;
	stopSignal: StopSignal;
	stopTimeoutMs: number;
	restart: RestartPolicy;
	errorPatterns: RegExp[];
	metrics: SutMetricNames;
	limits: {sutRssMb: number; sutCpuPercent: number; sutRssSlopeMbPerHour: number; errorsPerHour: number};
	/** Names of the variables holding the SUT's own key on a real venue. */
	keyEnv: {apiKey: string; apiSecret: string};
}

export interface ResolveOptions {
	/** `--sut "CMD"`: replaces `sut.command`. */
	commandFlag?: string;
	/** Fallbacks from the profile's own `limits` section. */
	profileLimits?: {errorsPerHour?: number; rssSlopeMbPerHour?: number};
	/** Where the section came from, for messages (default `sut`). */
	where?: string;
}

/**
 * The runtime spec, or null when there is no SUT (no section and no `--sut`). `section` may be raw
 * (unvalidated) input: it is parsed here, and the first problem becomes a one-line UsageError.
 */
export function resolveSutSpec(section: unknown, options: ResolveOptions = {}): SutSpec | null {
	const where = options.where ?? 'sut';
	const flag = options.commandFlag?.trim();
	if (options.commandFlag !== undefined && !flag)
		throw new UsageError('--sut: empty command (expected e.g. --sut "python -m mybot")');
	if ((section === undefined || section === null) && !flag) return null;
	const parsed = sutSchema.safeParse(section ?? {});
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		const path = issue.path.length > 0 ? `${where}.${issue.path.map(String).join('.')}` : where;
		throw new UsageError(`${path}: ${issue.message}`);
	}
	const merged = withSutCommand(parsed.data, flag);
	if (!merged.command) {
		if (section === undefined || section === null) return null;
		throw new UsageError(`${where}.command: required (or give --sut "CMD")`);
	}
	return toSpec(merged, merged.command, options, where);
}

/** `--sut "CMD"` over `sut.command`; the rest of the section stays. */
export function withSutCommand(section: SutSection, commandFlag: string | undefined): SutSection {
	const flag = commandFlag?.trim();
	return flag ? {...section, command: flag} : section;
}

function toSpec(section: SutSection, command: string, options: ResolveOptions, where: string): SutSpec {
	const errorPatterns = section.errorPatterns.map((source, i) => compile(source, `${where}.errorPatterns[${i}]`));
	return {
		command,
		cwd: section.cwd,
		env: section.env,
		ready: parseReadyWhen(section.readyWhen, `${where}.readyWhen`),
		startTimeoutMs: parseDuration(String(section.startTimeout), `${where}.startTimeout`),
		stopSignal: section.stopSignal,
		stopTimeoutMs: parseDuration(String(section.stopTimeout), `${where}.stopTimeout`),
		restart: section.restart === 'never' ? {policy: 'never'} : {policy: 'on-failure', max: section.restart.max},
		errorPatterns,
		metrics: section.metrics,
		limits: {
			sutRssMb: section.limits.sutRssMb,
			sutCpuPercent: section.limits.sutCpuPercent,
			sutRssSlopeMbPerHour: section.limits.sutRssSlopeMbPerHour ?? options.profileLimits?.rssSlopeMbPerHour ?? 5,
			errorsPerHour: section.limits.errorsPerHour ?? options.profileLimits?.errorsPerHour ?? 60,
		},
		keyEnv: {apiKey: section.apiKeyEnv, apiSecret: section.apiSecretEnv},
	};
}

/** `tcp:8080`, `tcp:localhost:8080`, `http://127.0.0.1:8080/health`, or else a regex on output lines. */
export function parseReadyWhen(text: string | undefined, where = 'sut.readyWhen'): ReadyProbe {
	if (text === undefined) return {kind: 'none'};
	const tcp = /^tcp:(?:([^:]+):)?(\d+)$/.exec(text);
	if (tcp) {
		const port = Number(tcp[2]);
		if (port < 1 || port > 65_535) throw new UsageError(`${where}: port ${tcp[2]} out of range (1–65535)`);
		return {kind: 'tcp', host: tcp[1] ?? '127.0.0.1', port};
	}
	if (text.startsWith('tcp:'))
		throw new UsageError(`${where}: cannot read "${text}" (expected tcp:PORT or tcp:HOST:PORT)`);
	if (/^https?:\/\//.test(text)) {
		try {
			new URL(text);
		} catch {
			throw new UsageError(`${where}: "${text}" is not a valid URL`);
		}
		return {kind: 'http', url: text};
	}
	return {kind: 'output', pattern: compile(text, where), source: text};
}

function compile(source: string, where: string): RegExp {
	try {
		return new RegExp(source);
	} catch (error) {
		throw new UsageError(
			`${where}: invalid regular expression ${JSON.stringify(source)} (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`,
		);
	}
}
