/**
 * Loads a profile by shipped name (profiles/<name>.json in the package) or by file path, validates it
 * and fills defaults. Every failure is a ProfileError (a UsageError: one line, exit 2) naming the file,
 * the field path and the reason.
 */
import {readFile, readdir} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {z} from 'zod';
import {UsageError} from '../util/usage-error.js';
import {profileSchema, type Profile} from './schema.js';
import {describeJsonError} from '../util/json-error.js';

export class ProfileError extends UsageError {
	constructor(
		readonly file: string,
		readonly field: string | null,
		readonly reason: string,
	) {
		super(`profile ${file}${field ? `: ${field}` : ''}: ${reason}`);
	}
}

export interface LoadedProfile {
	profile: Profile;
	/** Absolute path of the file it came from. */
	file: string;
	/** True when it is one of the profiles shipped in the package. */
	shipped: boolean;
}

/** The package's profiles/ folder, found from this module's location (source/ or dist/ alike). */
export function shippedProfilesDir(): string {
	return fileURLToPath(new URL('../../profiles/', import.meta.url));
}

export async function listShippedProfiles(): Promise<string[]> {
	try {
		const entries = await readdir(shippedProfilesDir());
		return entries
			.filter(name => name.endsWith('.json'))
			.map(name => name.slice(0, -'.json'.length))
			.sort();
	} catch {
		return [];
	}
}

/** A bare name (no slash, no .json) means a shipped profile; anything else is a path. */
export function resolveProfilePath(nameOrPath: string): {file: string; shipped: boolean} {
	const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes(path.sep) || nameOrPath.endsWith('.json');
	if (!looksLikePath) return {file: path.join(shippedProfilesDir(), `${nameOrPath}.json`), shipped: true};
	return {file: path.resolve(nameOrPath), shipped: false};
}

export async function loadProfile(nameOrPath = 'mock'): Promise<LoadedProfile> {
	const {file, shipped} = resolveProfilePath(nameOrPath);
	const shown = shipped ? `"${nameOrPath}" (${file})` : file;
	if (!existsSync(file)) {
		const known = await listShippedProfiles();
		const hint = shipped ? ` — shipped profiles: ${known.join(', ') || 'none'}` : '';
		throw new ProfileError(shipped ? `"${nameOrPath}"` : file, null, `not found${hint}`);
	}
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		throw new ProfileError(shown, null, `cannot read: ${(error as Error).message}`);
	}
	return {profile: parseProfileText(text, shown), file, shipped};
}

/** Parses and validates profile JSON; `where` names the source in errors. */
export function parseProfileText(text: string, where: string): Profile {
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch (error) {
		throw new ProfileError(where, null, `not valid JSON: ${describeJsonError(error, text)}`);
	}
	return validateProfile(raw, where);
}

export function validateProfile(raw: unknown, where: string): Profile {
	const result = profileSchema.safeParse(raw);
	if (!result.success) {
		const issue = result.error.issues[0]!;
		throw new ProfileError(where, formatPath(issue.path) || null, describeIssue(issue));
	}
	return result.data;
}

/** All issues, one line each — for `drydock profiles validate`. */
export function profileIssues(raw: unknown): {field: string; reason: string}[] {
	const result = profileSchema.safeParse(raw);
	if (result.success) return [];
	return result.error.issues.map(issue => ({field: formatPath(issue.path) || '(root)', reason: describeIssue(issue)}));
}

function formatPath(segments: readonly PropertyKey[]): string {
	let out = '';
	for (const segment of segments) {
		if (typeof segment === 'number') out += `[${segment}]`;
		else out += out === '' ? String(segment) : `.${String(segment)}`;
	}
	return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
	if (issue.code === 'unrecognized_keys')
		return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(k => `"${k}"`).join(', ')}`;
	if (issue.code === 'invalid_type' && issue.input === undefined) return `required (expected ${issue.expected})`;
	if (issue.code === 'invalid_value') return `expected one of ${issue.values.map(v => JSON.stringify(v)).join(', ')}`;
	return issue.message;
}
