/**
 * Secrets never reach the screen: the interactive console (it needs a TTY, so tmux) with recognisable
 * 64-character keys planted in every environment variable a profile may name, on
 * - a mock that accepts those keys (the quick run goes through config, connectivity, security,
 *   streams, orders… while we watch),
 * - the testnet profile, with the network cut at the process (test/security/no-network.mjs: nothing
 *   leaves 127.0.0.1; the venue is "unreachable"),
 * - a venue on a loopback port that refuses connections.
 * Each session is driven through the help overlay, the quick-run key, every panel (error log, stream
 * inspector with a stream selected, resources) and quit. We search every byte the terminal received
 * (tmux pipe-pane: frames overwritten between two looks included), every frame we captured, and the
 * scrollback at the end (capture-pane -S -), raw and with escape sequences stripped, for every form
 * of each secret (raw, URL-encoded, base64/base64url at each alignment, hex, a long fragment).
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';
import {root, skipReason, sleep, tmuxServer} from '../ui/helpers.js';
import {leaksIn, needlesFor} from './helpers.js';

const KEY = 'ConsoleKeyR8tY2uI4oP6aS8dF0gH2jK4lZ6xC8vB0nM2qW4eR6tY8uI0oP2aS4d';
const SECRET = 'ConsoleSecretM3nB5vC7xZ9lK1jH3gF5dS7aP9oI1uY3tR5eW7qM9nB1vC3xZ5l';
const needles = needlesFor({'API key': KEY, secret: SECRET});
const preload = fileURLToPath(new URL('./no-network.mjs', import.meta.url));
const exited = /DRYDOCK_EXIT=(\d+)/;
// eslint-disable-next-line no-control-regex -- ANSI escape sequences are made of control characters
const ansi = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])/g;

if (skipReason) console.warn(`test/security/secrets-console.test.ts skipped: ${skipReason}`);
const server = tmuxServer('drydock-secrets-console');

let work: string;
let mock: MockExchange;
let blockedLog: string;
/** What each session showed: label → every capture and the raw terminal bytes. */
const seen = new Map<string, {frames: Set<string>; rawFile: string; scrollback: string}>();

const plantedEnv = (): Record<string, string> => ({
	CI: 'true',
	FORCE_COLOR: '0',
	DRYDOCK_API_KEY: KEY,
	DRYDOCK_API_SECRET: SECRET,
	DRYDOCK_MOCK_API_KEY: KEY,
	DRYDOCK_MOCK_API_SECRET: SECRET,
	BINANCE_TESTNET_API_KEY: KEY,
	BINANCE_TESTNET_API_SECRET: SECRET,
	BINANCE_API_KEY: KEY,
	BINANCE_API_SECRET: SECRET,
	NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`,
	DRYDOCK_BLOCKED_LOG: blockedLog,
});

async function refusedPort(): Promise<number> {
	const probe = http.createServer();
	await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
	const {port} = probe.address() as AddressInfo;
	await new Promise(resolve => probe.close(resolve));
	return port;
}

beforeAll(async () => {
	if (skipReason) return;
	work = mkdtempSync(path.join(tmpdir(), 'drydock-secrets-console-'));
	blockedLog = path.join(work, 'blocked.log');
	mock = await startMockExchange({
		host: '127.0.0.1',
		port: 0,
		seed: 13,
		apiKey: KEY,
		apiSecret: SECRET,
		weightLimitPerMinute: 1_000_000,
		quiet: true,
	});
	const shipped = JSON.parse(readFileSync(path.join(root, 'profiles', 'mock.json'), 'utf8')) as Record<string, unknown>;
	writeFileSync(
		path.join(work, 'refused.json'),
		JSON.stringify({
			...shipped,
			name: 'refused',
			urls: {rest: `http://127.0.0.1:${await refusedPort()}`},
			timeouts: {requestMs: 2000},
		}),
	);
}, 30_000);

afterAll(async () => {
	server.killServer();
	await mock?.close();
	if (work) rmSync(work, {recursive: true, force: true});
});

/**
 * Runs the console in a fresh tmux session and drives it; every frame is kept. `untilMs` bounds the
 * time spent watching the quick run; `doneWatching` may end it early.
 */
async function driveConsole(
	label: string,
	args: string,
	options: {untilMs: number; doneWatching?: (screen: string) => boolean},
): Promise<{code: number; frames: Set<string>}> {
	const session = label;
	const rawFile = path.join(work, `${label}.raw`);
	const frames = new Set<string>();
	seen.set(label, {frames, rawFile, scrollback: ''});
	await server.open(session, 100, 30, plantedEnv());
	// Every byte the pane receives from here on.
	server.tmux('pipe-pane', '-t', session, '-o', `cat >> ${JSON.stringify(rawFile)}`);
	let watching = true;
	const recorder = (async () => {
		while (watching) {
			try {
				frames.add(server.screen(session));
			} catch {
				// The session is gone.
			}
			await sleep(200);
		}
	})();
	try {
		server.run(
			session,
			`node bin/drydock.js ${args} --report-dir ${JSON.stringify(path.join(work, 'reports', label))}; echo "DRYDOCK_EXIT=$?"`,
		);
		await server.waitFor(session, 'the first frame', s => /^drydock /m.test(s) && /\? help/.test(s), 30_000);
		server.keys(session, '?');
		await server.waitFor(session, 'the help overlay', 'any key closes');
		await sleep(300);
		server.keys(session, 'Escape');
		await server.waitFor(session, 'help closed', s => !s.includes('any key closes'));
		// A key right after Esc would arrive as Alt-<key>.
		await sleep(700);
		server.keys(session, 'Q');
		await server.waitFor(session, 'the quick run to start', /plan quick|setup failed|unreachable|not ready/, 20_000);
		// Walk the panels while the run goes: phases → metrics → errors → streams (a stream selected) → resources.
		const deadline = Date.now() + options.untilMs;
		let step = 0;
		while (Date.now() < deadline && !(options.doneWatching?.(server.screen(session)) ?? false)) {
			server.keys(session, 'Tab');
			step++;
			if (step % 5 === 3) server.keys(session, 'Down');
			await sleep(700);
		}
		// And each panel once more at the end, with whatever the run logged.
		for (let i = 0; i < 5; i++) {
			server.keys(session, 'Tab');
			await sleep(400);
			if (i === 2) {
				server.keys(session, 'Down');
				await sleep(400);
			}
		}
		server.keys(session, 'q');
		const asked = await server.waitFor(session, 'the quit confirmation or the exit', /Quit\?|DRYDOCK_EXIT=/, 20_000);
		if (/Quit\?/.test(asked) && !exited.test(asked)) server.keys(session, 'y');
		const end = await server.waitFor(session, 'drydock to exit', exited, 40_000);
		await sleep(300);
		seen.get(label)!.scrollback = server.everything(session);
		return {code: Number(exited.exec(end)![1]), frames};
	} finally {
		watching = false;
		await recorder;
		server.close(session);
	}
}

describe.skipIf(skipReason !== null)('the interactive console, with secrets planted', () => {
	it.concurrent(
		'on a mock that accepts the planted keys: a quick run watched through every panel',
		async () => {
			const {code, frames} = await driveConsole('mock', `--exchange-url ${mock.rest}`, {
				untilMs: 100_000,
				doneWatching: s => /● soak/.test(s),
			});
			expect([0, 1, 130], 'exit code').toContain(code);
			const all = [...frames].join('\n');
			// The run really used the planted keys and got far: the signed account read and orders happened.
			// (Pass or warn: a loaded machine may push a latency over its threshold; a rejected key would fail.)
			expect(all).toMatch(/[✔!] connectivity/);
			expect(all).toMatch(/[✔!] security/);
			expect(all).toMatch(/[✔!✘] orders|● soak|● (portfolio|pipeline|resilience|concurrency)/);
			// The inspector showed raw frames of a selected stream.
			expect(all, 'the stream inspector showed raw messages').toMatch(/"(e|stream|u|s)": "/);
			// Signed calls with the planted keys really happened: orders were placed.
			expect(Object.values(mock.stats().orders.byStatus).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
			if (process.env.DRYDOCK_TEST_SHOW) console.log([...frames].slice(-40).join('\n=====\n'));
		},
		180_000,
	);

	it.concurrent(
		'testnet, the network cut at the process: the console says unreachable, nothing left 127.0.0.1',
		async () => {
			const {code, frames} = await driveConsole('testnet', '--profile testnet', {untilMs: 6_000});
			expect([0, 1, 2], 'exit code').toContain(code);
			expect([...frames].join('\n')).toMatch(/unreachable/);
			const hosts = existsSync(blockedLog)
				? [...new Set(readFileSync(blockedLog, 'utf8').split('\n').filter(Boolean))]
				: [];
			expect(hosts).toContain('testnet.binance.vision');
			for (const host of hosts) expect(host).toMatch(/(^|\.)binance\.vision$/);
		},
		90_000,
	);

	it.concurrent(
		'a venue on a loopback port that refuses connections',
		async () => {
			const {code, frames} = await driveConsole(
				'refused',
				`--profile ${JSON.stringify(path.join(work, 'refused.json'))}`,
				{untilMs: 6_000},
			);
			expect([0, 1, 2], 'exit code').toContain(code);
			expect([...frames].join('\n')).toMatch(/unreachable|ECONNREFUSED/);
		},
		90_000,
	);
});

describe.skipIf(skipReason !== null)('the search', () => {
	it('finds no form of either secret in any frame, any terminal byte or the scrollback', () => {
		expect([...seen.keys()].sort()).toEqual(['mock', 'refused', 'testnet']);
		const found: string[] = [];
		for (const [label, {frames, rawFile, scrollback}] of seen) {
			expect(frames.size, `${label}: frames captured`).toBeGreaterThan(5);
			expect(existsSync(rawFile), `${label}: raw terminal log`).toBe(true);
			const raw = readFileSync(rawFile).toString('latin1');
			expect(raw.length, `${label}: raw terminal bytes`).toBeGreaterThan(10_000);
			const texts: [string, string][] = [
				['raw bytes', raw],
				['raw bytes, escapes stripped', raw.replace(ansi, '')],
				['frames', [...frames].join('\n')],
				['scrollback', scrollback],
			];
			for (const [where, text] of texts)
				for (const leak of leaksIn(text, needles)) found.push(`${label} ${where}: ${leak}`);
		}
		expect(found).toEqual([]);
	});

	it('would have found a planted leak', () => {
		expect(leaksIn(`x${KEY}y`, needles)).toContain('API key (raw)');
		expect(leaksIn(Buffer.from(`k:${SECRET}`).toString('base64'), needles)).not.toEqual([]);
		expect(leaksIn(`...${SECRET.slice(10, 50)}...`, needles)).toContain('secret (fragment)');
	});
});
