import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
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
