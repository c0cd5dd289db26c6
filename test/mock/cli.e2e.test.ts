/** `drydock mock` as a user runs it: the built CLI in its own process. */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {beforeAll, describe, expect, it} from 'vitest';
import WebSocket from 'ws';
import {hmacHex} from '../../source/mock/signing.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/drydock.js');

function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const path = join(dir, entry.name);
		newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
	}
	return newest;
}

/** Builds unless dist already holds the current sources (npm test builds first anyway). */
function ensureBuilt(): void {
	const built = join(root, 'dist/commands/mock.js');
	const sources = Math.max(
		newestMtime(join(root, 'source/mock')),
		statSync(join(root, 'source/commands/mock.ts')).mtimeMs,
	);
	if (existsSync(built) && statSync(built).mtimeMs >= sources && existsSync(join(root, 'dist/mock/index.js'))) return;
	// tsc emits even when someone else's file has a type error; only a missing output is fatal.
	spawnSync(
		process.execPath,
		[join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
		{stdio: 'ignore'},
	);
	if (!existsSync(built)) throw new Error('npm run build did not produce dist/commands/mock.js');
}

function start(
	args: string[],
): Promise<{child: ChildProcess; ready: {rest: string; ws: string; admin: string}; stdout: () => string}> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [bin, 'mock', ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']});
		let out = '';
		let err = '';
		const timer = setTimeout(() => reject(new Error(`no ready line within 20 s; stderr: ${err}`)), 20_000);
		child.stdout.on('data', chunk => {
			out += String(chunk);
			const newline = out.indexOf('\n');
			if (newline >= 0) {
				clearTimeout(timer);
				resolve({
					child,
					ready: JSON.parse(out.slice(0, newline)) as {rest: string; ws: string; admin: string},
					stdout: () => out,
				});
			}
		});
		child.stderr.on('data', chunk => (err += String(chunk)));
		child.once('exit', code => reject(new Error(`exited ${code} before ready; stderr: ${err}`)));
	});
}

const exited = (child: ChildProcess) =>
	new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));

describe('drydock mock (spawned)', () => {
	beforeAll(() => ensureBuilt(), 240_000);

	it('prints exactly one JSON line, serves REST and WS with the given credentials, and exits 0 on SIGTERM closing its sockets', async () => {
		const apiKey = 'cliTestKey123';
		const apiSecret = 'cli-test-secret';
		const {child, ready, stdout} = await start([
			'--port',
			'0',
			'--seed',
			'9',
			'--symbols',
			'BTCUSDT,SOLUSDT',
			'--api-key',
			apiKey,
			'--api-secret',
			apiSecret,
			'--weight-limit',
			'12345',
		]);
		const port = new URL(ready.rest).port;
		expect(ready).toEqual({
			rest: `http://127.0.0.1:${port}`,
			ws: `ws://127.0.0.1:${port}`,
			admin: `http://127.0.0.1:${port}/__drydock`,
		});
		const price = (await (await fetch(`${ready.rest}/api/v3/ticker/price?symbol=SOLUSDT`)).json()) as {price: string};
		const info = (await (await fetch(`${ready.rest}/api/v3/exchangeInfo`)).json()) as {
			rateLimits: Array<{rateLimitType: string; limit: number}>;
			symbols: Array<{symbol: string}>;
		};
		expect(info.rateLimits[0]).toMatchObject({rateLimitType: 'REQUEST_WEIGHT', limit: 12345});
		expect(info.symbols.map(s => s.symbol)).toEqual(['BTCUSDT', 'SOLUSDT']);
		expect(Number(price.price)).toBeGreaterThan(0);
		const query = `timestamp=${Date.now()}`;
		const account = await fetch(`${ready.rest}/api/v3/account?${query}&signature=${hmacHex(apiSecret, query)}`, {
			headers: {'X-MBX-APIKEY': apiKey},
		});
		expect(account.status).toBe(200);
		const socket = new WebSocket(`${ready.ws}/ws/btcusdt@trade`);
		await new Promise((resolve, reject) => {
			socket.once('open', resolve);
			socket.once('error', reject);
		});
		const socketClosed = new Promise<number>(resolve => socket.once('close', code => resolve(code)));
		const exit = exited(child);
		child.kill('SIGTERM');
		expect(await exit).toBe(0);
		expect(await socketClosed).toBeGreaterThan(0);
		expect(stdout().trim().split('\n')).toHaveLength(1);
	});

	it('exits 0 on SIGINT too', async () => {
		const {child} = await start([]);
		const exit = exited(child);
		child.kill('SIGINT');
		expect(await exit).toBe(0);
	});

	it('documents the default credentials in --help and rejects bad flags with exit 2 and one line', () => {
		const help = spawnSync(process.execPath, [bin, 'mock', '--help'], {cwd: root, encoding: 'utf8'});
		expect(help.status).toBe(0);
		expect(help.stdout).toMatch(/api key\s+[A-Za-z0-9]{64}/);
		expect(help.stdout).toMatch(/api secret\s+[A-Za-z0-9]{64}/);
		const bad = spawnSync(process.execPath, [bin, 'mock', '--port', 'eighty'], {cwd: root, encoding: 'utf8'});
		expect(bad.status).toBe(2);
		expect(bad.stderr.trim().split('\n')).toHaveLength(1);
		expect(bad.stderr).toContain('--port');
		expect(bad.stdout).toBe('');
	});
});
