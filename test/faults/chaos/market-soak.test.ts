/**
 * Market faults on the chaos timeline during a soak on the embedded mock (real session: mock, ccxt,
 * phases, the mock reached over its admin API): a price shock is seen in prices and judged recovered
 * once the price is back; a halt refuses orders as Binance does (-1013 "Market is closed.") and is
 * judged recovered when trading resumes. Broken on purpose: a shock whose way back takes longer than
 * its budget, and a halt the venue never lifts (re-halted by the test), both fail their checks.
 */
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadProfile} from '../../../source/profiles/profile-file.js';
import {createSession} from '../../../source/runtime/session.js';
import {loadChaosFile} from '../../../source/faults/chaos/timeline-file.js';
import type {Report} from '../../../source/report/model.js';

const chaosYaml = `chaos:
  - {at: 2s, kind: price-shock, symbol: BTCUSDT, change: -8%, over: 1s, hold: 1s, recover: 2s}
  - {at: 3s, kind: halt, symbol: ETHUSDT, duration: 3s}
  - {at: 7s, kind: price-shock, symbol: ETHUSDT, change: +6%, over: 1s, recover: 60s, recoveryBudget: 2s}
  - {at: 9s, kind: halt, duration: 4s, recoveryBudget: 2s}
`;

describe('market faults on the chaos timeline', () => {
	it('a shock is seen in prices and judged recovered; a halt refuses orders and resumes; no recovery fails', async () => {
		const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-chaos-market-'));
		const chaosFile = path.join(reportDir, 'chaos.yaml');
		await writeFile(chaosFile, chaosYaml);
		const timeline = await loadChaosFile(chaosFile);
		const {profile: shipped} = await loadProfile('mock');
		const profile = {
			...shipped,
			soak: {...shipped.soak, ratePerSecond: 4},
			// Calm prices, so a 1 % tolerance tells the shock's way back from the market's own wander.
			mock: {...shipped.mock, market: {volatility: 0.05, regime: 'ranging' as const}},
			breaker: {...shipped.breaker, openMs: 500},
			chaos: timeline,
		};
		const session = createSession({profile, reportDir, rememberRuns: false, htmlReport: false});
		const {engine} = session;
		let admin = '';
		let stuck = false;
		const off = engine.subscribe(() => {
			// Broken on purpose: once the last halt is on (seen by the market watch), the venue "never" lifts it (halted again, no duration).
			const snapshot = engine.getSnapshot();
			const on =
				snapshot.faults.some(f => f.detail.startsWith('chaos #3')) &&
				snapshot.market?.symbols.some(s => s.symbol === 'BTCUSDT' && s.status === 'BREAK');
			if (stuck || !admin || !on) return;
			stuck = true;
			void fetch(`${admin}/market/halt`, {method: 'POST', body: JSON.stringify({symbol: 'BTCUSDT'})});
		});
		try {
			const built = await session.ready;
			admin = built.endpoints.admin!;
			const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: 18_000});
			const report = JSON.parse(await readFile(path.join(outcome.reportDir!, 'report.json'), 'utf8')) as Report;
			const chaos = report.chaos!;
			const explain = JSON.stringify(chaos, null, 1);
			const [shock, halt, slowShock, stuckHalt] = chaos as [
				(typeof chaos)[number],
				(typeof chaos)[number],
				(typeof chaos)[number],
				(typeof chaos)[number],
			];
			expect(chaos.map(c => c.fault)).toEqual(['price-shock', 'halt', 'price-shock', 'halt']);
			// The shock: seen in the price (about −8 %), back within 1 % after the way back, in budget.
			expect(shock.detected_by, explain).toMatch(/BTCUSDT price -\d/);
			expect(shock.recovered_after_ms, explain).not.toBeNull();
			expect(shock.recovered_after_ms!, explain).toBeGreaterThanOrEqual(2_000);
			expect(shock.verdict, explain).toBe('pass');
			// The halt: seen as BREAK, trading again after its 3 s.
			expect(halt.detected_by, explain).toMatch(/ETHUSDT status BREAK/);
			expect(halt.recovered_after_ms!, explain).toBeGreaterThanOrEqual(3_000);
			expect(halt.verdict, explain).toBe('pass');
			// Broken on purpose: the way back takes 60 s, the budget is 2 s.
			expect(slowShock.detected_by, explain).toMatch(/ETHUSDT price \d/);
			expect(slowShock.verdict, explain).toBe('fail');
			expect(slowShock.reason).toMatch(/not recovered/);
			// Broken on purpose: the soak's own symbol, halted for good; the soak's orders are refused as Binance does.
			expect(stuck).toBe(true);
			expect(stuckHalt.params.symbol, explain).toBe('BTCUSDT');
			expect(stuckHalt.verdict, explain).toBe('fail');
			expect(stuckHalt.unknown_orders.some(o => /Market is closed/.test(o.error))).toBe(true);
			expect(stuckHalt.unknown_orders.every(o => o.placements <= 1)).toBe(true);
			const journal = await readFile(path.join(outcome.reportDir!, 'events.ndjson'), 'utf8');
			expect(journal).toMatch(/Market is closed/);
			const checks = report.phases.find(p => p.id === 'soak')!.checks.filter(c => c.id.startsWith('chaos-'));
			expect(checks.map(c => c.verdict)).toEqual(['pass', 'pass', 'fail', 'fail']);
			// report.json's market section: the regime held by the profile, both shocks, both halts.
			const market = report.market!;
			expect(market.regimes.filter(r => r.to === null).map(r => [r.symbol, r.regime, r.setting])).toEqual([
				['BTCUSDT', 'ranging', 'ranging'],
				['ETHUSDT', 'ranging', 'ranging'],
			]);
			expect(market.shocks.map(k => [k.symbol, k.percent])).toEqual([
				['BTCUSDT', -8],
				['ETHUSDT', 6],
			]);
			expect(market.halts.map(h => h.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
			expect(market.halts[0]!.to).not.toBeNull();
			// The kill-switch lift / the soak's end resumed the halt it injected.
			const after = (await (await fetch(`${admin}/market`)).json()) as {symbols: Array<{status: string}>};
			expect(after.symbols.map(s => s.status)).toEqual(['TRADING', 'TRADING']);
		} finally {
			off();
			await session.close();
		}
	}, 60_000);
});
