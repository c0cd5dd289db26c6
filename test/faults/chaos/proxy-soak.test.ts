/**
 * A short soak on the embedded mock whose chaos file asks for connection resets and silent connections:
 * the session puts the fault proxy in front of the mock by itself (those kinds have no mock control),
 * ccxt's traffic goes through it, and report.json records each fault injected, detected, recovered and
 * judged, with any order whose fate was unknown resolved by clientOrderId and never placed twice.
 */
import {mkdtemp, readFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../source/profiles/profile-file.js';
import {createSession} from '../../../source/runtime/session.js';
import type {ChaosTimeline} from '../../../source/faults/chaos/schema.js';
import type {Report} from '../../../source/report/model.js';

describe('chaos through the fault proxy during a soak on the mock', () => {
	it('resets and a silent window are injected by the proxy, detected, recovered and judged', async () => {
		const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-chaos-proxy-soak-'));
		const timeline: ChaosTimeline = [
			{from: '2s', to: '4s', fault: 'connection-reset', params: {probability: 1, scope: 'rest'}, recoveryBudget: '10s'},
			{from: '6s', to: '9s', fault: 'timeout', recoveryBudget: '10s'},
		];
		const {profile: shipped} = await loadProfile('mock');
		const profile = {...shipped, soak: {...shipped.soak, ratePerSecond: 5}, chaos: timeline};
		const session = createSession({profile, reportDir, rememberRuns: false, htmlReport: false});
		try {
			const runtime = await session.ready;
			expect(runtime.faultProxy, 'the proxy is on for a timeline with proxy-only kinds').not.toBeNull();
			expect(runtime.services.faults.mode).toBe('mock');
			const outcome = await session.engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 13_000});
			const report = JSON.parse(await readFile(path.join(outcome.reportDir!, 'report.json'), 'utf8')) as Report;
			const chaos = report.chaos!;
			const explain = JSON.stringify(chaos, null, 1);
			const [reset, silent] = chaos as [(typeof chaos)[number], (typeof chaos)[number]];
			expect(reset.fault).toBe('connection-reset');
			expect(reset.injected_at, explain).not.toBeNull();
			expect(reset.detected_by, explain).toMatch(/failed (call|operation) \(network\)/);
			expect(reset.failed_calls, explain).toBeGreaterThan(0);
			expect(reset.recovered_after_ms, explain).not.toBeNull();
			expect(reset.verdict, explain).toBe('pass');
			for (const order of reset.unknown_orders) {
				expect(order.placements, 'never placed twice').toBeLessThanOrEqual(1);
				expect(order.resolved_by, explain).toMatch(/clientOrderId/);
			}
			expect(silent.fault).toBe('timeout');
			expect(silent.detected_after_ms, explain).not.toBeNull();
			expect(silent.recovered_after_ms, explain).not.toBeNull();
			expect(silent.verdict, explain).toBe('pass');
			const soak = report.phases.find(p => p.id === 'soak')!;
			expect(soak.checks.filter(c => c.id.startsWith('chaos-')).map(c => c.verdict)).toEqual(['pass', 'pass']);
			expect(
				report.faults.filter(f => f.detail.startsWith('chaos #')).every(f => f.detail.includes('local fault proxy')),
			).toBe(true);
			// What the proxy did is in the journal.
			const journal = await readFile(path.join(outcome.reportDir!, 'events.ndjson'), 'utf8');
			expect(journal).toMatch(/chaos: fault proxy [^"]*connections reset/);
			expect(runtime.faultProxy!.stats().connections.rest).toBeGreaterThan(0);
		} finally {
			await session.close();
		}
	}, 60_000);
});
