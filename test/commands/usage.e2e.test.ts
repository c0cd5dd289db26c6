/** Bad input and the small commands, as spawned processes: one clear line, exit 2, never a stack trace. */
import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {XMLValidator} from 'fast-xml-parser';
import {drydock} from './helpers.js';
import {testEngine} from '../engine/helpers.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
	const p = drydock(args, {env});
	const {code} = await p.exit;
	return {code, stdout: p.stdout(), stderr: p.stderr()};
}

function expectOneLine(stderr: string, pattern: RegExp) {
	const lines = stderr
		.trim()
		.split('\n')
		.filter(l => !l.startsWith('(node:') && !l.includes('--trace-warnings'));
	expect(lines, stderr).toHaveLength(1);
	expect(lines[0]).toMatch(pattern);
	expect(stderr).not.toMatch(/\n\s+at /);
}

describe.concurrent('bad input → one line, exit 2', () => {
	it('unknown phase id', async () => {
		const r = await run(['run', '--headless', '--phases', 'config,warp']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /--phases: unknown phase "warp"/);
	});
	it('bad duration and bad TEST_DURATION_HOURS', async () => {
		const r = await run(['run', '--headless', '--duration', 'forever']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /--duration: cannot read "forever"/);
		const e = await run(['run', '--headless'], {TEST_DURATION_HOURS: 'lots'});
		expect(e.code, e.stderr).toBe(2);
		expectOneLine(e.stderr, /TEST_DURATION_HOURS/);
	});
	it('missing and malformed profiles name the file and field', async () => {
		const r = await run(['run', '--headless', '--profile', 'nosuch']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /profile "nosuch": not found/);
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-usage-'));
		const file = path.join(dir, 'bad.json');
		await writeFile(
			file,
			JSON.stringify({name: 'bad', exchange: 'binance', environment: 'mock', retry: {attempts: 0}}),
		);
		const m = await run(['run', '--headless', '--profile', file]);
		expect(m.code, m.stderr).toBe(2);
		expectOneLine(m.stderr, new RegExp(`profile ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: retry\\.attempts: `));
		const v = await run(['profiles', 'validate', file]);
		expect(v.code).toBe(2);
		expect(v.stderr).toMatch(/retry\.attempts/);
	});
	it('unreachable exchange', async () => {
		const r = await run(['run', '--headless', '--phases', 'config', '--exchange-url', 'http://127.0.0.1:9']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /exchange at http:\/\/127\.0\.0\.1:9 is unreachable/);
	});
	it('mainnet with real orders without --allow-live', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-usage-'));
		const file = path.join(dir, 'live.json');
		await writeFile(
			file,
			JSON.stringify({
				name: 'live',
				exchange: 'binance',
				environment: 'mainnet',
				execution: 'exchange',
				credentials: {apiKeyEnv: 'K', apiSecretEnv: 'S'},
			}),
		);
		const r = await run(['run', '--headless', '--profile', file]);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /refused without --allow-live/);
	});
	it('--watch-pid naming no process', async () => {
		const r = await run(['run', '--headless', '--watch-pid', '4194000']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /--watch-pid: no process with pid 4194000/);
	});
	it('--notify-format without --notify, a bad --notify URL, a bad --metrics-port', async () => {
		const a = await run(['run', '--headless', '--notify-format', 'slack']);
		expect(a.code, a.stderr).toBe(2);
		expectOneLine(a.stderr, /--notify-format: needs --notify URL/);
		const b = await run(['run', '--headless', '--notify', 'ftp://x']);
		expect(b.code, b.stderr).toBe(2);
		expectOneLine(b.stderr, /--notify: /);
		const c = await run(['run', '--headless', '--metrics-port', '99999']);
		expect(c.code, c.stderr).toBe(2);
		expectOneLine(c.stderr, /--metrics-port: "99999" is not an integer between 0 and 65535/);
	});
	it('missing --rerun-failed report', async () => {
		const r = await run(['run', '--headless', '--rerun-failed', '/nonexistent/report.json']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /--rerun-failed: cannot read \/nonexistent\/report\.json: no such file/);
	});
});

describe.concurrent('profiles and report commands', () => {
	it('profiles list / show (secrets never shown) / validate', async () => {
		const list = await run(['profiles', 'list']);
		expect(list.code).toBe(0);
		expect(list.stdout).toMatch(/^mainnet .*\nmock .*\ntestnet /m);
		const show = await run(['profiles', 'show', 'testnet'], {
			BINANCE_TESTNET_API_KEY: 'visible-key-abcdef123456',
			BINANCE_TESTNET_API_SECRET: 'visible-secret-abcdef123456',
		});
		expect(show.code).toBe(0);
		expect(show.stdout).toContain('"apiKeyEnv": "BINANCE_TESTNET_API_KEY"');
		expect(show.stderr).toMatch(/BINANCE_TESTNET_API_KEY set, BINANCE_TESTNET_API_SECRET set/);
		expect(show.stdout).not.toContain('visible-secret-abcdef123456');
		expect(show.stdout).not.toContain('visible-key-abcdef123456');
		const valid = await run(['profiles', 'validate', 'profiles/mock.json']);
		expect(valid.code).toBe(0);
		expect(valid.stdout).toMatch(/valid/);
	});

	it('report REPORT.json prints the summary and writes junit and html', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-report-cmd-'));
		// A real report, made by the engine with one failing phase.
		const engine = testEngine(
			[
				{
					id: 'config',
					title: 'Config',
					run: async ctx =>
						void ctx.check({
							id: 'keys',
							title: 'keys',
							verdict: 'fail',
							measured: null,
							threshold: 'set',
							reason: 'keys missing',
						}),
				},
			],
			{},
			{reportDir: dir},
		);
		const outcome = await engine.start({name: 'custom', phases: ['config'], soakDurationMs: 0});
		await engine.close();
		const file = path.join(outcome.reportDir!, 'report.json');
		const junit = path.join(dir, 'out.xml');
		const r = await run(['report', file, '--junit', junit]);
		expect(r.code).toBe(1);
		expect(r.stdout).toMatch(/config\s+FAIL\s+0\/1/);
		expect(XMLValidator.validate(await readFile(junit, 'utf8'))).toBe(true);
		const html = await run(['report', file, '--html', path.join(dir, 'x.html')]);
		expect(html.code, html.stderr).toBe(1); // the report's own exit code
		expect(await readFile(path.join(dir, 'x.html'), 'utf8')).toMatch(/<html/i);
		const bad = await run(['report', path.join(dir, 'nope.json')]);
		expect(bad.code).toBe(2);
		expectOneLine(bad.stderr, /no such file/);
	});
});
