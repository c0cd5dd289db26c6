/** Load reports built by the load runner's own code (StatsRegistry + buildLoadReport) from given samples. */
import {buildLoadReport, type LoadReport} from '../../../source/load/report.js';
import type {LoadResult} from '../../../source/load/runner.js';
import {StatsRegistry} from '../../../source/load/stats.js';

export function loadReport(samplesMs: readonly number[], failEvery: number, thresholds: string[] = []): LoadReport {
	const stats = new StatsRegistry();
	samplesMs.forEach((ms, i) => {
		const name = i % 3 === 0 ? '/orders' : '/ticker';
		const method = i % 3 === 0 ? 'POST' : 'GET';
		const entry = stats.entry(method, name);
		const us = Math.round(ms * 1000);
		const second = Math.floor(i / 100);
		entry.record(us, -1, 120 + (i % 7), second);
		stats.total.record(us, -1, 120 + (i % 7), second);
		if (failEvery > 0 && i % failEvery === failEvery - 1) {
			entry.recordFailure(second);
			stats.total.recordFailure(second);
			stats.addFailure(method, name, 'HTTP 503');
		}
	});
	const startedAt = new Date('2026-11-22T09:00:00Z');
	const result = {
		stats,
		startedAt,
		endedAt: new Date(startedAt.getTime() + 60_000),
		elapsedMs: 60_000,
		interrupted: false,
		peakUsers: 10,
	} as Omit<LoadResult, 'snapshot'> as LoadResult;
	return buildLoadReport({
		id: `load-${samplesMs.length}`,
		scenario: 'api.ts',
		host: 'http://127.0.0.1:1',
		result,
		config: {mode: 'users', users: 10, spawnRate: 5, runTimeMs: 60_000, shape: null, arrivalRate: null, thresholds},
		thresholds: [],
	});
}
