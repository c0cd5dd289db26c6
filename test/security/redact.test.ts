/** redactSecrets removes a secret in every form a venue could echo it in: raw, URL-encoded, base64. */
import {describe, expect, it} from 'vitest';
import {redactSecrets, toExchangeError} from '../../source/exchange/index.js';

const KEY = 'RedactKeyA1b2C3d4E5f6G7h8I9j0KkLlMmNnOoPpQqRrSsTtUuVvWwXxYyZz0123';
const SECRET = 'Redact/Secret+with=odd&chars?0123456789abcdefghijklmnopqrstuvwxyz';

describe('redactSecrets', () => {
	it('raw, URL-encoded and base64 (every alignment, base64url too) are all removed', () => {
		const texts = [
			`key=${KEY}`,
			`secret=${encodeURIComponent(SECRET)}&x=1`,
			`auth ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`,
			`b64 ${Buffer.from(`u:${KEY}`).toString('base64url')}`,
			`b64 ${Buffer.from(`uv:${SECRET}`).toString('base64')}`,
		];
		for (const text of texts) {
			const out = redactSecrets(text, [KEY, SECRET]);
			expect(out).toContain('<redacted>');
			for (const secret of [KEY, SECRET]) {
				expect(out).not.toContain(secret);
				expect(out).not.toContain(encodeURIComponent(secret));
				expect(out).not.toContain(Buffer.from(secret).toString('base64').slice(4, -4));
			}
		}
	});

	it('leaves text without secrets alone, and ignores short values', () => {
		expect(redactSecrets('nothing to see', [KEY, 'abc'])).toBe('nothing to see');
		expect(redactSecrets('abc abc', ['abc'])).toBe('abc abc');
	});

	it('toExchangeError applies it to venue messages', () => {
		const error = toExchangeError(
			new Error(`binance {"code":-2015,"msg":"echo ${Buffer.from(KEY).toString('base64')}"} signature=abcdef0123`),
			[KEY, SECRET],
		);
		expect(error.message).not.toContain(Buffer.from(KEY).toString('base64').slice(4, -4));
		expect(error.message).toContain('signature=<redacted>');
	});
});

describe('the WebSocket tap', () => {
	it('redacts a frame that echoes the key before raw listeners see it', async () => {
		const {TapSink, frameFromMessage} = await import('../../source/exchange/ws-tap.js');
		const tap = new TapSink();
		tap.setSecrets([KEY, SECRET]);
		const texts: string[] = [];
		tap.onRawMessage((_stream, text) => texts.push(text));
		const conn = {url: 'ws://x/ws/0', drydockStreams: ['btcusdt@trade']};
		for (const echo of [KEY, Buffer.from(SECRET).toString('base64'), 'nothing']) {
			const message = {e: 'trade', E: 1, s: 'BTCUSDT', t: 1, p: '1', q: '1', T: 1, note: echo};
			Object.assign(conn, {drydockRaw: Buffer.from(JSON.stringify(message))});
			tap.frame(frameFromMessage(conn, message, 1)!, conn);
		}
		expect(texts).toHaveLength(3);
		expect(texts[0]).not.toContain(KEY);
		expect(texts[1]).not.toContain(Buffer.from(SECRET).toString('base64').slice(4, -4));
		expect(texts[2]).toContain('"note":"nothing"');
	});
});
