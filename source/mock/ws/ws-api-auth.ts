import type {CredentialStore} from '../contracts.js';
import {signatureMatches} from '../signing.js';

export interface WsApiError {
	status: number;
	code: number;
	msg: string;
}

export type AuthResult = {ok: true; apiKey: string} | {ok: false; error: WsApiError};

const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60_000;

function mandatory(name: string): AuthResult {
	return {ok: false, error: {status: 400, code: -1102, msg: `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`}};
}

function integerParam(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
	if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
	return undefined;
}

/** What the WebSocket API signs: every parameter but `signature`, sorted by key, as `k=v` joined with `&`. */
export function signaturePayload(params: Record<string, unknown>): string {
	return Object.keys(params)
		.filter((key) => key !== 'signature')
		.sort()
		.map((key) => `${key}=${String(params[key])}`)
		.join('&');
}

/** Checks a SIGNED WebSocket API request (HMAC) the way Binance does, in Binance's order of checks. */
export function verifySignedParams(params: Record<string, unknown>, credentials: CredentialStore, serverTime: number): AuthResult {
	const apiKey = params['apiKey'];
	if (typeof apiKey !== 'string' || apiKey === '') return mandatory('apiKey');
	const timestamp = integerParam(params['timestamp']);
	if (timestamp === undefined) return mandatory('timestamp');
	const signature = params['signature'];
	if (typeof signature !== 'string' || signature === '') return mandatory('signature');
	let recvWindow = DEFAULT_RECV_WINDOW;
	if (params['recvWindow'] !== undefined) {
		const parsed = integerParam(params['recvWindow']);
		if (parsed === undefined) return mandatory('recvWindow');
		if (parsed > MAX_RECV_WINDOW) {
			return {ok: false, error: {status: 400, code: -1131, msg: `recvWindow must be less than ${MAX_RECV_WINDOW}.`}};
		}
		recvWindow = parsed;
	}
	if (!/^[A-Za-z0-9]{1,128}$/.test(apiKey)) {
		return {ok: false, error: {status: 401, code: -2014, msg: 'API-key format invalid.'}};
	}
	const secret = credentials.secretFor(apiKey);
	if (secret === undefined) {
		return {ok: false, error: {status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.'}};
	}
	if (!(timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)) {
		return {ok: false, error: {status: 400, code: -1021, msg: "Timestamp for this request is outside of the recvWindow."}};
	}
	if (!signatureMatches(secret, signaturePayload(params), signature)) {
		return {ok: false, error: {status: 400, code: -1022, msg: 'Signature for this request is not valid.'}};
	}
	return {ok: true, apiKey};
}
