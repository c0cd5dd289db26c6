/**
 * The console as users see it: `drydock run` inside a detached tmux session at 100×30 and 80×24,
 * read back with `capture-pane -p`. A private tmux socket keeps the test away from any tmux the
 * developer has running. Needs tmux (CI installs it) and a build (`npm test` builds first).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {phaseIds} from '../../../source/engine/phase-ids.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const built = existsSync(path.join(root, 'dist', 'cli.js'));
const skipReason = !hasTmux
	? 'tmux is not installed'
	: !built
		? 'dist/ is missing: run `npm run build` (npm test does)'
		: null;
if (skipReason) console.warn(`test/ui/console/tmux.e2e.test.ts skipped: ${skipReason}`);

const socket = `drydock-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const prompt = 'e2e$ ';

/** `-J` joins wrapped lines, so a line that overflowed the width shows up longer than the width. */
function capture(session: string): string[] {
	return tmux('capture-pane', '-p', '-J', '-t', session).replace(/\n$/, '').split('\n');
}

async function waitFor(
	session: string,
	what: string,
	test: (lines: string[]) => boolean,
	timeoutMs = 20_000,
): Promise<string[]> {
	const deadline = Date.now() + timeoutMs;
	let lines = capture(session);
	while (!test(lines)) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join('\n')}`);
		await sleep(150);
		lines = capture(session);
	}
	return lines;
}

const screenHas = (text: string | RegExp) => (lines: string[]) => {
	const joined = lines.join('\n');
	return typeof text === 'string' ? joined.includes(text) : text.test(joined);
};

/** The console's frame is intact: header on top, bordered body rows exactly `columns` wide, nothing below the footer. */
function expectIntactLayout(lines: string[], columns: number, rows: number) {
	expect(lines.length).toBeLessThanOrEqual(rows);
	const body = lines.slice(2, rows - 3);
	expect(body.length).toBe(rows - 5);
	for (const raw of body) {
		const line = raw.trimEnd();
		expect([...line].length, `body row not ${columns} wide (wrapped or cut): "${line}"`).toBe(columns);
		expect(line[0], line).toMatch(/[│╭╰|+]/);
		expect([...line].at(-1), line).toMatch(/[│╮╯|+]/);
	}
	for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
	// The root is rows − 1 tall: the last terminal row stays empty (no full-height repaint flicker).
	expect((lines[rows - 1] ?? '').trim()).toBe('');
}

const sessions: string[] = [];
afterAll(() => {
	if (!skipReason) spawnSync('tmux', ['-L', socket, 'kill-server']);
});

describe.skipIf(skipReason !== null)('console in tmux', () => {
	for (const [columns, rows] of [
		[100, 30],
		[80, 24],
	] as const) {
		it.concurrent(
			`drydock run --plan quick at ${columns}×${rows}: panels, keys ?, x, r, q, report written, terminal restored`,
			async () => {
				const session = `dd${columns}x${rows}`;
				sessions.push(session);
				const reportDir = mkdtempSync(path.join(tmpdir(), 'drydock-e2e-'));
				try {
					// CI=true on purpose: the console must still draw live frames on a TTY (source/ui/ink-env.ts).
					tmux(
						'new-session',
						'-d',
						'-s',
						session,
						'-x',
						String(columns),
						'-y',
						String(rows),
						'env CI=true LANG=C.UTF-8 bash --norc --noprofile',
					);
					tmux('send-keys', '-t', session, `PS1='${prompt}'; cd ${JSON.stringify(root)}; clear`, 'Enter');
					await waitFor(session, 'the shell prompt', lines => lines.some(l => l.startsWith(prompt.trimEnd())), 10_000);
					tmux(
						'send-keys',
						'-t',
						session,
						`node bin/drydock.js run --plan quick --duration 30s --report-dir ${JSON.stringify(reportDir)}; echo "DRYDOCK_EXIT=$?"`,
						'Enter',
					);

					let lines = await waitFor(session, 'the console with a run', screenHas(/plan quick/));
					// A capture can land between Ink's erase and its redraw: wait for a whole frame, header included.
					lines = await waitFor(
						session,
						'the phase table under the header',
						l => screenHas('phases')(l) && /^drydock /.test(l[0] ?? ''),
					);
					expect(lines[0]).toMatch(/^drydock /);
					expect(lines.join('\n')).toMatch(/breaker . closed/);
					for (const id of phaseIds) expect(lines.join('\n')).toContain(id);
					expect(lines.at(-2)).toMatch(/\? help +q quit +Q quick/);
					expectIntactLayout(lines, columns, rows);
					if (columns >= 100) expect(lines.join('\n')).toMatch(/metrics/);

					// Keys are pressed during the soak: the phases before it (resilience in particular)
					// drop and restore connections themselves, which would blur what `x` did.
					lines = await waitFor(session, 'the soak phase running', screenHas(/● soak/), 90_000);
					expectIntactLayout(lines, columns, rows);

					tmux('send-keys', '-t', session, '?');
					lines = await waitFor(session, 'the help overlay', screenHas('any key closes'));
					expect(lines.join('\n')).toContain('drop all stream connections');
					expect(lines.join('\n')).toContain('kill switch: cancel + block');
					expectIntactLayout(lines, columns, rows);
					tmux('send-keys', '-t', session, 'Escape');
					await waitFor(
						session,
						'help closed',
						lines => !screenHas('any key closes')(lines) && screenHas('phases')(lines),
					);

					tmux('send-keys', '-t', session, 'x');
					lines = await waitFor(session, 'the force-reconnect notice', screenHas(/force reconnect/), 30_000);
					expectIntactLayout(lines, columns, rows);

					tmux('send-keys', '-t', session, 'r');
					lines = await waitFor(
						session,
						'the rerun answer',
						screenHas(/nothing to rerun|a run is already active|plan rerun/),
					);

					tmux('send-keys', '-t', session, 'q');
					lines = await waitFor(
						session,
						'quit confirmation or exit',
						screenHas(/A run is active\. Quit\?|DRYDOCK_EXIT=/),
					);
					if (screenHas('A run is active. Quit?')(lines)) {
						expectIntactLayout(lines, columns, rows);
						tmux('send-keys', '-t', session, 'y');
					}
					lines = await waitFor(session, 'drydock to exit', screenHas(/DRYDOCK_EXIT=\d+/), 30_000);
					// Back on the normal screen: the shell, the summary, no console frame.
					const screen = lines.join('\n');
					expect(screen).not.toContain('╭› phases');
					expect(screen).toMatch(/report: .*report\.json/);
					expect(
						lines
							.filter(l => l.trim() !== '')
							.at(-1)
							?.trimEnd(),
					).toBe(prompt.trimEnd());
					const runs = readdirSync(reportDir);
					expect(runs.length).toBe(1);
					expect(existsSync(path.join(reportDir, runs[0]!, 'report.json'))).toBe(true);
				} finally {
					spawnSync('tmux', ['-L', socket, 'kill-session', '-t', session]);
					rmSync(reportDir, {recursive: true, force: true});
				}
			},
			180_000,
		);
	}
});
