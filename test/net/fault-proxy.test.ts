/**
 * The fault proxy alone, on loopback with real sockets: CONNECT tunnels, absolute-form HTTP and
 * WebSocket upgrades, and each fault as a client sees it (latency measured, ECONNRESET, its own timeout
 * firing, a stall and its release, a drop), plus bounded memory under a reader that does not read.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {startFaultProxy, type FaultProxy} from '../../source/net/fault-proxy.js';
import {parseProxyFault} from '../../source/faults/spec/proxy-spec.js';
import {createTunnelAgent, createTunnelConnector} from '../../source/net/tunnel-agent.js';
import {Agent, request} from 'undici';
import {rawText} from '../../source/mock/ws/raw-text.js';
import {localhostCert} from './helpers.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

let httpServer: http.Server;
let httpPort: number;
let wss: WebSocketServer;
let wsPort: number;
let echo: net.Server;
let echoPort: number;
let proxy: FaultProxy;
const ticker: NodeJS.Timeout[] = [];

async function listen(server: net.Server): Promise<number> {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
	httpServer = http.createServer((req, res) => {
		if (req.url === '/big') {
			// 16 MB, as fast as the socket takes it.
			const block = Buffer.alloc(64 * 1024, 7);
			let left = 256;
			const pump = () => {
				while (left > 0) {
					left--;
					if (!res.write(block)) return void res.once('drain', pump);
				}
				res.end();
			};
			res.writeHead(200, {'content-length': String(256 * block.length)});
			pump();
			return;
		}
		let body = '';
		req.on('data', c => (body += c));
		req.on('end', () =>
			res
				.writeHead(200, {'content-type': 'text/plain', 'x-seen-url': req.url ?? ''})
				.end(`hello ${req.method} ${req.url} ${body}`),
		);
	});
	httpPort = await listen(httpServer);
	wss = new WebSocketServer({host: '127.0.0.1', port: 0});
	await new Promise(resolve => wss.once('listening', resolve));
	wsPort = (wss.address() as net.AddressInfo).port;
	wss.on('connection', socket => {
		let n = 0;
		const timer = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send(String(n++)), 10);
		ticker.push(timer);
		socket.on('close', () => clearInterval(timer));
		socket.on('message', data => socket.send(`echo:${rawText(data)}`));
	});
	echo = net.createServer(socket => socket.pipe(socket));
	echoPort = await listen(echo);
});

afterAll(async () => {
	for (const t of ticker) clearInterval(t);
	await new Promise(resolve => httpServer.close(resolve));
	httpServer.closeAllConnections();
	for (const client of wss.clients) client.terminate();
	await new Promise(resolve => wss.close(resolve));
	await new Promise(resolve => echo.close(resolve));
});

afterEach(async () => {
	await proxy?.close();
});

/** A GET through the proxy's CONNECT tunnel (what undici's ProxyAgent does), fresh connection each time. */
function get(pathName: string, timeoutMs = 5_000): Promise<{status: number; body: string; ms: number}> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const req = http.get(
			{
				host: '127.0.0.1',
				port: httpPort,
				path: pathName,
				agent: createTunnelAgent(proxy.url, 'http://x'),
				timeout: timeoutMs,
			},
			res => {
				let body = '';
				res.on('data', c => (body += c));
				res.on('end', () => resolve({status: res.statusCode ?? 0, body, ms: performance.now() - started}));
				res.on('error', reject);
			},
		);
		req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), {code: 'CLIENT_TIMEOUT'})));
		req.on('error', reject);
	});
}

function openWs(viaProxy = true): Promise<{ws: WebSocket; messages: string[]; closed: Promise<number>}> {
	const url = `ws://127.0.0.1:${wsPort}/ws`;
	const ws = new WebSocket(url, viaProxy ? {agent: createTunnelAgent(proxy.url, url)} : {});
	const messages: string[] = [];
	ws.on('message', data => messages.push(rawText(data)));
	ws.on('error', () => {});
	const closed = new Promise<number>(resolve => ws.once('close', code => resolve(code)));
	return new Promise((resolve, reject) => {
		ws.once('open', () => resolve({ws, messages, closed}));
		ws.once('error', reject);
	});
}

describe('fault proxy: forwarding', () => {
	it('CONNECT tunnels bytes both ways to a TCP server', async () => {
		proxy = await startFaultProxy();
		expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const socket = net.connect(proxy.port, '127.0.0.1');
		let received = '';
		socket.on('data', c => (received += c.toString()));
		socket.write(`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\n\r\n`);
		await expect.poll(() => received).toMatch(/^HTTP\/1\.1 200/);
		received = '';
		socket.write('ping-through-tunnel');
		await expect.poll(() => received).toBe('ping-through-tunnel');
		socket.destroy();
		expect(proxy.stats().connections).toMatchObject({total: 1, tunnels: 1});
		await expect.poll(() => proxy.stats().connections.open).toBe(0);
	});

	it('answers a CONNECT to a port nobody listens on with 502, and a bad target with 400', async () => {
		proxy = await startFaultProxy();
		const free = net.createServer();
		const port = await listen(free);
		await new Promise(resolve => free.close(resolve));
		const reply = async (line: string) => {
			const socket = net.connect(proxy.port, '127.0.0.1');
			let text = '';
			socket.on('data', c => (text += c.toString()));
			socket.write(`${line}\r\n\r\n`);
			await new Promise(resolve => socket.once('close', resolve));
			return text;
		};
		expect(await reply(`CONNECT 127.0.0.1:${port} HTTP/1.1`)).toMatch(/^HTTP\/1\.1 502[^]*ECONNREFUSED/);
		expect(await reply('CONNECT nonsense HTTP/1.1')).toMatch(/^HTTP\/1\.1 400[^]*bad CONNECT target/);
		expect(proxy.stats().connections.failed).toBe(1);
	});

	it('hostile or confused clients get a 4xx and the proxy goes on', async () => {
		proxy = await startFaultProxy();
		const reply = async (bytes: string) => {
			const socket = net.connect(proxy.port, '127.0.0.1');
			let text = '';
			socket.on('data', c => (text += c.toString()));
			socket.on('error', () => {});
			socket.write(bytes);
			await new Promise(resolve => socket.once('close', resolve));
			return text;
		};
		expect(await reply('\u0000\u0001garbage\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
		expect(await reply('GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[^]*absolute-form/);
		expect(await reply('CONNECT 127.0.0.1:99999 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[^]*bad CONNECT target/);
		expect(await reply(`GET https://127.0.0.1:${httpPort}/ HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(
			/^HTTP\/1\.1 400[^]*CONNECT/,
		);
		expect((await get('/still-fine')).status).toBe(200);
		expect(proxy.stats().connections.refused).toBe(3);
	});

	it('forwards absolute-form plain HTTP requests (method, path, body, status, headers)', async () => {
		proxy = await startFaultProxy();
		const result = await new Promise<{status: number; body: string; seen: string}>((resolve, reject) => {
			const req = http.request(
				{
					host: '127.0.0.1',
					port: proxy.port,
					method: 'POST',
					path: `http://127.0.0.1:${httpPort}/api/v3/order?x=1`,
					headers: {'content-type': 'text/plain'},
				},
				res => {
					let body = '';
					res.on('data', c => (body += c));
					res.on('end', () => resolve({status: res.statusCode ?? 0, body, seen: String(res.headers['x-seen-url'])}));
				},
			);
			req.on('error', reject);
			req.end('side=BUY');
		});
		expect(result).toEqual({status: 200, body: 'hello POST /api/v3/order?x=1 side=BUY', seen: '/api/v3/order?x=1'});
		expect(proxy.stats().connections).toMatchObject({plain: 1, rest: 1, streams: 0});
	});

	it('forwards an absolute-form WebSocket upgrade and counts it as a stream', async () => {
		proxy = await startFaultProxy();
		const frame = await new Promise<string>((resolve, reject) => {
			const req = http.request({
				host: '127.0.0.1',
				port: proxy.port,
				path: `ws://127.0.0.1:${wsPort}/ws`,
				headers: {
					connection: 'Upgrade',
					upgrade: 'websocket',
					'sec-websocket-version': '13',
					'sec-websocket-key': Buffer.alloc(16, 1).toString('base64'),
				},
			});
			req.on('upgrade', (res, socket, head) => {
				expect(res.statusCode).toBe(101);
				const take = (data: Buffer) => {
					// An unmasked server text frame: 0x81, length < 126, payload.
					if (data.length >= 2 && data[0] === 0x81) {
						socket.destroy();
						resolve(data.subarray(2, 2 + data[1]!).toString());
					}
				};
				if (head.length > 0) take(head);
				socket.on('data', take);
			});
			req.on('error', reject);
			req.end();
		});
		expect(frame).toMatch(/^\d+$/);
		expect(proxy.stats().connections).toMatchObject({upgrades: 1, streams: 1});
	});

	it('a ws:// client through a CONNECT tunnel is told apart from REST by its upgrade request', async () => {
		proxy = await startFaultProxy();
		const {ws, messages} = await openWs();
		await expect.poll(() => messages.length).toBeGreaterThan(2);
		ws.close();
		await get('/rest');
		expect(proxy.stats().connections).toMatchObject({tunnels: 2, streams: 1, rest: 1});
	});

	it('wss:// through the tunnel agent: TLS end to end, the proxy only sees a tunnel to a stream host', async () => {
		const tls = localhostCert();
		// openssl makes the throwaway certificate; without it this test cannot prove anything, so it fails.
		expect(tls, 'openssl is needed to make a certificate').not.toBeNull();
		const {key, cert} = tls!;
		const server = https.createServer({key, cert});
		const secure = new WebSocketServer({server});
		secure.on('connection', socket => socket.send('over tls'));
		const port = await listen(server);
		proxy = await startFaultProxy({streamHosts: [`localhost:${port}`]});
		const url = `wss://localhost:${port}/ws`;
		const ws = new WebSocket(url, {agent: createTunnelAgent(proxy.url, url), ca: cert});
		const first = await new Promise<string>((resolve, reject) => {
			ws.once('message', data => resolve(rawText(data)));
			ws.once('error', reject);
		});
		expect(first).toBe('over tls');
		expect(proxy.stats().connections).toMatchObject({tunnels: 1, streams: 1});
		// An untrusted certificate is refused inside the tunnel, as without a proxy.
		const refused = new WebSocket(url, {agent: createTunnelAgent(proxy.url, url)});
		const error = await new Promise<Error>(resolve => refused.once('error', resolve));
		expect(error.message).toMatch(/self.signed|certificate/i);
		ws.terminate();
		// REST the way ccxt's dispatcher does it: undici with the tunnel connector, TLS checked inside.
		server.on('request', (_req, res) => res.end('rest over tls'));
		const trusted = new Agent({connect: createTunnelConnector(proxy.url, 5_000, {ca: cert})});
		const reply = await request(`https://localhost:${port}/api/v3/ping`, {dispatcher: trusted});
		expect(await reply.body.text()).toBe('rest over tls');
		const untrusted = new Agent({connect: createTunnelConnector(proxy.url, 5_000)});
		await expect(request(`https://localhost:${port}/api/v3/ping`, {dispatcher: untrusted})).rejects.toThrow(
			/self.signed|certificate/i,
		);
		await Promise.all([trusted.close(), untrusted.close()]);
		for (const client of secure.clients) client.terminate();
		await new Promise(resolve => server.close(resolve));
	});
});

describe('fault proxy: faults seen from a client', () => {
	it('latency delays both directions; clearing it restores the pace', async () => {
		proxy = await startFaultProxy();
		// Fastest of three, so a busy machine's hiccup does not decide.
		const fastest = async (pathName: string) =>
			Math.min(...[(await get(pathName)).ms, (await get(pathName)).ms, (await get(pathName)).ms]);
		const base = await fastest('/a');
		proxy.inject({kind: 'latency', ms: 150});
		const slow = (await get('/b')).ms;
		proxy.clear({kind: 'latency'});
		const again = await fastest('/c');
		// The request waits 150 ms on the way up and the response 150 ms on the way down.
		expect(slow).toBeGreaterThanOrEqual(290);
		expect(base).toBeLessThan(290);
		expect(again).toBeLessThan(290);
		expect(proxy.stats().effects.latency).toBeGreaterThanOrEqual(2);
	});

	it('reset: the client gets ECONNRESET; a scoped reset leaves the other kind alone', async () => {
		proxy = await startFaultProxy();
		const id = proxy.inject({kind: 'reset', probability: 1});
		await expect(get('/x')).rejects.toMatchObject({code: 'ECONNRESET'});
		expect(proxy.active()).toEqual([expect.objectContaining({id, effects: 1})]);
		proxy.clear({id});
		// Still known after it ended, with what it did.
		expect(proxy.fault(id)).toMatchObject({id, effects: 1, fault: {kind: 'reset'}});
		expect(proxy.fault('nope')).toBeNull();
		proxy.inject({kind: 'reset', probability: 1, scope: 'streams'});
		expect((await get('/y')).status).toBe(200);
		expect(proxy.stats().effects.reset).toBe(1);
	});

	it("blackhole: nothing comes back, so the client's own timeout fires; after the fault, calls work", async () => {
		proxy = await startFaultProxy();
		proxy.inject({kind: 'blackhole'}, 400);
		const started = performance.now();
		await expect(get('/silent', 200)).rejects.toMatchObject({code: 'CLIENT_TIMEOUT'});
		expect(performance.now() - started).toBeGreaterThanOrEqual(190);
		expect(proxy.stats().effects.blackhole).toBe(1);
		await sleep(300);
		expect(proxy.active()).toEqual([]);
		expect((await get('/after')).status).toBe(200);
	});

	it('a blackholed absolute-form request does not reach the server while the fault lasts', async () => {
		proxy = await startFaultProxy();
		let seen = 0;
		const counter = (req: http.IncomingMessage) => {
			if (req.url === '/counted') seen++;
		};
		httpServer.on('request', counter);
		try {
			proxy.inject({kind: 'blackhole'}, 300);
			const started = performance.now();
			let seenDuring = -1;
			const peek = setTimeout(() => (seenDuring = seen), 200);
			const status = await new Promise<number>((resolve, reject) => {
				http
					.get({host: '127.0.0.1', port: proxy.port, path: `http://127.0.0.1:${httpPort}/counted`}, res => {
						res.resume();
						resolve(res.statusCode ?? 0);
					})
					.on('error', reject);
			});
			clearTimeout(peek);
			expect(seenDuring, 'nothing reached the server during the fault').toBe(0);
			expect(status).toBe(200);
			expect(seen).toBe(1);
			expect(performance.now() - started).toBeGreaterThanOrEqual(250);
		} finally {
			httpServer.off('request', counter);
		}
	});

	it('a blackholed request that outlives the fault is delivered late, not lost', async () => {
		proxy = await startFaultProxy();
		proxy.inject({kind: 'blackhole'}, 250);
		const result = await get('/late', 3_000);
		expect(result.status).toBe(200);
		expect(result.ms).toBeGreaterThanOrEqual(200);
	});

	it('stall-streams: a stream goes quiet while REST keeps working, then everything held flows again', async () => {
		proxy = await startFaultProxy();
		const {ws, messages} = await openWs();
		await expect.poll(() => messages.length).toBeGreaterThan(3);
		proxy.inject({kind: 'stall-streams'});
		await sleep(100);
		const before = messages.length;
		await sleep(300);
		expect(messages.length).toBe(before);
		expect((await get('/while-stalled')).status).toBe(200);
		proxy.clear({kind: 'stall-streams'});
		// The server kept sending every 10 ms: the held frames arrive, in order.
		await expect.poll(() => messages.length).toBeGreaterThan(before + 5);
		const numbers = messages.map(Number);
		expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
		expect(proxy.stats().effects['stall-streams']).toBe(1);
		ws.terminate();
	});

	it('drop-websockets closes stream connections at once and leaves REST tunnels up', async () => {
		proxy = await startFaultProxy();
		const {closed} = await openWs();
		const second = await openWs();
		const restSocket = net.connect(proxy.port, '127.0.0.1');
		let restText = '';
		restSocket.on('data', c => (restText += c.toString()));
		restSocket.write(`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\n\r\n`);
		await expect.poll(() => restText).toMatch(/200/);
		restSocket.write('GET / HTTP/1.1\r\n\r\n');
		proxy.inject({kind: 'drop-websockets'});
		const code = await closed;
		expect(code).toBe(1006);
		expect(await second.closed).toBe(1006);
		expect(proxy.stats().effects['drop-websockets']).toBe(2);
		expect(restSocket.destroyed).toBe(false);
		restSocket.destroy();
		// A one-shot drop: the next stream connects and stays.
		const next = await openWs();
		await expect.poll(() => next.messages.length).toBeGreaterThan(2);
		next.ws.terminate();
	});

	it('drop-websockets with a duration keeps cutting new streams until it ends', async () => {
		proxy = await startFaultProxy();
		proxy.inject({kind: 'drop-websockets'}, 300);
		const attempt = await openWs().then(
			async ({closed}) => closed,
			() => -1,
		);
		expect([1006, -1]).toContain(attempt);
		await sleep(350);
		const {ws, messages} = await openWs();
		await expect.poll(() => messages.length).toBeGreaterThan(1);
		ws.terminate();
	});

	it('does not buffer without bound: a reader that stops reading pauses the sender', async () => {
		const highWaterBytes = 128 * 1024;
		proxy = await startFaultProxy({highWaterBytes});
		proxy.inject({kind: 'latency', ms: 5});
		let res!: http.IncomingMessage;
		const got = new Promise<void>((resolve, reject) => {
			const req = http.get(
				{host: '127.0.0.1', port: httpPort, path: '/big', agent: createTunnelAgent(proxy.url, 'http://x')},
				r => {
					res = r;
					resolve();
				},
			);
			req.on('error', reject);
		});
		await got;
		res.pause();
		await sleep(400);
		// 16 MB offered; the proxy holds at most its high-water mark plus a chunk per direction.
		expect(proxy.stats().peakQueuedBytes).toBeLessThanOrEqual(highWaterBytes + 64 * 1024);
		let bytes = 0;
		res.on('data', c => (bytes += c.length));
		res.resume();
		await new Promise(resolve => res.once('end', resolve));
		expect(bytes).toBe(16 * 1024 * 1024);
		expect(proxy.stats().peakQueuedBytes).toBeLessThanOrEqual(highWaterBytes + 64 * 1024);
	});

	it('close() ends every connection and the listener', async () => {
		proxy = await startFaultProxy();
		const {closed} = await openWs();
		await proxy.close();
		expect(await closed).toBe(1006);
		await expect(get('/gone')).rejects.toThrow(/ECONNREFUSED|proxy/);
	});
});

describe('proxy fault parameters', () => {
	it('validates with messages naming the field', () => {
		expect(parseProxyFault('reset', {probability: 2})).toEqual({
			ok: false,
			message: '"params.probability" must be a number between 0 and 1',
		});
		expect(parseProxyFault('blackhole', {scope: 'x'})).toMatchObject({
			ok: false,
			message: expect.stringMatching(/"params.scope" must be one of all, rest, streams/),
		});
		expect(parseProxyFault('latency', {ms: 10, route: '/api/v3/order'})).toMatchObject({
			ok: false,
			message: expect.stringMatching(/TLS tunnel hides the request path/),
		});
		expect(parseProxyFault('reset', {})).toEqual({ok: true, fault: {kind: 'reset', probability: 1}});
		expect(parseProxyFault('latency', {ms: 5, jitterMs: 2})).toEqual({
			ok: true,
			fault: {kind: 'latency', ms: 5, jitterMs: 2},
		});
	});
});
