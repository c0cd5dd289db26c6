/**
 * `drydock record --console` as users see it: inside a detached tmux session at 100×30 against a
 * `drydock mock` on loopback, read back with `capture-pane -p`; q stops and the file ends with its end
 * record. Without a terminal `--console` falls back to the progress lines with one note. Needs a build
 * (`npm test` builds first); the tmux part needs tmux (CI installs it) and skips without it.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {drydock, readRecording, startMock} from '../../recording/helpers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const built = existsSync(path.join(root, 'dist', 'bundle', 'cli.js'));
const noBuild = built ? null : 'dist/ is missing: run `npm run build` (npm test does)';
const skipReason = noBuild ?? (hasTmux ? null : 'tmux is not installed');
if (skipReason) console.warn(`test/ui/record/tmux.e2e.test.ts: ${skipReason}`);

const socket = `drydock-rec-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const prompt = 'e2e$ ';

function capture(session: string): string[] {
	return tmux('capture-pane', '-p', '-J', '-t', session).replace(/\n$/, '').split('\n');
}

async function waitFor(session: string, what: string, test: (lines: string[]) => boolean, timeoutMs = 20_000) {
	const deadline = Date.now() + timeoutMs;
	let lines = capture(session);
	while (!test(lines)) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join('\n')}`);
		await sleep(150);
		lines = capture(session);
	}
	return lines;
}

const dir = mkdtempSync(path.join(tmpdir(), 'drydock-record-console-'));
let mock: Awaited<ReturnType<typeof startMock>> | undefined;
beforeAll(async () => {
	if (noBuild === null) mock = await startMock();
}, 30_000);
afterAll(async () => {
	if (skipReason === null) spawnSync('tmux', ['-L', socket, 'kill-server']);
	await mock?.stop();
	rmSync(dir, {recursive: true, force: true});
});

const STREAMS = ['trade', 'depth@100ms', 'bookTicker'];

describe.skipIf(skipReason !== null)('drydock record --console in tmux', () => {
	it('shows the streams live at 100×30; q stops and the file ends with an end record', async () => {
		const session = 'rec100x30';
		const out = path.join(dir, 'x.rec');
		// No CI in the pane: with CI set, --console falls back to the lines (tested below).
		tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', 'env -u CI LANG=C.UTF-8 bash --norc --noprofile');
		tmux('send-keys', '-t', session, `PS1='${prompt}'; cd ${JSON.stringify(root)}; clear`, 'Enter');
		await waitFor(session, 'the shell prompt', lines => lines.some(l => l.startsWith(prompt.trimEnd())), 10_000);
		tmux(
			'send-keys',
			'-t',
			session,
			`node bin/drydock.js record --console --exchange-url ${mock!.rest} --symbols BTCUSDT,ETHUSDT ` +
				`--streams ${STREAMS.join(',')} -o ${JSON.stringify(out)}; echo "DRYDOCK_EXIT=$?"`,
			'Enter',
		);
		const names = ['btcusdt', 'ethusdt'].flatMap(symbol => STREAMS.map(stream => `${symbol}@${stream}`));
		const rowWithFrames = (lines: string[], name: string) =>
			lines.some(l => new RegExp(`${name.replace(/[@.]/g, '\\$&')} +[1-9]\\d* `).test(l));
		let lines = await waitFor(
			session,
			'every stream row counting frames',
			l => /^drydock record/.test(l[0] ?? '') && names.every(name => rowWithFrames(l, name)),
		);
		expect(lines[1]).toMatch(/\d+ events .*× compressed +0 gaps/);
		expect(lines.join('\n')).toMatch(/bids \d+ changed/);
		expect(lines.join('\n')).toContain('streams · 6');
		expect(lines.join('\n')).toMatch(/q stop and close the file/);
		expect(lines.length).toBeLessThanOrEqual(30);
		for (const line of lines) expect([...line].length).toBeLessThanOrEqual(100);
		expect((lines[29] ?? '').trim()).toBe('');

		tmux('send-keys', '-t', session, 'q');
		lines = await waitFor(session, 'the exit', l => l.some(line => line.startsWith('DRYDOCK_EXIT=')));
		const text = lines.join('\n');
		expect(text).toContain('DRYDOCK_EXIT=0');
		expect(text).toMatch(/stopped from the console; .*x\.rec closed: \d+ frames/);
		// The terminal is back: no leftover screen above the prompt.
		expect(text).not.toContain('streams · 6');
		const {events, damage} = readRecording(out);
		expect(damage).toBeUndefined();
		expect(events.at(-1)?.type).toBe('end');
		expect(events.filter(e => e.type === 'frame').length).toBeGreaterThan(0);
	}, 60_000);
});

describe.skipIf(noBuild !== null)('drydock record --console without a terminal', () => {
	it('falls back to the progress lines with one note and still records', async () => {
		const out = path.join(dir, 'plain.rec');
		const run = drydock([
			'record',
			'--console',
			'--exchange-url',
			mock!.rest,
			'--symbols',
			'BTCUSDT',
			'--streams',
			'trade,bookTicker',
			// Room for several progress lines even when the connection is slow to open on a busy machine.
			'--duration',
			'4s',
			'--progress-every',
			'500ms',
			'-o',
			out,
		]);
		const {code} = await run.exit;
		expect(code, run.stderr()).toBe(0);
		const notes = run.stderr().match(/--console needs a terminal \([^)]*\): progress lines instead/g) ?? [];
		expect(notes).toHaveLength(1);
		expect(run.stderr()).toMatch(/recording: \d+ events/);
		expect(run.stderr()).not.toContain('\u001b[?1049h');
		expect(readRecording(out).events.at(-1)?.type).toBe('end');
	}, 30_000);
});
