/**
 * The profile's `mock.market` steers the embedded mock (issue 14): the settings reach it (seen over its
 * admin API), the volatility is what moves prices (measured from the public book over the wire), and a
 * bad value is a one-line exit-2 error naming the field. Real runtime, real embedded mock.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {ProfileError, validateProfile} from '../../source/profiles/profile-file.js';
import {buildRuntime} from '../../source/runtime/create.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const close of closers.splice(0)) await close().catch(() => {});
});

const YEAR_MS = 365 * 86_400_000;

function profileWith(market: unknown) {
	return validateProfile(
		{
			name: 'market-test',
			exchange: 'binance',
			environment: 'mock',
			symbols: ['BTC/USDT', 'ETH/USDT'],
			mock: {seed: 5, market},
		},
		'test profile',
	);
}

async function start(market: unknown): Promise<{rest: string; admin: string}> {
	const runtime = await buildRuntime({profile: profileWith(market), env: {}, readOutputs: () => '', preflight: false});
	closers.push(async () => runtime.close?.());
	return {rest: runtime.endpoints.rest, admin: runtime.endpoints.admin!};
}

/** Annualised realised volatility of the public mid, sampled every `everyMs` over the wire. */
async function measuredVolatility(rest: string, samples: number, everyMs: number): Promise<number> {
	const mids: number[] = [];
	for (let i = 0; i < samples; i++) {
		const r = (await (await fetch(`${rest}/api/v3/ticker/bookTicker?symbol=BTCUSDT`)).json()) as {
			bidPrice: string;
			askPrice: string;
		};
		mids.push((Number(r.bidPrice) + Number(r.askPrice)) / 2);
		await new Promise(resolve => setTimeout(resolve, everyMs));
	}
	const returns = mids.slice(1).map((m, i) => Math.log(m / mids[i]!));
	const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
	const variance = returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (returns.length - 1);
	return Math.sqrt((variance * YEAR_MS) / everyMs);
}

describe("the profile's mock.market", () => {
	it('reaches the embedded mock: settings per symbol, the regime as set, volatility measured in prices', async () => {
		const hot = await start({volatility: 8, regime: 'trending', symbols: {ETHUSDT: {spread: 20, regime: 'ranging'}}});
		const state = (await (await fetch(`${hot.admin}/market`)).json()) as {
			symbols: Array<{symbol: string; regime: string; settings: {volatility: number; spread: number}}>;
		};
		expect(state.symbols.map(s => [s.symbol, s.regime, s.settings.volatility, s.settings.spread])).toEqual([
			['BTCUSDT', 'trending', 8, 0],
			['ETHUSDT', 'ranging', 8, 20],
		]);
		const calm = await start({volatility: 0.05, regime: 'trending'});
		const [hotVol, calmVol] = await Promise.all([
			measuredVolatility(hot.rest, 30, 200),
			measuredVolatility(calm.rest, 30, 200),
		]);
		// 30 samples over wall-clock steps: loose bounds, but a setting that did not arrive would be ~0.3 (the default).
		expect(hotVol / 8).toBeGreaterThan(0.4);
		expect(hotVol / 8).toBeLessThan(2.5);
		expect(calmVol).toBeLessThan(hotVol / 10);
	}, 30_000);

	it('refuses a bad value with one line naming the field (exit 2)', () => {
		const cases: Array<[unknown, RegExp]> = [
			[{volatility: -1}, /mock\.market\.volatility: must be at least 0/],
			[{regime: 'sideways'}, /mock\.market\.regime: expected one of auto, trending, ranging, volatile/],
			[{symbols: {BTCUSDT: {tradeRate: 0}}}, /mock\.market\.symbols\.BTCUSDT\.tradeRate: must be above 0/],
			[{symbols: {'btc/usdt': {}}}, /mock\.market\.symbols\.btc\/usdt: expected an exchange symbol/],
			[{volatilty: 0.5}, /mock\.market\.volatilty: unknown field/],
			[{spread: '5'}, /mock\.market\.spread: expected a number/],
		];
		for (const [market, pattern] of cases) {
			let error: unknown;
			try {
				profileWith(market);
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(ProfileError);
			expect((error as ProfileError).exitCode).toBe(2);
			expect((error as Error).message).toMatch(pattern);
			expect((error as Error).message).not.toContain('\n');
		}
	});
});
