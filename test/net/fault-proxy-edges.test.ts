/**
 * Edges of the fault proxy found in review, on loopback with real sockets: a client that ends before
 * the dial completes, the dial timer after close(), a reset's probability per request on TLS tunnels,
 * the TLS handshake timeout inside a tunnel, and the proxy's refusal to be an open relay.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type {SecureVersion} from 'node:tls';
import {Agent, request} from 'undici';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {isLoopbackHost, startFaultProxy, type FaultProxy} from '../../source/net/fault-proxy.js';
import {targetAllowlist} from '../../source/net/target-allowlist.js';
import {authorityOf} from '../../source/exchange/venues.js';
import {createTunnelAgent, createTunnelConnector} from '../../source/net/tunnel-agent.js';
import WebSocket from 'ws';
import {localhostCert} from './helpers.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

let proxy: FaultProxy | null = null;
const servers: net.Server[] = [];

/** Listens on loopback; the server is closed after the test, or with `owners` when given. */
async function listen(server: net.Server, owners: net.Server[] = servers): Promise<number> {
	owners.push(server);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as net.AddressInfo).port;
}

afterEach(async () => {
	await proxy?.close();
	proxy = null;
	for (const server of servers.splice(0)) {
		server.close();
		(server as net.Server & {closeAllConnections?: () => void}).closeAllConnections?.();
	}
});

describe('fault proxy: links end with their clients', () => {
	it('a client that ends right after CONNECT or an upgrade (before the dial completes) leaves no link open', async () => {
		const peers = new Set<net.Socket>();
		// An echo server: ends its side when the client's end reaches it.
		const echoPort = await listen(
			net.createServer(socket => {
				peers.add(socket);
				socket.on('close', () => peers.delete(socket));
				socket.pipe(socket);
			}),
		);
		proxy = await startFaultProxy();
		const closed: Promise<void>[] = [];
		for (let i = 0; i < 10; i++) {
			const socket = net.connect(proxy.port, '127.0.0.1');
			socket.on('error', () => {});
			socket.resume();
			closed.push(new Promise(resolve => socket.once('close', () => resolve())));
			// Tunnels, and absolute-form upgrades (the same splice after a dial).
			socket.end(
				i % 2 === 0
					? `CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\n\r\n`
					: `GET ws://127.0.0.1:${echoPort}/ws HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
			);
		}
		await expect.poll(() => proxy!.stats().connections).toMatchObject({total: 10, tunnels: 5, upgrades: 5});
		await expect.poll(() => proxy!.stats().connections.open, {timeout: 2_000}).toBe(0);
		await Promise.all(closed);
		await expect.poll(() => peers.size).toBe(0);
	});
});

/**
 * A loopback port whose connects hang: a child process listens with a backlog of 1 and never accepts
 * (its event loop is blocked), and two connections fill that backlog, so later SYNs go unanswered.
 */
async function hangingPort(): Promise<{port: number; stop: () => void}> {
	const child: ChildProcess = spawn(
		process.execPath,
		[
			'-e',
			"const s = require('net').createServer().listen({port: 0, host: '127.0.0.1', backlog: 1}, () => { console.log(s.address().port); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); });",
		],
		{stdio: ['ignore', 'pipe', 'inherit']},
	);
	const port = Number(
		await new Promise<string>(resolve => child.stdout!.once('data', data => resolve(String(data).trim()))),
	);
	const fillers = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
	for (const filler of fillers) filler.on('error', () => {});
	await Promise.all(fillers.map(filler => new Promise(resolve => filler.once('connect', resolve))));
	// Make sure a further connect really hangs here (it does on Linux), or the tests below prove nothing.
	const probe = net.connect(port, '127.0.0.1');
	probe.on('error', () => {});
	const probeConnected = await Promise.race([
		new Promise<boolean>(resolve => probe.once('connect', () => resolve(true))),
		sleep(150).then(() => false),
	]);
	probe.destroy();
	const stop = () => {
		for (const filler of fillers) filler.destroy();
		child.kill('SIGKILL');
	};
	if (probeConnected) {
		stop();
		throw new Error(
			'a connect to a full backlog completed: this kernel does not drop it, so no dial can be kept pending',
		);
	}
	return {port, stop};
}

describe('fault proxy: dialing', () => {
	it('a dial still pending when the proxy closes is not counted as failed later', async () => {
		const target = await hangingPort();
		try {
			proxy = await startFaultProxy({connectTimeoutMs: 300});
			const client = net.connect(proxy.port, '127.0.0.1');
			client.on('error', () => {});
			client.write(`CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`);
			await expect.poll(() => proxy!.stats().connections.total).toBe(1);
			await proxy.close();
			// Past the connect timeout: a timer left running would now count a failure.
			await sleep(500);
			expect(proxy.stats().connections).toMatchObject({failed: 0, open: 0});
			client.destroy();
		} finally {
			target.stop();
		}
	});

	it('a dial that times out answers 504 and counts one failure', async () => {
		const target = await hangingPort();
		try {
			proxy = await startFaultProxy({connectTimeoutMs: 300});
			const client = net.connect(proxy.port, '127.0.0.1');
			let text = '';
			client.on('data', chunk => (text += chunk.toString()));
			client.on('error', () => {});
			client.write(`CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`);
			await new Promise(resolve => client.once('close', resolve));
			expect(text).toMatch(/^HTTP\/1\.1 504[^]*within 300 ms/);
			expect(proxy.stats().connections).toMatchObject({failed: 1, open: 0});
		} finally {
			target.stop();
		}
	});
});

describe('fault proxy: not an open relay', () => {
	it('refuses to listen anywhere but loopback', async () => {
		await expect(startFaultProxy({host: '0.0.0.0'})).rejects.toThrow(/host "0\.0\.0\.0" is not a loopback address/);
		await expect(startFaultProxy({host: '::'})).rejects.toThrow(/not a loopback address/);
		expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopbackHost)).toBe(true);
		expect(['0.0.0.0', '10.0.0.1', '::', '128.0.0.1', 'example.com'].some(isLoopbackHost)).toBe(false);
	});

	it('with a target allowlist, a CONNECT or plain request to another host:port gets 403 and is not dialed', async () => {
		let dialed = 0;
		const allowedPort = await listen(net.createServer(socket => socket.pipe(socket)));
		const otherPort = await listen(
			net.createServer(socket => {
				dialed++;
				socket.destroy();
			}),
		);
		const allowlist = targetAllowlist([`http://127.0.0.1:${allowedPort}/api/v3`, 'wss://stream.binance.com:9443/ws']);
		expect(allowlist.list()).toEqual([`127.0.0.1:${allowedPort}`, 'stream.binance.com:9443']);
		proxy = await startFaultProxy({allowTarget: allowlist.allow});
		const ask = async (head: string) => {
			const socket = net.connect(proxy!.port, '127.0.0.1');
			let text = '';
			socket.on('data', chunk => (text += chunk.toString()));
			socket.on('error', () => {});
			socket.write(head);
			await expect.poll(() => text).toMatch(/^HTTP\/1\.1 \d{3}/);
			socket.destroy();
			return text;
		};
		expect(await ask(`CONNECT 127.0.0.1:${otherPort} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403[^]*not allowed/);
		expect(await ask(`GET http://127.0.0.1:${otherPort}/ HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
		expect(await ask(`CONNECT localhost:${allowedPort} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
		expect(await ask(`CONNECT 127.0.0.1:${allowedPort} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200/);
		expect(proxy.stats().connections.refused).toBe(3);
		expect(dialed).toBe(0);
		expect(authorityOf('https://API.binance.com/api/v3')).toBe('api.binance.com:443');
		expect(authorityOf('ws://[::1]:9000/ws')).toBe('::1:9000');
		expect(authorityOf('not a url')).toBeNull();
	});
});

/** A small seeded generator (mulberry32), so a statistical test gives the same draws every run. */
function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

describe('fault proxy: reset probability is per request', () => {
	const tls = localhostCert();
	const tlsServers = new Map<SecureVersion, number>();
	let httpPort = 0;
	const shared: net.Server[] = [];

	beforeAll(async () => {
		const body = (req: http.IncomingMessage, res: http.ServerResponse) => {
			req.resume();
			req.on('end', () => res.end('ok'));
		};
		httpPort = await listen(http.createServer(body), shared);
		if (!tls) return;
		for (const version of ['TLSv1.3', 'TLSv1.2'] as const)
			tlsServers.set(version, await listen(https.createServer({...tls, maxVersion: version}, body), shared));
	});

	afterAll(() => {
		for (const server of shared.splice(0)) {
			server.close();
			(server as net.Server & {closeAllConnections?: () => void}).closeAllConnections?.();
		}
	});

	/** Sequential GETs: `reused` on one keep-alive connection, then `fresh` each on a new connection. */
	const run = async (origin: string, reused: number, fresh: number): Promise<{ok: number; reset: number}> => {
		const connect = () => createTunnelConnector(proxy!.url, 5_000, tls ? {ca: tls.cert} : {});
		const tally = {ok: 0, reset: 0};
		const once = async (agent: Agent) => {
			try {
				const reply = await request(`${origin}/api/v3/ping`, {
					dispatcher: agent,
					method: 'POST',
					body: 'x'.repeat(3000),
				});
				expect(await reply.body.text()).toBe('ok');
				tally.ok++;
			} catch (error) {
				expect(error).toMatchObject({code: expect.stringMatching(/^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/)});
				tally.reset++;
			}
		};
		const shared = new Agent({connect: connect()});
		for (let i = 0; i < reused; i++) await once(shared);
		await shared.close();
		for (let i = 0; i < fresh; i++) {
			const agent = new Agent({connect: connect()});
			await once(agent);
			await agent.close();
		}
		return tally;
	};

	it('rolls once per request, not per chunk or TLS handshake flight (TLS 1.3, TLS 1.2, plaintext tunnel, plain request)', async () => {
		let rolls = 0;
		// Never below 0.5: counts the rolls without resetting anything.
		proxy = await startFaultProxy({random: () => (rolls++, 0.99)});
		proxy.inject({kind: 'reset', probability: 0.5});
		for (const [version, port] of tlsServers) {
			rolls = 0;
			expect(await run(`https://localhost:${port}`, 6, 4), version).toEqual({ok: 10, reset: 0});
			expect(rolls, version).toBe(10);
		}
		rolls = 0;
		expect(await run(`http://127.0.0.1:${httpPort}`, 6, 4)).toEqual({ok: 10, reset: 0});
		expect(rolls, 'plaintext tunnel').toBe(10);
		rolls = 0;
		// Absolute-form, the body in several chunks: one request, one roll.
		const status = await new Promise<number>((resolve, reject) => {
			const req = http.request(
				{host: '127.0.0.1', port: proxy!.port, method: 'POST', path: `http://127.0.0.1:${httpPort}/x`},
				res => {
					res.resume();
					res.on('end', () => resolve(res.statusCode ?? 0));
				},
			);
			req.on('error', reject);
			req.write('a'.repeat(1000));
			setTimeout(() => req.end('b'.repeat(1000)), 20);
		});
		expect(status).toBe(200);
		expect(rolls, 'plain request').toBe(1);
	});

	it('p = 0.5 resets about half of 400 HTTPS requests through the tunnel connector', async () => {
		if (!tls) return; // no openssl on this machine: nothing to test TLS with
		proxy = await startFaultProxy({random: seeded(42)});
		proxy.inject({kind: 'reset', probability: 0.5});
		const tally = await run(`https://localhost:${tlsServers.get('TLSv1.3')}`, 400, 0);
		expect(tally.ok + tally.reset).toBe(400);
		expect(tally.ok / 400).toBeGreaterThanOrEqual(0.4);
		expect(tally.ok / 400).toBeLessThanOrEqual(0.6);
		expect(proxy.stats().effects.reset).toBe(tally.reset);
	}, 30_000);
});

describe('tunnel agent: the TLS handshake has a deadline', () => {
	it('a blackholed handshake fails with ETIMEDOUT at the dial timeout (undici connector and wss agent)', async () => {
		// The venue never gets to answer: the proxy holds the ClientHello (its CONNECT reply is not held).
		const venuePort = await listen(net.createServer(socket => socket.resume()));
		proxy = await startFaultProxy();
		proxy.inject({kind: 'blackhole'});
		const agent = new Agent({connect: createTunnelConnector(proxy.url, 300)});
		let started = performance.now();
		await expect(request(`https://localhost:${venuePort}/api/v3/ping`, {dispatcher: agent})).rejects.toMatchObject({
			code: 'ETIMEDOUT',
			message: expect.stringMatching(/TLS handshake with localhost:\d+ .* within 300 ms/),
		});
		expect(performance.now() - started).toBeLessThan(2_000);
		await agent.destroy();
		const url = `wss://localhost:${venuePort}/ws`;
		started = performance.now();
		const ws = new WebSocket(url, {agent: createTunnelAgent(proxy.url, url, 300)});
		const error = await new Promise<Error>(resolve => ws.once('error', resolve));
		expect(error.message).toMatch(/TLS handshake .* within 300 ms/);
		expect(performance.now() - started).toBeLessThan(2_000);
		expect(proxy.stats().effects.blackhole).toBe(2);
	}, 10_000);
});
