/**
 * `drydock run --chaos FILE` with a bad file, as a spawned process (needs `npm run build`): exit 2 and
 * one line naming the file, the entry and the field; no stack trace.
 */
import {mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {drydock} from '../../commands/helpers.js';

describe('drydock run --chaos (spawned)', () => {
	it('bad chaos files exit 2 naming the file, the entry index and the field', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-chaos-cli-'));
		const files: [string, string, RegExp][] = [
			[
				'bad-kind.json',
				JSON.stringify([
					{at: '3s', fault: 'drop-websockets'},
					{at: '5s', fault: 'meteor'},
				]),
				/bad-kind\.json: entry 1, field "fault": expected one of/,
			],
			[
				'bad-param.yaml',
				'- from: 6s\n  to: 10s\n  fault: error-rate\n  params: {probability: 1.5}\n',
				/bad-param\.yaml: entry 0, field "params\.probability"/,
			],
			[
				'bad-time.yaml',
				'chaos:\n  - at: later\n    fault: stall-streams\n',
				/bad-time\.yaml: entry 0, field "at": expected a duration/,
			],
			['broken.json', '[{', /broken\.json: not valid JSON/],
		];
		await Promise.all(
			files.map(async ([name, text, pattern]) => {
				const file = path.join(dir, name);
				await writeFile(file, text);
				const run = drydock([
					'run',
					'--phases',
					'soak',
					'--duration',
					'20s',
					'--headless',
					'--report-dir',
					path.join(dir, 'reports'),
					'--chaos',
					file,
				]);
				const {code} = await run.exit;
				expect(code, run.stdout() + run.stderr()).toBe(2);
				expect(run.stderr()).toMatch(pattern);
				expect(run.stderr()).not.toMatch(/\n\s+at /);
				expect(run.stderr().trim().split('\n')).toHaveLength(1);
			}),
		);
	}, 60_000);
});
