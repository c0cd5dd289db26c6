import {createHmac, timingSafeEqual} from 'node:crypto';

/** Binance's SIGNED-endpoint signature: HMAC-SHA256 of the payload as sent, lowercase hex. */
export function hmacHex(secret: string, payload: string): string {
	return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Constant-time comparison of a received signature against the expected one. */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
	const expected = Buffer.from(hmacHex(secret, payload), 'utf8');
	const received = Buffer.from(signature.toLowerCase(), 'utf8');
	return expected.length === received.length && timingSafeEqual(expected, received);
}
