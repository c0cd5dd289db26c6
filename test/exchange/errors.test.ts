/**
 * Every error in the reference's table, triggered for real against the mock: ccxt raises the listed
 * exception (checked on a raw ccxt instance configured by configureBinance) and the facade turns it
 * into the right ExchangeErrorKind, with no secret in the message.
 */
import * as ccxt from 'ccxt';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {configureBinance, type DrydockBinance} from '../../source/exchange/ccxt-binance.js';
import {
	ExchangeError,
	toExchangeError,
	type ExchangeClient,
	type ExchangeErrorKind,
} from '../../source/exchange/index.js';
import {admin, connect, mockTarget, startMock, type Mock} from './helpers.js';

let mock: Mock;
let client: ExchangeClient;
const messages: string[] = [];

beforeAll(async () => {
	mock = await startMock();
	client = await connect(mock);
	await client.loadMarkets();
});

afterEach(async () => {
	await admin(mock, 'DELETE', '/faults');
});

afterAll(async () => {
	await client?.close();
	await mock?.close();
});

async function raw(overrides: Parameters<typeof mockTarget>[1] = {}): Promise<DrydockBinance> {
	const {exchange} = await configureBinance(mockTarget(mock, overrides));
	await exchange.loadMarkets();
	return exchange;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected the call to fail');
}

type CcxtClass = abstract new (...args: never[]) => Error;

/** The raw ccxt error is an instance of `expected`; the facade's mapping gives `kind`. */
async function expectCcxt(
	promise: Promise<unknown>,
	expected: CcxtClass,
	kind: ExchangeErrorKind,
	code?: number,
): Promise<ExchangeError> {
	const error = await rejection(promise);
	expect(error, String(error)).toBeInstanceOf(expected);
	const mapped = toExchangeError(error, [mock.apiKey, mock.apiSecret]);
	expect(mapped.kind).toBe(kind);
	if (code !== undefined) expect(mapped.code).toBe(code);
	messages.push(mapped.message);
	return mapped;
}

/** The facade rejects with an ExchangeError of `kind`. */
async function expectKind(promise: Promise<unknown>, kind: ExchangeErrorKind, code?: number): Promise<ExchangeError> {
	const error = await rejection(promise);
	expect(error).toBeInstanceOf(ExchangeError);
	const typed = error as ExchangeError;
	expect(typed.kind, typed.message).toBe(kind);
	if (code !== undefined) expect(typed.code).toBe(code);
	messages.push(typed.message);
	return typed;
}

describe('authentication', () => {
	it('-1022 bad signature (wrong secret) → AuthenticationError / auth', async () => {
		const wrongSecret = 'WrongSecretWrongSecretWrongSecretWrongSecret0001';
		const exchange = await raw({secret: wrongSecret});
		await expectCcxt(exchange.fetchBalance(), ccxt.AuthenticationError, 'auth', -1022);
		const facade = await connect(mock, {secret: wrongSecret});
		const error = await expectKind(facade.fetchBalance(), 'auth', -1022);
		expect(error.message).not.toContain(wrongSecret);
		expect(error.httpStatus).toBe(400);
		await facade.close();
	});

	it('-1022 on the WebSocket API: watchOrders and watchBalance reject with auth, nothing unhandled', async () => {
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		const wrongSecret = 'WrongSecretWrongSecretWrongSecretWrongSecret0002';
		const facade = await connect(mock, {secret: wrongSecret});
		try {
			const orders = await expectKind(facade.watchOrders(), 'auth', -1022);
			expect(orders.message).not.toContain(wrongSecret);
			await expectKind(facade.watchBalance(), 'auth', -1022);
			await new Promise(resolve => setTimeout(resolve, 300));
			expect(unhandled).toEqual([]);
		} finally {
			process.off('unhandledRejection', onUnhandled);
			await facade.close();
		}
	});

	it('-2015 unknown key → AuthenticationError / auth', async () => {
		const exchange = await raw({apiKey: 'UnknownKey0000000000000000000000000000000000000000000000000000000'});
		await expectCcxt(exchange.fetchBalance(), ccxt.AuthenticationError, 'auth', -2015);
	});

	it('-2014 bad key format → AuthenticationError / auth', async () => {
		const exchange = await raw({apiKey: 'not-a-valid-key!'});
		await expectCcxt(exchange.fetchBalance(), ccxt.AuthenticationError, 'auth', -2014);
	});

	it('-1021 outside recvWindow (clock skew, both directions) → InvalidNonce / invalid-nonce', async () => {
		const exchange = await raw();
		await admin(mock, 'POST', '/faults', {fault: 'clock-skew', params: {ms: 30_000}});
		await expectCcxt(exchange.fetchBalance(), ccxt.InvalidNonce, 'invalid-nonce', -1021);
		await expectKind(client.fetchBalance(), 'invalid-nonce', -1021);
		await admin(mock, 'DELETE', '/faults');
		await admin(mock, 'POST', '/faults', {fault: 'clock-skew', params: {ms: -5_000}});
		await expectCcxt(exchange.fetchBalance(), ccxt.InvalidNonce, 'invalid-nonce', -1021);
	});
});

describe('orders', () => {
	it('-2010 insufficient balance → InsufficientFunds; other -2010 → InvalidOrder', async () => {
		const exchange = await raw();
		await expectCcxt(
			exchange.createOrder('BTC/USDT', 'limit', 'buy', 50, 50_000),
			ccxt.InsufficientFunds,
			'insufficient-funds',
			-2010,
		);
		await expectKind(
			client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 50, price: 50_000}),
			'insufficient-funds',
			-2010,
		);
		const ask = (await exchange.fetchOrderBook('BTC/USDT', 5)).asks[0]![0]!;
		await expectCcxt(
			exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.001, ask + 100, {postOnly: true}),
			ccxt.InvalidOrder,
			'invalid-order',
			-2010,
		);
	});

	it('-1013 LOT_SIZE and PRICE_FILTER → InvalidOrder; NOTIONAL → BadRequest', async () => {
		const exchange = await raw();
		await expectCcxt(
			exchange.createOrder('BTC/USDT', 'limit', 'buy', 9001, 50_000),
			ccxt.InvalidOrder,
			'invalid-order',
			-1013,
		);
		await expectCcxt(
			exchange.createOrder('BTC/USDT', 'limit', 'sell', 0.001, 10_000_000),
			ccxt.InvalidOrder,
			'invalid-order',
			-1013,
		);
		await expectCcxt(
			exchange.createOrder('BTC/USDT', 'limit', 'buy', 0.00001, 50_000),
			ccxt.BadRequest,
			'bad-request',
			-1013,
		);
		const lot = await expectKind(
			client.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 9001, price: 50_000}),
			'invalid-order',
			-1013,
		);
		expect(lot.message).toContain('LOT_SIZE');
	});

	it('-1121 unknown symbol → BadSymbol / bad-symbol, asked of the venue', async () => {
		const exchange = await raw();
		await expectCcxt(exchange.publicGetTicker24hr({symbol: 'NOPEUSDT'}), ccxt.BadSymbol, 'bad-symbol', -1121);
		const before = mock.stats().requests.total;
		await expectKind(client.fetchTicker('NOPE/USDT'), 'bad-symbol', -1121);
		await expectKind(
			client.createOrder({symbol: 'NOPEUSDT', side: 'buy', type: 'limit', amount: 1, price: 1}),
			'bad-symbol',
			-1121,
		);
		expect(mock.stats().requests.total - before).toBe(2);
	});

	it('-2011 unknown order on cancel, -2013 on query → OrderNotFound / order-not-found', async () => {
		const exchange = await raw();
		await expectCcxt(exchange.cancelOrder('987654321', 'BTC/USDT'), ccxt.OrderNotFound, 'order-not-found', -2011);
		await expectCcxt(exchange.fetchOrder('987654321', 'BTC/USDT'), ccxt.OrderNotFound, 'order-not-found', -2013);
		await expectKind(client.cancelOrder('BTC/USDT', {clientOrderId: 'never-placed'}), 'order-not-found', -2011);
		await expectKind(client.fetchOrder('BTC/USDT', {id: '987654321'}), 'order-not-found', -2013);
	});

	it('-1102 missing and -1120 bad parameters → BadRequest / bad-request', async () => {
		const exchange = await raw();
		await expectCcxt(exchange.publicGetKlines({symbol: 'BTCUSDT'}), ccxt.BadRequest, 'bad-request', -1102);
		await expectCcxt(
			exchange.publicGetKlines({symbol: 'BTCUSDT', interval: '7q'}),
			ccxt.BadRequest,
			'bad-request',
			-1120,
		);
	});

	it('-1111 too much precision → BadRequest / bad-request (sent raw: createOrder would round it away)', async () => {
		const exchange = await raw();
		const order = exchange.privatePostOrder({
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'MARKET',
			quantity: '0.0010000000001',
		});
		await expectCcxt(order, ccxt.BadRequest, 'bad-request', -1111);
	});
});

describe('rate limits and outages', () => {
	it('429 (rate-limit storm) → DDoSProtection / ddos with Retry-After', async () => {
		const exchange = await raw();
		await admin(mock, 'POST', '/faults', {fault: 'rate-limit-storm', params: {retryAfterSec: 3}});
		await expectCcxt(exchange.fetchTicker('BTC/USDT'), ccxt.DDoSProtection, 'ddos');
		const error = await expectKind(client.fetchTicker('BTC/USDT'), 'ddos', -1003);
		expect(error.httpStatus).toBe(429);
		expect(error.retryAfterMs).toBe(3000);
		expect(error.transient).toBe(true);
		expect(client.lastResponseHeaders().retryAfterMs).toBe(3000);
	});

	it('429 then 418 past the weight budget → DDoSProtection / ddos', async () => {
		const strict = await startMock({weightLimitPerMinute: 40, banAfter429s: 2, banMs: 60_000});
		const facade = await connect(strict);
		try {
			await facade.loadMarkets().catch(() => undefined);
			const statuses: number[] = [];
			for (let i = 0; i < 40 && !statuses.includes(418); i++) {
				try {
					await facade.fetchTicker('BTC/USDT');
				} catch (error) {
					const typed = error as ExchangeError;
					expect(typed.kind).toBe('ddos');
					statuses.push(typed.httpStatus ?? 0);
				}
			}
			expect(statuses).toContain(429);
			expect(statuses).toContain(418);
		} finally {
			await facade.close();
			await strict.close();
		}
	});

	it('5xx → ExchangeNotAvailable / unavailable; 504 → RequestTimeout / timeout', async () => {
		const exchange = await raw();
		await admin(mock, 'POST', '/faults', {fault: 'error-rate', params: {probability: 1, status: 503}});
		await expectCcxt(exchange.fetchTicker('BTC/USDT'), ccxt.ExchangeNotAvailable, 'unavailable');
		expect((await expectKind(client.fetchTicker('BTC/USDT'), 'unavailable')).httpStatus).toBe(503);
		await admin(mock, 'DELETE', '/faults');
		// On a 500 the mock, like Binance, sends -1001 "Internal error…", which ccxt maps to OperationFailed.
		await admin(mock, 'POST', '/faults', {fault: 'error-rate', params: {probability: 1, status: 500}});
		expect(
			(await expectCcxt(exchange.fetchTicker('BTC/USDT'), ccxt.OperationFailed, 'unavailable', -1001)).httpStatus,
		).toBe(500);
		await admin(mock, 'DELETE', '/faults');
		await admin(mock, 'POST', '/faults', {fault: 'error-rate', params: {probability: 1, status: 504}});
		await expectCcxt(exchange.fetchTicker('BTC/USDT'), ccxt.RequestTimeout, 'timeout');
	});

	it('a slow venue → RequestTimeout / timeout; a closed port → NetworkError / network', async () => {
		await admin(mock, 'POST', '/faults', {fault: 'latency', params: {ms: 1500}});
		const slow = await connect(mock, {timeoutMs: 300});
		await expectKind(slow.fetchTime(), 'timeout');
		await slow.close();
		await admin(mock, 'DELETE', '/faults');
		const gone = await startMock();
		const target = mockTarget(gone);
		await gone.close();
		const {createExchange} = await import('../../source/exchange/index.js');
		const orphan = await createExchange(target);
		await expectKind(orphan.fetchTime(), 'network');
		await orphan.close();
	});
});

describe('secrets', () => {
	it('no error message carried a key, a secret or a signature', () => {
		expect(messages.length).toBeGreaterThan(20);
		for (const message of messages) {
			expect(message).not.toContain(mock.apiKey);
			expect(message).not.toContain(mock.apiSecret);
			expect(message).not.toMatch(/signature=[0-9a-f]{16}/i);
		}
	});
});
