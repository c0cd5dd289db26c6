/** `drydock profiles list | show NAME | validate FILE | init NAME [--from mock]`. */
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {parseCommandArgs} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {
	listShippedProfiles,
	loadProfile,
	profileIssues,
	resolveProfilePath,
	validateProfile,
} from '../profiles/profile-file.js';
import {processMasker} from '../profiles/mask.js';
import {resolveCredentials} from '../runtime/credentials.js';
import {describeJsonError} from '../util/json-error.js';
import {helpOption, showHelp} from './flags.js';

const usage = `Usage: drydock profiles [list | show NAME | validate FILE | init NAME [--from PROFILE]]
  show NAME            the profile with every default filled in, as JSON on stdout (valid as a profile);
                       whether its key and secret are set goes to stderr (the values never appear)
  init NAME            write a profile to edit: profiles/NAME.json (or NAME when it is a path), copied
                       from --from (default mock); never overwrites`;

const options = {from: {type: 'string'}, ...helpOption} as const;

async function readJsonFile(file: string): Promise<unknown> {
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch {
		throw new UsageError(`profile ${file}: not found`);
	}
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new UsageError(`profile ${file}: not valid JSON: ${describeJsonError(error, text)}`);
	}
}

async function show(target: string): Promise<number> {
	const {profile, file} = await loadProfile(target);
	// Secrets are never in a profile (only the names of the variables holding them), so stdout is the
	// profile itself; the credential status is a note beside it. Resolving registers any secret found
	// with the masker, so the mask below is only a safety net.
	const {apiKeyEnv, apiSecretEnv} = profile.credentials;
	let status: string;
	try {
		const credentials = resolveCredentials(profile);
		status = `${apiKeyEnv} ${credentials.apiKey ? 'set' : 'not set'}, ${apiSecretEnv} ${credentials.secret ? 'set' : 'not set'} (values never shown)`;
	} catch (error) {
		status = error instanceof Error ? error.message : String(error);
	}
	process.stdout.write(processMasker.mask(JSON.stringify(profile, null, '\t')) + '\n');
	process.stderr.write(processMasker.mask(`profile ${file}: credentials: ${status}`) + '\n');
	return 0;
}

/** Where `init NAME` writes: a bare name goes to ./profiles/NAME.json; anything path-like is taken as is. */
export function initTarget(nameOrPath: string, cwd = process.cwd()): {file: string; name: string} {
	const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes(path.sep) || nameOrPath.endsWith('.json');
	const file = looksLikePath ? path.resolve(cwd, nameOrPath) : path.resolve(cwd, 'profiles', `${nameOrPath}.json`);
	return {file, name: looksLikePath ? path.basename(file, '.json') : nameOrPath};
}

async function init(target: string, from: string): Promise<number> {
	const {file, name} = initTarget(target);
	if (!/^[A-Za-z0-9._-]+$/.test(name))
		throw new UsageError(`profiles init: "${name}" is not a profile name (letters, digits, . _ -)`);
	const source = resolveProfilePath(from);
	// The source file as written, not with every default filled in: short enough to read and edit.
	const raw = await readJsonFile(source.file);
	if (!raw || typeof raw !== 'object' || Array.isArray(raw))
		throw new UsageError(`profile ${source.file}: not a JSON object`);
	const written = {...(raw as Record<string, unknown>), name};
	validateProfile(written, source.file);
	await mkdir(path.dirname(file), {recursive: true});
	try {
		await writeFile(file, JSON.stringify(written, null, '\t') + '\n', {flag: 'wx'});
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST')
			throw new UsageError(`profiles init: ${file} already exists (not overwritten; pick another name or remove it)`);
		throw new UsageError(
			`profiles init: cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`,
		);
	}
	const shown = path.relative(process.cwd(), file) || file;
	process.stdout.write(
		`wrote ${shown} (from ${from}); edit it, then: drydock run --profile ${shown.includes('/') ? shown : `./${shown}`}\n`,
	);
	return 0;
}

export default async function profiles(argv: string[]): Promise<number> {
	const {values, positionals} = parseCommandArgs('profiles', argv, options);
	if (showHelp(values, usage)) return 0;
	const [sub = 'list', target, ...extra] = positionals;
	if (extra.length > 0) throw new UsageError(`profiles ${sub}: unexpected argument "${extra[0]}"`);
	if (values.from !== undefined && sub !== 'init') throw new UsageError(`profiles ${sub}: --from applies to init only`);
	switch (sub) {
		case 'list': {
			for (const name of await listShippedProfiles()) {
				const {profile} = await loadProfile(name);
				process.stdout.write(
					`${name.padEnd(10)} ${profile.environment.padEnd(8)} ${profile.execution.padEnd(9)} ${profile.symbols.join(',')}  ${profile.description ?? ''}\n`,
				);
			}
			return 0;
		}
		case 'show': {
			if (!target) throw new UsageError('profiles show: which profile? (e.g. drydock profiles show mock)');
			return show(target);
		}
		case 'init': {
			if (!target) throw new UsageError('profiles init: which name? (e.g. drydock profiles init mybot --from mock)');
			return init(target, values.from ?? 'mock');
		}
		case 'validate': {
			if (!target)
				throw new UsageError('profiles validate: which file? (e.g. drydock profiles validate my-profile.json)');
			const {file} = resolveProfilePath(target);
			const raw = await readJsonFile(file);
			const issues = profileIssues(raw);
			if (issues.length === 0) {
				process.stdout.write(`${file}: valid\n`);
				return 0;
			}
			for (const issue of issues) process.stderr.write(`profile ${file}: ${issue.field}: ${issue.reason}\n`);
			return 2;
		}
		default:
			throw new UsageError(`profiles: unknown subcommand "${sub}" (${usage.split('\n')[0]!.replace('Usage: ', '')})`);
	}
}
