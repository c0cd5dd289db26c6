/**
 * The crash path, for real: `drydock run` (the built CLI, headless) against a mock this test owns, with
 * a user strategy that gets an order resting on the venue and then throws from a timer (an uncaught
 * exception outside any awaited path). drydock must engage the kill switch, cancel that order, write
 * report.json marked interrupted with the cause, print one line without a stack, and exit 70.
 *
 * An unhandled promise rejection, by contrast, is logged as an error and the run goes on (ccxt leaves
 * some unawaited at high order rates).
 *
 * To keep the order resting until the crash, the mock answers every cancel with 503 (a fault on
 * DELETE /api/v3/order) until the order is seen open; the fault is then cleared and the strategy told
 * to throw.
 */
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';
import {bin, drydock, openOrders} from './helpers.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const strategy = fileURLToPath(new URL('./fixtures/strategy-crash.mjs', import.meta.url));
const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

interface VenueOrder {
	clientOrderId?: string;
	symbol?: string;
}

let work: string;
let mock: MockExchange;

beforeAll(async () => {
	expect(existsSync(bin.replace(/bin\/drydock\.js$/, 'dist/cli.js')), 'run `npm run build` first').toBe(true);
	work = mkdtempSync(path.join(tmpdir(), 'drydock-crash-'));
	// The test polls openOrders (weight 80 without a symbol) while the run trades: Binance's 6 000 a minute
	// would run out on a slow machine and 429 both the test and the run.
	mock = await startMockExchange({host: '127.0.0.1', port: 0, seed: 7, quiet: true, weightLimitPerMinute: 1_000_000});
	const shipped = JSON.parse(readFileSync(path.join(repo, 'profiles', 'mock.json'), 'utf8')) as Record<string, unknown>;
	// 10 soak cycles a second: the strategy's 11th tick (a resting-order cycle: pairs 1–2, 11–12, … rest) comes ~1 s into the soak.
	const profile = {
		...shipped,
		name: 'mock-crash',
		soak: {ratePerSecond: 10, progressEveryMs: 300_000, warmupMs: 0, orderNotional: 20},
		strategy: {builtin: 'pinger', file: strategy},
	};
	writeFileSync(path.join(work, 'mock-crash.json'), JSON.stringify(profile, null, '\t'));
}, 30_000);

afterAll(async () => {
	await mock?.close();
	if (work) rmSync(work, {recursive: true, force: true});
});

const ours = (orders: unknown[]) =>
	(orders as VenueOrder[]).filter(order => /^dd[0-9a-z]{5,}-/.test(order.clientOrderId ?? ''));

describe('an uncaught exception during a run', () => {
	it('engages the kill switch, cancels our resting order, writes the report marked interrupted by the crash, exits 70 with one line', async () => {
		const reports = path.join(work, 'reports');
		const trigger = path.join(work, 'crash-now');
		mock.faults.inject({fault: 'error-rate', params: {probability: 1, status: 503, route: 'DELETE /api/v3/order'}});
		const run = drydock(
			[
				'run',
				'--profile',
				path.join(work, 'mock-crash.json'),
				'--exchange-url',
				mock.rest,
				'--phases',
				'soak',
				'--duration',
				'60s',
				'--report-dir',
				reports,
				'--headless',
			],
			{cwd: work, env: {DRYDOCK_TEST_CRASH_FILE: trigger, DRYDOCK_DEBUG: ''}},
		);
		try {
			// The order the strategy asked for rests: drydock's cancel keeps failing on the 503 fault.
			const deadline = Date.now() + 40_000;
			let resting: VenueOrder[] = [];
			while (resting.length === 0) {
				if (Date.now() > deadline)
					throw new Error(`no resting order of ours appeared; stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`);
				await sleep(250);
				resting = ours(await openOrders(mock.rest, mock.apiKey, mock.apiSecret));
			}
			mock.faults.clear();
			writeFileSync(trigger, 'now');

			const exited = await Promise.race([run.exit, sleep(40_000).then(() => null)]);
			expect(exited, `no exit within 40 s; stderr:\n${run.stderr()}`).not.toBeNull();
			const output = run.stdout() + run.stderr();
			expect(exited!.code, output).toBe(70);

			// One clear line naming the cause and where it was thrown; no stack trace.
			const crashLines = run
				.stderr()
				.split('\n')
				.filter(line => line.includes('crashed'));
			expect(crashLines, run.stderr()).toHaveLength(1);
			expect(crashLines[0]).toMatch(
				/^drydock: crashed: strategy exploded on purpose \(at strategy-crash\.mjs:\d+:\d+\) — kill switch engaged/,
			);
			if (process.env.DRYDOCK_TEST_SHOW) console.log(output);
			expect(output).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
			expect(output).toMatch(/INTERRUPTED \(crash\)/);

			// Nothing of ours left open on the venue.
			for (const symbol of ['BTCUSDT', 'ETHUSDT'])
				expect(ours(await openOrders(mock.rest, mock.apiKey, mock.apiSecret)).filter(o => o.symbol === symbol)).toEqual(
					[],
				);
			expect(resting[0]!.clientOrderId).toBeDefined();

			// The report says what happened.
			const [runDir] = readdirSync(reports);
			const report = JSON.parse(readFileSync(path.join(reports, runDir!, 'report.json'), 'utf8')) as {
				interrupted: boolean;
				interrupted_by: string;
				exit_code: number;
				success: boolean;
				checkpoint: boolean;
				errors: {kind: string; message: string; critical: boolean}[];
			};
			expect(report).toMatchObject({
				interrupted: true,
				interrupted_by: 'crash',
				exit_code: 70,
				success: false,
				checkpoint: false,
			});
			expect(report.errors.find(e => e.kind === 'crash')).toMatchObject({
				critical: true,
				message: expect.stringMatching(
					/^uncaught exception: strategy exploded on purpose \(at strategy-crash\.mjs:\d+:\d+\)$/,
				),
			});
			const journal = readFileSync(path.join(reports, runDir!, 'events.ndjson'), 'utf8');
			expect(journal).toMatch(/"type":"kill-switch"[^\n]*"engaged":true/);
		} finally {
			mock.faults.clear();
			if (run.child.exitCode === null) run.child.kill('SIGKILL');
		}
	}, 90_000);

	it('an unhandled promise rejection is not a crash: logged as an error, the run finishes and writes its report', async () => {
		const reports = path.join(work, 'reports-reject');
		const run = drydock(
			[
				'run',
				'--profile',
				path.join(work, 'mock-crash.json'),
				'--exchange-url',
				mock.rest,
				'--phases',
				'soak',
				'--duration',
				'3s',
				'--report-dir',
				reports,
				'--headless',
			],
			{cwd: work, env: {DRYDOCK_TEST_CRASH_MODE: 'reject', DRYDOCK_DEBUG: ''}},
		);
		const exited = await Promise.race([run.exit, sleep(60_000).then(() => null)]);
		expect(exited, `no exit within 60 s; stderr:\n${run.stderr()}`).not.toBeNull();
		const output = run.stdout() + run.stderr();
		expect([0, 1], output).toContain(exited!.code);
		expect(output).not.toMatch(/crashed/);
		const [runDir] = readdirSync(reports);
		const report = JSON.parse(readFileSync(path.join(reports, runDir!, 'report.json'), 'utf8')) as {
			interrupted: boolean;
			errors: {kind: string; message: string}[];
		};
		expect(report.interrupted).toBe(false);
		expect(report.errors.find(e => e.kind === 'unhandled-rejection')).toMatchObject({
			message: 'strategy forgot to await this',
		});
	}, 70_000);
});
