/** The pure matching engine against a scripted book (a unit test of the engine, so the book is a stub). */
import {beforeEach, describe, expect, it} from 'vitest';
import {
	MatchingEngine,
	type BookLevel,
	type EngineEvent,
	type InstrumentRules,
} from '../../source/mock/matching/index.js';

const RULES: InstrumentRules = {
	symbol: 'BTCUSDT',
	baseAsset: 'BTC',
	quoteAsset: 'USDT',
	priceDecimals: 2,
	qtyDecimals: 5,
	tickSize: 0.01,
	stepSize: 0.00001,
	minPrice: 0.01,
	maxPrice: 1_000_000,
	minQty: 0.00001,
	maxQty: 9000,
	marketMaxQty: 100,
	minNotional: 5,
	maxNotional: 9_000_000,
};

class ScriptedBook {
	asks: BookLevel[] = [];
	bids: BookLevel[] = [];
	taken: Array<{side: string; price: number; qty: number}> = [];
	private tradeId = 1000;
	levels(_s: string, side: 'bid' | 'ask') {
		return side === 'ask' ? this.asks : this.bids;
	}
	take(_s: string, side: 'bid' | 'ask', price: number, qty: number) {
		this.taken.push({side, price, qty});
		const levels = side === 'ask' ? this.asks : this.bids;
		const level = levels.find(l => l.price === price)!;
		level.qty = Math.round((level.qty - qty) * 1e5) / 1e5;
		if (level.qty <= 0) levels.splice(levels.indexOf(level), 1);
		return this.tradeId++;
	}
	referencePrice() {
		return 100;
	}
}

const KEY = 'k';
let book: ScriptedBook;
let engine: MatchingEngine;
let events: EngineEvent[];
let now: number;

/** free + locked of every asset, and locked equal to what the open orders hold. */
function checkConsistent() {
	const account = engine.account(KEY)!;
	let lockedUsdt = 0;
	let lockedBtc = 0;
	for (const o of engine.openOrders(KEY)) {
		const left = o.origQty - o.executedQty;
		if (o.side === 'BUY') lockedUsdt += o.locked;
		else lockedBtc += left;
	}
	for (const [asset, b] of account.balances) {
		expect(b.free, `${asset} free`).toBeGreaterThanOrEqual(0);
		expect(b.locked, `${asset} locked`).toBeGreaterThanOrEqual(0);
	}
	expect(account.balance('USDT').locked).toBeCloseTo(lockedUsdt, 8);
	expect(account.balance('BTC').locked).toBeCloseTo(lockedBtc, 8);
}

/** Total USDT and BTC from the initial funds and the recorded trades. */
function checkConservation(initialUsdt: number, initialBtc: number) {
	const account = engine.account(KEY)!;
	let usdt = initialUsdt;
	let btc = initialBtc;
	for (const t of engine.myTrades(KEY, 'BTCUSDT', {limit: 100_000})) {
		if (t.isBuyer) {
			usdt -= t.quoteQty;
			btc += t.qty - t.commission;
		} else {
			usdt += t.quoteQty - t.commission;
			btc -= t.qty;
		}
	}
	const b = account.balance('BTC');
	const u = account.balance('USDT');
	expect(u.free + u.locked).toBeCloseTo(usdt, 6);
	expect(b.free + b.locked).toBeCloseTo(btc, 8);
}

beforeEach(() => {
	book = new ScriptedBook();
	book.asks = [
		{price: 100.0, qty: 1},
		{price: 100.5, qty: 2},
		{price: 101.0, qty: 3},
	];
	book.bids = [
		{price: 99.5, qty: 1},
		{price: 99.0, qty: 2},
	];
	now = 1_700_000_000_000;
	engine = new MatchingEngine({clock: () => now, rules: s => (s === 'BTCUSDT' ? RULES : undefined), liquidity: book});
	engine.createAccount(KEY, {USDT: 10_000, BTC: 5});
	events = [];
	engine.onEvent(e => events.push(e));
});

describe('MatchingEngine', () => {
	it('a market buy by quantity walks several levels, charging the taker fee in the base asset', () => {
		const r = engine.placeOrder(KEY, {symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: 2.5});
		if (!r.ok) throw new Error(r.error.msg);
		expect(r.value.order.status).toBe('FILLED');
		expect(r.value.fills.map(f => [f.price, f.qty])).toEqual([
			[100, 1],
			[100.5, 1.5],
		]);
		expect(r.value.order.cummulativeQuoteQty).toBeCloseTo(250.75, 8);
		expect(r.value.fills[1]!.commission).toBeCloseTo(0.0015, 8);
		expect(r.value.fills[1]!.commissionAsset).toBe('BTC');
		expect(book.asks[0]).toEqual({price: 100.5, qty: 0.5});
		checkConsistent();
		checkConservation(10_000, 5);
	});

	it('a market buy by quoteOrderQty spends at most that quote, lot by lot', () => {
		const r = engine.placeOrder(KEY, {symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: 201});
		if (!r.ok) throw new Error(r.error.msg);
		expect(r.value.order.status).toBe('FILLED');
		expect(r.value.fills.length).toBe(2);
		expect(r.value.order.cummulativeQuoteQty).toBeLessThanOrEqual(201);
		expect(r.value.order.cummulativeQuoteQty).toBeGreaterThan(200.99);
		expect(r.value.order.origQty).toBeCloseTo(r.value.order.executedQty, 8);
		checkConservation(10_000, 5);
	});

	it('a market sell walks the bids; quote fee in the quote asset', () => {
		const r = engine.placeOrder(KEY, {symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: 2});
		if (!r.ok) throw new Error(r.error.msg);
		expect(r.value.fills.map(f => f.price)).toEqual([99.5, 99]);
		expect(r.value.fills[0]!.commissionAsset).toBe('USDT');
		checkConservation(10_000, 5);
	});

	it('a market order larger than the book fills what there is and expires', () => {
		const r = engine.placeOrder(KEY, {symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: 4});
		if (!r.ok) throw new Error(r.error.msg);
		expect(r.value.order.status).toBe('EXPIRED');
		expect(r.value.order.executedQty).toBe(3);
	});

	it('a GTC limit rests with funds locked, then fills as maker when the market trades through it', () => {
		const r = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: 1,
			price: 98,
		});
		if (!r.ok) throw new Error(r.error.msg);
		expect(r.value.order.status).toBe('NEW');
		expect(engine.account(KEY)!.balance('USDT')).toEqual({free: 9902, locked: 98});
		checkConsistent();
		engine.marketTrade('BTCUSDT', 98.5, 0.1, 1);
		expect(engine.openOrders(KEY)).toHaveLength(1);
		// Touching the price fills up to the traded size; trading through fills the rest.
		now += 1000;
		engine.marketTrade('BTCUSDT', 98, 0.4, 2);
		expect(engine.openOrders(KEY)[0]).toMatchObject({status: 'PARTIALLY_FILLED', executedQty: 0.4});
		checkConsistent();
		engine.marketTrade('BTCUSDT', 97.9, 0.01, 3);
		expect(engine.openOrders(KEY)).toHaveLength(0);
		const done = engine.getOrder(KEY, 'BTCUSDT', {orderId: r.value.order.orderId});
		expect(done.ok && done.value.status).toBe('FILLED');
		const trades = engine.myTrades(KEY, 'BTCUSDT');
		expect(trades.every(t => t.isMaker && t.price === 98)).toBe(true);
		expect(engine.account(KEY)!.balance('USDT')).toEqual({free: 9902, locked: 0});
		checkConsistent();
		checkConservation(10_000, 5);
	});

	it('a crossing limit executes the crossing part at the book’s prices and rests the rest, releasing the price improvement', () => {
		const r = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: 4,
			price: 100.5,
		});
		if (!r.ok) throw new Error(r.error.msg);
		expect(r.value.order.status).toBe('PARTIALLY_FILLED');
		expect(r.value.order.executedQty).toBe(3);
		const usdt = engine.account(KEY)!.balance('USDT');
		expect(usdt.locked).toBeCloseTo(100.5, 8);
		expect(usdt.free).toBeCloseTo(10_000 - 100 - 201 - 100.5, 8);
		checkConsistent();
		checkConservation(10_000, 5);
	});

	it('IOC fills what it can and expires the remainder; FOK is all or nothing', () => {
		const ioc = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'IOC',
			quantity: 2,
			price: 100,
		});
		if (!ioc.ok) throw new Error(ioc.error.msg);
		expect(ioc.value.order).toMatchObject({status: 'EXPIRED', executedQty: 1});
		const fokKill = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'FOK',
			quantity: 3,
			price: 100.5,
		});
		if (!fokKill.ok) throw new Error(fokKill.error.msg);
		expect(fokKill.value.order).toMatchObject({status: 'EXPIRED', executedQty: 0});
		expect(fokKill.value.fills).toHaveLength(0);
		const fokFill = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'FOK',
			quantity: 2,
			price: 100.5,
		});
		if (!fokFill.ok) throw new Error(fokFill.error.msg);
		expect(fokFill.value.order.status).toBe('FILLED');
		expect(engine.account(KEY)!.balance('USDT').locked).toBe(0);
		checkConsistent();
		checkConservation(10_000, 5);
	});

	it('LIMIT_MAKER is rejected when it would cross, rests when it would not', () => {
		const cross = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT_MAKER',
			quantity: 1,
			price: 100,
		});
		expect(cross.ok).toBe(false);
		if (!cross.ok) expect(cross.error).toEqual({code: -2010, msg: 'Order would immediately match and take.'});
		const rest = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'SELL',
			type: 'LIMIT_MAKER',
			quantity: 1,
			price: 100,
		});
		expect(rest.ok && rest.value.order.status).toBe('NEW');
		expect(engine.account(KEY)!.balance('BTC')).toEqual({free: 4, locked: 1});
	});

	it('cancel and cancel-all release locked funds and report CANCELED', () => {
		engine.placeOrder(KEY, {symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: 1, price: 90});
		engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'SELL',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: 1,
			price: 110,
			clientOrderId: 'sell-1',
		});
		const one = engine.cancelOrder(KEY, 'BTCUSDT', {origClientOrderId: 'sell-1'});
		expect(one.ok && one.value.status).toBe('CANCELED');
		const all = engine.cancelAll(KEY, 'BTCUSDT');
		expect(all.ok && all.value.length).toBe(1);
		expect(engine.account(KEY)!.balance('USDT')).toEqual({free: 10_000, locked: 0});
		expect(engine.account(KEY)!.balance('BTC')).toEqual({free: 5, locked: 0});
		const kinds = events.filter(e => e.kind === 'order').map(e => (e.kind === 'order' ? e.execution : ''));
		expect(kinds).toEqual(['NEW', 'NEW', 'CANCELED', 'CANCELED']);
	});

	it('reports NEW then TRADE events for a market order, and balances after', () => {
		engine.placeOrder(KEY, {symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: 1.5});
		const summary = events.map(e => (e.kind === 'order' ? `${e.execution}:${e.order.status}` : e.kind));
		expect(summary).toEqual(['NEW:NEW', 'TRADE:PARTIALLY_FILLED', 'TRADE:FILLED', 'balances']);
	});
	it('STOP_LOSS sells wait unworking with the base locked, fire when a trade reaches the stop, and fill at market', () => {
		const r = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'SELL',
			type: 'STOP_LOSS',
			quantity: 1.5,
			stopPrice: 98,
		});
		if (!r.ok) throw new Error(r.error.msg);
		expect(r.value.order).toMatchObject({status: 'NEW', isWorking: false, stopPrice: 98});
		expect(engine.account(KEY)!.balance('BTC')).toEqual({free: 3.5, locked: 1.5});
		engine.marketTrade('BTCUSDT', 98.5, 0.1, 1);
		expect(engine.openOrders(KEY)[0]!.isWorking).toBe(false);
		engine.marketTrade('BTCUSDT', 97.9, 0.1, 2);
		const done = engine.getOrder(KEY, 'BTCUSDT', {orderId: r.value.order.orderId});
		expect(done.ok && done.value).toMatchObject({status: 'FILLED', isWorking: true, executedQty: 1.5});
		expect(engine.myTrades(KEY, 'BTCUSDT').map(t => [t.price, t.qty, t.isMaker])).toEqual([
			[99.5, 1, false],
			[99, 0.5, false],
		]);
		expect(engine.account(KEY)!.balance('BTC').locked).toBe(0);
		checkConservation(10_000, 5);
	});

	it('STOP_LOSS_LIMIT buys lock quote, fire on a trade at or above the stop and then rest as a limit', () => {
		const r = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'STOP_LOSS_LIMIT',
			timeInForce: 'GTC',
			quantity: 2,
			price: 100.2,
			stopPrice: 100.1,
		});
		if (!r.ok) throw new Error(r.error.msg);
		expect(engine.account(KEY)!.balance('USDT').locked).toBeCloseTo(200.4, 8);
		// A trade above both stop and limit: fires the stop without also trading through the new limit.
		engine.marketTrade('BTCUSDT', 100.3, 0.1, 1);
		const o = engine.openOrders(KEY)[0]!;
		// Took the 1 BTC offered at 100.0 (≤ 100.2) and rests for the rest.
		expect(o).toMatchObject({isWorking: true, status: 'PARTIALLY_FILLED', executedQty: 1});
		checkConsistent();
		checkConservation(10_000, 5);
	});

	it('rejects a stop that would trigger immediately, and stop fields where they do not belong', () => {
		const now = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'SELL',
			type: 'TAKE_PROFIT',
			quantity: 1,
			stopPrice: 99,
		});
		expect(!now.ok && now.error).toEqual({code: -2010, msg: 'Stop price would trigger immediately.'});
		const stray = engine.placeOrder(KEY, {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: 1,
			price: 90,
			stopPrice: 95,
		});
		expect(!stray.ok && stray.error.code).toBe(-1106);
		const noStop = engine.placeOrder(KEY, {symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: 1});
		expect(!noStop.ok && noStop.error.code).toBe(-1102);
	});
});

describe('MatchingEngine order history by clientOrderId', () => {
	it('finds the newest order with a client id, forgets trimmed ones, and keeps history bounded', () => {
		const small = new MatchingEngine({
			clock: () => now,
			rules: s => (s === 'BTCUSDT' ? RULES : undefined),
			liquidity: book,
			historyLimit: 5,
		});
		small.createAccount(KEY, {USDT: 10_000, BTC: 5});
		const rest = (clientOrderId: string) => {
			const r = small.placeOrder(KEY, {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'LIMIT',
				timeInForce: 'GTC',
				quantity: 1,
				price: 50,
				clientOrderId,
			});
			if (!r.ok) throw new Error(r.error.msg);
			return r.value.order;
		};
		const first = rest('again');
		expect(small.cancelOrder(KEY, 'BTCUSDT', {origClientOrderId: 'again'}).ok).toBe(true);
		// A client id may be reused once the first order is closed: lookups find the newer one.
		const second = rest('again');
		const found = small.getOrder(KEY, 'BTCUSDT', {origClientOrderId: 'again'});
		expect(found.ok && found.value.orderId).toBe(second.orderId);
		expect(small.cancelOrder(KEY, 'BTCUSDT', {origClientOrderId: 'again'}).ok).toBe(true);
		for (let i = 0; i < 10; i++) {
			rest(`o${i}`);
			expect(small.cancelOrder(KEY, 'BTCUSDT', {origClientOrderId: `o${i}`}).ok).toBe(true);
		}
		// Trimmed from the history (limit 5): unknown by either id, as on Binance after archiving.
		expect(small.getOrder(KEY, 'BTCUSDT', {orderId: first.orderId}).ok).toBe(false);
		expect(small.getOrder(KEY, 'BTCUSDT', {origClientOrderId: 'o0'}).ok).toBe(false);
		expect(small.getOrder(KEY, 'BTCUSDT', {origClientOrderId: 'o9'}).ok).toBe(true);
		expect(small.getOrder(KEY, 'BTCUSDT', {origClientOrderId: 'o5'}).ok).toBe(true);
		expect(small.allOrders(KEY, 'BTCUSDT', {limit: 1000}).length).toBeLessThanOrEqual(6);
	});
});
