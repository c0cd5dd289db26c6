/**
 * `drydock run` (the built CLI) against hostile venues on loopback: a closed port, a venue that accepts
 * and never answers, one that resets every connection, one that answers HTML. Each is unreachable at
 * preflight: exit 2, one line naming the venue and the reason, no stack trace, within the profile's
 * timeout (plus start-up).
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {bin, drydock} from '../commands/helpers.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT_MS = 1500;
let work: string;
let profile: string;
const closers: (() => void)[] = [];

async function listen(server: net.Server): Promise<number> {
	const sockets = new Set<net.Socket>();
	server.on('connection', socket => {
		sockets.add(socket);
		socket.on('error', () => {});
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	closers.push(() => {
		for (const socket of sockets) socket.destroy();
		server.close();
	});
	return (server.address() as net.AddressInfo).port;
}

beforeAll(() => {
	expect(existsSync(bin.replace(/bin\/drydock\.js$/, 'dist/cli.js')), 'run `npm run build` first').toBe(true);
	work = mkdtempSync(path.join(tmpdir(), 'drydock-hostile-run-'));
	const mock = JSON.parse(readFileSync(path.join(repo, 'profiles', 'mock.json'), 'utf8')) as Record<string, unknown>;
	profile = path.join(work, 'short-timeout.json');
	writeFileSync(profile, JSON.stringify({...mock, name: 'short-timeout', timeouts: {requestMs: TIMEOUT_MS}}));
});

afterAll(() => {
	for (const close of closers) close();
	if (work) rmSync(work, {recursive: true, force: true});
});

async function runAgainst(url: string): Promise<{code: number | null; stderr: string; elapsed: number}> {
	const started = Date.now();
	const child = drydock(
		[
			'run',
			'--profile',
			profile,
			'--exchange-url',
			url,
			'--phases',
			'connectivity',
			'--report-dir',
			path.join(work, 'reports'),
			'--headless',
		],
		{cwd: work},
	);
	const exit = await child.exit;
	return {code: exit.code, stderr: child.stderr(), elapsed: Date.now() - started};
}

function expectUnreachable(result: {code: number | null; stderr: string; elapsed: number}, reason: RegExp): void {
	expect(result.code, result.stderr).toBe(2);
	expect(result.stderr).toMatch(/drydock: exchange at http:\/\/127\.0\.0\.1:\d+ is unreachable: /);
	expect(result.stderr).toMatch(reason);
	expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
	// Start-up (ccxt load on a busy box) plus one timeout, not minutes.
	expect(result.elapsed).toBeLessThan(TIMEOUT_MS + 30_000);
}

describe('drydock run against hostile venues', () => {
	it('a closed port', async () => {
		const port = await listen(net.createServer());
		closers.pop()!();
		expectUnreachable(await runAgainst(`http://127.0.0.1:${port}`), /ECONNREFUSED/);
	}, 60_000);

	it('a venue that accepts and never answers', async () => {
		const port = await listen(net.createServer(socket => socket.resume()));
		expectUnreachable(await runAgainst(`http://127.0.0.1:${port}`), /timed out \(1500 ms\)|no answer within 1500 ms/);
	}, 60_000);

	it('a venue that resets every connection', async () => {
		const port = await listen(net.createServer(socket => socket.resetAndDestroy()));
		expectUnreachable(await runAgainst(`http://127.0.0.1:${port}`), /ECONNRESET|other side closed|socket/i);
	}, 60_000);

	it('a venue that answers an HTML page', async () => {
		const port = await listen(
			http.createServer((req, res) => {
				req.resume();
				res.writeHead(200, {'content-type': 'text/html'}).end('<html><body>Under maintenance</body></html>');
			}),
		);
		expectUnreachable(
			await runAgainst(`http://127.0.0.1:${port}`),
			/answered 200 with a body that is not JSON .*Under maintenance/,
		);
	}, 60_000);
});
