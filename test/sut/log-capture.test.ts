import {describe, expect, it} from 'vitest';
import {existsSync, mkdtempSync, readFileSync, readdirSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {LogCapture} from '../../source/sut/log-capture.js';
import {resolveSutSpec} from '../../source/sut/spec.js';
import {SutSupervisor} from '../../source/sut/supervisor.js';

const patterns = resolveSutSpec({command: 'x'})!.errorPatterns;

describe('SUT log capture', () => {
	it('writes a real SUT’s stdout and stderr to sut.log, counts error lines, masks the secret drydock gave it', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'sut-log-'));
		const secret = 'S3CR3T-abcdef0123456789';
		const capture = new LogCapture({dir, errorPatterns: patterns, secrets: [secret]});
		const script = [
			'import os, sys',
			'print("starting with secret", os.environ["DRYDOCK_API_SECRET"], flush=True)',
			'print("ERROR order rejected -2010", flush=True)',
			'print("Traceback (most recent call last):", file=sys.stderr, flush=True)',
			'print("0 errors so far, an error in lower case is not one", flush=True)',
			'print("CRITICAL lost the book", file=sys.stderr, flush=True)',
		].join('\n');
		const sup = new SutSupervisor({
			command: `/usr/bin/python3 -c '${script}'; sleep 5`,
			env: {...(process.env as Record<string, string>), DRYDOCK_API_SECRET: secret},
			ready: {kind: 'output', pattern: /CRITICAL/, source: 'CRITICAL'},
			startTimeoutMs: 10_000,
			stopSignal: 'SIGTERM',
			stopTimeoutMs: 2_000,
			restart: {policy: 'never'},
		});
		sup.on(e => {
			if (e.type === 'log') capture.line(e.stream, e.line, e.at);
		});
		expect(await sup.start()).toMatchObject({ok: true});
		await sup.stop();
		capture.close();
		const text = readFileSync(join(dir, 'sut.log'), 'utf8');
		expect(text).not.toContain(secret);
		expect(text).toMatch(/out starting with secret \*\*\*/);
		expect(text).toMatch(/err Traceback/);
		expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z out ERROR order rejected -2010$/m);
		expect(capture.errors()).toMatchObject({total: 3, expected: 0, truncated: false});
		expect(capture.recent().map(l => l.line)).toContain('starting with secret ***');
		expect(capture.lastErrors().map(l => l.line)).toEqual([
			'ERROR order rejected -2010',
			'Traceback (most recent call last):',
			'CRITICAL lost the book',
		]);
	});

	it('rotates at maxBytes and keeps only the configured number of files', () => {
		const dir = mkdtempSync(join(tmpdir(), 'sut-log-'));
		const capture = new LogCapture({dir, errorPatterns: patterns, maxBytes: 2_000, files: 3});
		for (let i = 0; i < 500; i++) {
			capture.line('stdout', `line ${i} ${'x'.repeat(50)}`, 1_700_000_000_000 + i);
			if (i % 10 === 0) capture.flush();
		}
		capture.close();
		const files = readdirSync(dir).sort();
		expect(files).toEqual(['sut.log', 'sut.log.1', 'sut.log.2']);
		for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(2_000);
		expect(readFileSync(join(dir, 'sut.log'), 'utf8')).toMatch(/line 499 /);
		expect(existsSync(join(dir, 'sut.log.3'))).toBe(false);
		expect(capture.recent()).toHaveLength(200);
		expect(capture.lines).toBe(500);
	});

	it('tells expected errors (inside a fault window) from the others, live and afterwards', () => {
		const dir = mkdtempSync(join(tmpdir(), 'sut-log-'));
		const window = {from: 1_000, to: 2_000};
		const capture = new LogCapture({
			dir,
			errorPatterns: patterns,
			expected: at => at >= window.from && at <= window.to,
			maxErrorTimes: 3,
		});
		capture.line('stderr', 'ERROR a', 500);
		capture.line('stderr', 'ERROR b', 1_500);
		capture.line('stderr', 'ERROR c', 1_900);
		capture.line('stderr', 'ERROR d', 2_500);
		capture.line('stdout', 'fine', 2_600);
		capture.close();
		expect(capture.errors()).toMatchObject({total: 4, expected: 2, truncated: true, times: [500, 1_500, 1_900]});
		expect(capture.errorsOutside([window])).toBe(1);
		expect(capture.errorsOutside([], 1_000)).toBe(2);
	});
});
