/** Every endpoint of the reference table answers with Binance's field names, string numbers and weights. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {expectError, publicGet, signed, startMock} from './helpers.js';

const NUM = /^\d+\.\d{8}$/;

describe('REST endpoints', () => {
	let mock: MockExchange;
	beforeAll(async () => {
		// legacyUserData: the listenKey test below exercises the withdrawn flow kept for migrating bots.
		mock = await startMock({
			symbols: ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'],
			balances: {USDT: 5000, DOGE: 100},
			enableWithdrawals: true,
			weightWindowMs: 3_600_000,
			legacyUserData: true,
		});
	});
	afterAll(async () => {
		await mock.close();
	});

	const weightOf = async (path: string) => {
		const before = Number((await publicGet(mock, '/api/v3/ping')).headers.get('x-mbx-used-weight-1m'));
		await publicGet(mock, path);
		const after = Number((await publicGet(mock, '/api/v3/ping')).headers.get('x-mbx-used-weight-1m'));
		return after - before - 1;
	};

	it('ping, time, exchangeInfo with realistic filters (generated ones for other symbols)', async () => {
		expect((await publicGet(mock, '/api/v3/ping')).body).toEqual({});
		const time = (await publicGet(mock, '/api/v3/time')).body as {serverTime: number};
		expect(Math.abs(time.serverTime - Date.now())).toBeLessThan(2000);
		const info = (await publicGet(mock, '/api/v3/exchangeInfo')).body as {
			timezone: string;
			symbols: Array<Record<string, unknown> & {filters: Array<Record<string, string>>}>;
		};
		expect(info.timezone).toBe('UTC');
		expect(info.symbols.map(s => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'DOGEUSDT']);
		const btc = info.symbols[0]!;
		expect(btc).toMatchObject({
			status: 'TRADING',
			baseAsset: 'BTC',
			quoteAsset: 'USDT',
			baseAssetPrecision: 8,
			quotePrecision: 8,
			quoteAssetPrecision: 8,
			isSpotTradingAllowed: true,
			isMarginTradingAllowed: false,
		});
		const filter = (s: typeof btc, name: string) => s.filters.find(f => f.filterType === name)!;
		expect(filter(btc, 'PRICE_FILTER').tickSize).toBe('0.01000000');
		expect(filter(btc, 'LOT_SIZE').stepSize).toBe('0.00001000');
		expect(filter(info.symbols[1]!, 'LOT_SIZE').stepSize).toBe('0.00010000');
		expect(filter(btc, 'NOTIONAL').minNotional).toBe('5.00000000');
		expect(filter(btc, 'MARKET_LOT_SIZE')).toBeDefined();
		const doge = info.symbols[2]!;
		expect(doge).toMatchObject({baseAsset: 'DOGE', quoteAsset: 'USDT'});
		expect(Number(filter(doge, 'PRICE_FILTER').tickSize)).toBeGreaterThan(0);
		const one = (await publicGet(mock, '/api/v3/exchangeInfo?symbol=ETHUSDT')).body as {symbols: unknown[]};
		expect(one.symbols).toHaveLength(1);
		const some = (await publicGet(mock, `/api/v3/exchangeInfo?symbols=${encodeURIComponent('["BTCUSDT","DOGEUSDT"]')}`))
			.body as {symbols: unknown[]};
		expect(some.symbols).toHaveLength(2);
		expectError(
			await publicGet(mock, `/api/v3/exchangeInfo?symbols=${encodeURIComponent('["BTCUSDT","NOPEUSDT"]')}`),
			-1121,
		);
	});

	it('depth, trades, historicalTrades, aggTrades, avgPrice in Binance shapes', async () => {
		const depth = (await publicGet(mock, '/api/v3/depth?symbol=BTCUSDT&limit=5')).body as {
			lastUpdateId: number;
			bids: string[][];
			asks: string[][];
		};
		expect(depth.bids).toHaveLength(5);
		expect(depth.bids[0]![0]).toMatch(NUM);
		expect(Number(depth.bids[0]![0])).toBeLessThan(Number(depth.asks[0]![0]));
		await new Promise(r => setTimeout(r, 1200));
		const trades = (await publicGet(mock, '/api/v3/trades?symbol=BTCUSDT&limit=3')).body as Array<
			Record<string, unknown>
		>;
		expect(trades.length).toBeGreaterThan(0);
		expect(Object.keys(trades[0]!)).toEqual(['id', 'price', 'qty', 'quoteQty', 'time', 'isBuyerMaker', 'isBestMatch']);
		const from = trades[0]!.id as number;
		const hist = (await publicGet(mock, `/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${from}&limit=2`))
			.body as Array<{id: number}>;
		expect(hist[0]!.id).toBe(from);
		const agg = (await publicGet(mock, '/api/v3/aggTrades?symbol=BTCUSDT&limit=2')).body as Array<
			Record<string, unknown>
		>;
		expect(Object.keys(agg[0]!)).toEqual(['a', 'p', 'q', 'f', 'l', 'T', 'm', 'M']);
		const avg = (await publicGet(mock, '/api/v3/avgPrice?symbol=BTCUSDT')).body as {mins: number; price: string};
		expect(avg.mins).toBe(5);
		expect(avg.price).toMatch(NUM);
	});

	it('tickers: 24hr (full, mini, list, all), price, bookTicker', async () => {
		const full = (await publicGet(mock, '/api/v3/ticker/24hr?symbol=ETHUSDT')).body as Record<string, unknown>;
		expect(Object.keys(full)).toEqual([
			'symbol',
			'priceChange',
			'priceChangePercent',
			'weightedAvgPrice',
			'prevClosePrice',
			'lastPrice',
			'lastQty',
			'bidPrice',
			'bidQty',
			'askPrice',
			'askQty',
			'openPrice',
			'highPrice',
			'lowPrice',
			'volume',
			'quoteVolume',
			'openTime',
			'closeTime',
			'firstId',
			'lastId',
			'count',
		]);
		expect(full.lastPrice).toMatch(NUM);
		expect(full.lastId as number).toBe((full.firstId as number) + (full.count as number) - 1);
		const mini = (await publicGet(mock, '/api/v3/ticker/24hr?symbol=ETHUSDT&type=MINI')).body as Record<
			string,
			unknown
		>;
		expect(mini).not.toHaveProperty('bidPrice');
		const all = (await publicGet(mock, '/api/v3/ticker/24hr')).body as unknown[];
		expect(all).toHaveLength(3);
		const price = (await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {
			symbol: string;
			price: string;
		};
		expect(price.symbol).toBe('BTCUSDT');
		expect(price.price).toMatch(NUM);
		const prices = (
			await publicGet(mock, `/api/v3/ticker/price?symbols=${encodeURIComponent('["ETHUSDT","BTCUSDT"]')}`)
		).body as Array<{symbol: string}>;
		expect(prices.map(p => p.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
		const book = (await publicGet(mock, '/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body as Record<string, string>;
		expect(Object.keys(book)).toEqual(['symbol', 'bidPrice', 'bidQty', 'askPrice', 'askQty']);
	});

	it('charges Binance’s weights', async () => {
		expect(await weightOf('/api/v3/exchangeInfo')).toBe(20);
		expect(await weightOf('/api/v3/depth?symbol=BTCUSDT&limit=100')).toBe(5);
		expect(await weightOf('/api/v3/depth?symbol=BTCUSDT&limit=500')).toBe(25);
		expect(await weightOf('/api/v3/depth?symbol=BTCUSDT&limit=1000')).toBe(50);
		expect(await weightOf('/api/v3/depth?symbol=BTCUSDT&limit=5000')).toBe(250);
		expect(await weightOf('/api/v3/trades?symbol=BTCUSDT')).toBe(25);
		expect(await weightOf('/api/v3/klines?symbol=BTCUSDT&interval=1m')).toBe(2);
		expect(await weightOf('/api/v3/ticker/24hr?symbol=BTCUSDT')).toBe(2);
		expect(await weightOf('/api/v3/ticker/24hr')).toBe(80);
	});

	it('account with configured balances, commission, apiRestrictions with withdrawals enabled by option', async () => {
		const account = (await signed(mock, 'GET', '/api/v3/account', {omitZeroBalances: 'true'})).body as Record<
			string,
			unknown
		> & {balances: Array<{asset: string; free: string; locked: string}>};
		expect(account).toMatchObject({
			makerCommission: 10,
			takerCommission: 10,
			canTrade: true,
			canWithdraw: true,
			accountType: 'SPOT',
			permissions: ['SPOT'],
		});
		expect(account.balances).toEqual([
			{asset: 'USDT', free: '5000.00000000', locked: '0.00000000'},
			{asset: 'DOGE', free: '100.00000000', locked: '0.00000000'},
		]);
		const commission = (await signed(mock, 'GET', '/api/v3/account/commission', {symbol: 'BTCUSDT'})).body as {
			standardCommission: {taker: string};
		};
		expect(commission.standardCommission.taker).toBe('0.00100000');
		const restrictions = (await signed(mock, 'GET', '/sapi/v1/account/apiRestrictions')).body as {
			enableWithdrawals: boolean;
		};
		expect(restrictions.enableWithdrawals).toBe(true);
		const limits = (await signed(mock, 'GET', '/api/v3/rateLimit/order')).body as Array<{
			rateLimitType: string;
			count: number;
		}>;
		expect(limits.map(l => l.rateLimitType)).toEqual(['ORDERS', 'ORDERS']);
	});

	it('order responses: ACK, RESULT and FULL shapes; order/test validates without placing', async () => {
		const ack = (
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quoteOrderQty: '20',
				newOrderRespType: 'ACK',
			})
		).body as Record<string, unknown>;
		expect(Object.keys(ack)).toEqual(['symbol', 'orderId', 'orderListId', 'clientOrderId', 'transactTime']);
		const result = (
			await signed(mock, 'POST', '/api/v3/order', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quoteOrderQty: '20',
				newOrderRespType: 'RESULT',
			})
		).body as Record<string, unknown>;
		expect(result).not.toHaveProperty('fills');
		expect(result).toMatchObject({
			status: 'FILLED',
			type: 'MARKET',
			side: 'BUY',
			orderListId: -1,
			selfTradePreventionMode: 'EXPIRE_MAKER',
		});
		expect(
			(
				await signed(mock, 'POST', '/api/v3/order/test', {
					symbol: 'BTCUSDT',
					side: 'BUY',
					type: 'MARKET',
					quoteOrderQty: '20',
				})
			).body,
		).toEqual({});
		const withRates = (
			await signed(mock, 'POST', '/api/v3/order/test', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quoteOrderQty: '20',
				computeCommissionRates: 'true',
			})
		).body as Record<string, unknown>;
		expect(withRates).toHaveProperty('standardCommissionForOrder');
		expectError(
			await signed(mock, 'POST', '/api/v3/order/test', {
				symbol: 'BTCUSDT',
				side: 'BUY',
				type: 'MARKET',
				quoteOrderQty: '1',
			}),
			-1013,
			'NOTIONAL',
		);
		const all = (await signed(mock, 'GET', '/api/v3/allOrders', {symbol: 'BTCUSDT'})).body as unknown[];
		expect(all).toHaveLength(2);
	});

	it('legacy listenKey flow: create, keep alive, close; unknown keys get -1125', async () => {
		const headers = {'X-MBX-APIKEY': mock.apiKey};
		const created = (await (await fetch(`${mock.rest}/api/v3/userDataStream`, {method: 'POST', headers})).json()) as {
			listenKey: string;
		};
		expect(created.listenKey.length).toBeGreaterThanOrEqual(32);
		const kept = await fetch(`${mock.rest}/api/v3/userDataStream?listenKey=${created.listenKey}`, {
			method: 'PUT',
			headers,
		});
		expect(await kept.json()).toEqual({});
		const closed = await fetch(`${mock.rest}/api/v3/userDataStream?listenKey=${created.listenKey}`, {
			method: 'DELETE',
			headers,
		});
		expect(await closed.json()).toEqual({});
		const again = await fetch(`${mock.rest}/api/v3/userDataStream?listenKey=${created.listenKey}`, {
			method: 'PUT',
			headers,
		});
		expect(((await again.json()) as {code: number}).code).toBe(-1125);
		const noKey = await fetch(`${mock.rest}/api/v3/userDataStream`, {method: 'POST'});
		expect(((await noKey.json()) as {code: number}).code).toBe(-2014);
	});
});

describe('startMockExchange', () => {
	it('rejects a taken port with EADDRINUSE and bad options with a message naming them', async () => {
		const first = await startMock();
		try {
			await expect(startMock({port: first.port})).rejects.toMatchObject({code: 'EADDRINUSE'});
		} finally {
			await first.close();
		}
		await expect(startMock({symbols: ['btc-usdt']})).rejects.toThrow(/symbol "btc-usdt"/);
		await expect(startMock({port: 70_000})).rejects.toThrow(/port 70000/);
	});

	it('has recent trades right after start, ending at the current price', async () => {
		const mock = await startMock({seed: 99});
		try {
			mock.faults.inject({fault: 'pause-market'});
			const trades = (await publicGet(mock, '/api/v3/trades?symbol=ETHUSDT&limit=1000')).body as Array<{
				id: number;
				price: string;
				time: number;
			}>;
			expect(trades.length).toBeGreaterThanOrEqual(100);
			for (let i = 1; i < trades.length; i++) expect(trades[i]!.id).toBe(trades[i - 1]!.id + 1);
			const price = (await publicGet(mock, '/api/v3/ticker/price?symbol=ETHUSDT')).body as {price: string};
			expect(trades.at(-1)!.price).toBe(price.price);
		} finally {
			await mock.close();
		}
	});

	it('close() is idempotent and ends keep-alive connections', async () => {
		const mock = await startMock();
		const agentResponse = await fetch(`${mock.rest}/api/v3/ping`);
		expect(agentResponse.status).toBe(200);
		await Promise.all([mock.close(), mock.close()]);
		await expect(fetch(`${mock.rest}/api/v3/ping`)).rejects.toThrow();
	});
});
