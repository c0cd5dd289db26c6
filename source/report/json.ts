/** Atomic JSON writes: write a temp file in the same folder, then rename over the target. */
import {mkdir, rename, writeFile, unlink} from 'node:fs/promises';
import {renameSync, writeFileSync} from 'node:fs';
import path from 'node:path';

let counter = 0;

function tempPath(file: string): string {
	return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
}

export async function writeFileAtomic(file: string, text: string): Promise<void> {
	await mkdir(path.dirname(file), {recursive: true});
	const temp = tempPath(file);
	try {
		await writeFile(temp, text, 'utf8');
		await rename(temp, file);
	} catch (error) {
		await unlink(temp).catch(() => {});
		throw error;
	}
}

/** For the forced-exit path, where there is no time to await. */
export function writeFileAtomicSync(file: string, text: string): void {
	const temp = tempPath(file);
	writeFileSync(temp, text, 'utf8');
	renameSync(temp, file);
}

export function toJson(value: unknown): string {
	return JSON.stringify(value, null, '\t') + '\n';
}
