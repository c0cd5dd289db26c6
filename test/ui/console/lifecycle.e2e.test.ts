/**
 * The console's process lifecycle in tmux (100×30, CI=true like the other tmux tests):
 * - a crash (a user strategy throws from a timer while an order of ours rests on the venue) engages
 *   the kill switch, cancels the order, writes the report interrupted by the crash, leaves the
 *   alternate screen with the cursor shown and prints one line: exit 70;
 * - `drydock run --resume DIR` on a TTY opens the console with the resumed soak, and serves
 *   --metrics-port and posts to --notify from there;
 * - the `console` command takes --metrics-port and --notify too.
 */
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startMockExchange, type MockExchange} from '../../../source/mock/index.js';
import type {Report} from '../../../source/report/model.js';
import {drydock, openOrders} from '../../commands/helpers.js';
import {prompt, root, skipReason, sleep, tmuxServer} from '../helpers.js';

if (skipReason) console.warn(`test/ui/console/lifecycle.e2e.test.ts skipped: ${skipReason}`);
const server = tmuxServer('drydock-lifecycle');
const strategy = fileURLToPath(new URL('../../commands/fixtures/strategy-crash.mjs', import.meta.url));
const ours = (orders: unknown[]) =>
	(orders as {clientOrderId?: string}[]).filter(order => /^dd[0-9a-z]{5,}-/.test(order.clientOrderId ?? ''));
const exited = /DRYDOCK_EXIT=(\d+)/;

async function freePort(): Promise<number> {
	const probe = http.createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
	const {port} = probe.address() as AddressInfo;
	await new Promise(resolve => probe.close(resolve));
	return port;
}

let work: string;
let mock: MockExchange;
/** POST bodies the --notify webhook received. */
const notifications: {event?: string; run_id?: string}[] = [];
let webhook: http.Server;
let webhookUrl: string;

beforeAll(async () => {
	if (skipReason) return;
	work = mkdtempSync(path.join(tmpdir(), 'drydock-lifecycle-'));
	// Polled openOrders costs weight 80 each: lift Binance's 6 000 a minute so a slow machine does not 429 the test and the run.
	mock = await startMockExchange({host: '127.0.0.1', port: 0, seed: 5, quiet: true, weightLimitPerMinute: 1_000_000});
	const shipped = JSON.parse(readFileSync(path.join(root, 'profiles', 'mock.json'), 'utf8')) as Record<string, unknown>;
	writeFileSync(
		path.join(work, 'mock-crash.json'),
		JSON.stringify({
			...shipped,
			name: 'mock-crash',
			soak: {ratePerSecond: 10, progressEveryMs: 300_000, warmupMs: 0, orderNotional: 20},
			strategy: {builtin: 'pinger', file: strategy},
		}),
	);
	webhook = http.createServer((req, res) => {
		let body = '';
		req.on('data', chunk => (body += chunk));
		req.on('end', () => {
			try {
				notifications.push(JSON.parse(body) as {event?: string});
			} catch {
				notifications.push({});
			}
			res.end('ok');
		});
	});
	await new Promise<void>(resolve => webhook.listen(0, '127.0.0.1', resolve));
	webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
}, 30_000);

afterAll(async () => {
	server.killServer();
	webhook?.close();
	await mock?.close();
	if (work) rmSync(work, {recursive: true, force: true});
});

describe.skipIf(skipReason !== null)('console lifecycle in tmux', () => {
	it.concurrent(
		'a crash in the console: kill switch, our resting order cancelled, report interrupted by the crash, terminal restored, exit 70',
		async () => {
			const session = 'crash';
			const reports = path.join(work, 'crash-reports');
			const trigger = path.join(work, 'crash-now');
			// Its own venue: the resume test runs beside it (it.concurrent) and its resting orders must not count as ours.
			const mock = await startMockExchange({
				host: '127.0.0.1',
				port: 0,
				seed: 6,
				quiet: true,
				weightLimitPerMinute: 1_000_000,
			});
			mock.faults.inject({fault: 'error-rate', params: {probability: 1, status: 503, route: 'DELETE /api/v3/order'}});
			try {
				await server.open(session, 100, 30, {CI: 'true', DRYDOCK_TEST_CRASH_FILE: trigger});
				server.run(
					session,
					`node bin/drydock.js run --profile ${JSON.stringify(path.join(work, 'mock-crash.json'))} --exchange-url ${mock.rest} --phases soak --duration 60s --report-dir ${JSON.stringify(reports)}; echo "DRYDOCK_EXIT=$?"`,
				);
				await server.waitFor(session, 'the console with the soak running', /● soak/, 40_000);
				expect(server.paneFormat(session, '#{alternate_on}')).toBe('1');
				const deadline = Date.now() + 40_000;
				while (ours(await openOrders(mock.rest, mock.apiKey, mock.apiSecret)).length === 0) {
					if (Date.now() > deadline)
						throw new Error(`no resting order of ours appeared; screen:\n${server.screen(session)}`);
					await sleep(250);
				}
				mock.faults.clear();
				writeFileSync(trigger, 'now');
				const screen = await server.waitFor(session, 'drydock to exit', exited, 40_000);
				expect(exited.exec(screen)?.[1], screen).toBe('70');
				// Back on the normal screen with the cursor on; the crash said once, in one line, with no stack.
				expect(server.paneFormat(session, '#{alternate_on}')).toBe('0');
				expect(server.paneFormat(session, '#{cursor_flag}')).toBe('1');
				expect(screen).not.toContain('╭› phases');
				const all = server.everything(session);
				expect(
					all.match(
						/drydock: crashed: strategy exploded on purpose \(at strategy-crash\.mjs:\d+:\d+\) — kill switch engaged/g,
					),
					all,
				).toHaveLength(1);
				expect(all).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
				expect(all).toMatch(/INTERRUPTED \(crash\)/);
				expect(screen.trimEnd().split('\n').at(-1)?.trimEnd()).toBe(prompt.trimEnd());
				// The terminal works normally again: what we type is echoed (not raw mode).
				server.run(session, 'echo typed-after-crash');
				await server.waitFor(session, 'the echo', /^typed-after-crash$/m, 5_000);
				expect(ours(await openOrders(mock.rest, mock.apiKey, mock.apiSecret))).toEqual([]);
				const [runDir] = readdirSync(reports);
				const report = JSON.parse(readFileSync(path.join(reports, runDir!, 'report.json'), 'utf8')) as Report;
				expect(report).toMatchObject({interrupted: true, interrupted_by: 'crash', success: false});
				expect(report.errors.some(e => e.kind === 'crash' && /strategy exploded on purpose/.test(e.message))).toBe(
					true,
				);
			} finally {
				server.close(session);
				await mock.close();
			}
		},
		120_000,
	);

	it.concurrent(
		'run --resume DIR on a TTY opens the console with the resumed soak; --metrics-port and --notify work there',
		async () => {
			const session = 'resume';
			const dir = path.join(work, 'resume');
			// An interrupted soak to resume: 12 s planned, Ctrl-C'd ~3 s in.
			const first = drydock([
				'run',
				'--phases',
				'soak',
				'--duration',
				'12s',
				'--headless',
				'--report-dir',
				path.join(dir, 'a'),
				'--exchange-url',
				mock.rest,
			]);
			await first.waitFor(/>> soak/);
			await sleep(3000);
			first.child.kill('SIGINT');
			expect((await first.exit).code, first.stdout() + first.stderr()).toBe(130);
			const [interruptedRun] = readdirSync(path.join(dir, 'a'));
			const interruptedDir = path.join(dir, 'a', interruptedRun!);
			const interrupted = JSON.parse(readFileSync(path.join(interruptedDir, 'report.json'), 'utf8')) as Report;
			try {
				await server.open(session, 100, 30, {CI: 'true'});
				const metricsPort = await freePort();
				server.run(
					session,
					`node bin/drydock.js run --resume ${JSON.stringify(interruptedDir)} --exchange-url ${mock.rest} --report-dir ${JSON.stringify(path.join(dir, 'b'))} --metrics-port ${metricsPort} --notify ${webhookUrl}; echo "DRYDOCK_EXIT=$?"`,
				);
				// (The "resuming … s of soak done" notice shows only until the next one: too brief to wait for on a busy machine.)
				let screen = await server.waitFor(session, 'the console with the resumed soak running', /● soak/, 40_000);
				expect(server.paneFormat(session, '#{alternate_on}')).toBe('1');
				expect(screen).toMatch(/^drydock /);
				const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
				expect(scrape).toMatch(/^drydock_/m);
				// The rest of the soak runs out; the console stays until q.
				await server.waitFor(
					session,
					'the resumed run to finish',
					s => /soak +(✓|✔|pass|PASS|warn|WARN|fail|FAIL)|run finished|finished/i.test(s) && !/● soak/.test(s),
					40_000,
				);
				server.keys(session, 'q');
				screen = await server.waitFor(session, 'drydock to exit', exited, 30_000);
				expect(['0', '1'], screen).toContain(exited.exec(screen)![1]);
				expect(server.paneFormat(session, '#{alternate_on}')).toBe('0');
				const [finalRun] = readdirSync(path.join(dir, 'b'));
				const final = JSON.parse(readFileSync(path.join(dir, 'b', finalRun!, 'report.json'), 'utf8')) as Report;
				expect(final.resumed_from).toMatchObject({run_id: interrupted.run_id});
				expect(final.interrupted).toBe(false);
				expect(final.start_time).toBe(interrupted.start_time);
				expect(
					notifications.some(n => n.event === 'run-end' && n.run_id === final.run_id),
					JSON.stringify(notifications),
				).toBe(true);
			} finally {
				server.close(session);
			}
		},
		150_000,
	);

	it.concurrent(
		'the console command takes --metrics-port and --notify (and says so in --help)',
		async () => {
			const session = 'flags';
			const help = drydock(['--profile', 'mock', '--help']);
			expect((await help.exit).code).toBe(0);
			expect(help.stdout()).toMatch(/--metrics-port N/);
			expect(help.stdout()).toMatch(/--notify URL/);
			const bad = drydock(['--metrics-port', 'x']);
			expect((await bad.exit).code).toBe(2);
			expect(bad.stderr()).toMatch(/--metrics-port/);
			try {
				await server.open(session, 100, 30, {CI: 'true'});
				server.run(
					session,
					`node bin/drydock.js --exchange-url ${mock.rest} --report-dir ${JSON.stringify(path.join(work, 'flags'))} --metrics-port 0 --notify ${webhookUrl}; echo "DRYDOCK_EXIT=$?"`,
				);
				const screen = await server.waitFor(
					session,
					'the metrics URL in the console',
					/metrics: http:\/\/127\.0\.0\.1:\d+/,
					30_000,
				);
				const metricsUrl = /metrics: (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(screen)![1]!;
				const scrape = await (
					await fetch(metricsUrl.endsWith('/metrics') ? metricsUrl : `${metricsUrl}/metrics`)
				).text();
				expect(scrape).toMatch(/^drydock_/m);
				server.keys(session, 'q');
				const end = await server.waitFor(session, 'drydock to exit', exited, 30_000);
				expect(exited.exec(end)![1]).toBe('0');
			} finally {
				server.close(session);
			}
		},
		90_000,
	);
});
