import {describe, expect, it} from 'vitest';
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';

/** Reports are built from the engine's read-only RunView: no module of source/report reaches into the store. */
describe('report layer boundary', () => {
	it('no file under source/report imports the engine store or its reducer', async () => {
		const root = path.resolve('source/report');
		const files = (await readdir(root, {recursive: true})).filter(f => /\.tsx?$/.test(f));
		expect(files.length).toBeGreaterThan(5);
		const offenders: string[] = [];
		for (const file of files) {
			const text = await readFile(path.join(root, file), 'utf8');
			if (/from '[^']*engine\/(store|run-reducer)\.js'/.test(text)) offenders.push(file);
		}
		expect(offenders).toEqual([]);
	});
});
