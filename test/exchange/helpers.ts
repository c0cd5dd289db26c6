/** Shared setup for the exchange tests: a real mock on loopback and a real ccxt client pointed at it. */
import {startMockExchange, type MockExchangeOptions} from '../../source/mock/index.js';
import {createExchange} from '../../source/exchange/index.js';
import type {ExchangeClient, ExchangeTarget} from '../../source/exchange/index.js';

export type Mock = Awaited<ReturnType<typeof startMockExchange>>;

export async function startMock(options: MockExchangeOptions = {}): Promise<Mock> {
	return startMockExchange({port: 0, host: '127.0.0.1', seed: 7, ...options});
}

export function mockTarget(mock: Mock, overrides: Partial<ExchangeTarget> = {}): ExchangeTarget {
	return {
		environment: 'mock',
		restUrl: mock.rest,
		wsUrl: mock.ws,
		apiKey: mock.apiKey,
		secret: mock.apiSecret,
		enableRateLimit: false,
		timeoutMs: 5000,
		wsReconnectBaseMs: 50,
		...overrides,
	};
}

export function connect(mock: Mock, overrides: Partial<ExchangeTarget> = {}): Promise<ExchangeClient> {
	return createExchange(mockTarget(mock, overrides));
}

/** Fails the awaiting test with a clear message instead of hanging until the test timeout. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** POST/DELETE on the mock's admin API, as an operator would. */
export async function admin(
	mock: Mock,
	method: 'GET' | 'POST' | 'DELETE',
	path: string,
	body?: unknown,
): Promise<unknown> {
	const response = await fetch(`${mock.admin}${path}`, {
		method,
		headers: body === undefined ? {} : {'content-type': 'application/json'},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`admin ${method} ${path} → ${response.status} ${text}`);
	return text === '' ? undefined : JSON.parse(text);
}
