/** `drydock profiles list | show NAME | validate FILE`. */
import {readFile} from 'node:fs/promises';
import {parseCommandArgs} from '../util/args.js';
import {UsageError} from '../util/usage-error.js';
import {listShippedProfiles, loadProfile, profileIssues, resolveProfilePath} from '../profiles/profile-file.js';
import {processMasker} from '../profiles/mask.js';
import {resolveCredentials} from '../runtime/credentials.js';
import {describeJsonError} from '../util/json-error.js';
import {helpOption, showHelp} from './flags.js';

const usage = 'Usage: drydock profiles [list | show NAME | validate FILE]';

export default async function profiles(argv: string[]): Promise<number> {
	const {values, positionals} = parseCommandArgs('profiles', argv, helpOption);
	if (showHelp(values, usage)) return 0;
	const [sub = 'list', target, ...extra] = positionals;
	if (extra.length > 0) throw new UsageError(`profiles ${sub}: unexpected argument "${extra[0]}"`);
	switch (sub) {
		case 'list': {
			for (const name of await listShippedProfiles()) {
				const {profile} = await loadProfile(name);
				process.stdout.write(`${name.padEnd(10)} ${profile.environment.padEnd(8)} ${profile.execution.padEnd(9)} ${profile.symbols.join(',')}  ${profile.description ?? ''}\n`);
			}
			return 0;
		}
		case 'show': {
			if (!target) throw new UsageError('profiles show: which profile? (e.g. drydock profiles show mock)');
			const {profile, file} = await loadProfile(target);
			// Resolving registers any secret in the environment with the masker; only whether it is set is shown.
			const credentials = resolveCredentials(profile);
			const shown = {
				...profile,
				credentials: {...profile.credentials, apiKey: credentials.apiKey ? 'set (masked)' : 'not set', secret: credentials.secret ? 'set (masked)' : 'not set'},
			};
			process.stdout.write(`# ${file}\n${processMasker.mask(JSON.stringify(shown, null, 2))}\n`);
			return 0;
		}
		case 'validate': {
			if (!target) throw new UsageError('profiles validate: which file? (e.g. drydock profiles validate my-profile.json)');
			const {file} = resolveProfilePath(target);
			let text: string;
			try {
				text = await readFile(file, 'utf8');
			} catch {
				throw new UsageError(`profile ${file}: not found`);
			}
			let raw: unknown;
			try {
				raw = JSON.parse(text);
			} catch (error) {
				throw new UsageError(`profile ${file}: not valid JSON: ${describeJsonError(error, text)}`);
			}
			const issues = profileIssues(raw);
			if (issues.length === 0) {
				process.stdout.write(`${file}: valid\n`);
				return 0;
			}
			for (const issue of issues) process.stderr.write(`profile ${file}: ${issue.field}: ${issue.reason}\n`);
			return 2;
		}
		default:
			throw new UsageError(`profiles: unknown subcommand "${sub}" (${usage.replace('Usage: ', '')})`);
	}
}
