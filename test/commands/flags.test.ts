/**
 * The flags several commands share, read once in source/commands/flags.ts: defaults, the implied
 * --headless, and the one-line usage errors naming the flag (the e2e usage tests see them end to end).
 */
import {spawn} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {parseCommandArgs} from '../../source/util/args.js';
import {
	headlessFrom,
	helpOption,
	portOption,
	positiveDuration,
	readSessionFlags,
	reportDirFrom,
	sessionOptions,
} from '../../source/commands/flags.js';

const parseSession = (argv: string[]) =>
	parseCommandArgs('run', argv, {...sessionOptions, ...helpOption}, false).values;

describe('shared flags', () => {
	it('session flags default to the mock profile and reports/, and read back what was given', async () => {
		expect(await readSessionFlags(parseSession([]))).toEqual({
			profile: 'mock',
			reportDir: 'reports',
			allowLive: false,
			ascii: false,
			extras: {},
		});
		const given = await readSessionFlags(
			parseSession([
				'--profile',
				'testnet',
				'--report-dir',
				'out',
				'--allow-live',
				'--ascii',
				'--exchange-url',
				'http://127.0.0.1:1',
				'--watch-pid',
				String(process.pid),
				'--metrics-port',
				'0',
			]),
		);
		expect(given).toEqual({
			profile: 'testnet',
			reportDir: 'out',
			allowLive: true,
			ascii: true,
			exchangeUrl: 'http://127.0.0.1:1',
			watchPid: process.pid,
			extras: {metricsPort: 0},
		});
	});

	it('refuses a watched pid that names no process, and export flags without their partner, naming the flag', async () => {
		// A child that has exited and been reaped: its pid names no process (until the kernel reuses it).
		const child = spawn(process.execPath, ['-e', '']);
		await new Promise(resolve => child.on('exit', resolve));
		await expect(readSessionFlags(parseSession(['--watch-pid', String(child.pid)]))).rejects.toThrow(
			`--watch-pid: no process with pid ${child.pid}`,
		);
		await expect(readSessionFlags(parseSession(['--watch-pid', '0']))).rejects.toThrow(
			'--watch-pid: "0" is not an integer ≥ 1',
		);
		await expect(readSessionFlags(parseSession(['--notify-format', 'slack']))).rejects.toThrow(
			'--notify-format: needs --notify URL',
		);
		await expect(readSessionFlags(parseSession(['--metrics-host', '0.0.0.0']))).rejects.toThrow(
			'--metrics-host: needs --metrics-port N',
		);
		await expect(readSessionFlags(parseSession(['--metrics-port', '99999']))).rejects.toThrow(
			'--metrics-port: "99999" is not an integer between 0 and 65535',
		);
	});

	it('ports, durations, report dir and headless read the same for every command', () => {
		expect(portOption('0', '--port')).toBe(0);
		expect(portOption(undefined, '--port')).toBeUndefined();
		expect(() => portOption('65536', '--port')).toThrow('--port: "65536" is not an integer between 0 and 65535');
		expect(positiveDuration('90s', '--run-time')).toBe(90_000);
		expect(() => positiveDuration('0s', '--run-time')).toThrow('--run-time: "0s" must be longer than zero');
		expect(reportDirFrom({})).toBe('reports');
		expect(headlessFrom({}, {isTTY: true})).toBe(false);
		expect(headlessFrom({headless: true}, {isTTY: true})).toBe(true);
		expect(headlessFrom({}, {isTTY: false})).toBe(true);
		expect(headlessFrom({}, {})).toBe(true);
	});

	it('an unknown flag is one usage line naming the command', () => {
		expect(() => parseSession(['--nope'])).toThrow(/^run: Unknown option '--nope'/);
	});
});
