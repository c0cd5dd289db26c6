/**
 * `--report-dir DIR` checked before anything starts: the folder must be creatable, writable and not a
 * file. Found out only when the first report is written, a bad folder costs a whole run (or, under
 * /proc, hung the recorder); found here, it is one line and exit 2 naming the real reason.
 */
import {mkdir, stat, writeFile, unlink} from 'node:fs/promises';
import path from 'node:path';
import {UsageError} from './usage-error.js';

const reasons: Record<string, string> = {
	EACCES: 'permission denied',
	EPERM: 'operation not permitted',
	EROFS: 'read-only file system',
	ENOTDIR: 'a part of the path is a file, not a folder',
	ENOENT: 'the file system there takes no new folders',
	ENOSPC: 'no space left on the device',
	EEXIST: 'exists and is not a folder',
};

function reasonOf(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	return (code !== undefined ? reasons[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
}

/**
 * `mkdir -p` one level at a time. Node's `mkdir(…, {recursive: true})` spins forever when the file
 * system answers ENOENT for a folder whose parent exists (/proc/x): that was the hang.
 * Returns the first folder it created.
 */
async function mkdirStepwise(absolute: string): Promise<string | undefined> {
	const missing: string[] = [];
	let at = absolute;
	while (!(await stat(at).catch(() => null))) {
		missing.unshift(at);
		const parent = path.dirname(at);
		if (parent === at) break;
		at = parent;
	}
	for (const dir of missing) {
		try {
			await mkdir(dir);
		} catch (error) {
			// Another drydock made it meanwhile (runs started side by side share report parents): fine if a folder.
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw error;
		}
	}
	return missing[0];
}

/**
 * Throws a UsageError (exit 2) unless `dir` is, or can be made, a folder a report can be written to.
 * Folders it creates stay: the run writes into them next, and removing them could pull a shared parent
 * from under another drydock started at the same moment with a report folder beside this one.
 */
export async function assertReportDir(dir: string, flag = '--report-dir'): Promise<void> {
	const absolute = path.resolve(dir);
	const fail = (reason: string): never => {
		throw new UsageError(`${flag}: ${dir}: ${reason}`);
	};
	const existing = await stat(absolute).catch(() => null);
	if (existing && !existing.isDirectory()) fail('is a file, not a folder');
	if (!existing) {
		try {
			await mkdirStepwise(absolute);
		} catch (error) {
			fail(`cannot create it: ${reasonOf(error)}`);
		}
	}
	const probe = path.join(absolute, `.drydock-write-probe-${process.pid}`);
	try {
		await writeFile(probe, '');
		await unlink(probe);
	} catch (error) {
		fail(`not writable: ${reasonOf(error)}`);
	}
}
