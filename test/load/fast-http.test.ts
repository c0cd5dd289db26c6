import {createServer, type Server} from 'node:http';
import {createServer as createTcpServer, type AddressInfo, type Server as TcpServer} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {FastHttpClient, type FastResponse} from '../../source/load/fast-http.js';

let server: Server;
let origin: string;
const big = Buffer.alloc(1_000_000, 'x');

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString();
			switch (req.url) {
				case '/chunked':
					res.setHeader('x-kind', 'chunked');
					res.write('hello ');
					setTimeout(() => res.end('world'), 5);
					return;
				case '/close':
					res.writeHead(200, {connection: 'close', 'content-length': 2});
					res.end('ok');
					return;
				case '/empty':
					res.writeHead(204);
					res.end();
					return;
				case '/big':
					res.writeHead(200, {'content-length': big.length});
					res.end(big);
					return;
				case '/echo':
					res.writeHead(201, {'content-type': 'application/json', 'x-a': '1'});
					res.end(JSON.stringify({method: req.method, body, host: req.headers.host, token: req.headers.authorization}));
					return;
				default:
					res.writeHead(404, {'content-length': 0});
					res.end();
			}
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise(r => server.close(r));
});

function send(
	client: FastHttpClient,
	method: string,
	path: string,
	headers: Record<string, string> | null = null,
	body: string | null = null,
): Promise<FastResponse> {
	return new Promise((resolve, reject) =>
		client.send(origin, method, path, headers, body, (error, response) => (error ? reject(error) : resolve(response!))),
	);
}

describe('FastHttpClient', () => {
	it('parses content-length, chunked, 204, HEAD, connection: close and large bodies on reused sockets', async () => {
		const client = new FastHttpClient();
		try {
			for (let round = 0; round < 3; round++) {
				const echo = await send(client, 'POST', '/echo', {authorization: 'Bearer t'}, '{"n":1}');
				expect(echo.status).toBe(201);
				expect(JSON.parse(echo.body.toString())).toEqual({
					method: 'POST',
					body: '{"n":1}',
					host: origin.slice(7),
					token: 'Bearer t',
				});
				expect(echo.headers()['x-a']).toBe('1');
				const chunked = await send(client, 'GET', '/chunked');
				expect(chunked.body.toString()).toBe('hello world');
				expect(chunked.headers()['x-kind']).toBe('chunked');
				expect((await send(client, 'GET', '/empty')).status).toBe(204);
				const head = await send(client, 'HEAD', '/big');
				expect(head.status).toBe(200);
				expect(head.bytes).toBe(0);
				const large = await send(client, 'GET', '/big');
				expect(large.bytes).toBe(big.length);
				expect(large.body.equals(big)).toBe(true);
				expect((await send(client, 'GET', '/close')).body.toString()).toBe('ok');
				expect((await send(client, 'GET', '/nope')).status).toBe(404);
			}
			// Concurrent requests each get their own socket and their own answer.
			const answers = await Promise.all(
				Array.from({length: 20}, async (_, i) => send(client, 'POST', '/echo', null, String(i))),
			);
			expect(answers.map(a => (JSON.parse(a.body.toString()) as {body: string}).body)).toEqual(
				Array.from({length: 20}, (_, i) => String(i)),
			);
		} finally {
			client.close();
		}
	});

	it('reports a refused connection as an error', async () => {
		const client = new FastHttpClient();
		try {
			await expect(
				new Promise((resolve, reject) =>
					client.send('http://127.0.0.1:1', 'GET', '/', null, null, (e, r) => (e ? reject(e) : resolve(r))),
				),
			).rejects.toMatchObject({code: 'ECONNREFUSED'});
		} finally {
			client.close();
		}
	});
});

describe('FastHttpClient input checks', () => {
	it('refuses a path or header that would corrupt the request', async () => {
		const client = new FastHttpClient();
		try {
			const attempt = (path: string, headers: Record<string, string> | null) =>
				new Promise((resolve, reject) =>
					client.send(origin, 'GET', path, headers, null, (e, r) => (e ? reject(e) : resolve(r))),
				);
			await expect(attempt('/a b', null)).rejects.toMatchObject({code: 'ERR_INVALID_PATH'});
			await expect(attempt('/a', {'x-evil': 'v\r\nGET /smuggled HTTP/1.1'})).rejects.toMatchObject({
				code: 'ERR_INVALID_HEADER',
			});
		} finally {
			client.close();
		}
	});
});

/** Ends the socket (after the fragments before it). */
const END = null;

/**
 * A raw TCP server answering each request with a script of byte fragments, each written after its
 * own pause, so responses reach the client split where a real network may split them.
 */
async function startScriptedServer(
	scripts: Record<string, Array<[string | typeof END, number]>>,
): Promise<{origin: string; server: TcpServer; connections: () => number}> {
	let connections = 0;
	const server = createTcpServer(socket => {
		connections++;
		let received = '';
		const play = async () => {
			let end: number;
			while ((end = received.indexOf('\r\n\r\n')) >= 0) {
				const path = received.slice(0, end).split(' ')[1]!;
				received = received.slice(end + 4);
				for (const [bytes, pause] of scripts[path]!) {
					if (pause > 0) await new Promise(r => setTimeout(r, pause));
					if (socket.destroyed) return;
					if (bytes === END) socket.end();
					else socket.write(Buffer.from(bytes, 'latin1'));
				}
			}
		};
		// Requests are answered in turn: a script's pauses never let two answers interleave.
		let turn = Promise.resolve();
		socket.on('data', (chunk: Buffer) => {
			received += chunk.toString('latin1');
			turn = turn.then(play);
		});
		socket.on('error', () => {});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		server,
		connections: () => connections,
	};
}

describe('FastHttpClient on responses split across reads', () => {
	// A body holding a blank line: its bytes stay in the shared read buffer after the response is done.
	const decoy = `x\r\n\r\n${'y'.repeat(300)}`;
	const scripts: Record<string, Array<[string | typeof END, number]>> = {
		'/decoy': [[`HTTP/1.1 200 OK\r\ncontent-length: ${decoy.length}\r\n\r\n${decoy}`, 0]],
		// The head cut mid-line, the body cut mid-way: the first fragment alone has no blank line.
		'/split': [
			['HTTP/1.1 200 OK\r\nConTent-LENGTH:  11\r\nx-a', 0],
			[': 1\r\n\r\nhello', 20],
			[' world', 20],
		],
		// A chunk-size line and the CRLF after a chunk each cut in two; a trailer; mixed-case header.
		'/chunks': [
			['HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n5\r', 0],
			['\nhello\r', 20],
			['\n6\r\n world\r\n0\r\nx-trailer: 1\r\n', 20],
			['\r\n', 20],
		],
		'/continue': [
			['HTTP/1.1 100 Continue\r\n\r\n', 0],
			['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 20],
		],
		'/http10': [
			['HTTP/1.0 200 OK\r\n\r\nuntil ', 0],
			['close', 20],
			[END, 20],
		],
		'/closing': [['HTTP/1.1 200 OK\r\nConnection:  Close\r\ncontent-length: 2\r\n\r\nok', 0]],
		'/bad': [['HTTX/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 0]],
		'/huge-head': [[`HTTP/1.1 200 OK\r\nx-big: ${'h'.repeat(70 * 1024)}`, 0]],
		'/silent': [],
		'/cut': [
			['HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', 0],
			[END, 20],
		],
	};
	let raw: Awaited<ReturnType<typeof startScriptedServer>>;
	beforeAll(async () => {
		raw = await startScriptedServer(scripts);
	});
	afterAll(async () => {
		await new Promise(r => raw.server.close(r));
	});
	const get = (client: FastHttpClient, path: string) =>
		new Promise<FastResponse>((resolve, reject) =>
			client.send(raw.origin, 'GET', path, null, null, (error, response) =>
				error ? reject(error) : resolve(response!),
			),
		);

	it('reassembles heads, bodies and chunk lines split anywhere, on one kept-alive socket', async () => {
		const client = new FastHttpClient();
		try {
			const before = raw.connections();
			for (let round = 0; round < 2; round++) {
				expect((await get(client, '/decoy')).body.toString('latin1')).toBe(decoy);
				const split = await get(client, '/split');
				expect(split.status).toBe(200);
				expect(split.body.toString()).toBe('hello world');
				expect(split.headers()).toEqual({'content-length': '11', 'x-a': '1'});
				expect((await get(client, '/decoy')).bytes).toBe(decoy.length);
				const chunks = await get(client, '/chunks');
				expect(chunks.body.toString()).toBe('hello world');
				expect(chunks.headers()['transfer-encoding']).toBe('Chunked');
				const continued = await get(client, '/continue');
				expect([continued.status, continued.body.toString()]).toEqual([200, 'ok']);
			}
			expect(raw.connections() - before).toBe(1);
		} finally {
			client.close();
		}
	});

	it('reads a length-less HTTP/1.0 answer until close, and opens a new socket after connection: close', async () => {
		const client = new FastHttpClient();
		try {
			const before = raw.connections();
			expect((await get(client, '/http10')).body.toString()).toBe('until close');
			expect((await get(client, '/closing')).body.toString()).toBe('ok');
			expect((await get(client, '/decoy')).bytes).toBe(decoy.length);
			expect(raw.connections() - before).toBe(3);
		} finally {
			client.close();
		}
	});

	it('times a request out by the sweep, within one sweep period of the timeout', async () => {
		const client = new FastHttpClient(200);
		try {
			const started = performance.now();
			await expect(get(client, '/silent')).rejects.toMatchObject({code: 'UND_ERR_HEADERS_TIMEOUT'});
			expect(performance.now() - started).toBeGreaterThanOrEqual(200);
		} finally {
			client.close();
		}
	});

	it('fails a malformed status line, an endless head and a body cut short, and carries on', async () => {
		const client = new FastHttpClient();
		try {
			await expect(get(client, '/bad')).rejects.toMatchObject({code: 'HPE_INVALID_CONSTANT'});
			await expect(get(client, '/huge-head')).rejects.toMatchObject({code: 'UND_ERR_HEADERS_OVERFLOW'});
			await expect(get(client, '/cut')).rejects.toMatchObject({code: 'UND_ERR_SOCKET'});
			expect((await get(client, '/split')).body.toString()).toBe('hello world');
		} finally {
			client.close();
		}
	});
});
