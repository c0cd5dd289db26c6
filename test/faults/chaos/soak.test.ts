/**
 * A short soak on the embedded mock with a chaos file (real session: mock, ccxt, phases): a stream
 * drop at 3 s, 30 % 5xx from 6 to 10 s, a stream stall from 12 to 15 s, clock skew at 16 s, and a drop
 * held to an impossible budget. report.json chaos[] records each fault's detection and recovery, the
 * soak phase carries a check per fault, the console's fault marks recover, the journal has the records.
 */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../source/profiles/profile-file.js';
import {createSession} from '../../../source/runtime/session.js';
import type {ChaosTimeline} from '../../../source/faults/chaos/schema.js';
import {loadChaosFile} from '../../../source/faults/chaos/timeline-file.js';
import type {Report} from '../../../source/report/model.js';

/** The chaos file, as a user would write it (loaded as `--chaos FILE` is). */
const chaosYaml = `chaos:
  - {at: 3s, fault: drop-websockets, recoveryBudget: 10s}
  - {from: 6s, to: 10s, fault: error-rate, params: {probability: 0.3}, recoveryBudget: 10s}
  - {from: 12s, to: 15s, fault: stall-streams, recoveryBudget: 10s}
  - {at: 16s, fault: clock-skew, params: {ms: 2000}, duration: 2s, recoveryBudget: 10s}
  - {at: 19s, fault: drop-websockets, recoveryBudget: 1ms}
`;

describe('chaos timeline during a soak on the mock', () => {
	it('records detection, recovery and a verdict per fault; an impossible budget fails its check', async () => {
		const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-chaos-soak-'));
		const chaosFile = path.join(reportDir, 'chaos.yaml');
		await writeFile(chaosFile, chaosYaml);
		const timeline: ChaosTimeline = await loadChaosFile(chaosFile);
		const {profile: shipped} = await loadProfile('mock');
		// A breaker opened late in the 5xx window (6–10 s) stays open 5 s by default and would fail operations
		// into the stall (12–15 s), which is then "detected" by those instead of by stream silence.
		const profile = {
			...shipped,
			soak: {...shipped.soak, ratePerSecond: 5},
			breaker: {...shipped.breaker, openMs: 1_000},
			chaos: timeline,
		};
		const session = createSession({profile, reportDir, rememberRuns: false, htmlReport: false});
		const {engine} = session;
		const marks = new Map<number, {kind: string; recoveredAt?: number}>();
		const off = engine.subscribe(() => {
			for (const mark of engine.getSnapshot().faults) marks.set(mark.at, mark);
		});
		try {
			await session.ready;
			const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 23_000});
			const runDir = outcome.reportDir!;
			const report = JSON.parse(await readFile(path.join(runDir, 'report.json'), 'utf8')) as Report;
			const chaos = report.chaos!;
			expect(chaos.map(c => c.fault)).toEqual([
				'drop-websockets',
				'error-rate',
				'stall-streams',
				'clock-skew',
				'drop-websockets',
			]);
			const explain = JSON.stringify(chaos, null, 1);
			for (const record of chaos) {
				expect(record.injected_at, explain).not.toBeNull();
				expect(record.detected_after_ms, `${record.label}: ${explain}`).not.toBeNull();
				expect(record.recovered_after_ms, `${record.label}: ${explain}`).not.toBeNull();
			}
			const [drop, errors, stall, skew, impossible] = chaos as [
				(typeof chaos)[number],
				(typeof chaos)[number],
				(typeof chaos)[number],
				(typeof chaos)[number],
				(typeof chaos)[number],
			];
			// The drop: seen as a dropped stream, reconnected, resubscribed on trade and depth.
			expect(drop.detected_by).toMatch(/dropped/);
			expect(drop.reconnected_after_ms).not.toBeNull();
			expect(drop.resubscribed_after_ms!).toBeGreaterThanOrEqual(drop.reconnected_after_ms!);
			expect(drop.book_resyncs).toBeGreaterThan(0);
			expect(drop.verdict, explain).toBe('pass');
			// 30 % 5xx: failed calls seen, recovery after the window ends.
			expect(errors.failed_calls).toBeGreaterThan(0);
			expect(errors.detected_by).toMatch(/failed/);
			expect(errors.recovery_ms).toBeGreaterThanOrEqual(0);
			expect(errors.verdict, explain).toBe('pass');
			for (const order of errors.unknown_orders) {
				expect(order.placements, 'never placed twice').toBe(1);
				expect(order.resolved_by, explain).toMatch(/^fetchOrder by clientOrderId/);
				expect(order.resolution).toMatch(/^(found|not placed)/);
			}
			// The stall: silence detected within ~2 s, data again once it ends.
			expect(stall.detected_by).toMatch(/no stream message/);
			expect(stall.detected_after_ms!).toBeLessThan(3_000);
			expect(stall.verdict, explain).toBe('pass');
			expect(skew.detected_by).toMatch(/event times off|failed/);
			expect(skew.verdict, explain).toBe('pass');
			expect(impossible.verdict).toBe('fail');
			expect(impossible.reason).toMatch(/over the 1 ms budget/);
			// A check per fault in the soak phase, with the budget as threshold.
			const soak = report.phases.find(p => p.id === 'soak')!;
			const checks = soak.checks.filter(c => c.id.startsWith('chaos-'));
			expect(checks.map(c => c.verdict)).toEqual(['pass', 'pass', 'pass', 'pass', 'fail']);
			expect(checks[4]!.threshold).toBe('≤ 1 ms');
			expect(soak.status).toBe('fail');
			// The user data stream lost events to the drops and the stall it was told of: reconciled from REST, not mismatches.
			const userData = soak.checks.find(c => c.id === 'soak-user-data')!;
			expect(userData.verdict, userData.reason ?? '').toBe('pass');
			expect(String(userData.measured)).toMatch(/recovered from REST/);
			// The 5xx the timeline caused are judged by its checks, not by errors/hour.
			const perHour = soak.checks.find(c => c.id === 'errors-per-hour')!;
			expect(perHour.title).toMatch(/\d+ during chaos faults not counted/);
			expect(perHour.verdict).toBe('pass');
			// The console's timeline: every fault marked, each marked recovered.
			const chaosMarks = report.faults.filter(f => f.detail.startsWith('chaos #'));
			expect(chaosMarks).toHaveLength(5);
			expect(chaosMarks.every(f => typeof f.recoveredAt === 'number')).toBe(true);
			expect([...marks.values()].filter(m => m.kind === 'stall-streams')).toHaveLength(1);
			// The journal has the records (report --recover rebuilds them).
			const journal = await readFile(path.join(runDir, 'events.ndjson'), 'utf8');
			expect(journal).toMatch(/"type":"chaos"/);
		} finally {
			off();
			await session.close();
		}
	}, 60_000);
});
