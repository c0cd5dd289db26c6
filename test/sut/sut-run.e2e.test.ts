/**
 * `drydock run --sut` end to end: the example bots (Python via /usr/bin/python3, Node) in short soaks on
 * the embedded mock (and one on a `drydock mock` reached with --exchange-url), real processes
 * throughout. The good bot passes all eight sut-* checks; each faulty variant fails the run with the
 * check that caught it; a bad command is exit 2 with its last output; SIGINT stops the SUT and the
 * report is written interrupted. Runs concurrently (each drydock has its own mock and ports).
 */
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {drydock, startMock} from '../commands/helpers.js';
import {sutSoak} from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const python = `/usr/bin/python3 ${path.join(root, 'examples/bots/python/bot.py')} --cycle-seconds 1`;
const node = `node ${path.join(root, 'examples/bots/node/bot.mjs')} --cycle-seconds 1`;
const work = mkdtempSync(path.join(tmpdir(), 'drydock-sut-e2e-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

const SUT_CHECKS = [
	'sut-alive',
	'sut-orphans',
	'sut-resubscribe',
	'sut-rate-limit',
	'sut-memory',
	'sut-cpu',
	'sut-errors',
	'sut-consistency',
];

function file(name: string, text: string): string {
	const at = path.join(work, name);
	writeFileSync(at, text);
	return at;
}

// Times are from the soak's start; the SUT takes about a second to be ready, so faults come later.
// The good bot's drop gets a roomy budget (drydock's own stream recovery is judged too, and the machine may be busy);
// the faulty one the default 5 s, which must run out before the soak ends for "never" to be judged.
const dropChaos = file('drop.yaml', '- {at: 6s, fault: drop-websockets, recoveryBudget: 15s}\n');
const strictDropChaos = file('strict-drop.yaml', '- {at: 5s, fault: drop-websockets}\n');
const stormChaos = file(
	'storm.yaml',
	'- {at: 5s, fault: rate-limit-storm, params: {retryAfterSec: 5}, duration: 5s}\n',
);

interface Verdicts {
	code: number | null;
	out: string;
	report: {
		interrupted: boolean;
		interrupted_by: string | null;
		phases: {checks: {id: string; verdict: string; reason?: string | null}[]}[];
		sut?: {pid: number | null; exit: unknown; orphans: unknown; venue: {drops: unknown[]} | null};
	};
	verdict: (id: string) => string | undefined;
	dir: string;
}

async function soak(name: string, sut: string, extra: string[] = [], seconds = 11): Promise<Verdicts> {
	const r = await sutSoak<Verdicts['report']>({sut, seconds, reportDir: path.join(work, name), cwd: root, args: extra});
	return {...r, verdict: id => r.check(id)?.verdict};
}

describe.concurrent('drydock run --sut (example bots on the mock)', () => {
	it('the good Python bot passes all eight sut-* checks, a drop included (exit 0), with sut.log and the report section', async () => {
		const r = await soak('good-python', python, ['--chaos', dropChaos]);
		for (const id of SUT_CHECKS) expect(r.verdict(id), `${id}\n${r.out}`).toBe('pass');
		expect(r.code, r.out).toBe(0);
		expect(r.report.sut?.venue?.drops).toHaveLength(1);
		expect(readFileSync(path.join(r.dir, 'sut.log'), 'utf8')).toMatch(/placed (BUY|SELL)/);
	}, 90_000);

	it('orphans: fails sut-orphans (exit 1)', async () => {
		const r = await soak('orphans', `${python} --fault orphans`);
		expect(r.verdict('sut-orphans'), r.out).toBe('fail');
		expect(r.verdict('sut-alive')).toBe('pass');
		expect(r.code).toBe(1);
	}, 90_000);

	it('crash: fails sut-alive (exit 1)', async () => {
		const r = await soak('crash', `BOT_CRASH_AFTER=3 ${python} --fault crash`);
		expect(r.verdict('sut-alive'), r.out).toBe('fail');
		expect(r.code).toBe(1);
	}, 90_000);

	it('ignore-retry-after: fails sut-rate-limit under a 429 storm (exit 1)', async () => {
		const r = await soak('retry-after', `${python} --fault ignore-retry-after`, ['--chaos', stormChaos]);
		expect(r.verdict('sut-rate-limit'), r.out).toBe('fail');
		expect(r.code).toBe(1);
	}, 90_000);

	it('no-resubscribe: fails sut-resubscribe after a dropped stream (exit 1)', async () => {
		const r = await soak('no-resubscribe', `${python} --fault no-resubscribe`, ['--chaos', strictDropChaos], 14);
		expect(r.verdict('sut-resubscribe'), r.out).toBe('fail');
		expect(r.out).toMatch(/sut-resubscribe: .*never/);
		expect(r.code).toBe(1);
	}, 90_000);

	it('leak: fails sut-memory against a low limits.sutRssMb (exit 1)', async () => {
		const profile = file(
			'leak-profile.json',
			JSON.stringify({name: 'sut-leak', exchange: 'binance', environment: 'mock', sut: {limits: {sutRssMb: 60}}}),
		);
		const r = await soak('leak', `BOT_LEAK_MB_PER_MIN=240 ${python} --fault leak`, ['--profile', profile]);
		expect(r.verdict('sut-memory'), r.out).toBe('fail');
		expect(r.verdict('sut-alive')).toBe('pass');
		expect(r.code).toBe(1);
	}, 90_000);

	it('a bad command is exit 2 naming why, with its last output', async () => {
		const run = drydock(
			[
				'run',
				'--sut',
				'echo "no config found" >&2; exit 3',
				'--phases',
				'soak',
				'--duration',
				'10s',
				'--headless',
				'--report-dir',
				path.join(work, 'bad'),
			],
			{cwd: root},
		);
		const {code} = await run.exit;
		expect(code, run.stdout()).toBe(2);
		expect(run.stderr()).toMatch(/--sut: .*(exit|code) 3/);
		expect(run.stderr()).toContain('no config found');
	}, 60_000);

	it('SIGINT during the soak stops the SUT (its pid gone) and writes the report interrupted', async () => {
		const reportDir = path.join(work, 'sigint');
		const run = drydock(
			['run', '--sut', python, '--phases', 'soak', '--duration', '60s', '--headless', '--report-dir', reportDir],
			{cwd: root},
		);
		await run.waitFor(/>> soak/, 60_000);
		// Past the SUT's start-up (about a second): it runs, and has orders resting.
		await new Promise(resolve => setTimeout(resolve, 6_000));
		run.child.kill('SIGINT');
		const {code} = await run.exit;
		expect(code, run.stdout()).toBe(130);
		const dir = path.join(reportDir, readdirSync(reportDir)[0]!);
		const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Verdicts['report'];
		expect(report.interrupted).toBe(true);
		expect(report.interrupted_by).toBe('SIGINT');
		const pid = report.sut?.pid;
		expect(pid).toBeGreaterThan(0);
		expect(() => process.kill(pid!, 0)).toThrow();
		expect(report.sut?.orphans).toMatchObject({open_orders: 0});
	}, 90_000);

	it('the good Node bot (a third-party SDK) on a `drydock mock` reached with --exchange-url passes too', async () => {
		const mock = await startMock();
		try {
			const r = await soak('exchange-url', node, ['--exchange-url', mock.rest], 10);
			for (const id of SUT_CHECKS)
				expect(r.verdict(id), `${id}\n${r.out}`).toMatch(id === 'sut-resubscribe' ? /^skipped$/ : /^pass$/);
			expect(r.code, r.out).toBe(0);
		} finally {
			await mock.stop();
		}
	}, 90_000);
});
