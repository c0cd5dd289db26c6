/**
 * The streams section of report.json carries the backfill figures from the store (trades missed across
 * reconnects, recovered from REST, lost), the summary and report.html show them, and merged reports
 * add them up. A stream that lost trades shows it; a stream never backfilled shows none.
 */
import {describe, expect, it} from 'vitest';
import {EngineStore} from '../../source/engine/store.js';
import {LatencyRecorder} from '../../source/engine/latency.js';
import {buildReport} from '../../source/report/build.js';
import {formatSummary} from '../../source/report/summary.js';
import {renderHtmlReport} from '../../source/report/html/render.js';
import {mergeReports} from '../../source/report/merge/index.js';
import type {EngineEvent} from '../../source/engine/events.js';

function reportWith(backfills: readonly {missed: number; recovered: number; lost: number}[], runId = 'run-bf') {
	let now = Date.parse('2026-11-22T08:00:00Z');
	const store = new EngineStore({
		profile: {name: 'mock', exchange: 'binance', environment: 'mock', execution: 'exchange', symbols: ['BTCUSDT']},
		limits: {cpuPercent: 80, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 200},
		now: () => now,
	});
	const apply = (event: EngineEvent) => store.apply(event);
	apply({
		type: 'run-started',
		at: now,
		runId,
		plan: {name: 'quick', phases: ['soak'], soakDurationMs: 60_000},
		reportDir: null,
	});
	apply({type: 'phase-started', at: now, phase: 'soak'});
	for (const id of ['btcusdt@trade', 'btcusdt@depth@100ms']) {
		const kind = id.endsWith('@trade') ? 'trade' : 'depth';
		apply({
			type: 'stream',
			at: now,
			update: {
				type: 'message',
				stream: id,
				kind,
				symbol: 'BTCUSDT',
				receivedAt: now,
				eventTime: now,
				latencyMs: 1,
				gap: 0,
			},
		});
	}
	for (const b of backfills) {
		now += 1_000;
		apply({type: 'stream', at: now, update: {type: 'reconnect', stream: 'btcusdt@trade', at: now}});
		apply({type: 'stream', at: now, update: {type: 'backfill', stream: 'btcusdt@trade', at: now, ...b}});
	}
	apply({type: 'phase-finished', at: now, phase: 'soak', status: 'pass'});
	apply({type: 'run-finished', at: now, state: 'finished', exitCode: 0});
	return buildReport(store, {
		version: 't',
		interruptedBy: null,
		checkpoint: false,
		exitCode: 0,
		callLatency: new LatencyRecorder(),
		ordersCancelledOnExit: 0,
		rssSlopeMbPerHour: null,
		mask: t => t,
	});
}

describe('stream backfill figures', () => {
	it('report.json, the summary and report.html carry missed, recovered and lost per stream', () => {
		const report = reportWith([
			{missed: 40, recovered: 40, lost: 0},
			{missed: 25, recovered: 20, lost: 5},
		]);
		const trade = report.streams.find(s => s.id === 'btcusdt@trade')!;
		expect(trade.backfill).toEqual({gaps: 2, missed: 65, recovered: 60, lost: 5});
		expect(report.streams.find(s => s.id === 'btcusdt@depth@100ms')!.backfill).toEqual({
			gaps: 0,
			missed: 0,
			recovered: 0,
			lost: 0,
		});
		expect(formatSummary(report)).toContain(
			'backfill      65 trades missed across reconnects, 60 recovered from REST, 5 lost (btcusdt@trade 60/65)',
		);
		const html = renderHtmlReport(report);
		const row = /<tr data-stream="btcusdt@trade">.*?<\/tr>/.exec(html)?.[0] ?? '';
		expect(row).toContain('data-backfill="missed">65<');
		expect(row).toContain('data-backfill="recovered">60<');
		expect(row).toContain('class="num warn" data-backfill="lost">5<');
		// Never backfilled: dashes, not zeros that read as "checked, nothing missed".
		const depth = /<tr data-stream="btcusdt@depth@100ms">.*?<\/tr>/.exec(html)?.[0] ?? '';
		expect(depth).not.toContain('data-backfill');
	});

	it('a run with nothing missed has no backfill line', () => {
		expect(formatSummary(reportWith([]))).not.toContain('backfill');
	});

	it('merged reports add the figures up', () => {
		const merged = mergeReports([
			reportWith([{missed: 10, recovered: 10, lost: 0}], 'a'),
			reportWith([{missed: 7, recovered: 4, lost: 3}], 'b'),
		]);
		expect('streams' in merged && merged.streams.find(s => s.id === 'btcusdt@trade')?.backfill).toEqual({
			gaps: 2,
			missed: 17,
			recovered: 14,
			lost: 3,
		});
	});
});
