/**
 * A profile can raise (or lower) the embedded mock's venue limits: an accelerated soak needs more than
 * Binance's 100 orders per 10 s. Real runtime, real embedded mock, real ccxt.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {validateProfile} from '../../source/profiles/profile-file.js';
import {buildRuntime} from '../../source/runtime/create.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const close of closers.splice(0)) await close().catch(() => {});
});

async function placeResting(
	mockSettings: Record<string, unknown>,
	count: number,
): Promise<{placed: number; firstError: string | null}> {
	const profile = validateProfile(
		{
			name: 'limits-test',
			exchange: 'binance',
			environment: 'mock',
			symbols: ['BTC/USDT'],
			rateLimit: {enableRateLimit: false},
			mock: {seed: 3, ...mockSettings},
		},
		'test profile',
	);
	const runtime = await buildRuntime({profile, env: {}, readOutputs: () => ''});
	closers.push(async () => runtime.close?.());
	const exchange = runtime.exchange;
	await exchange.loadMarkets();
	const price = Math.round((await exchange.fetchTicker('BTC/USDT')).last! * 0.5);
	let placed = 0;
	for (let i = 0; i < count; i++) {
		try {
			await exchange.createOrder({
				symbol: 'BTC/USDT',
				side: 'buy',
				type: 'limit',
				amount: 0.001,
				price,
				clientOrderId: `limits-${i}`,
			});
			placed += 1;
		} catch (error) {
			return {placed, firstError: error instanceof Error ? error.message : String(error)};
		}
	}
	return {placed, firstError: null};
}

describe('profile mock limits', () => {
	it("mock.ordersPer10s lowers the embedded venue's order limit: the next order gets Binance's -1015", async () => {
		const result = await placeResting({ordersPer10s: 5}, 8);
		expect(result.placed).toBe(5);
		expect(result.firstError).toMatch(/-1015|Too many new orders/);
	});

	it("by default the limit is Binance's 100 per 10 s", async () => {
		const result = await placeResting({}, 8);
		expect(result).toEqual({placed: 8, firstError: null});
	});

	it('refuses a limit that is not a positive whole number, naming the field', () => {
		expect(() =>
			validateProfile(
				{name: 'bad', exchange: 'binance', environment: 'mock', symbols: ['BTC/USDT'], mock: {ordersPer10s: 0}},
				'bad.json',
			),
		).toThrow(/mock\.ordersPer10s/);
	});
});
