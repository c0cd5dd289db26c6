/** Signing and calling helpers for the venue conformance tests of the WebSocket API. */
import {sign} from 'node:crypto';
import type {KeyObject} from 'node:crypto';
import {hmacHex} from '../../source/mock/signing.js';
import {signaturePayload} from '../../source/mock/ws/ws-api-auth.js';
import type {TestClient} from './ws-client.js';

export type Signer = (payload: string) => string;

export const hmacSigner = (secret: string): Signer => (payload) => hmacHex(secret, payload);
/** Ed25519: base64 of the raw signature. */
export const ed25519Signer = (privateKey: KeyObject): Signer => (payload) => sign(null, Buffer.from(payload), privateKey).toString('base64');
/** RSA: PKCS#1 v1.5 over SHA-256, base64. */
export const rsaSigner = (privateKey: KeyObject): Signer => (payload) => sign('sha256', Buffer.from(payload), privateKey).toString('base64');

/** Params of a SIGNED WebSocket API request: apiKey and timestamp added, key-sorted payload signed. */
export function wsSigned(apiKey: string, signer: Signer, params: Record<string, unknown> = {}): Record<string, unknown> {
	const all = {...params, apiKey, timestamp: Date.now()};
	return {...all, signature: signer(signaturePayload(all))};
}

let ids = 0;

/** One request, its reply. */
export async function call(socket: TestClient, method: string, params?: Record<string, unknown>): Promise<{status: number; result?: unknown; error?: {code: number; msg: string}; rateLimits?: Array<Record<string, unknown>>}> {
	const id = `r${++ids}`;
	const reply = await socket.request({id, method, ...(params ? {params} : {})});
	return reply as never;
}
