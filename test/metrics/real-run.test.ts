/**
 * The reports stack over a real session (embedded mock exchange, real phases, ccxt): /metrics scraped
 * while the soak runs, the webhook receiving the run's end, and report.html rebuilt from the run folder.
 */
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {mkdtemp, readFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../source/profiles/profile-file.js';
import {createSession} from '../../source/runtime/session.js';
import {startMetricsServer} from '../../source/metrics/index.js';
import {createNotifier} from '../../source/notify/index.js';
import {writeHtmlReport} from '../../source/report/html/index.js';
import {scrape} from './helpers.js';

describe('metrics, notifications and report.html during a real run on the mock', () => {
	it('scrapes /metrics mid-soak, receives run-end, renders the run folder', async () => {
		const received: {event: string; data: {state?: string; exitCode?: number}}[] = [];
		const hook = createServer((req, res) => {
			let body = '';
			req.on('data', chunk => (body += chunk));
			req.on('end', () => {
				received.push(JSON.parse(body) as (typeof received)[number]);
				res.end();
			});
		});
		await new Promise<void>(resolve => hook.listen(0, '127.0.0.1', resolve));
		const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-real-run-'));
		const {profile} = await loadProfile('mock');
		const session = createSession({profile, reportDir, rememberRuns: false, monitorIntervalMs: 200});
		const {engine} = session;
		const metrics = await startMetricsServer(engine, {
			port: 0,
			histograms: {operations: () => engine.store.overall.latency.encode()},
		});
		const notifier = createNotifier({
			url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
			format: 'generic',
			engine,
		});
		try {
			await session.ready;
			const done = engine.start({name: 'custom', phases: ['connectivity', 'soak'], soakDurationMs: 4000});
			let during: Awaited<ReturnType<typeof scrape>>['scrape'] | null = null;
			for (let i = 0; i < 150 && !during; i++) {
				await new Promise(resolve => setTimeout(resolve, 100));
				const {scrape: m} = await scrape(metrics.url);
				if (
					m.value('drydock_phase_status', {phase: 'soak', status: 'running'}) === 1 &&
					m.value('drydock_operations_total', {outcome: 'succeeded'}) >= 1
				)
					during = m;
			}
			expect(during, 'a scrape while the soak ran').not.toBeNull();
			expect(during!.value('drydock_run_state', {state: 'running'})).toBe(1);
			expect(during!.value('drydock_phase_status', {phase: 'connectivity', status: 'pass'})).toBe(1);
			expect(during!.value('drydock_breaker_state', {state: 'closed'})).toBe(1);
			expect(during!.find('drydock_process_resident_memory_bytes', {process: 'drydock'})[0]!.value).toBeGreaterThan(
				10 * 1024 * 1024,
			);
			const outcome = await done;
			const stats = await notifier.close();
			expect(stats.sent).toBeGreaterThanOrEqual(1);
			const end = received.find(b => b.event === 'run-end');
			expect(end?.data).toMatchObject({state: 'finished', exitCode: outcome.exitCode});
			const {scrape: after} = await scrape(metrics.url);
			expect(after.value('drydock_operation_latency_seconds_count')).toBe(outcome.report!.total_operations);

			const out = path.join(outcome.reportDir!, 'report.html');
			await writeHtmlReport(out, outcome.report!, {journal: path.join(outcome.reportDir!, 'events.ndjson')});
			const html = await readFile(out, 'utf8');
			expect(html).toContain('data-phase="soak" data-status="pass"');
			expect(html).toMatch(/data-chart="ops-per-second"><figcaption>[^<]*<\/figcaption><svg/);
		} finally {
			await notifier.close();
			await metrics.close();
			await session.close();
			await new Promise(resolve => hook.close(resolve));
		}
	}, 60_000);
});
