/** toExchangeError against ccxt's real exception classes, and secret redaction. */
import * as ccxt from 'ccxt';
import {describe, expect, it} from 'vitest';
import {
	ExchangeError,
	isTransientError,
	redactSecrets,
	toExchangeError,
	type ExchangeErrorKind,
} from '../../source/exchange/index.js';

const cases: Array<[new (message: string) => Error, ExchangeErrorKind]> = [
	[ccxt.AuthenticationError, 'auth'],
	[ccxt.PermissionDenied, 'auth'],
	[ccxt.RateLimitExceeded, 'rate-limit'],
	[ccxt.DDoSProtection, 'ddos'],
	[ccxt.InvalidNonce, 'invalid-nonce'],
	[ccxt.ChecksumError, 'checksum'],
	[ccxt.InsufficientFunds, 'insufficient-funds'],
	[ccxt.InvalidOrder, 'invalid-order'],
	[ccxt.OrderNotFound, 'order-not-found'],
	[ccxt.BadSymbol, 'bad-symbol'],
	[ccxt.BadRequest, 'bad-request'],
	[ccxt.NetworkError, 'network'],
	[ccxt.RequestTimeout, 'timeout'],
	[ccxt.ExchangeNotAvailable, 'unavailable'],
	[ccxt.OnMaintenance, 'unavailable'],
	[ccxt.ExchangeClosedByUser, 'network'],
	[ccxt.ExchangeError, 'unknown'],
	[ccxt.OperationFailed, 'unavailable'],
];

describe('toExchangeError', () => {
	for (const [ErrorClass, kind] of cases) {
		it(`${ErrorClass.name} → ${kind}`, () => {
			const mapped = toExchangeError(new ErrorClass('binance {"code":-1234,"msg":"x"}'));
			expect(mapped).toBeInstanceOf(ExchangeError);
			expect(mapped.kind).toBe(kind);
			expect(mapped.source).toBe(ErrorClass.name);
			expect(mapped.code).toBe(-1234);
		});
	}

	it('reads the HTTP status ccxt puts in its messages', () => {
		expect(toExchangeError(new ccxt.DDoSProtection('binance 429 Too Many Requests {"code":-1003}')).httpStatus).toBe(
			429,
		);
		expect(
			toExchangeError(
				new ccxt.ExchangeNotAvailable('binance GET http://127.0.0.1:1/api/v3/time 503 Service Unavailable '),
			).httpStatus,
		).toBe(503);
	});

	it('plain errors are unknown, aborts are timeouts, non-errors survive', () => {
		expect(toExchangeError(new TypeError('boom')).kind).toBe('unknown');
		const abort = new Error('aborted');
		abort.name = 'AbortError';
		expect(toExchangeError(abort).kind).toBe('timeout');
		expect(toExchangeError('just a string').message).toBe('just a string');
	});

	it('passes an ExchangeError through unchanged and classifies transience', () => {
		const original = new ExchangeError({kind: 'timeout', message: 'slow'});
		expect(toExchangeError(original)).toBe(original);
		expect(isTransientError(original)).toBe(true);
		expect(isTransientError(new ExchangeError({kind: 'insufficient-funds', message: 'poor'}))).toBe(false);
	});
});

describe('redactSecrets', () => {
	const key = 'AbCdEfGh12345678KEY';
	const secret = 'sEcReT-0987654321-sEcReT';

	it('strips signatures, the key header and literal secrets', () => {
		const text = `binance GET http://127.0.0.1:9/api/v3/account?timestamp=1&signature=c8db56825ae71d6d request timed out; X-MBX-APIKEY: ${key}; secret ${secret}`;
		const out = redactSecrets(text, [key, secret]);
		expect(out).not.toContain('c8db56825ae71d6d');
		expect(out).not.toContain(key);
		expect(out).not.toContain(secret);
		expect(out).toContain('signature=<redacted>');
		expect(out).toContain('timestamp=1');
	});

	it('toExchangeError redacts messages', () => {
		const mapped = toExchangeError(
			new ccxt.RequestTimeout(`binance GET http://h/api/v3/order?signature=abcdef0123&x=${key}`),
			[key, secret],
		);
		expect(mapped.message).not.toContain('abcdef0123');
		expect(mapped.message).not.toContain(key);
	});
});
