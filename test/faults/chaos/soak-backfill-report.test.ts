/**
 * A soak with a chaos drop-websockets (held long enough for the market to trade past the streams): the
 * trades missed across the reconnect and what REST (aggTrades by fromId) gave back are figures of
 * report.json's streams section, of report.html's streams table and of the console summary — not only
 * of the stream-backfill check's text.
 */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../source/profiles/profile-file.js';
import {createSession} from '../../../source/runtime/session.js';
import {loadChaosFile} from '../../../source/faults/chaos/timeline-file.js';
import type {Report} from '../../../source/report/model.js';
import {formatSummary} from '../../../source/report/summary.js';
import {renderHtmlReport} from '../../../source/report/html/render.js';

const chaosYaml = `chaos:
  - {at: 2s, fault: drop-websockets, duration: 1500ms, recoveryBudget: 10s}
`;

describe('stream backfill figures in the report', () => {
	it('a soak with a chaos drop-websockets reports missed, recovered and lost trades per stream', async () => {
		const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-backfill-report-'));
		const chaosFile = path.join(reportDir, 'chaos.yaml');
		await writeFile(chaosFile, chaosYaml);
		const {profile: shipped} = await loadProfile('mock');
		const profile = {...shipped, soak: {...shipped.soak, ratePerSecond: 4}, chaos: await loadChaosFile(chaosFile)};
		const session = createSession({profile, reportDir, rememberRuns: false, htmlReport: false});
		try {
			await session.ready;
			const outcome = await session.engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 7_000});
			const runDir = outcome.reportDir!;
			const report = JSON.parse(await readFile(path.join(runDir, 'report.json'), 'utf8')) as Report;
			const explain = JSON.stringify(report.streams, null, 1);
			const trades = report.streams.filter(s => s.id.endsWith('@trade'));
			expect(trades.length, explain).toBeGreaterThan(0);
			const backfilled = trades.filter(s => (s.backfill?.gaps ?? 0) > 0);
			expect(backfilled.length, explain).toBeGreaterThan(0);
			for (const s of backfilled) {
				const b = s.backfill!;
				expect(b.missed, explain).toBeGreaterThan(0);
				expect(b.recovered + b.lost, explain).toBe(b.missed);
				// The mock keeps its whole history: every missed trade is still on REST.
				expect(b.recovered, explain).toBe(b.missed);
			}
			// The user data stream went down with the rest: subscribed again, its gap reconciled from REST.
			const userData = report.phases.find(p => p.id === 'soak')!.checks.find(c => c.id === 'soak-user-data')!;
			expect(userData.verdict, userData.reason ?? '').toBe('pass');
			expect(userData.title).toMatch(/[1-9]\d* resubscribed/);
			// The check's text and the section agree.
			const check = report.phases.find(p => p.id === 'soak')!.checks.find(c => c.id === 'stream-backfill')!;
			const missed = backfilled.reduce((n, s) => n + s.backfill!.missed, 0);
			expect(check.measured).toBe(`${missed}/${missed} recovered`);
			expect(formatSummary(report)).toMatch(
				new RegExp(`backfill +${missed} trades missed across reconnects, ${missed} recovered from REST, 0 lost`),
			);
			// report.html is rendered from report.json (as `drydock report` does).
			const html = renderHtmlReport(report);
			const first = backfilled[0]!;
			const row = html.match(new RegExp(`<tr data-stream="${first.id.replace(/[@.]/g, '\\$&')}">.*?</tr>`))?.[0] ?? '';
			expect(row).toContain(`data-backfill="missed">${first.backfill!.missed}<`);
			expect(row).toContain(`data-backfill="recovered">${first.backfill!.recovered}<`);
			expect(row).toContain(`data-backfill="lost">0<`);
		} finally {
			await session.close();
		}
	}, 60_000);
});
