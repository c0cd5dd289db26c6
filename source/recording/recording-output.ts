/**
 * `-o FILE` checked before anything connects: a recording that fails at its first write after a
 * venue round trip (or overwrites yesterday's six hours) is the user's time lost.
 */
import {accessSync, constants, statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';

/** Why `path` cannot take a new recording, or undefined when it can. */
export function outputProblem(path: string, overwrite: boolean): string | undefined {
	const full = resolve(path);
	let stat;
	try {
		stat = statSync(full);
	} catch {
		stat = undefined;
	}
	if (stat?.isDirectory()) return `${path} is a directory (give a file name, e.g. ${path}/btc.rec)`;
	if (stat && !overwrite) return `${path} exists (add --force to overwrite it)`;
	const dir = dirname(full);
	try {
		if (!statSync(dir).isDirectory()) return `${dirname(path)} is not a directory`;
	} catch {
		return `the directory ${dirname(path)} does not exist`;
	}
	try {
		accessSync(stat ? full : dir, constants.W_OK);
	} catch {
		return stat ? `${path} is not writable` : `cannot write in ${dirname(path)} (permission denied)`;
	}
	return undefined;
}
