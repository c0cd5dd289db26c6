import {describe, expect, it} from 'vitest';
import {mkdtemp, readFile, readdir, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {XMLParser, XMLValidator} from 'fast-xml-parser';
import {writeFileAtomic} from '../../source/report/json.js';
import {formatSummary} from '../../source/report/summary.js';
import {decodeHistogram} from '../../source/engine/latency.js';
import {createMasker, redact} from '../../source/profiles/mask.js';
import {testEngine} from '../engine/helpers.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';
import type {Report} from '../../source/report/model.js';
import {secretForms} from '../../source/util/secret-forms.js';

const SECRET = 'sEcReT-planted-0123456789abcdef';

async function sampleRun(): Promise<{report: Report; dir: string}> {
	const base = await mkdtemp(path.join(tmpdir(), 'drydock-report-'));
	const masker = createMasker([SECRET]);
	const phases: PhaseDefinition<object, {name: string}>[] = [
		{
			id: 'config',
			title: 'Config',
			run: async ctx => {
				ctx.check({id: 'keys', title: `key ${SECRET} present`, verdict: 'pass', measured: true, threshold: 'set'});
				ctx.check({
					id: 'urls',
					title: 'URLs <match> & "env"',
					verdict: 'warn',
					measured: 'http',
					threshold: 'https',
					reason: 'plain http on loopback',
				});
			},
		},
		{
			id: 'streams',
			title: 'Streams',
			run: async ctx => {
				ctx.check({
					id: 'trade',
					title: 'trade stream',
					verdict: 'no-data',
					measured: 0,
					threshold: '> 0 messages',
					reason: 'connected, silent for 10 s',
				});
				ctx.check({id: 'depth', title: 'depth', verdict: 'skipped', reason: 'venue gives no control'});
			},
		},
		{
			id: 'orders',
			title: 'Orders',
			run: async ctx => {
				ctx.check({
					id: 'reject',
					title: 'rejects bad order',
					verdict: 'fail',
					measured: 'accepted',
					threshold: 'rejected',
					reason: `venue accepted it (key ${SECRET})`,
				});
				ctx.error({kind: 'auth', message: `signature for ${SECRET} invalid`});
			},
		},
		{
			id: 'soak',
			title: 'Soak',
			run: async ctx => {
				for (let i = 0; i < 200; i++)
					ctx.operation({
						kind: 'cycle',
						ok: i !== 7,
						latencyMs: 0.5 + (i % 10) / 10,
						...(i === 7 ? {error: {kind: 'network', message: 'reset'}} : {}),
					});
				ctx.order('placed', 200);
				ctx.order('filled', 199);
				ctx.position('opened', 3);
				ctx.position('closed', 3);
				ctx.check({
					id: 'consistency',
					title: 'positions consistent',
					verdict: 'pass',
					measured: 0,
					threshold: '= 0 discrepancies',
				});
			},
		},
	];
	const engine = testEngine(phases, {}, {reportDir: base, mask: t => masker.mask(t)});
	const outcome = await engine.start({
		name: 'custom',
		phases: ['config', 'streams', 'orders', 'soak'],
		soakDurationMs: 1000,
	});
	await engine.close();
	expect(outcome.exitCode).toBe(1);
	return {report: outcome.report!, dir: outcome.reportDir!};
}

describe('report.json', () => {
	it('has the DESIGN.md fields, soak figures, an exact histogram, and no secret anywhere on disk', async () => {
		const {report, dir} = await sampleRun();
		const onDisk = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as Report;
		expect(onDisk.run_id).toBe(report.run_id);
		for (const field of [
			'test_type',
			'start_time',
			'end_time',
			'duration_hours',
			'total_operations',
			'success_rate',
			'average_latency_ms',
			'peak_latency_ms',
			'min_latency_ms',
			'performance_grade',
			'targets_met',
			'consistency_valid',
			'success',
			'phases',
			'interrupted',
		])
			expect(onDisk).toHaveProperty(field);
		for (const field of [
			'uptime_hours',
			'error_rate_per_hour',
			'average_memory_mb',
			'peak_memory_mb',
			'average_cpu_percent',
			'orders_placed',
			'orders_filled',
			'positions_opened',
			'positions_closed',
		])
			expect(onDisk.metrics).toHaveProperty(field);
		expect(onDisk.schema).toBe('drydock.report/1');
		expect(onDisk.test_type).toBe('soak');
		expect(onDisk.total_operations).toBe(200);
		expect(onDisk.success_rate).toBeCloseTo(99.5, 3);
		expect(onDisk.min_latency_ms).toBe(0.5);
		expect(onDisk.peak_latency_ms).toBe(1.4);
		expect(onDisk.performance_grade).toBe('A'); // 99.5 % ≥ A's 99.5 % and avg 0.95 ms < 5 ms (A+ needs 99.9 %)
		expect(onDisk.metrics.orders_placed).toBe(200);
		expect(onDisk.consistency_valid).toBe(true);
		expect(onDisk.success).toBe(false);
		expect(onDisk.interrupted).toBe(false);
		expect(onDisk.phases.map(p => p.status)).toEqual(['warn', 'no-data', 'fail', 'pass']);
		const h = decodeHistogram(onDisk.histograms.operations);
		expect(h.count).toBe(200);
		expect(h.percentileMs(100)).toBeCloseTo(1.4, 2);
		for (const file of await readdir(dir)) expect(await readFile(path.join(dir, file), 'utf8')).not.toContain(SECRET);
		expect(JSON.stringify(onDisk)).toContain(redact(SECRET));
	});

	it('junit.xml is well-formed: a testsuite per phase, a testcase per check, failure/skipped/system-out by verdict', async () => {
		const {dir} = await sampleRun();
		const xml = await readFile(path.join(dir, 'junit.xml'), 'utf8');
		expect(XMLValidator.validate(xml)).toBe(true);
		const doc = new XMLParser({
			ignoreAttributes: false,
			attributeNamePrefix: '',
			isArray: name => name === 'testsuite' || name === 'testcase',
		}).parse(xml) as {
			testsuites: {
				tests: string;
				failures: string;
				testsuite: {name: string; tests: string; testcase: Record<string, unknown>[]}[];
			};
		};
		const suites = doc.testsuites.testsuite;
		expect(suites.map(s => s.name)).toEqual(['config', 'streams', 'orders', 'soak']);
		const byName = Object.fromEntries(suites.map(s => [s.name, s]));
		expect(byName.config!.testcase[1]!['system-out']).toMatch(/^WARN/);
		expect(byName.config!.testcase[1]!.name).toBe('urls: URLs <match> & "env"');
		expect(byName.streams!.testcase[0]!.skipped).toMatchObject({message: expect.stringMatching(/^no data/)});
		expect(byName.streams!.testcase[1]!.skipped).toMatchObject({message: 'venue gives no control'});
		expect(byName.orders!.testcase[0]!.failure).toBeDefined();
		expect(Number(doc.testsuites.failures)).toBe(1);
		expect(Number(doc.testsuites.tests)).toBe(suites.reduce((n, s) => n + s.testcase.length, 0));
	});

	it('the summary names every phase and the soak final block', async () => {
		const {report} = await sampleRun();
		const text = formatSummary(report, 'x/report.json');
		for (const id of ['config', 'streams', 'orders', 'soak']) expect(text).toContain(id);
		expect(text).toContain('soak: final');
		expect(text).toContain('Result: FAILED (exit 1)');
		expect(text).not.toContain(SECRET);
	});
});

describe('atomic writes and masking', () => {
	it('a reader never sees a half-written checkpoint', async () => {
		const dir = await mkdtemp(path.join(tmpdir(), 'drydock-atomic-'));
		const file = path.join(dir, 'report.json');
		await writeFile(file, JSON.stringify({n: -1, pad: 'x'.repeat(100_000)}));
		let reads = 0;
		let stop = false;
		const reader = (async () => {
			while (!stop) {
				const parsed = JSON.parse(await readFile(file, 'utf8')) as {n: number};
				expect(typeof parsed.n).toBe('number');
				reads++;
			}
		})();
		for (let n = 0; n < 60; n++) await writeFileAtomic(file, JSON.stringify({n, pad: 'y'.repeat(100_000 + n * 1000)}));
		stop = true;
		await reader;
		expect(reads).toBeGreaterThan(0);
		expect(JSON.parse(await readFile(file, 'utf8')).n).toBe(59);
		expect((await readdir(dir)).filter(f => f.endsWith('.tmp'))).toEqual([]);
	});

	it('masks registered secrets (and their URL-encoded and base64 forms) in strings and nested values; ignores short values', () => {
		const masker = createMasker(['abc', 'key/with+chars=0123456789']);
		expect(masker.size).toBe(secretForms('key/with+chars=0123456789').length);
		// 'user:' is 5 bytes, so the secret sits at the third base64 alignment, like a 2-byte prefix.
		const header = `Authorization: Basic ${Buffer.from('user:key/with+chars=0123456789').toString('base64')}`;
		const inner = Buffer.from('xykey/with+chars=0123456789').toString('base64').slice(4, -4);
		expect(header).toContain(inner);
		expect(masker.mask(header)).not.toContain(inner);
		expect(masker.mask('x abc y')).toBe('x abc y');
		expect(masker.mask('k=key/with+chars=0123456789&q=key%2Fwith%2Bchars%3D0123456789')).toBe(
			`k=${redact('key/with+chars=0123456789')}&q=${redact('key%2Fwith%2Bchars%3D0123456789')}`,
		);
		expect(masker.maskValue({a: ['key/with+chars=0123456789'], n: 1})).toEqual({
			a: [redact('key/with+chars=0123456789')],
			n: 1,
		});
	});
});
