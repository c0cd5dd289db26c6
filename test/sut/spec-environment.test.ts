import {describe, expect, it} from 'vitest';
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {buildSutEnv, expandTemplate, validateTemplates, type SutVenue} from '../../source/sut/environment.js';
import {
	defaultErrorPatterns,
	parseReadyWhen,
	resolveSutSpec,
	sutSchema,
	withSutCommand,
} from '../../source/sut/spec.js';
import {UsageError} from '../../source/util/usage-error.js';

const run = promisify(execFile);

const venue: SutVenue = {
	rest: 'http://127.0.0.1:4242',
	ws: 'ws://127.0.0.1:4242',
	wsApi: 'ws://127.0.0.1:4242/ws-api/v3',
	apiKey: 'KEY',
	apiSecret: 'SECRET',
	symbols: ['BTCUSDT', 'ETHUSDT'],
	statsd: '127.0.0.1:8125',
};

function usageMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as Error).message;
	}
	throw new Error('no error thrown');
}

describe('sut spec', () => {
	it('fills the defaults', () => {
		const spec = resolveSutSpec({command: 'python -m mybot'})!;
		expect(spec).toMatchObject({
			command: 'python -m mybot',
			cwd: undefined,
			env: {},
			ready: {kind: 'none'},
			startTimeoutMs: 30_000,
			stopSignal: 'SIGTERM',
			stopTimeoutMs: 10_000,
			restart: {policy: 'never'},
			metrics: {},
			limits: {sutRssMb: 500, sutCpuPercent: 50, sutRssSlopeMbPerHour: 5, errorsPerHour: 60},
		});
		expect(spec.errorPatterns.map(p => p.source)).toEqual([...defaultErrorPatterns]);
		const hit = (line: string) => spec.errorPatterns.some(p => p.test(line));
		for (const line of [
			'2026-01-01 ERROR order failed',
			'CRITICAL: book lost',
			'Traceback (most recent call last):',
			'panic: runtime error: index out of range',
			'UnhandledPromiseRejection: boom',
		])
			expect(hit(line), line).toBe(true);
		for (const line of ['0 errors', 'error_count=0', 'ERRORS=0 ok', 'no panicking here'])
			expect(hit(line), line).toBe(false);
	});

	it('reads durations, readiness forms, restart policy, limits and metric names', () => {
		const spec = resolveSutSpec(
			{
				command: 'bot',
				startTimeout: '1m',
				stopTimeout: 2.5,
				stopSignal: 'SIGINT',
				readyWhen: 'tcp:8080',
				restart: {policy: 'on-failure', max: 3},
				metrics: {operation: 'bot.cycle', failure: 'bot.errors'},
				limits: {sutRssMb: 256},
				env: {BINANCE_URL: '{rest}'},
			},
			{profileLimits: {errorsPerHour: 10, rssSlopeMbPerHour: 2}},
		)!;
		expect(spec).toMatchObject({
			startTimeoutMs: 60_000,
			stopTimeoutMs: 2_500,
			stopSignal: 'SIGINT',
			ready: {kind: 'tcp', host: '127.0.0.1', port: 8080},
			restart: {policy: 'on-failure', max: 3},
			metrics: {operation: 'bot.cycle', failure: 'bot.errors'},
			limits: {sutRssMb: 256, sutCpuPercent: 50, errorsPerHour: 10, sutRssSlopeMbPerHour: 2},
		});
		expect(parseReadyWhen('tcp:localhost:9000')).toEqual({kind: 'tcp', host: 'localhost', port: 9000});
		expect(parseReadyWhen('http://127.0.0.1:8080/health')).toEqual({kind: 'http', url: 'http://127.0.0.1:8080/health'});
		expect(parseReadyWhen('^connected to \\w+')).toMatchObject({kind: 'output', source: '^connected to \\w+'});
	});

	it('--sut overrides sut.command; no section and no flag means no SUT', () => {
		expect(resolveSutSpec({command: 'old', stopTimeout: '3s'}, {commandFlag: 'node bot.js'})).toMatchObject({
			command: 'node bot.js',
			stopTimeoutMs: 3_000,
		});
		expect(resolveSutSpec(undefined, {commandFlag: 'node bot.js'})).toMatchObject({
			command: 'node bot.js',
			startTimeoutMs: 30_000,
		});
		expect(resolveSutSpec(undefined)).toBeNull();
		expect(withSutCommand(sutSchema.parse({command: 'a'}), ' b ').command).toBe('b');
		expect(withSutCommand(sutSchema.parse({command: 'a'}), undefined).command).toBe('a');
	});

	it('names the field of every bad value in one line', () => {
		expect(usageMessage(() => resolveSutSpec({command: 'x', startTimeout: 'soon'}))).toBe(
			'sut.startTimeout: expected a duration such as 30s, 5m or 1h30m',
		);
		expect(usageMessage(() => resolveSutSpec({command: 'x', stopSignal: 'SIGSTOP'}))).toMatch(/^sut\.stopSignal: /);
		expect(usageMessage(() => resolveSutSpec({command: 'x', restart: 'always'}))).toMatch(/^sut\.restart: /);
		expect(usageMessage(() => resolveSutSpec({command: 'x', readyWhen: 'tcp:99999'}))).toBe(
			'sut.readyWhen: port 99999 out of range (1–65535)',
		);
		expect(usageMessage(() => resolveSutSpec({command: 'x', readyWhen: 'tcp:abc'}))).toMatch(
			/^sut\.readyWhen: cannot read "tcp:abc"/,
		);
		expect(usageMessage(() => resolveSutSpec({command: 'x', readyWhen: 'ready ('}))).toMatch(
			/^sut\.readyWhen: invalid regular expression "ready \("/,
		);
		expect(usageMessage(() => resolveSutSpec({command: 'x', errorPatterns: ['ok', '[']}))).toMatch(
			/^sut\.errorPatterns\[1\]: invalid regular expression/,
		);
		expect(usageMessage(() => resolveSutSpec({command: 'x', env: {'BAD-NAME': 'x'}}))).toMatch(/^sut\.env\.BAD-NAME: /);
		expect(usageMessage(() => resolveSutSpec({cwd: 'bots'}))).toBe('sut.command: required (or give --sut "CMD")');
		expect(usageMessage(() => resolveSutSpec({command: 'x', bogus: 1}))).toMatch(/^sut: .*bogus/);
		expect(usageMessage(() => resolveSutSpec(undefined, {commandFlag: '  '}))).toMatch(/^--sut: empty command/);
	});
});

describe('sut environment', () => {
	it('gives the child the DRYDOCK_* variables and the expanded templates, without drydock’s own secret', async () => {
		const env = buildSutEnv(
			venue,
			{
				BINANCE_API_URL: '{rest}/api',
				BINANCE_KEY: '{apiKey}',
				CFG: '{"ws": "{wsApi}", "syms": "{symbols}"}',
				STATSD: 'udp://{statsd}',
			},
			{
				base: {PATH: process.env.PATH, HOME: '/home/x', MY_REAL_SECRET: 'drydock-own', DRYDOCK_API_KEY: 'drydock-key'},
				omit: ['MY_REAL_SECRET'],
			},
		);
		const {stdout} = await run(
			'/usr/bin/python3',
			['-c', 'import os, json; print(json.dumps({k: v for k, v in os.environ.items()}))'],
			{env},
		);
		const seen = JSON.parse(stdout) as Record<string, string>;
		expect(seen).toMatchObject({
			DRYDOCK_REST_URL: 'http://127.0.0.1:4242',
			DRYDOCK_WS_URL: 'ws://127.0.0.1:4242',
			DRYDOCK_WS_API_URL: 'ws://127.0.0.1:4242/ws-api/v3',
			DRYDOCK_API_KEY: 'KEY',
			DRYDOCK_API_SECRET: 'SECRET',
			DRYDOCK_SYMBOLS: 'BTCUSDT,ETHUSDT',
			DRYDOCK_STATSD: '127.0.0.1:8125',
			BINANCE_API_URL: 'http://127.0.0.1:4242/api',
			BINANCE_KEY: 'KEY',
			CFG: '{"ws": "ws://127.0.0.1:4242/ws-api/v3", "syms": "BTCUSDT,ETHUSDT"}',
			STATSD: 'udp://127.0.0.1:8125',
			HOME: '/home/x',
		});
		expect(seen.MY_REAL_SECRET).toBeUndefined();
	});

	it('names an unknown placeholder and where it is', () => {
		expect(usageMessage(() => buildSutEnv(venue, {BOT_URL: '{restUrl}'}))).toBe(
			'sut.env.BOT_URL: unknown placeholder {restUrl} (known: {rest} {ws} {wsApi} {apiKey} {apiSecret} {symbols} {statsd})',
		);
		expect(usageMessage(() => validateTemplates({A: '{rest}', B: 'x {secret}'}))).toMatch(
			/^sut\.env\.B: unknown placeholder \{secret\}/,
		);
		expect(expandTemplate('{a}{a}', {a: 'x'})).toBe('xx');
		expect(usageMessage(() => expandTemplate('{toString}', {}))).toMatch(/unknown placeholder \{toString\}/);
	});
});
