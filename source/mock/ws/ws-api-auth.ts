import type {ResolvedKey} from '../api-keys.js';
import type {CredentialStore} from '../contracts.js';
import {timestampMs} from '../http/time-unit.js';
import {verifySignature, type ApiKeyType} from '../signing.js';

export interface WsApiError {
	status: number;
	code: number;
	msg: string;
	/** Extra detail some errors carry (cancel-replace's partial failures). */
	data?: unknown;
}

/** Finds how to verify an API key's signatures and whose account it acts on. */
export type KeyResolver = (apiKey: string) => ResolvedKey | undefined;

/** `account` is the account's primary key (what the engine and user-data streams know it by). */
export type AuthResult =
	{ok: true; apiKey: string; account: string; keyType: ApiKeyType} | {ok: false; error: WsApiError};

const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60_000;

function mandatory(name: string): {ok: false; error: WsApiError} {
	return {
		ok: false,
		error: {status: 400, code: -1102, msg: `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`},
	};
}

function integerParam(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
	if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
	return undefined;
}

/** HMAC keys only, from the contract's credential store (a WebSocket layer without the REST context). */
export function hmacResolver(credentials: CredentialStore): KeyResolver {
	return apiKey => {
		const secret = credentials.secretFor(apiKey);
		return secret === undefined ? undefined : {type: 'HMAC', credential: {type: 'HMAC', secret}, account: apiKey};
	};
}

/** What the WebSocket API signs: every parameter but `signature`, sorted by key, as `k=v` joined with `&`. */
export function signaturePayload(params: Record<string, unknown>): string {
	return Object.keys(params)
		.filter(key => key !== 'signature')
		.sort()
		.map(key => `${key}=${String(params[key])}`)
		.join('&');
}

/** `timestamp` and `recvWindow` against the server clock, Binance's rule: timestamp < now + 1 s and now − timestamp ≤ recvWindow. */
export function checkTiming(params: Record<string, unknown>, serverTime: number): WsApiError | undefined {
	const sent = integerParam(params['timestamp']);
	if (sent === undefined) return mandatory('timestamp').error;
	const timestamp = timestampMs(sent);
	let recvWindow = DEFAULT_RECV_WINDOW;
	if (params['recvWindow'] !== undefined) {
		const parsed = integerParam(params['recvWindow']);
		if (parsed === undefined) return mandatory('recvWindow').error;
		if (parsed > MAX_RECV_WINDOW)
			return {status: 400, code: -1131, msg: `recvWindow must be less than ${MAX_RECV_WINDOW}.`};
		recvWindow = parsed;
	}
	if (!(timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow)) {
		return {status: 400, code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.'};
	}
	return undefined;
}

/** Checks a SIGNED WebSocket API request (HMAC, RSA or Ed25519 key) the way Binance does, in Binance's order of checks. */
export function verifySignedParams(
	params: Record<string, unknown>,
	resolve: KeyResolver,
	serverTime: number,
): AuthResult {
	const apiKey = params['apiKey'];
	if (typeof apiKey !== 'string' || apiKey === '') return mandatory('apiKey');
	if (integerParam(params['timestamp']) === undefined) return mandatory('timestamp');
	const signature = params['signature'];
	if (typeof signature !== 'string' || signature === '') return mandatory('signature');
	if (params['recvWindow'] !== undefined) {
		const parsed = integerParam(params['recvWindow']);
		if (parsed === undefined) return mandatory('recvWindow');
		if (parsed > MAX_RECV_WINDOW)
			return {ok: false, error: {status: 400, code: -1131, msg: `recvWindow must be less than ${MAX_RECV_WINDOW}.`}};
	}
	if (!/^[A-Za-z0-9]{1,128}$/.test(apiKey)) {
		return {ok: false, error: {status: 401, code: -2014, msg: 'API-key format invalid.'}};
	}
	const key = resolve(apiKey);
	if (key === undefined) {
		return {ok: false, error: {status: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.'}};
	}
	const timing = checkTiming(params, serverTime);
	if (timing) return {ok: false, error: timing};
	if (!verifySignature(key.credential, signaturePayload(params), signature)) {
		return {ok: false, error: {status: 400, code: -1022, msg: 'Signature for this request is not valid.'}};
	}
	return {ok: true, apiKey, account: key.account, keyType: key.type};
}
