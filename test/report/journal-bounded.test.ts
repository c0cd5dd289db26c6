/**
 * The journal stays bounded on an accelerated long soak: a synthetic generator drives the engine's own
 * recorder at 150 operations/s (each cycle also placing and filling an order) on a simulated clock,
 * measures bytes per operation, extrapolates to 24 h, and `report --recover` still rebuilds exact counts.
 */
import {describe, expect, it} from 'vitest';
import {mkdtemp, readdir, stat} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {testEngine} from '../engine/helpers.js';
import {recoverRun} from '../../source/report/recover.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';

const RATE = 150;
const SECONDS = 300;

describe('events.ndjson on a long, fast soak', () => {
	it(`stays under 1 GB for 24 h at ${RATE} operations/s, and recovery keeps exact counts`, async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-journal-'));
		let clock = Date.parse('2026-01-01T00:00:00Z');
		const soak: PhaseDefinition<object, {name: string}> = {
			id: 'soak',
			title: 'Soak',
			run: async ctx => {
				for (let s = 0; s < SECONDS; s++) {
					for (let i = 0; i < RATE; i++) {
						clock += 1000 / RATE;
						const ok = (s * RATE + i) % 1000 !== 0;
						ctx.operation({
							kind: 'cycle',
							ok,
							latencyMs: 0.4 + (i % 37) / 10,
							...(ok ? {} : {error: {kind: 'rejected', message: 'venue said no'}}),
						});
						ctx.order('placed');
						if (ok) ctx.order('filled');
					}
					// Let the journal's write queue drain as a real run's would.
					if (s % 10 === 0) await new Promise(resolve => setImmediate(resolve));
				}
				ctx.check({id: 'soak-rate', title: 'rate', verdict: 'pass'});
			},
		};
		const engine = testEngine([soak], {}, {reportDir: dir, now: () => clock});
		const outcome = await engine.start({name: 'custom', phases: ['soak'], soakDurationMs: SECONDS * 1000});
		await engine.close();
		const [runDir] = await readdir(dir);
		const journal = path.join(dir, runDir!, 'events.ndjson');
		const bytes = (await stat(journal)).size;
		const operations = RATE * SECONDS;
		const bytesPerOp = bytes / operations;
		const per24h = bytesPerOp * RATE * 86_400;
		console.log(
			`journal: ${bytes} bytes for ${operations} operations = ${bytesPerOp.toFixed(1)} bytes/op → ${(per24h / 1e9).toFixed(3)} GB per 24 h at ${RATE}/s`,
		);
		expect(per24h).toBeLessThan(1e9);
		expect(outcome.report!.total_operations).toBe(operations);
		const recovered = await recoverRun(path.join(dir, runDir!), {version: 'test'});
		const r = recovered.report;
		expect(r.total_operations).toBe(operations);
		expect(r.success_rate).toBe(outcome.report!.success_rate);
		expect(r.metrics.orders_placed).toBe(operations);
		expect(r.metrics.orders_filled).toBe(outcome.report!.metrics.orders_filled);
		expect(r.average_latency_ms).toBeCloseTo(outcome.report!.average_latency_ms!, 6);
		expect(r.peak_latency_ms).toBe(outcome.report!.peak_latency_ms);
		expect(r.p99_latency_ms).toBe(outcome.report!.p99_latency_ms);
	}, 120_000);
});
