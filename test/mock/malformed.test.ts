/** Bad input gets a Binance-shaped error, never a crash or a hang, while another client keeps being served. */
import net from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {hmacHex} from '../../source/mock/signing.js';
import {publicGet, startMock} from './helpers.js';

/** Sends raw bytes and returns what the server answered before closing (or after `waitMs`). */
function raw(port: number, bytes: string | Buffer, waitMs = 1500): Promise<string> {
	return new Promise(resolve => {
		const socket = net.connect(port, '127.0.0.1');
		let data = '';
		const timer = setTimeout(() => {
			socket.destroy();
			resolve(data);
		}, waitMs);
		socket.on('data', chunk => (data += chunk.toString('latin1')));
		socket.on('close', () => {
			clearTimeout(timer);
			resolve(data);
		});
		socket.on('error', () => {});
		socket.write(bytes);
	});
}

function statusAndBody(response: string): {status: number; body: {code?: number; msg?: string} | undefined} {
	const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
	const text = response.slice(response.indexOf('\r\n\r\n') + 4);
	try {
		return {status, body: JSON.parse(text) as {code: number; msg: string}};
	} catch {
		return {status, body: undefined};
	}
}

describe('malformed requests', () => {
	let mock: MockExchange;
	let keepGoing = true;
	let served = 0;
	const failures: string[] = [];
	let background: Promise<void>;

	beforeAll(async () => {
		mock = await startMock();
		// The second client: polls a public endpoint through the whole file and must never fail.
		background = (async () => {
			while (keepGoing) {
				try {
					const r = await fetch(`${mock.rest}/api/v3/ticker/price?symbol=ETHUSDT`);
					if (r.status !== 200) failures.push(`status ${r.status}`);
					await r.text();
					served++;
				} catch (error) {
					failures.push(String(error));
				}
				await new Promise(r => setTimeout(r, 5));
			}
		})();
	});
	afterAll(async () => {
		keepGoing = false;
		await background;
		await mock.close();
	});

	const signedBody = (body: string, contentType = 'application/x-www-form-urlencoded') =>
		fetch(`${mock.rest}/api/v3/order`, {
			method: 'POST',
			headers: {'X-MBX-APIKEY': mock.apiKey, 'content-type': contentType},
			body,
		});

	it('answers each bad request with the right code', async () => {
		const cases: Array<[string, () => Promise<Response>, number, number]> = [
			['body over 64 KiB', () => signedBody('symbol=BTCUSDT&x=' + 'a'.repeat(100_000)), 413, -1000],
			[
				'binary garbage body',
				() =>
					signedBody(Buffer.from([0, 255, 1, 254, 0x26, 0x3d, 0x3d]).toString('latin1'), 'application/octet-stream'),
				400,
				-1102,
			],
			[
				'JSON body instead of a form',
				() => signedBody('{"symbol":"BTCUSDT","side":"BUY"}', 'application/json'),
				400,
				-1102,
			],
			['broken percent-encoding', () => fetch(`${mock.rest}/api/v3/depth?symbol=%E0%A4%A&limit=%ZZ`), 400, -1100],
			['NaN limit', () => fetch(`${mock.rest}/api/v3/depth?symbol=BTCUSDT&limit=NaN`), 400, -1100],
			[
				'huge startTime',
				() => fetch(`${mock.rest}/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=99999999999999999999`),
				400,
				-1100,
			],
			['negative limit', () => fetch(`${mock.rest}/api/v3/trades?symbol=BTCUSDT&limit=-5`), 400, -1100],
			['symbols not JSON', () => fetch(`${mock.rest}/api/v3/ticker/price?symbols=[BTCUSDT`), 400, -1100],
			['unknown path', () => fetch(`${mock.rest}/api/v9/whatever`), 404, -1000],
			['unknown method on a known path', () => fetch(`${mock.rest}/api/v3/order`, {method: 'PATCH'}), 405, -1020],
			['empty parameter values', () => fetch(`${mock.rest}/api/v3/depth?symbol=&limit=`), 400, -1102],
		];
		for (const [what, send, status, code] of cases) {
			const r = await send();
			const body = (await r.json()) as {code: number; msg: string};
			expect([what, r.status, body.code]).toEqual([what, status, code]);
			expect(typeof body.msg).toBe('string');
		}
	});

	it('a signed order with a garbage signature and garbage numbers gets -1100 or -1022, not a crash', async () => {
		const payload = `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=${'9'.repeat(400)}&timestamp=${Date.now()}`;
		const r = await signedBody(`${payload}&signature=${hmacHex(mock.apiSecret, payload)}`);
		expect(r.status).toBe(400);
		expect(((await r.json()) as {code: number}).code).toBe(-1100);
	});

	it('answers malformed HTTP on the socket with a Binance-shaped 400 and closes', async () => {
		for (const bytes of [
			'GARBAGE\r\n\r\n',
			'GET /api/v3/ping HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
			Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00]),
		]) {
			const answer = statusAndBody(await raw(mock.port, bytes));
			expect(answer.status).toBe(400);
			expect(answer.body?.code).toBe(-1000);
		}
	});

	it('a client that sends half a request and stalls does not hold up others', async () => {
		const stalled = net.connect(mock.port, '127.0.0.1');
		stalled.on('error', () => {});
		stalled.write('POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nsymbol=BT');
		const r = await publicGet(mock, '/api/v3/time');
		expect(r.status).toBe(200);
		stalled.destroy();
	});

	it('kept serving the second client throughout', async () => {
		await new Promise(r => setTimeout(r, 50));
		expect(failures).toEqual([]);
		expect(served).toBeGreaterThan(5);
		expect((await publicGet(mock, '/api/v3/ping')).status).toBe(200);
	});
});
