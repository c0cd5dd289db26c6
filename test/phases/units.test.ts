/** The phases' pure parts: risk manager, weight throttle, candle integrity, sizing, strategies, config rules, faults. */
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import type {Candle, ExchangeClient, MarketInfo} from '../../source/exchange/exchange-client.js';
import {checkCandles, integrityProblems} from '../../source/phases/candles.js';
import {keyShapeProblem} from '../../source/phases/config.js';
import {environmentOfHost} from '../../source/exchange/venues.js';
import {createClientFaultInjector} from '../../source/faults/client-injector.js';
import {createMockFaultInjector} from '../../source/faults/mock-injector.js';
import {RiskManager} from '../../source/phases/trading/risk.js';
import {amountForNotional, restingBuyPrice, roundAmount, roundPrice} from '../../source/phases/trading/sizing.js';
import {createMaCrossover, createPinger, signalsOf, validSignal} from '../../source/phases/trading/strategy.js';
import {loadStrategyFile, StrategyLoadError} from '../../source/phases/trading/strategy-loader.js';
import {OrderTracker} from '../../source/phases/trading/tracker.js';
import {WeightThrottle} from '../../source/phases/weight-throttle.js';
import {plantedSecret} from '../../source/phases/security.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const limits = {maxOrderNotional: 100, maxPosition: 1, maxOpenOrders: 2, dailyLossLimit: 50};

describe('RiskManager', () => {
	it('rejects each breach by its rule and accepts what fits', () => {
		const risk = new RiskManager(limits);
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 2, price: 100})).toMatchObject({
			ok: false,
			rule: 'max-order-notional',
		});
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.5, price: 100})).toEqual({ok: true});
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.4, price: 100})).toEqual({ok: true});
		// Two open (reserved) already.
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.05, price: 100})).toMatchObject({
			ok: false,
			rule: 'max-open-orders',
		});
		// Reserved position 0.9 + 0.2 > 1 once a slot frees.
		risk.settle({symbol: 'X', side: 'buy', amount: 0.4, price: 100});
		risk.fill('X', 'buy', 0.5, 100);
		risk.settle({symbol: 'X', side: 'buy', amount: 0.5, price: 100});
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.6, price: 10})).toMatchObject({
			ok: false,
			rule: 'max-position',
		});
		expect(risk.position('X')).toBe(0.5);
	});

	it('tracks realised loss, opens and closes positions, stops at the daily loss limit', () => {
		const risk = new RiskManager(limits);
		expect(risk.fill('X', 'buy', 1, 100)).toEqual({opened: true, closed: false});
		expect(risk.fill('X', 'sell', 1, 40)).toEqual({opened: false, closed: true});
		expect(risk.realizedPnl).toBeCloseTo(-60);
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.1, price: 100})).toMatchObject({
			ok: false,
			rule: 'daily-loss',
		});
	});

	it('holds live orders under the per-order and per-run caps', () => {
		const risk = new RiskManager({...limits, maxOpenOrders: 100}, {perOrderNotionalCap: 20, perRunNotionalCap: 50});
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.25, price: 100})).toMatchObject({
			ok: false,
			rule: 'live-order-cap',
		});
		for (let i = 0; i < 2; i++)
			expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.2, price: 100}).ok).toBe(true);
		expect(risk.evaluate({symbol: 'X', side: 'buy', amount: 0.2, price: 100})).toMatchObject({
			ok: false,
			rule: 'live-run-cap',
		});
	});
});

describe('WeightThrottle', () => {
	it('lets the bucket through at once, then spaces requests at budget/60 per second', async () => {
		let now = 0;
		const throttle = new WeightThrottle({budgetPerMinute: 600, headroom: 0, now: () => now});
		expect(throttle.ratePerSecond).toBe(10);
		const signal = new AbortController().signal;
		// 10 weight in the bucket: five calls of 2 go at once.
		for (let i = 0; i < 5; i++) expect(await throttle.acquire(2, signal)).toBe(0);
		const sixth = throttle.acquire(2, signal);
		let done = false;
		void sixth.then(() => (done = true));
		await new Promise(resolve => setTimeout(resolve, 30));
		expect(done).toBe(false);
		now += 200;
		await sixth;
		expect(throttle.delayed).toBe(1);
	});

	it('waits for the next minute when the venue reports the budget used', async () => {
		let now = 60_000 * 10 + 59_990;
		const throttle = new WeightThrottle({budgetPerMinute: 100, headroom: 0.2, now: () => now});
		throttle.observe(79, now);
		const controller = new AbortController();
		const pending = throttle.acquire(2, controller.signal);
		let done = false;
		void pending.then(() => (done = true));
		await new Promise(resolve => setTimeout(resolve, 30));
		expect(done).toBe(false);
		now += 100; // next minute: the venue's count resets
		await pending;
		expect(throttle.reported).toBe(0);
	});

	it('aborts a waiting caller', async () => {
		const throttle = new WeightThrottle({budgetPerMinute: 60, headroom: 0});
		const controller = new AbortController();
		await throttle.acquire(1, controller.signal);
		const waiting = throttle.acquire(1, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toThrow();
	});
});

describe('candle integrity', () => {
	const candle = (time: number, o = 10, h = 12, l = 9, c = 11, v = 1): Candle => ({
		time,
		open: o,
		high: h,
		low: l,
		close: c,
		volume: v,
	});
	it('passes a clean series and counts each kind of problem', () => {
		expect(integrityProblems(checkCandles([candle(0), candle(60_000), candle(120_000)], 60_000))).toBe(0);
		const broken = checkCandles(
			[
				candle(0),
				candle(180_000),
				candle(120_000),
				candle(240_000, 10, 9, 8, 11),
				candle(300_000, 10, 12, 9, 11, -1),
				candle(300_500),
			],
			60_000,
		);
		// 0 → 180 000 misses two; 120 000 goes back; 120 000 → 240 000 misses one.
		expect(broken.gaps).toBe(3);
		expect(broken.nonMonotonic).toBe(1);
		expect(broken.badOhlc).toBe(1);
		expect(broken.negativeVolume).toBe(1);
		expect(broken.misaligned).toBe(1);
		expect(broken.firstProblem).toContain('missing');
	});
});

const market: MarketInfo = {
	symbol: 'BTC/USDT',
	id: 'BTCUSDT',
	base: 'BTC',
	quote: 'USDT',
	status: 'TRADING',
	active: true,
	orderTypes: ['LIMIT', 'MARKET'],
	tickSize: 0.01,
	minPrice: 0.01,
	maxPrice: 1_000_000,
	stepSize: 0.00001,
	minQty: 0.00001,
	maxQty: 9000,
	marketMinQty: 0.00001,
	marketMaxQty: 100,
	minNotional: 5,
	maxNotional: 9_000_000,
	filters: [],
};

describe('sizing', () => {
	it('rounds to the filters and meets the minimum notional', () => {
		expect(roundPrice(market, 123.456)).toBe(123.46);
		expect(roundAmount(market, 0.123456)).toBe(0.12345);
		const amount = amountForNotional(market, 20, 90_000);
		expect(amount * 90_000).toBeGreaterThanOrEqual(20);
		expect(Number.isInteger(Math.round((amount / 0.00001) * 1e6) / 1e6)).toBe(true);
		expect(amountForNotional(market, 1, 90_000) * 90_000).toBeGreaterThanOrEqual(5);
		expect(restingBuyPrice(market, 100)).toBe(90);
	});
});

describe('strategies', () => {
	it('the crossover signals on crosses only, alternating', () => {
		const ma = createMaCrossover({symbol: 'BTC/USDT', fast: 2, slow: 4});
		const closes = [10, 10, 10, 10, 9, 8, 7, 12, 14, 16, 5, 4, 3];
		const signals = closes.flatMap((close, i) =>
			signalsOf(
				ma.onCandle!({symbol: 'BTC/USDT', time: i * 60_000, open: close, high: close, low: close, close, volume: 1}),
			),
		);
		expect(signals.map(s => s.side)).toEqual(['sell', 'buy', 'sell']);
	});

	it('the pinger alternates buy and sell on every tick', () => {
		const pinger = createPinger({symbol: 'BTC/USDT'});
		expect([1, 2, 3].map(t => signalsOf(pinger.onTick!(t))[0]!.side)).toEqual(['buy', 'sell', 'buy']);
	});

	it('the pinger trades back toward flat once the position leaves its band', () => {
		let position = 0;
		const pinger = createPinger({symbol: 'BTC/USDT', position: () => position, band: 1});
		const side = () => signalsOf(pinger.onTick!(0))[0]!.side;
		expect([side(), side()]).toEqual(['buy', 'sell']);
		position = 1.5;
		expect([side(), side()]).toEqual(['sell', 'sell']);
		position = -2;
		expect(side()).toBe('buy');
		position = 0;
		// Back inside the band it alternates again, from the side after the last one.
		expect([side(), side()]).toEqual(['sell', 'buy']);
	});

	it('validates what a user strategy returns', () => {
		expect(validSignal({symbol: 'BTC/USDT', side: 'buy'})).toBe(true);
		expect(validSignal({symbol: 'BTC/USDT', side: 'long'})).toBe(false);
		expect(validSignal({symbol: 'BTC/USDT', side: 'buy', amount: -1})).toBe(false);
		expect(validSignal(null)).toBe(false);
	});

	it('loads a JS factory and a TS object from files, and names the problem otherwise', async () => {
		const js = await loadStrategyFile('fixtures/strategy-js.mjs', {symbol: 'BTC/USDT'}, here);
		expect(js.name).toBe('fixture-js');
		expect(signalsOf(js.onTick!(0))[0]).toEqual({symbol: 'BTC/USDT', side: 'buy'});
		const ts = await loadStrategyFile('fixtures/strategy-ts.ts', {symbol: 'BTC/USDT'}, here);
		expect(ts.name).toBe('fixture-ts');
		expect(
			signalsOf(ts.onCandle!({symbol: 'BTC/USDT', time: 0, open: 2, high: 2, low: 1, close: 1, volume: 1}))[0]?.side,
		).toBe('sell');
		await expect(loadStrategyFile('fixtures/strategy-bad.mjs', {symbol: 'BTC/USDT'}, here)).rejects.toThrow(
			/default export must be a strategy/,
		);
		await expect(loadStrategyFile('fixtures/missing.mjs', {symbol: 'BTC/USDT'}, here)).rejects.toBeInstanceOf(
			StrategyLoadError,
		);
	});
});

describe('config rules', () => {
	it('recognises environments by host and Binance key shapes', () => {
		expect(environmentOfHost('127.0.0.1')).toBe('mock');
		expect(environmentOfHost('testnet.binance.vision')).toBe('testnet');
		expect(environmentOfHost('stream.testnet.binance.vision')).toBe('testnet');
		expect(environmentOfHost('api.binance.com')).toBe('mainnet');
		expect(environmentOfHost('stream.binance.com')).toBe('mainnet');
		expect(environmentOfHost('evil.example')).toBe('other');
		expect(keyShapeProblem(null, 'API key', 'K')).toContain('set the environment variable K');
		expect(keyShapeProblem('a'.repeat(63), 'API key', 'K')).toContain('63 characters');
		expect(keyShapeProblem(`${'a'.repeat(63)}!`, 'API key', 'K')).toContain('other than letters and digits');
		expect(keyShapeProblem('a'.repeat(64), 'API key', 'K')).toBeNull();
	});

	it('plants 64-character secrets with a recognisable marker', () => {
		const secret = plantedSecret();
		expect(secret).toMatch(/^DDPLANT0[A-Za-z0-9]{56}$/);
		expect(plantedSecret()).not.toBe(secret);
	});
});

describe('fault injectors', () => {
	it('on a real venue only our own connections can be dropped; the rest is skipped with a reason', async () => {
		let dropped = 0;
		const faults = createClientFaultInjector({
			dropConnections: async () => void dropped++,
		} as unknown as ExchangeClient);
		expect(faults.supports('drop-websockets')).toBe(true);
		expect(faults.supports('error-rate')).toBe(false);
		expect(faults.unsupportedReason('error-rate')).toBe('venue gives no control over 5xx responses');
		await faults.inject({fault: 'drop-websockets'});
		expect(dropped).toBe(1);
		await expect(faults.inject({fault: 'clock-skew', params: {ms: 1}})).rejects.toThrow(/no control over its clock/);
	});

	it('an unreachable mock admin API is a clear error', async () => {
		const faults = createMockFaultInjector('http://127.0.0.1:1/__drydock', 500);
		await expect(faults.inject({fault: 'latency', params: {ms: 1}})).rejects.toThrow(
			/mock admin POST \/faults unreachable/,
		);
	});
});

describe('OrderTracker', () => {
	it("hands out distinct ids within Binance's 36 characters and knows its own", () => {
		const tracker = new OrderTracker();
		const ids = Array.from({length: 1000}, () => tracker.nextClientOrderId('concurrency'));
		expect(new Set(ids).size).toBe(1000);
		expect(ids.every(id => /^[A-Za-z0-9_-]{1,36}$/.test(id) && tracker.owns(id))).toBe(true);
		expect(tracker.owns('x-other-client-1')).toBe(false);
		expect(new OrderTracker().owns(ids[0]!)).toBe(false);
	});

	it('reconcile: an order of unknown fate the venue never heard of was never placed; an acknowledged one is missing', async () => {
		const tracker = new OrderTracker();
		const base = {symbol: 'BTC/USDT', side: 'buy' as const, type: 'limit', amount: 0.001, price: 1};
		const unknownFate = tracker.nextClientOrderId('soak');
		const acknowledged = tracker.nextClientOrderId('soak');
		tracker.register({...base, clientOrderId: unknownFate});
		tracker.mark(unknownFate, 'unknown');
		tracker.register({...base, clientOrderId: acknowledged});
		tracker.mark(acknowledged, 'open');
		const notFound = Object.assign(new Error('Order does not exist.'), {kind: 'order-not-found'});
		// Only the two calls reconcile makes; anything else would throw.
		const venue = {
			fetchOpenOrders: async () => [],
			fetchOrder: async () => {
				throw notFound;
			},
		} as unknown as ExchangeClient;
		const report = await tracker.reconcile(venue, ['BTC/USDT']);
		expect(report.missing).toEqual([acknowledged]);
		expect(tracker.get(unknownFate)?.status).toBe('rejected');
	});
});
