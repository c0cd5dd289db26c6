import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {csvLine, HISTORY_COLUMNS, STATS_COLUMNS} from '../../source/load/csv.js';
import {decodeLoadHistogram} from '../../source/load/report.js';
import {scenarioFromRequestList, validateScenario} from '../../source/load/scenario-schema.js';
import {percentileLabel, PERCENTILES, StatsRegistry, summarize} from '../../source/load/stats.js';
import {evaluateThresholds, parseThreshold} from '../../source/load/thresholds.js';
import * as hdr from 'hdr-histogram-js';

function summaryOf(latenciesMs: number[], failures = 0) {
	const stats = new StatsRegistry();
	const entry = stats.entry('GET', '/x');
	for (const ms of latenciesMs) entry.record(Math.round(ms * 1000), -1, 100, 0);
	for (let i = 0; i < failures; i++) entry.recordFailure(0);
	return summarize(entry, 10, 10, 0);
}

describe('stats', () => {
	it('computes exact percentiles, min/max/avg and rates from the histogram', () => {
		const s = summaryOf(Array.from({length: 1000}, (_, i) => i + 1)); // 1..1000 ms
		expect(s.requests).toBe(1000);
		expect(s.minMs).toBe(1);
		expect(s.maxMs).toBe(1000);
		expect(s.avgMs).toBeCloseTo(500.5, 6);
		expect(s.percentiles['50%']).toBeCloseTo(500, -0.5);
		expect(s.percentiles['99%']).toBeCloseTo(990, -0.5);
		expect(s.percentiles['100%']).toBeGreaterThanOrEqual(1000);
		expect(s.rps).toBe(100);
		expect(s.avgContentSize).toBe(100);
		expect(Object.keys(s.percentiles)).toEqual(PERCENTILES.map(percentileLabel));
	});

	it('labels percentiles like Locust', () => {
		expect(PERCENTILES.map(percentileLabel)).toEqual([
			'50%',
			'66%',
			'75%',
			'80%',
			'90%',
			'95%',
			'98%',
			'99%',
			'99.9%',
			'99.99%',
			'100%',
		]);
		expect(STATS_COLUMNS.slice(0, 4)).toEqual(['Type', 'Name', 'Request Count', 'Failure Count']);
		expect(HISTORY_COLUMNS.at(-1)).toBe('Total Average Content Size');
	});

	it('caps distinct failure kinds so memory stays bounded', () => {
		const stats = new StatsRegistry();
		for (let i = 0; i < 2000; i++) stats.addFailure('GET', '/x', `reason ${i}`);
		expect(stats.failures.size).toBeLessThanOrEqual(501);
		const total = [...stats.failures.values()].reduce((a, f) => a + f.occurrences, 0);
		expect(total).toBe(2000);
	});

	it('round-trips histograms through the report encoding and merges them exactly', () => {
		const a = summaryOf([1, 2, 3]);
		expect(a.requests).toBe(3);
		const stats = new StatsRegistry();
		const entry = stats.entry('GET', '/x');
		for (let i = 1; i <= 500; i++) entry.record(i * 1000, -1, 0, 0);
		const encoded = {
			unit: 'us' as const,
			encoding: 'hdr-compressed-base64' as const,
			data: hdr.encodeIntoCompressedBase64(entry.histogram),
		};
		const decoded = decodeLoadHistogram(encoded);
		expect(decoded.totalCount).toBe(500);
		decoded.add(decodeLoadHistogram(encoded));
		expect(decoded.totalCount).toBe(1000);
		expect(decoded.getValueAtPercentile(50)).toBe(entry.histogram.getValueAtPercentile(50));
	});
});

describe('thresholds', () => {
	it('parses and evaluates against the aggregate', () => {
		const s = summaryOf(
			Array.from({length: 100}, (_, i) => i + 1),
			5,
		);
		const results = evaluateThresholds(
			['p95<2000', 'p95<50', 'fail_ratio<0.01', 'rps>=10', 'avg<=50.5', 'requests==100', 'p99.9<=101'].map(
				parseThreshold,
			),
			s,
		);
		expect(results.map(r => r.passed)).toEqual([true, false, false, true, true, true, true]);
		expect(results[2]!.actual).toBeCloseTo(0.05);
	});

	it('rejects unknown metrics and malformed expressions', () => {
		expect(() => parseThreshold('p95 < soon')).toThrow(/METRIC OP NUMBER/);
		expect(() => parseThreshold('latency<5')).toThrow(/unknown metric "latency"/);
	});
});

describe('csv', () => {
	it('quotes like Python csv QUOTE_MINIMAL and ends lines with CRLF', () => {
		expect(csvLine(['GET', '/a,b', 'say "hi"', 3])).toBe('GET,"/a,b","say ""hi""",3\r\n');
	});
});

describe('scenario validation', () => {
	it('names the field that is wrong', () => {
		expect(() => validateScenario({tasks: []}, 's.ts')).toThrow('s.ts: tasks: expected at least one task');
		expect(() => validateScenario({tasks: [{name: 'a', run: () => {}, weight: 0}]}, 's.ts')).toThrow(
			's.ts: tasks[0].weight: expected a number > 0',
		);
		expect(() => validateScenario({wait: {between: [3, 1]}, tasks: [{name: 'a', run: () => {}}]}, 's.ts')).toThrow(
			/wait/,
		);
		expect(() => validateScenario({host: 'localhost:80', tasks: [{name: 'a', run: () => {}}]}, 's.ts')).toThrow(
			's.ts: host: expected an http:// or https:// URL',
		);
		expect(() => validateScenario(42, 's.ts')).toThrow(/default export must be an object/);
	});

	it('turns a request list into weighted tasks', () => {
		const scenario = scenarioFromRequestList(
			{
				host: 'http://127.0.0.1:1',
				requests: [
					{path: '/a', weight: 3},
					{method: 'post', path: '/b', json: {x: 1}, expect: [200, 409]},
				],
			},
			'l.yaml',
		);
		expect(scenario.tasks.map(t => [t.name, t.weight])).toEqual([
			['GET /a', 3],
			['POST /b', 1],
		]);
		expect(() => scenarioFromRequestList({requests: [{path: 'a'}]}, 'l.yaml')).toThrow(
			'l.yaml: requests[0].path: expected a path starting with /',
		);
		expect(() => scenarioFromRequestList({requests: [{path: '/a', wieght: 2}]}, 'l.yaml')).toThrow(/wieght/);
	});
});

describe('bounded growth', () => {
	it('folds request names beyond the cap into one overflow entry', async () => {
		const {MAX_ENTRIES, OVERFLOW_NAME} = await import('../../source/load/stats.js');
		const stats = new StatsRegistry();
		for (let i = 0; i < MAX_ENTRIES + 50; i++) stats.entry('GET', `/item/${i}`).record(1000, -1, 0, 0);
		expect(stats.entries.size).toBe(MAX_ENTRIES + 1);
		expect(stats.entry('GET', '/item/99999').name).toBe(OVERFLOW_NAME);
	});
});

describe('request-list files', () => {
	it('reports a YAML syntax error with its line and a JSON one with its line', async () => {
		const {loadScenario} = await import('../../source/load/scenario-file.js');
		const dir = mkdtempSync(join(tmpdir(), 'drydock-list-'));
		writeFileSync(join(dir, 'bad.yaml'), 'requests:\n  - path: /a\n    weight: [1\n');
		writeFileSync(join(dir, 'bad.json'), '{\n  "requests": [\n    {"path": "/a",}\n  ]\n}\n');
		writeFileSync(join(dir, 'good.yaml'), 'requests:\n  - path: /a\n');
		await expect(loadScenario(join(dir, 'bad.yaml'))).rejects.toThrow(/bad\.yaml:\d+: /);
		await expect(loadScenario(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json:3: invalid JSON/);
		expect((await loadScenario(join(dir, 'good.yaml'))).scenario.tasks).toHaveLength(1);
	});
});
