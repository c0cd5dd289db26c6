/** Bad input and the small commands, as spawned processes: one clear line, exit 2, never a stack trace. */
import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {XMLValidator} from 'fast-xml-parser';
import {drydock} from './helpers.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
	const p = drydock(args, {env});
	const {code} = await p.exit;
	return {code, stdout: p.stdout(), stderr: p.stderr()};
}

function expectOneLine(stderr: string, pattern: RegExp) {
	const lines = stderr.trim().split('\n').filter(l => !l.startsWith('(node:') && !l.includes('--trace-warnings'));
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
		await writeFile(file, JSON.stringify({name: 'bad', exchange: 'binance', environment: 'mock', retry: {attempts: 0}}));
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
		await writeFile(file, JSON.stringify({name: 'live', exchange: 'binance', environment: 'mainnet', execution: 'exchange', credentials: {apiKeyEnv: 'K', apiSecretEnv: 'S'}}));
		const r = await run(['run', '--headless', '--profile', file]);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /refused without --allow-live/);
	});
	it('--watch-pid naming no process', async () => {
		const r = await run(['run', '--headless', '--watch-pid', '4194000']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /--watch-pid: no process with pid 4194000/);
	});
	it('missing --rerun-failed report', async () => {
		const r = await run(['run', '--headless', '--rerun-failed', '/nonexistent/report.json']);
		expect(r.code, r.stderr).toBe(2);
		expectOneLine(r.stderr, /--rerun-failed: cannot read \/nonexistent\/report\.json: no such file/);
	});
});

describe.concurrent('profiles and report commands', () => {
	it('profiles list / show (masked) / validate', async () => {
		const list = await run(['profiles', 'list']);
		expect(list.code).toBe(0);
		expect(list.stdout).toMatch(/^mainnet .*\nmock .*\ntestnet /m);
		const show = await run(['profiles', 'show', 'testnet'], {BINANCE_TESTNET_API_KEY: 'visible-key-abcdef123456', BINANCE_TESTNET_API_SECRET: 'visible-secret-abcdef123456'});
		expect(show.code).toBe(0);
		expect(show.stdout).toContain('"apiKeyEnv": "BINANCE_TESTNET_API_KEY"');
		expect(show.stdout).toContain('set (masked)');
		expect(show.stdout).not.toContain('visible-secret-abcdef123456');
		expect(show.stdout).not.toContain('visible-key-abcdef123456');
		const valid = await run(['profiles', 'validate', 'profiles/mock.json']);
		expect(valid.code).toBe(0);
		expect(valid.stdout).toMatch(/valid/);
	});

	it('report REPORT.json prints the summary and writes junit; --html is not built yet', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-report-cmd-'));
		const file = path.join(dir, 'report.json');
		await writeFile(file, JSON.stringify({
			schema: 'drydock.report/1', run_id: 'r1', profile: {name: 'mock', environment: 'mock', execution: 'exchange'}, plan: {name: 'custom', phases: ['config'], soak_duration_ms: 0},
			test_type: 'integration', duration_hours: 0.01, total_operations: 0, success: false, interrupted: false, interrupted_by: null, exit_code: 1, metrics: {},
			phases: [{id: 'config', title: 'Config', status: 'fail', duration_ms: 5, reason: 'keys missing', checks: [{id: 'keys', title: 'keys', verdict: 'fail', measured: null, threshold: 'set', reason: 'keys missing', at: 0}]}],
		}));
		const junit = path.join(dir, 'out.xml');
		const r = await run(['report', file, '--junit', junit]);
		expect(r.code).toBe(1);
		expect(r.stdout).toMatch(/config\s+FAIL\s+0\/1/);
		expect(XMLValidator.validate(await readFile(junit, 'utf8'))).toBe(true);
		const html = await run(['report', file, '--html', path.join(dir, 'x.html')]);
		expect(html.code).toBe(2);
		const bad = await run(['report', path.join(dir, 'nope.json')]);
		expect(bad.code).toBe(2);
		expectOneLine(bad.stderr, /no such file/);
	});
});
