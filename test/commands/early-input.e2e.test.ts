/**
 * Bad input found before anything starts (issue 13): a report folder that can't take a report, a run
 * folder given to `drydock report`, one prefix per message, and profiles that can be shown and made.
 */
import {describe, expect, it} from 'vitest';
import {chmod, mkdir, mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {drydock} from './helpers.js';
import {testEngine} from '../engine/helpers.js';
import {profileIssues} from '../../source/profiles/profile-file.js';

async function run(args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number} = {}) {
	const p = drydock(args, {...(options.env ? {env: options.env} : {}), ...(options.cwd ? {cwd: options.cwd} : {})});
	// A hang (as --report-dir /proc/x did) fails the test instead of stalling it.
	const timer = setTimeout(() => p.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
	const {code, signal} = await p.exit;
	clearTimeout(timer);
	return {code, signal, stdout: p.stdout(), stderr: p.stderr()};
}

function stderrLines(stderr: string): string[] {
	return stderr
		.trim()
		.split('\n')
		.filter(l => l !== '' && !l.startsWith('(node:') && !l.includes('--trace-warnings'));
}

function expectOneLine(result: {stderr: string}, pattern: RegExp) {
	const lines = stderrLines(result.stderr);
	expect(lines, result.stderr).toHaveLength(1);
	expect(lines[0]).toMatch(pattern);
}

describe.concurrent('--report-dir is checked before anything starts', () => {
	it('a folder that cannot be created (/proc/x): exit 2 with the reason, promptly', async () => {
		for (const args of [
			['run', '--headless', '--phases', 'config', '--report-dir', '/proc/drydock-x'],
			['load', 'scenario.json', '--headless', '--report-dir', '/proc/drydock-x'],
		]) {
			const r = await run(args);
			expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
			expectOneLine(r, /^drydock: --report-dir: \/proc\/drydock-x: cannot create it: /);
		}
	}, 60_000);
	it('a path that is a file: exit 2, says so', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-rdir-'));
		const file = path.join(dir, 'a-file');
		await writeFile(file, 'x');
		const r = await run(['run', '--headless', '--phases', 'config', '--report-dir', file]);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r, /--report-dir: .*a-file: is a file, not a folder/);
		const below = await run(['run', '--headless', '--phases', 'config', '--report-dir', path.join(file, 'sub')]);
		expect(below.code, below.stderr).toBe(2);
		expectOneLine(below, /--report-dir: .*a-file\/sub: cannot create it: a part of the path is a file/);
	}, 60_000);
	it('a folder that cannot be written: exit 2 before the mock starts (no misleading ENOENT)', async () => {
		// Root writes anywhere chmod allows, but not into /sys; others get a read-only folder of their own.
		let target = '/sys/drydock-report-dir-test';
		if (process.getuid?.() !== 0) {
			const dir = await mkdtemp(path.join(tmpdir(), 'drydock-rdir-'));
			target = path.join(dir, 'readonly');
			await mkdir(target);
			await chmod(target, 0o555);
		}
		const r = await run(['run', '--headless', '--phases', 'config', '--report-dir', target]);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(
			r,
			/--report-dir: .*: (cannot create it|not writable): (permission denied|operation not permitted|read-only)/,
		);
		expect(r.stdout).not.toMatch(/exchange:/);
		expect(r.stderr).not.toMatch(/ENOENT/);
	}, 60_000);
	it('a good folder that does not exist yet is fine and created by the run only', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-rdir-'));
		const target = path.join(dir, 'new', 'reports');
		const r = await run(['run', '--headless', '--phases', 'config', '--report-dir', target], {timeoutMs: 60_000});
		expect(r.code, r.stderr).toBe(0);
		expect(existsSync(target)).toBe(true);
	}, 90_000);
});

describe.concurrent('drydock report DIR', () => {
	it('a run folder stands for its report.json; a folder without one is a one-line error', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-report-dir-'));
		const engine = testEngine(
			[
				{
					id: 'config',
					title: 'Config',
					run: async ctx =>
						void ctx.check({id: 'keys', title: 'keys', verdict: 'pass', measured: 'set', threshold: 'set'}),
				},
			],
			{},
			{reportDir: dir},
		);
		const outcome = await engine.start({name: 'custom', phases: ['config'], soakDurationMs: 0});
		await engine.close();
		const r = await run(['report', outcome.reportDir!]);
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).toContain(path.join(outcome.reportDir!, 'report.json'));
		const empty = await run(['report', dir]);
		expect(empty.code).toBe(2);
		expectOneLine(empty, /^drydock: report .*: a folder with no report\.json in it/);
	}, 30_000);
});

describe.concurrent('one prefix per message', () => {
	it('an unknown option names drydock once', async () => {
		for (const [args, where] of [
			[['run', '--bogus'], 'run'],
			[['load', '--bogus'], 'load'],
			[['profiles', '--bogus'], 'profiles'],
		] as const) {
			const r = await run([...args]);
			expect(r.code).toBe(2);
			expectOneLine(r, new RegExp(`^drydock: ${where}: Unknown option '--bogus'`));
			expect(r.stderr).not.toMatch(/drydock: drydock/);
		}
		const two = await run(['load', 'a.json', 'b.json']);
		expect(two.stderr).not.toMatch(/drydock: drydock/);
	}, 30_000);
});

describe.concurrent('profiles show / init', () => {
	it('show prints a valid profile: no comment line, no masked placeholders; the key status goes to stderr', async () => {
		for (const name of ['mock', 'testnet', 'mainnet']) {
			const r = await run(['profiles', 'show', name], {
				env: {
					BINANCE_TESTNET_API_KEY: 'visible-key-abcdef123456',
					BINANCE_TESTNET_API_SECRET: 'visible-secret-abcdef123456',
				},
			});
			expect(r.code, r.stderr).toBe(0);
			expect(r.stdout).not.toMatch(/^#/m);
			expect(r.stdout).not.toMatch(/masked|\*\*\*/);
			const parsed = JSON.parse(r.stdout) as unknown;
			expect(profileIssues(parsed), name).toEqual([]);
			expect(r.stderr).toMatch(/credentials: /);
			expect(r.stdout + r.stderr).not.toContain('visible-');
		}
		const testnet = await run(['profiles', 'show', 'testnet'], {
			env: {BINANCE_TESTNET_API_KEY: 'visible-key-abcdef123456'},
		});
		expect(testnet.stderr).toMatch(/BINANCE_TESTNET_API_KEY set, BINANCE_TESTNET_API_SECRET not set/);
	}, 30_000);
	it('init writes profiles/NAME.json (from mock or --from), valid and loadable, and never overwrites', async () => {
		const cwd = await mkdtemp(path.join(tmpdir(), 'drydock-init-'));
		const r = await run(['profiles', 'init', 'mybot'], {cwd});
		expect(r.code, r.stderr).toBe(0);
		const file = path.join(cwd, 'profiles', 'mybot.json');
		const written = JSON.parse(await readFile(file, 'utf8')) as {name: string; environment: string};
		expect(written.name).toBe('mybot');
		expect(written.environment).toBe('mock');
		expect(profileIssues(written)).toEqual([]);
		expect(r.stdout).toMatch(/wrote profiles\/mybot\.json/);
		const again = await run(['profiles', 'init', 'mybot'], {cwd});
		expect(again.code).toBe(2);
		expectOneLine(again, /already exists/);
		expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(written);
		const fromTestnet = await run(['profiles', 'init', 'elsewhere/tn.json', '--from', 'testnet'], {cwd});
		expect(fromTestnet.code, fromTestnet.stderr).toBe(0);
		const tn = JSON.parse(await readFile(path.join(cwd, 'elsewhere', 'tn.json'), 'utf8')) as {
			name: string;
			environment: string;
		};
		expect(tn).toMatchObject({name: 'tn', environment: 'testnet'});
		const shown = await run(['profiles', 'show', path.join(cwd, 'elsewhere', 'tn.json')]);
		expect(shown.code, shown.stderr).toBe(0);
		const missing = await run(['profiles', 'init', 'x', '--from', 'nosuch'], {cwd});
		expect(missing.code).toBe(2);
		expectOneLine(missing, /nosuch/);
	}, 30_000);
});
