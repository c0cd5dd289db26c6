/**
 * Resolves the API key and secret a profile names: environment variables first, then the profile's
 * key file. Every secret found is registered with the process masker before anything can print it.
 */
import {readFileSync, existsSync, statSync} from 'node:fs';
import path from 'node:path';
import type {Profile} from '../profiles/schema.js';
import {processMasker, type Masker} from '../profiles/mask.js';
import {ProfileError} from '../profiles/profile-file.js';

export interface Credentials {
	apiKey: string | null;
	secret: string | null;
	/** Where they came from, for messages (never the values). */
	source: string;
}

export function resolveCredentials(
	profile: Profile,
	env: NodeJS.ProcessEnv = process.env,
	cwd = process.cwd(),
	masker: Masker = processMasker,
): Credentials {
	const {apiKeyEnv, apiSecretEnv, keyFile} = profile.credentials;
	let apiKey = nonEmpty(env[apiKeyEnv]);
	let secret = nonEmpty(env[apiSecretEnv]);
	let source = apiKey || secret ? `environment (${apiKeyEnv}, ${apiSecretEnv})` : 'none';
	if ((!apiKey || !secret) && keyFile) {
		const file = path.resolve(cwd, keyFile);
		if (!existsSync(file))
			throw new ProfileError(profile.name, 'credentials.keyFile', `key file ${file} does not exist`);
		// Like ssh: a key file others can read is refused, with the fix.
		const mode = statSync(file).mode & 0o777;
		if (process.platform !== 'win32' && (mode & 0o077) !== 0)
			throw new ProfileError(
				profile.name,
				'credentials.keyFile',
				`key file ${file} is readable by others (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 ${file}`,
			);
		const parsed = parseKeyFile(readFileSync(file, 'utf8'), apiKeyEnv, apiSecretEnv);
		apiKey ??= parsed.apiKey;
		secret ??= parsed.secret;
		source = `key file ${file}`;
	}
	masker.add(apiKey);
	masker.add(secret);
	return {apiKey, secret, source};
}

/** JSON {apiKey, secret} or KEY=VALUE lines (the profile's env var names, or API_KEY / API_SECRET). */
export function parseKeyFile(
	text: string,
	keyName: string,
	secretName: string,
): {apiKey: string | null; secret: string | null} {
	const trimmed = text.trim();
	if (trimmed.startsWith('{')) {
		try {
			const json = JSON.parse(trimmed) as Record<string, unknown>;
			const pick = (...names: string[]) =>
				names.map(n => json[n]).find((v): v is string => typeof v === 'string' && v !== '') ?? null;
			return {apiKey: pick('apiKey', 'key', keyName), secret: pick('secret', 'apiSecret', secretName)};
		} catch {
			return {apiKey: null, secret: null};
		}
	}
	const values = new Map<string, string>();
	for (const line of trimmed.split(/\r?\n/)) {
		const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
		if (match) values.set(match[1]!, match[2]!.replace(/^["']|["']$/g, ''));
	}
	return {
		apiKey: nonEmpty(values.get(keyName) ?? values.get('API_KEY')),
		secret: nonEmpty(values.get(secretName) ?? values.get('API_SECRET')),
	};
}

function nonEmpty(value: string | undefined | null): string | null {
	return value === undefined || value === null || value.trim() === '' ? null : value.trim();
}
