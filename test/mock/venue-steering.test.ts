/**
 * A market you can steer (issue 14): realised volatility matches the setting over a simulated day (the
 * simulator's clock is driven, nothing waits), regimes and drift as set, and the admin API — settings,
 * current regime, the price-shock fault and the trading halt (BREAK, orders refused as Binance does).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {marketSettingsFromFlags, mockMarketSchema} from '../../source/mock/market/market-settings.js';
import {MarketSimulator} from '../../source/mock/market/simulator.js';
import {adminCall, publicGet, signed, startMock} from './helpers.js';

const DAY = 86_400_000;
const YEAR_MINUTES = 365 * 24 * 60;

/** Annualised realised volatility from 1m closes over a simulated day of 1 s steps. */
function realisedVolatility(settings: Record<string, unknown>, seed: number, symbol = 'BTCUSDT'): number {
	let now = Date.UTC(2026, 2, 2);
	const market = new MarketSimulator({seed, symbols: [symbol], clock: () => now, stepMs: 1000, market: settings});
	const start = now;
	for (let i = 0; i < DAY / 1000; i++) {
		now += 1000;
		market.step();
	}
	const rows = market.klines(symbol, '1m', 1440, start) as unknown as Array<[number, string, string, string, string]>;
	const r: number[] = [];
	for (let i = 1; i < rows.length; i++) r.push(Math.log(Number(rows[i]![4]) / Number(rows[i - 1]![4])));
	const mean = r.reduce((a, b) => a + b, 0) / r.length;
	const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1);
	return Math.sqrt(variance * YEAR_MINUTES);
}

describe('volatility calibration', () => {
	// A fixed regime scales the setting by its factor (ranging 0.85, trending 1, volatile 1.45) over trending's; auto mixes them to the setting.
	it.each([
		[0.3, 'auto', 'ETHUSDT'],
		[1.0, 'auto', 'SOLUSDT'],
		[0.5, 'trending', 'SOLUSDT'],
		[0.5, 'ranging', 'SOLUSDT'],
	])(
		'annualised %s (%s, %s): realised over a simulated day within 20 %%',
		{timeout: 180_000},
		(volatility, regime, symbol) => {
			const realised = realisedVolatility({volatility, regime}, 11, symbol);
			expect(realised / volatility).toBeGreaterThan(0.8);
			expect(realised / volatility).toBeLessThan(1.2);
		},
	);

	it(
		'the setting is what moves the price: four times the volatility, about four times the realised',
		{timeout: 180_000},
		() => {
			const low = realisedVolatility({volatility: 0.4}, 12, 'SOLUSDT');
			const high = realisedVolatility({volatility: 1.6}, 12, 'SOLUSDT');
			expect(high / low).toBeGreaterThan(3.2);
			expect(high / low).toBeLessThan(4.8);
		},
	);

	it('drift moves the price the way it is set', () => {
		let now = Date.UTC(2026, 2, 2);
		const up = new MarketSimulator({
			seed: 3,
			symbols: ['BTCUSDT'],
			clock: () => now,
			stepMs: 1000,
			market: {volatility: 0.1, drift: 200, regime: 'ranging'},
		});
		let t2 = now;
		const down = new MarketSimulator({
			seed: 3,
			symbols: ['BTCUSDT'],
			clock: () => t2,
			stepMs: 1000,
			market: {volatility: 0.1, drift: -200, regime: 'ranging'},
		});
		const p0 = up.lastPrice('BTCUSDT');
		for (let i = 0; i < 3_600; i++) {
			now += 1000;
			t2 += 1000;
			up.step();
			down.step();
		}
		// 200/year over an hour is about +2.3 %, against a noise of about 0.1 %.
		expect(up.lastPrice('BTCUSDT') / p0).toBeGreaterThan(1.01);
		expect(down.lastPrice('BTCUSDT') / p0).toBeLessThan(0.99);
	});
});

describe('settings from the profile and the command line', () => {
	it('validates the mock.market section and the flags with a message naming the field', () => {
		expect(
			mockMarketSchema.safeParse({volatility: 0.6, regime: 'volatile', symbols: {BTCUSDT: {spread: 5}}}).success,
		).toBe(true);
		expect(mockMarketSchema.safeParse({volatility: -1}).success).toBe(false);
		expect(mockMarketSchema.safeParse({regime: 'sideways'}).success).toBe(false);
		expect(marketSettingsFromFlags({volatility: '0.6', regime: 'trending', 'trade-rate': '4'})).toEqual({
			ok: true,
			settings: {volatility: 0.6, regime: 'trending', tradeRate: 4},
		});
		expect(marketSettingsFromFlags({volatility: 'high'})).toEqual({
			ok: false,
			message: '--volatility: "high" is not a number',
		});
		const bad = marketSettingsFromFlags({'trade-rate': '-3'});
		expect(bad.ok).toBe(false);
		expect(bad.ok ? '' : bad.message).toMatch(/^--trade-rate: /);
	});

	it('spread and trade rate take effect', () => {
		let now = Date.UTC(2026, 2, 2);
		const market = new MarketSimulator({
			seed: 4,
			symbols: ['BTCUSDT'],
			clock: () => now,
			market: {spread: 10, tradeRate: 20},
		});
		let trades = 0;
		market.onTrade(() => trades++);
		for (let i = 0; i < 600; i++) {
			now += 100;
			market.step();
		}
		const d = market.depth('BTCUSDT', 1);
		const bid = Number(d.bids[0]![0]);
		const ask = Number(d.asks[0]![0]);
		// 10 bps of ~92 000 is ~92 USDT, a little less after the flow has eaten into the touch.
		expect((ask - bid) / ((ask + bid) / 2)).toBeGreaterThan(0.0008);
		expect(trades).toBeGreaterThan(60 * 20 * 0.8);
		expect(trades).toBeLessThan(60 * 20 * 1.2);
	});
});

describe('admin API: settings, regime, price shock, halt', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		mock = await startMock({seed: 51, stepMs: 20, market: {symbols: {ETHUSDT: {regime: 'ranging'}}}});
	});
	afterAll(async () => {
		await mock.close();
	});

	type State = {
		symbol: string;
		settings: {volatility: number; regime: string; spread: number};
		regime: string;
		status: string;
		price: string;
		shock?: {phase: string};
	};
	const states = async () => ((await adminCall(mock, 'GET', '/market')).body as {symbols: State[]}).symbols;

	it('GET /market shows settings and the current regime; POST /market changes them per symbol', async () => {
		const before = await states();
		expect(before.map(s => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
		expect(before[1]!.regime).toBe('ranging');
		expect(['trending', 'ranging', 'volatile']).toContain(before[0]!.regime);
		const r = await adminCall(mock, 'POST', '/market', {symbol: 'BTCUSDT', regime: 'volatile', volatility: 1.2});
		expect(r.status).toBe(200);
		await new Promise(resolve => setTimeout(resolve, 100));
		const after = await states();
		expect(after[0]!.settings.volatility).toBe(1.2);
		expect(after[0]!.regime).toBe('volatile');
		expect(after[1]!.settings.volatility).toBe(before[1]!.settings.volatility);
		const bad = await adminCall(mock, 'POST', '/market', {regime: 'sideways'});
		expect(bad.status).toBe(400);
		expect((bad.body as {msg: string}).msg).toMatch(/regime/);
		expect((await adminCall(mock, 'POST', '/market', {symbol: 'DOGEUSDT', spread: 1})).status).toBe(400);
	});

	it('price-shock: −8 % over 300 ms, then recovery', async () => {
		await adminCall(mock, 'POST', '/market', {symbol: 'ETHUSDT', volatility: 0.05, regime: 'ranging'});
		const price = async () =>
			Number(((await publicGet(mock, '/api/v3/ticker/bookTicker?symbol=ETHUSDT')).body as {bidPrice: string}).bidPrice);
		const p0 = await price();
		const r = await adminCall(mock, 'POST', '/market/shock', {
			symbol: 'ETHUSDT',
			percent: -8,
			durationMs: 300,
			holdMs: 300,
			recoveryMs: 600,
		});
		expect(r.status).toBe(200);
		await new Promise(resolve => setTimeout(resolve, 450));
		const low = await price();
		expect(low / p0).toBeLessThan(0.94);
		expect(low / p0).toBeGreaterThan(0.9);
		expect((await states())[1]!.shock?.phase).toBe('holding');
		await new Promise(resolve => setTimeout(resolve, 900));
		expect((await price()) / p0).toBeGreaterThan(0.98);
		expect(
			(await adminCall(mock, 'POST', '/market/shock', {symbol: 'ETHUSDT', percent: -120, durationMs: 10})).status,
		).toBe(400);
	});

	it('halt: exchangeInfo says BREAK and the symbol stops trading; resume brings it back', async () => {
		expect((await adminCall(mock, 'POST', '/market/halt', {symbol: 'BTCUSDT'})).status).toBe(200);
		const info = (await publicGet(mock, '/api/v3/exchangeInfo?symbol=BTCUSDT')).body as {
			symbols: Array<{status: string}>;
		};
		expect(info.symbols[0]!.status).toBe('BREAK');
		const t1 = ((await publicGet(mock, '/api/v3/trades?symbol=BTCUSDT&limit=1')).body as Array<{id: number}>)[0]!.id;
		await new Promise(resolve => setTimeout(resolve, 300));
		const t2 = ((await publicGet(mock, '/api/v3/trades?symbol=BTCUSDT&limit=1')).body as Array<{id: number}>)[0]!.id;
		expect(t2).toBe(t1);
		expect((await states())[0]!.status).toBe('BREAK');
		const refused = await signed(mock, 'POST', '/api/v3/order', {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'MARKET',
			quantity: '0.001',
		});
		expect([refused.status, refused.body]).toEqual([400, {code: -1013, msg: 'Market is closed.'}]);
		const other = await signed(mock, 'POST', '/api/v3/order', {
			symbol: 'ETHUSDT',
			side: 'BUY',
			type: 'MARKET',
			quantity: '0.01',
		});
		expect(other.status).toBe(200);
		await adminCall(mock, 'POST', '/market/resume', {symbol: 'BTCUSDT'});
		const again = (await publicGet(mock, '/api/v3/exchangeInfo?symbol=BTCUSDT')).body as {
			symbols: Array<{status: string}>;
		};
		expect(again.symbols[0]!.status).toBe('TRADING');
		expect(
			(await signed(mock, 'POST', '/api/v3/order', {symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001'}))
				.status,
		).toBe(200);
	});

	it('POST /market shows a fixed regime at once, not a step later', async () => {
		for (const regime of ['volatile', 'ranging', 'trending'] as const) {
			await adminCall(mock, 'POST', '/market', {symbol: 'BTCUSDT', regime});
			expect((await states())[0]!.regime).toBe(regime);
		}
	});

	it('a halt with durationMs resumes by itself; a bad duration is refused', async () => {
		const r = await adminCall(mock, 'POST', '/market/halt', {symbol: 'ETHUSDT', durationMs: 300});
		expect(r.status).toBe(200);
		expect((r.body as {status: string; resumeAt?: number}).resumeAt).toBeGreaterThan(0);
		const order = () =>
			signed(mock, 'POST', '/api/v3/order', {symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01'});
		expect((await order()).body).toEqual({code: -1013, msg: 'Market is closed.'});
		await new Promise(resolve => setTimeout(resolve, 400));
		expect((await order()).status).toBe(200);
		expect((await states())[1]!.status).toBe('TRADING');
		expect((await adminCall(mock, 'POST', '/market/halt', {symbol: 'ETHUSDT', durationMs: -5})).status).toBe(400);
		expect((await states())[1]!.status).toBe('TRADING');
	});
});
