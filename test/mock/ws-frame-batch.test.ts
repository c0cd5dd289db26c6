import type {AddressInfo} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import WebSocket, {WebSocketServer} from 'ws';
import {encodeFrames, FrameBatch, payloadsOf} from '../../source/mock/ws/frame-batch.js';

interface Pair {
	server: WebSocket;
	client: WebSocket;
	messages: Array<{text: string; binary: boolean}>;
	close(): Promise<void>;
}

const open: Pair[] = [];
afterEach(async () => {
	for (const pair of open.splice(0)) await pair.close();
});

/** A real ws server and client on loopback; `deflate` negotiates permessage-deflate. */
async function pair(deflate: boolean): Promise<Pair> {
	const wss = new WebSocketServer({host: '127.0.0.1', port: 0, perMessageDeflate: deflate});
	await new Promise(resolve => wss.once('listening', resolve));
	const {port} = wss.address() as AddressInfo;
	const accepted = new Promise<WebSocket>(resolve => wss.once('connection', resolve));
	const client = new WebSocket(`ws://127.0.0.1:${port}`, {perMessageDeflate: deflate});
	const messages: Pair['messages'] = [];
	client.on('message', (data, binary) => messages.push({text: (data as Buffer).toString('utf8'), binary}));
	await new Promise(resolve => client.once('open', resolve));
	const server = await accepted;
	const result: Pair = {
		server,
		client,
		messages,
		async close() {
			client.terminate();
			await new Promise(resolve => wss.close(resolve));
		},
	};
	open.push(result);
	return result;
}

async function until(check: () => boolean): Promise<void> {
	const deadline = Date.now() + 5000;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise(resolve => setTimeout(resolve, 5));
	}
}

/** Payloads around each length-field boundary (7 bits, 16 bits, 64 bits), plus non-ASCII text. */
function payloads(): string[] {
	const sized = (n: number, c: string) => `{"x":"${c.repeat(n - 8)}"}`;
	return [
		'{"e":"trade"}',
		sized(125, 'a'),
		sized(126, 'b'),
		sized(127, 'c'),
		sized(65_535, 'd'),
		sized(65_536, 'e'),
		sized(70_001, 'f'),
		'{"s":"BTCÜSDT","note":"€ and 𝄞"}',
		'',
	];
}

describe('a batch of WebSocket frames written as one buffer', () => {
	it('arrives as separate, correct text messages, at every length-field size', async () => {
		const {server, messages} = await pair(false);
		expect(server.extensions).toBe('');
		let sent = 0;
		const batch = new FrameBatch(server, n => (sent += n));
		const want = payloads();
		const writes: number[] = [];
		const socket = (server as unknown as {_socket: {write: (...args: unknown[]) => boolean}})._socket;
		const write = socket.write.bind(socket);
		socket.write = (...args: unknown[]) => {
			writes.push((args[0] as Buffer).length);
			return write(...args);
		};
		batch.text(want[0]!);
		batch.text(want[1]!.slice(3, -1), want[1]!.slice(0, 3), '}');
		for (const text of want.slice(2, 7)) batch.buffer(Buffer.from(text));
		batch.text(want[7]!);
		batch.text(want[8]!);
		// Under the flush threshold: nothing is written until the tick ends, then all of it at once.
		expect(writes).toEqual([]);
		await until(() => messages.length === want.length);
		expect(writes).toHaveLength(1);
		expect(messages.map(m => m.text)).toEqual(want);
		expect(messages.every(m => !m.binary)).toBe(true);
		expect(sent).toBe(want.length);
		expect(batch.pending).toBe(0);
	});

	it('moves a payload up when non-ASCII text needs a longer length field than its length in characters', async () => {
		const {server, messages} = await pair(false);
		const batch = new FrameBatch(server, () => {});
		// 100 characters but 300 bytes; 30 000 characters but 90 000 bytes.
		const want = ['€'.repeat(100), `{"a":"${'€'.repeat(30_000)}"}`, 'after'];
		batch.text(want[0]!);
		batch.text(want[1]!.slice(6, -2), want[1]!.slice(0, 6), '"}');
		batch.text(want[2]!);
		await until(() => messages.length === want.length);
		expect(messages.map(m => m.text)).toEqual(want);
	});

	it('keeps frames in order across flushes and before a reply sent through ws', async () => {
		const {server, messages} = await pair(false);
		const batch = new FrameBatch(server, () => {});
		const want: string[] = [];
		for (let i = 0; i < 20_000; i++) {
			const text = `{"i":${i},"pad":"${'x'.repeat(i % 300)}"}`;
			want.push(text);
			batch.text(text);
		}
		batch.flush();
		server.send('{"result":null,"id":1}');
		want.push('{"result":null,"id":1}');
		await until(() => messages.length === want.length);
		expect(messages.map(m => m.text)).toEqual(want);
	});

	it('sends each frame through ws when compression is negotiated', async () => {
		const {server, messages} = await pair(true);
		expect(server.extensions).toContain('permessage-deflate');
		const batch = new FrameBatch(server, () => {});
		const want = payloads();
		batch.text(want[0]!);
		batch.text(want[1]!.slice(3, -1), want[1]!.slice(0, 3), '}');
		for (const text of want.slice(2)) batch.buffer(Buffer.from(text));
		await until(() => messages.length === want.length);
		expect(messages.map(m => m.text)).toEqual(want);
	});

	it('drops what is queued once the connection is closing', async () => {
		const {server, messages} = await pair(false);
		const batch = new FrameBatch(server, () => {});
		batch.text('{"a":1}');
		batch.flush();
		batch.text('{"a":2}');
		server.close(1000, 'bye');
		batch.text('{"a":3}');
		await new Promise(resolve => setTimeout(resolve, 50));
		expect(messages.map(m => m.text)).toEqual(['{"a":1}']);
	});

	it('encodes the RFC 6455 header for each length', () => {
		const frame = (n: number) => encodeFrames([Buffer.alloc(n, 0x61)]);
		expect([...frame(125).subarray(0, 2)]).toEqual([0x81, 125]);
		expect([...frame(126).subarray(0, 4)]).toEqual([0x81, 126, 0, 126]);
		expect([...frame(65_535).subarray(0, 4)]).toEqual([0x81, 126, 0xff, 0xff]);
		expect([...frame(65_536).subarray(0, 10)]).toEqual([0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
		const payloads = [0, 1, 125, 126, 65_535, 65_536, 70_001].map(n => Buffer.alloc(n, n % 251));
		expect(payloadsOf(encodeFrames(payloads))).toEqual(payloads);
	});
});
