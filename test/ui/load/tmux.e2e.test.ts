/**
 * `drydock load` as a person sees it: the Load screen inside a detached tmux session (100×30, then
 * resized to 80×24) against the example inventory API on a free loopback port, read back with
 * `capture-pane -p`. Keys: `]` adds 10 users, `q` + `y` stops; afterwards the shell is back with the
 * end-of-run table in the scrollback. A private tmux socket keeps away from the developer's tmux.
 * Needs tmux and a build (`npm test` builds first).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startInventoryApi, type InventoryApi} from '../../../examples/inventory-api/server.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const built = existsSync(path.join(root, 'dist', 'cli.js'));
const skipReason = !hasTmux
	? 'tmux is not installed'
	: !built
		? 'dist/ is missing: run `npm run build` (npm test does)'
		: null;
if (skipReason) console.warn(`test/ui/load/tmux.e2e.test.ts skipped: ${skipReason}`);

const socket = `drydock-load-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const prompt = 'e2e$ ';
let session = 'ddload';

/** `-J` joins wrapped lines, so a line that overflowed the width shows up longer than the width. */
function capture(history = false): string[] {
	return tmux('capture-pane', '-p', '-J', '-t', session, ...(history ? ['-S', '-400'] : []))
		.replace(/\n$/, '')
		.split('\n');
}

async function waitFor(what: string, test: (lines: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
	const deadline = Date.now() + timeoutMs;
	let lines = capture();
	while (!test(lines)) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${lines.join('\n')}`);
		await sleep(150);
		lines = capture();
	}
	return lines;
}

const screenHas = (text: string | RegExp) => (lines: string[]) => {
	const joined = lines.join('\n');
	return typeof text === 'string' ? joined.includes(text) : text.test(joined);
};

function expectFits(lines: string[], columns: number, rows: number) {
	expect(lines.length).toBeLessThanOrEqual(rows);
	for (const line of lines)
		expect([...line].length, `line wider than ${columns}: "${line}"`).toBeLessThanOrEqual(columns);
	// The root is rows − 1 tall: the last row stays empty (no full-height repaint flicker).
	expect((lines[rows - 1] ?? '').trim()).toBe('');
}

/** The request count in the table row of `name` (the first number after it). */
function countOf(lines: string[], name: string): number {
	const row = lines.find(line => line.includes(name)) ?? '';
	const match = new RegExp(`${name.replace(/[[\]?/.]/g, c => `\\${c}`)}\\S*\\s+(\\d+)`).exec(row);
	return match ? Number(match[1]) : -1;
}

/** Pids whose parent is `pid`, from /proc (no procps needed). */
function childrenOf(pid: number): number[] {
	const out: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// The command name may hold spaces and parentheses: fields after the last ')' are fixed.
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid === pid) out.push(Number(entry));
		} catch {
			// The process ended while we looked.
		}
	}
	return out;
}

let api: InventoryApi | null = null;
let reportDir = '';
beforeAll(async () => {
	if (skipReason) return;
	api = await startInventoryApi({port: 0});
	reportDir = mkdtempSync(path.join(tmpdir(), 'drydock-load-e2e-'));
});
afterAll(async () => {
	if (!skipReason) spawnSync('tmux', ['-L', socket, 'kill-server']);
	await api?.close();
	if (reportDir) rmSync(reportDir, {recursive: true, force: true});
});

async function openShell(name: string, columns: number, rows: number): Promise<void> {
	session = name;
	// CI=true on purpose: the screen must still draw live frames on a TTY (source/ui/ink-env.ts).
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
	await waitFor('the shell prompt', lines => lines.some(l => l.startsWith(prompt.trimEnd())), 10_000);
}

describe.skipIf(skipReason !== null)('Load screen in tmux', () => {
	it('drydock load on a TTY: live table and users, ] adds 10, resize to 80×24, q + y stops, table printed, shell back', async () => {
		await openShell('ddload', 100, 30);
		const command = `node bin/drydock.js load examples/inventory-reserve.scenario.ts --host ${api!.url} --users 5 --spawn-rate 5 --run-time 20s --report-dir ${JSON.stringify(reportDir)}; echo "DRYDOCK_EXIT=$?"`;
		tmux('send-keys', '-t', session, command, 'Enter');

		let lines = await waitFor(
			'the Load screen with requests',
			lines =>
				screenHas(/drydock load +running/)(lines) &&
				countOf(lines, '/api/products/?page=[n]') > 0 &&
				countOf(lines, '/api/auth/login') === 5 &&
				screenHas('users 5/5')(lines),
		);
		let screen = lines.join('\n');
		expect(screen).toContain('inventory-reserve.scenario.ts');
		expect(screen).toContain(api!.url);
		for (const name of ['/api/auth/login', '/api/products/?page=[n]']) expect(screen).toContain(name);
		expect(screen).toMatch(/Type +Name +# reqs +# fails +Avg +Min +Max +Med +p95 +p99 +RPS/);
		expect(screen).toMatch(/Aggregated +\d+/);
		expect(lines.at(-2)).toMatch(/\? help +q stop +\+ add 1 +- remove 1 +\] add 10 +\[ remove 10/);
		expectFits(lines, 100, 30);

		tmux('send-keys', '-t', session, ']');
		lines = await waitFor('15 users after ]', screenHas('users 15/15'), 10_000);
		lines = await waitFor('the new users logged in', lines => countOf(lines, '/api/auth/login') === 15, 10_000);

		tmux('resize-window', '-t', session, '-x', '80', '-y', '24');
		lines = await waitFor(
			'the screen redrawn at 80×24',
			lines => lines.length <= 24 && screenHas('hidden (narrow)')(lines) && screenHas(/drydock load +running/)(lines),
		);
		expectFits(lines, 80, 24);
		expect(lines.join('\n')).toContain('users 15/15');

		tmux('send-keys', '-t', session, 'q');
		lines = await waitFor('the stop confirmation', screenHas('Stop the load test?'));
		expectFits(lines, 80, 24);
		tmux('send-keys', '-t', session, 'y');
		lines = await waitFor('drydock to exit', screenHas(/DRYDOCK_EXIT=\d+/), 15_000);

		// Back on the normal screen: the end-of-run table in the scrollback, the report, exit 0 (no thresholds).
		lines = capture(true);
		screen = lines.join('\n');
		expect(screen).toContain('DRYDOCK_EXIT=0');
		expect(screen).not.toContain('Stop the load test?');
		expect(screen).toMatch(/Type +Name +# reqs +# fails/);
		expect(screen).toMatch(/POST +\/api\/auth\/login +15 +0\(0\.00%\)/);
		expect(screen).toContain('Response time percentiles');
		expect(screen).toMatch(/Report: .*load-report\.json/);
		expect(
			lines
				.filter(l => l.trim() !== '')
				.at(-1)
				?.trimEnd(),
		).toBe(prompt.trimEnd());
		const runs = readdirSync(reportDir);
		expect(runs.length).toBe(1);
		// The server saw every request the table counted (in-flight requests finish before the end).
		expect(screen).toMatch(new RegExp(`Aggregated +${api!.total()} `));
	}, 60_000);

	it('SIGTERM while the screen is up: terminal restored, table printed, CSV and report written, exit 143', async () => {
		await openShell('ddterm', 80, 24);
		const csv = path.join(reportDir, 'term');
		const command = `node bin/drydock.js load examples/inventory-reserve.scenario.ts --host ${api!.url} --users 3 --run-time 60s --csv ${JSON.stringify(csv)} --report-dir ${JSON.stringify(path.join(reportDir, 'term-reports'))}; echo "DRYDOCK_EXIT=$?"`;
		tmux('send-keys', '-t', session, command, 'Enter');
		let lines = await waitFor(
			'the Load screen',
			lines => screenHas(/drydock load +running/)(lines) && countOf(lines, '/api/auth/login') === 3,
		);
		expectFits(lines, 80, 24);
		// The pane's shell runs drydock in the foreground: its only child is the node process.
		const shellPid = tmux('list-panes', '-t', session, '-F', '#{pane_pid}').trim();
		const nodePid = childrenOf(Number(shellPid))[0] ?? 0;
		expect(nodePid).toBeGreaterThan(0);
		process.kill(nodePid, 'SIGTERM');
		lines = await waitFor('drydock to exit', screenHas(/DRYDOCK_EXIT=\d+/), 15_000);
		const screen = capture(true).join('\n');
		expect(screen).toContain('DRYDOCK_EXIT=143');
		expect(screen).toMatch(/Aggregated +\d+/);
		expect(screen).toMatch(/CSV: .*term_stats\.csv/);
		expect(existsSync(`${csv}_stats.csv`)).toBe(true);
		expect(existsSync(`${csv}_failures.csv`)).toBe(true);
		expect(readdirSync(path.join(reportDir, 'term-reports')).length).toBe(1);
		expect(
			lines
				.filter(l => l.trim() !== '')
				.at(-1)
				?.trimEnd(),
		).toBe(prompt.trimEnd());
	}, 40_000);
});
