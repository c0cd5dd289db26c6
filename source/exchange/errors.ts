import {secretForms} from '../util/secret-forms.js';
/**
 * Exchange failures as typed values. Every ccxt exception becomes an ExchangeError with a `kind`
 * callers branch on. This module does not import ccxt (it recognises ccxt's classes by name), so
 * the engine can use it without loading ccxt.
 */

export type ExchangeErrorKind =
	| 'auth'
	| 'rate-limit'
	| 'ddos'
	| 'invalid-nonce'
	| 'insufficient-funds'
	| 'invalid-order'
	| 'order-not-found'
	| 'bad-symbol'
	| 'bad-request'
	| 'network'
	| 'timeout'
	| 'unavailable'
	| 'checksum'
	| 'unknown';

export const exchangeErrorKinds: readonly ExchangeErrorKind[] = [
	'auth',
	'rate-limit',
	'ddos',
	'invalid-nonce',
	'insufficient-funds',
	'invalid-order',
	'order-not-found',
	'bad-symbol',
	'bad-request',
	'network',
	'timeout',
	'unavailable',
	'checksum',
	'unknown',
];

export interface ExchangeErrorInit {
	kind: ExchangeErrorKind;
	message: string;
	/** The venue's error code (e.g. -2010), when the venue sent one. */
	code?: number | null;
	httpStatus?: number | null;
	/** From Retry-After on 429/418. */
	retryAfterMs?: number | null;
	/** The ccxt exception class it came from (e.g. `InsufficientFunds`), or `Error`. */
	source?: string;
}

export class ExchangeError extends Error {
	override readonly name = 'ExchangeError';
	readonly kind: ExchangeErrorKind;
	readonly code: number | null;
	readonly httpStatus: number | null;
	readonly retryAfterMs: number | null;
	readonly source: string;

	constructor(init: ExchangeErrorInit) {
		super(init.message);
		this.kind = init.kind;
		this.code = init.code ?? null;
		this.httpStatus = init.httpStatus ?? null;
		this.retryAfterMs = init.retryAfterMs ?? null;
		this.source = init.source ?? 'Error';
	}

	/** Worth retrying: the request may succeed later without changing it. */
	get transient(): boolean {
		return isTransientKind(this.kind);
	}
}

export function isTransientKind(kind: ExchangeErrorKind): boolean {
	return kind === 'network' || kind === 'timeout' || kind === 'unavailable' || kind === 'ddos' || kind === 'rate-limit';
}

/** For `ctx.call(..., {isTransient})`: unknown errors count as transient, typed ones by kind. */
export function isTransientError(error: unknown): boolean {
	return error instanceof ExchangeError ? error.transient : true;
}

/** ccxt class name → kind. Looked up from the most specific class upwards, so order does not matter. */
const kindByCcxtClass: Record<string, ExchangeErrorKind> = {
	AuthenticationError: 'auth',
	PermissionDenied: 'auth',
	AccountNotEnabled: 'auth',
	AccountSuspended: 'auth',
	RateLimitExceeded: 'rate-limit',
	DDoSProtection: 'ddos',
	ChecksumError: 'checksum',
	InvalidNonce: 'invalid-nonce',
	InsufficientFunds: 'insufficient-funds',
	OrderNotFound: 'order-not-found',
	OrderNotCached: 'order-not-found',
	InvalidOrder: 'invalid-order',
	BadSymbol: 'bad-symbol',
	BadRequest: 'bad-request',
	ArgumentsRequired: 'bad-request',
	NotSupported: 'bad-request',
	RequestTimeout: 'timeout',
	ExchangeNotAvailable: 'unavailable',
	OnMaintenance: 'unavailable',
	ExchangeClosedByUser: 'network',
	NetworkError: 'network',
	ExchangeError: 'unknown',
	// ccxt's transient branch (binance -1001 "Internal error… try again" on an HTTP 500).
	OperationFailed: 'unavailable',
	BadResponse: 'unknown',
	NullResponse: 'unknown',
	// drydock's own (ccxt-binance.ts): a 2xx that is not the venue's JSON, e.g. a proxy's HTML page.
	NotVenueJsonError: 'unavailable',
	// undici's, raised while reading a body (outside ccxt's fetch error handling).
	BodyTimeoutError: 'timeout',
	HeadersTimeoutError: 'timeout',
	ConnectTimeoutError: 'timeout',
	SocketError: 'network',
	ClientClosedError: 'network',
	ClientDestroyedError: 'network',
};

/** System and undici error codes, for errors that reach us without a ccxt class. */
const kindByCode: Record<string, ExchangeErrorKind> = {
	ECONNRESET: 'network',
	ECONNREFUSED: 'network',
	ECONNABORTED: 'network',
	ENOTFOUND: 'network',
	EAI_AGAIN: 'network',
	EPIPE: 'network',
	EHOSTUNREACH: 'network',
	ENETUNREACH: 'network',
	UND_ERR_SOCKET: 'network',
	UND_ERR_CLOSED: 'network',
	UND_ERR_DESTROYED: 'network',
	ETIMEDOUT: 'timeout',
	UND_ERR_CONNECT_TIMEOUT: 'timeout',
	UND_ERR_HEADERS_TIMEOUT: 'timeout',
	UND_ERR_BODY_TIMEOUT: 'timeout',
	ABORT_ERR: 'timeout',
};

function codeKind(error: Error): ExchangeErrorKind | undefined {
	for (
		let e: unknown = error, depth = 0;
		e !== null && typeof e === 'object' && depth < 4;
		e = (e as {cause?: unknown}).cause, depth++
	) {
		const code = (e as {code?: unknown}).code;
		if (typeof code === 'string' && kindByCode[code] !== undefined) return kindByCode[code];
	}
	return undefined;
}

/** HTTP facts our ccxt subclass pins on an error it raised from a response. */
export interface HttpFacts {
	status: number;
	retryAfterMs: number | null;
	/** The venue's `code` from the response body, if any. */
	code: number | null;
}

export const httpFactsKey: unique symbol = Symbol.for('drydock.exchange.httpFacts');

function classChain(error: object): string[] {
	const names: string[] = [];
	for (
		let proto = Object.getPrototypeOf(error) as object | null;
		proto && proto !== Object.prototype;
		proto = Object.getPrototypeOf(proto) as object | null
	) {
		const ctor = (proto as {constructor?: {name?: unknown}}).constructor;
		if (ctor && typeof ctor.name === 'string' && ctor.name !== '') names.push(ctor.name);
	}
	return names;
}

const signaturePattern = /(signature=)[^&\s"']*/gi;
const apiKeyHeaderPattern = /(x-mbx-apikey["']?\s*[:=]\s*["']?)[^\s"',}]+/gi;

export {secretForms};

/** Removes signatures and the given secrets (API key, secret), in any form in secretForms, from a text. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
	let out = text.replace(signaturePattern, '$1<redacted>').replace(apiKeyHeaderPattern, '$1<redacted>');
	for (const secret of secrets) {
		// Short values would redact innocent text and are not real secrets anyway.
		if (!secret || secret.length < 8) continue;
		for (const form of secretForms(secret)) if (out.includes(form)) out = out.split(form).join('<redacted>');
	}
	return out;
}

function venueCode(message: string): number | null {
	const match = /"code"\s*:\s*(-?\d+)/.exec(message);
	return match ? Number(match[1]) : null;
}

function statusFromMessage(message: string): number | null {
	// ccxt: "binance 429 Too Many Requests …" and "binance GET <url> 503 Service Unavailable …"
	const match = /^\S+ (?:[A-Z]+ \S+ )?([1-5]\d\d) /.exec(message);
	return match ? Number(match[1]) : null;
}

/**
 * Any thrown value → ExchangeError, with secrets removed from the message. An ExchangeError passes
 * through unchanged. Plain aborts (AbortSignal) become `timeout`.
 */
export function toExchangeError(error: unknown, secrets: readonly (string | undefined)[] = []): ExchangeError {
	if (error instanceof ExchangeError) return error;
	if (!(error instanceof Error)) {
		return new ExchangeError({kind: 'unknown', message: redactSecrets(String(error), secrets)});
	}
	const chain = classChain(error);
	let kind: ExchangeErrorKind = 'unknown';
	let source = chain[0] ?? error.name;
	for (const name of chain) {
		const found = kindByCcxtClass[name];
		if (found) {
			kind = found;
			source = chain[0] ?? name;
			break;
		}
	}
	if (kind === 'unknown' && (error.name === 'AbortError' || error.name === 'TimeoutError')) kind = 'timeout';
	if (kind === 'unknown' && source !== 'BadResponse' && source !== 'NullResponse') kind = codeKind(error) ?? kind;
	const message = redactSecrets(error.message === '' ? `${error.name} (no message)` : error.message, secrets);
	const facts = (error as unknown as Record<symbol, HttpFacts | undefined>)[httpFactsKey];
	// A generic class on a gateway status: the status says more (504 with a venue body is still a timeout).
	const status = facts?.status ?? null;
	if (status !== null && (source === 'OperationFailed' || source === 'ExchangeError')) {
		if (status === 408 || status === 504) kind = 'timeout';
		else if (status >= 500) kind = 'unavailable';
	}
	return new ExchangeError({
		kind,
		message,
		code: facts?.code ?? venueCode(error.message),
		httpStatus: facts?.status ?? statusFromMessage(error.message),
		retryAfterMs: facts?.retryAfterMs ?? null,
		source,
	});
}
