/** `drydock mock --replay` as a user runs it: the built CLI in its own process. */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {RecordingWriter} from '../../../source/recording/format/recording-file.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/drydock.js');
const dir = mkdtempSync(join(tmpdir(), 'drydock-replay-cli-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function run(args: string[]): {status: number | null; stderr: string; stdout: string} {
	const r = spawnSync(process.execPath, [bin, 'mock', ...args], {cwd: root, encoding: 'utf8', timeout: 20_000});
	return {status: r.status, stderr: r.stderr, stdout: r.stdout};
}

function start(args: string[]): Promise<{child: ChildProcess; ready: {rest: string; admin: string}}> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [bin, 'mock', ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		let err = '';
		const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${err}`)), 20_000);
		child.stdout.on('data', chunk => {
			out += String(chunk);
			if (out.includes('\n')) {
				clearTimeout(timer);
				resolve({child, ready: JSON.parse(out.slice(0, out.indexOf('\n'))) as {rest: string; admin: string}});
			}
		});
		child.stderr.on('data', chunk => (err += String(chunk)));
		child.once('exit', code => reject(new Error(`exited ${code} before ready; stderr: ${err}`)));
	});
}

function writeRecording(path: string): void {
	const base = Date.UTC(2026, 10, 30, 12);
	const writer = new RecordingWriter(
		path,
		{source: 'test', symbols: ['SOLUSDT'], streams: ['trade'], startedAt: base, tool: 'test'},
		{fsync: false},
	);
	for (let i = 0; i < 200; i++)
		writer.write({
			type: 'frame',
			t: base + i * 10,
			stream: 'solusdt@trade',
			data: {
				e: 'trade',
				E: base + i * 10,
				s: 'SOLUSDT',
				t: i + 1,
				p: '150.00',
				q: '1.000',
				T: base + i * 10,
				m: false,
				M: true,
			},
		});
	writer.close();
}

describe('drydock mock --replay (spawned)', () => {
	beforeAll(() => {
		if (!existsSync(join(root, 'dist/mock/replay/replay-flags.js')))
			spawnSync(
				process.execPath,
				[join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
				{
					stdio: 'ignore',
				},
			);
	}, 240_000);

	it('exits 2 with one clear line for a missing file, a file that is not a recording, and a bad flag', () => {
		const missing = run(['--replay', join(dir, 'nope.rec')]);
		expect(missing.status).toBe(2);
		expect(missing.stderr).toMatch(/--replay: no such file .*nope\.rec/);
		const text = join(dir, 'text.rec');
		writeFileSync(text, 'hello\n');
		const bad = run(['--replay', text]);
		expect(bad.status).toBe(2);
		expect(bad.stderr).toMatch(/--replay: .*not a drydock recording/);
		expect(bad.stdout).toBe('');
		const rec = join(dir, 'ok.rec');
		writeRecording(rec);
		expect(run(['--replay', rec, '--speed', 'fast']).stderr).toMatch(/--speed: "fast"/);
		expect(run(['--speed', 'max']).stderr).toMatch(/--speed: only with --replay/);
	});

	it('serves the recording’s symbols and replays it to the end', async () => {
		const rec = join(dir, 'sol.rec');
		writeRecording(rec);
		const {child, ready} = await start(['--replay', rec, '--speed', 'max', '--paused']);
		try {
			const info = (await (await fetch(`${ready.rest}/api/v3/exchangeInfo`)).json()) as {
				symbols: Array<{symbol: string}>;
			};
			expect(info.symbols.map(s => s.symbol)).toEqual(['SOLUSDT']);
			expect(await (await fetch(`${ready.admin}/replay`)).json()).toMatchObject({paused: true, events: 0});
			await fetch(`${ready.admin}/replay`, {method: 'POST', body: JSON.stringify({paused: false})});
			let status: {ended?: boolean; events?: number} = {};
			for (let i = 0; i < 100 && status.ended !== true; i++) {
				await new Promise(r => setTimeout(r, 50));
				status = (await (await fetch(`${ready.admin}/replay`)).json()) as typeof status;
			}
			// 200 frames and the end mark.
			expect(status).toMatchObject({ended: true, events: 201});
			const price = (await (await fetch(`${ready.rest}/api/v3/ticker/price?symbol=SOLUSDT`)).json()) as {price: string};
			expect(Number(price.price)).toBe(150);
		} finally {
			child.kill('SIGTERM');
		}
	});
});
