/** Unit tests of the WebSocket layer's market streams over a real loopback server and real ws clients, with a fake market. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {sleep, TestClient} from './helpers.js';
import {startFakeExchange, type FakeExchange} from './helpers.js';

let exchange: FakeExchange;
const clients: TestClient[] = [];

async function open(path: string): Promise<TestClient> {
	const client = await TestClient.open(`${exchange.wsUrl}${path}`);
	clients.push(client);
	return client;
}

beforeEach(async () => {
	// The 5 frames/s limit has its own test; elsewhere it would only make tests slow (or flaky on a loaded machine).
	exchange = await startFakeExchange({layer: {maxIncomingPerSecond: 1000}});
});

afterEach(async () => {
	for (const client of clients.splice(0)) client.close();
	await exchange.close();
});

const isTrade = (message: Record<string, unknown>): boolean => message['e'] === 'trade';

describe('endpoints', () => {
	it('serves a raw stream at /ws/<stream> as plain payloads', async () => {
		const client = await open('/ws/btcusdt@trade');
		const trade = exchange.market.trade('BTCUSDT');
		exchange.market.trade('ETHUSDT');
		expect(await client.next(isTrade)).toEqual(trade);
		await sleep(50);
		expect(client.messages).toHaveLength(1);
	});

	it('wraps combined-stream events as {stream, data}', async () => {
		const client = await open('/stream?streams=btcusdt@trade/ethusdt@trade');
		const btc = exchange.market.trade('BTCUSDT');
		const eth = exchange.market.trade('ETHUSDT');
		expect(await client.next(m => m['stream'] === 'btcusdt@trade')).toEqual({stream: 'btcusdt@trade', data: btc});
		expect(await client.next(m => m['stream'] === 'ethusdt@trade')).toEqual({stream: 'ethusdt@trade', data: eth});
	});

	it('rejects unknown paths with 404 and bad stream names with 400, and keeps serving', async () => {
		expect(await TestClient.rejection(`${exchange.wsUrl}/nope`)).toBe(404);
		expect(await TestClient.rejection(`${exchange.wsUrl}/ws/notAListenKey`)).toBe(404);
		expect(await TestClient.rejection(`${exchange.wsUrl}/ws/btcusdt@bogus`)).toBe(400);
		expect(await TestClient.rejection(`${exchange.wsUrl}/ws/xxxyyy@trade`)).toBe(400);
		expect(await TestClient.rejection(`${exchange.wsUrl}/stream?streams=btcusdt@trade/nope@trade`)).toBe(400);
		expect(await TestClient.rejection(`${exchange.wsUrl}/ws/btcusdt@trade/ethusdt@trade`)).toBe(400);
		const client = await open('/ws/btcusdt@trade');
		exchange.market.trade();
		await client.next(isTrade);
	});

	it('lets bare connections (/ws, /ws/0, /ws/7) subscribe with control frames', async () => {
		for (const path of ['/ws', '/ws/0', '/ws/7']) {
			const client = await open(path);
			expect(await client.request({method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1})).toEqual({
				result: null,
				id: 1,
			});
			const trade = exchange.market.trade();
			expect(await client.next(isTrade)).toEqual(trade);
		}
	});
});

describe('control frames', () => {
	it('lists, unsubscribes (data stops) and sets the combined property', async () => {
		const client = await open('/ws/0');
		await client.request({method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@trade'], id: 1});
		expect(await client.request({method: 'LIST_SUBSCRIPTIONS', id: 2})).toEqual({
			result: ['btcusdt@trade', 'ethusdt@trade'],
			id: 2,
		});
		expect(await client.request({method: 'UNSUBSCRIBE', params: ['btcusdt@trade'], id: 3})).toEqual({
			result: null,
			id: 3,
		});
		expect(await client.request({method: 'LIST_SUBSCRIPTIONS', id: 4})).toEqual({result: ['ethusdt@trade'], id: 4});
		const before = client.messages.length;
		exchange.market.trade('BTCUSDT');
		const eth = exchange.market.trade('ETHUSDT');
		expect(await client.next(isTrade, 3000, before)).toEqual(eth);
		await sleep(50);
		expect(client.messages.slice(before).filter(isTrade as (m: unknown) => boolean)).toHaveLength(1);

		expect(await client.request({method: 'GET_PROPERTY', params: ['combined'], id: 5})).toEqual({result: false, id: 5});
		expect(await client.request({method: 'SET_PROPERTY', params: ['combined', true], id: 6})).toEqual({
			result: null,
			id: 6,
		});
		const next = exchange.market.trade('ETHUSDT');
		expect(await client.next(m => m['stream'] === 'ethusdt@trade')).toEqual({stream: 'ethusdt@trade', data: next});
	});

	it('answers malformed control frames with Binance errors and keeps the connection and others working', async () => {
		const client = await open('/ws');
		const other = await open('/ws/btcusdt@trade');
		const cases: Array<[unknown, number, RegExp]> = [
			['{not json', 3, /^Invalid JSON/],
			[{method: 'FLY', params: [], id: 7}, 2, /unknown variant `FLY`/],
			[{method: 'SUBSCRIBE', params: ['btcusdt@nonsense'], id: 8}, 2, /unknown stream/],
			[{method: 'SUBSCRIBE', params: ['dogeusdt@trade'], id: 9}, 2, /invalid symbol/],
			[{method: 'SUBSCRIBE', params: 'btcusdt@trade', id: 10}, 2, /array of stream names/],
		];
		for (const [frame, code, msg] of cases) {
			const from = client.messages.length;
			client.send(frame);
			const reply = await client.next(m => 'error' in m, 3000, from);
			const error = reply['error'] as {code: number; msg: string};
			expect(error.code).toBe(code);
			expect(error.msg).toMatch(msg);
		}
		const more: Array<[unknown, number, RegExp]> = [
			[{method: 'SUBSCRIBE', params: ['btcusdt@trade']}, 2, /missing field `id`/],
			[{params: ['btcusdt@trade'], id: 11}, 2, /missing field `method`/],
			[{method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 12}, 1, /expected Boolean/],
			[{method: 'GET_PROPERTY', params: ['colour'], id: 13}, 0, /Unknown property/],
		];
		for (const [frame, code, msg] of more) {
			const from = client.messages.length;
			client.send(frame);
			const reply = await client.next(m => 'error' in m, 3000, from);
			expect((reply['error'] as {code: number}).code).toBe(code);
			expect((reply['error'] as {msg: string}).msg).toMatch(msg);
		}
		expect(await client.request({method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 20})).toEqual({
			result: null,
			id: 20,
		});
		const trade = exchange.market.trade();
		expect(await client.next(isTrade)).toEqual(trade);
		expect(await other.next(isTrade)).toEqual(trade);
	});

	it('closes on binary frames (1003), oversized frames (1009) and invalid UTF-8 (1007) while others keep receiving', async () => {
		const other = await open('/ws/btcusdt@trade');
		const binary = await open('/ws');
		binary.ws.send(Buffer.from([1, 2, 3]), {binary: true});
		expect(await binary.closed).toMatchObject({code: 1003, reason: expect.stringMatching(/Binary/)});

		const huge = await open('/ws');
		huge.send(JSON.stringify({method: 'SUBSCRIBE', params: ['x'.repeat(70 * 1024)], id: 1}));
		expect((await huge.closed).code).toBe(1009);

		const badText = await open('/ws');
		badText.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), {binary: false});
		expect((await badText.closed).code).toBe(1007);

		const trade = exchange.market.trade();
		expect(await other.next(isTrade)).toEqual(trade);
	});

	it('closes a connection that sends more than 5 frames in a second (1008), not one that paces itself', async () => {
		const strict = await startFakeExchange();
		try {
			const paced = await TestClient.open(`${strict.wsUrl}/ws`);
			for (let index = 0; index < 5; index++) paced.send({method: 'LIST_SUBSCRIPTIONS', id: index});
			await paced.next(m => m['id'] === 4);
			const flood = await TestClient.open(`${strict.wsUrl}/ws`);
			for (let index = 0; index < 7; index++) flood.send({method: 'LIST_SUBSCRIPTIONS', id: index});
			expect(await flood.closed).toMatchObject({code: 1008, reason: expect.stringMatching(/Too many messages/)});
			await sleep(1100);
			expect(await paced.request({method: 'LIST_SUBSCRIPTIONS', id: 9})).toEqual({result: [], id: 9});
			paced.close();
		} finally {
			await strict.close();
		}
	});

	it('accepts many streams in one SUBSCRIBE and refuses more than the per-connection limit', async () => {
		const client = await open('/ws');
		const streams = ['trade', 'aggTrade', 'bookTicker', 'miniTicker', 'ticker', 'depth', 'depth@100ms'].flatMap(
			suffix => ['btcusdt', 'ethusdt'].map(symbol => `${symbol}@${suffix}`),
		);
		const reply = await client.request({method: 'SUBSCRIBE', params: streams, id: 1});
		expect(reply).toEqual({result: null, id: 1});
		// Two fake symbols cannot make 1025 distinct names, so the limit itself is checked on a layer configured lower.
		const small = await startFakeExchange({layer: {maxStreamsPerConnection: 3}});
		try {
			const limited = await TestClient.open(`${small.wsUrl}/ws`);
			const refused = await limited.request({
				method: 'SUBSCRIBE',
				params: ['btcusdt@trade', 'btcusdt@ticker', 'ethusdt@trade', 'ethusdt@ticker'],
				id: 2,
			});
			expect((refused['error'] as {code: number; msg: string}).msg).toMatch(/too many streams/);
			expect(await limited.request({method: 'LIST_SUBSCRIPTIONS', id: 3})).toEqual({result: [], id: 3});
			limited.close();
		} finally {
			await small.close();
		}
	});
});

describe('payloads', () => {
	it('derives one aggTrade per trade', async () => {
		const client = await open('/ws/btcusdt@aggTrade');
		const trade = exchange.market.trade();
		expect(await client.next(m => m['e'] === 'aggTrade')).toEqual({
			e: 'aggTrade',
			E: trade.E,
			s: 'BTCUSDT',
			a: trade.t,
			p: trade.p,
			q: trade.q,
			f: trade.t,
			l: trade.t,
			T: trade.T,
			m: trade.m,
			M: true,
		});
	});

	it('forwards 100 ms diff depth and merges 1000 ms diff depth with contiguous U/u', async () => {
		const fast = await open('/ws/btcusdt@depth@100ms');
		const slow = await open('/ws/btcusdt@depth');
		const updates = [];
		for (let index = 0; index < 5; index++) {
			updates.push(
				exchange.market.changeBook('BTCUSDT', [[`9${index}.00`, `${index + 1}`]], [['101.00', `${index}`]], 2),
			);
		}
		for (const update of updates) expect(await fast.next(m => m['U'] === update.U)).toEqual(update);
		const merged = await slow.next(m => m['e'] === 'depthUpdate', 2500);
		expect(merged).toMatchObject({s: 'BTCUSDT', U: updates[0]?.U, u: updates[4]?.u});
		expect(merged['a']).toEqual([['101.00', '4']]);
		expect(merged['b']).toHaveLength(5);
		const later = exchange.market.changeBook('BTCUSDT', [['95.00', '1']], []);
		const next = await slow.next(m => m['e'] === 'depthUpdate' && m !== merged, 2500);
		expect(next).toMatchObject({U: updates[4]!.u + 1, u: later.u});
	});

	it('pushes partial book snapshots (depth5, depth10@100ms)', async () => {
		const client = await open('/stream?streams=btcusdt@depth5/btcusdt@depth10@100ms');
		const fast = await client.next(m => m['stream'] === 'btcusdt@depth10@100ms', 1000);
		expect(fast['data']).toEqual(exchange.market.depth('BTCUSDT', 10));
		const slow = await client.next(m => m['stream'] === 'btcusdt@depth5', 2500);
		expect(slow['data']).toMatchObject({
			lastUpdateId: 1000,
			bids: [
				['100.00', '1.0'],
				['99.00', '2.0'],
			],
		});
		await sleep(1000);
		const count = client.messages.filter(m => (m as {stream: string}).stream === 'btcusdt@depth10@100ms').length;
		expect(count).toBeGreaterThanOrEqual(5);
	});

	it('pushes tickers every second and book tickers only when the top of book changes', async () => {
		const client = await open('/stream?streams=ethusdt@miniTicker/ethusdt@ticker/ethusdt@bookTicker');
		expect((await client.next(m => m['stream'] === 'ethusdt@miniTicker', 2500))['data']).toMatchObject({
			e: '24hrMiniTicker',
			s: 'ETHUSDT',
		});
		expect((await client.next(m => m['stream'] === 'ethusdt@ticker', 2500))['data']).toMatchObject({
			e: '24hrTicker',
			s: 'ETHUSDT',
		});
		exchange.market.changeBook('ETHUSDT', [['100.50', '4']], []);
		expect((await client.next(m => m['stream'] === 'ethusdt@bookTicker'))['data']).toMatchObject({
			s: 'ETHUSDT',
			b: '100.50',
			B: '4',
		});
		exchange.market.changeBook('ETHUSDT', [['90.00', '4']], []); // below the top: no new bookTicker
		exchange.market.changeBook('ETHUSDT', [], [['100.90', '2']]);
		const second = await client.next(
			m => m['stream'] === 'ethusdt@bookTicker' && (m['data'] as {a: string}).a === '100.90',
		);
		expect(second['data']).toMatchObject({b: '100.50', a: '100.90', A: '2'});
		const bookTickers = client.messages.filter(m => (m as {stream: string}).stream === 'ethusdt@bookTicker');
		expect(bookTickers).toHaveLength(2);
	});

	it('pushes kline_1s every second and the closing candle with x:true', async () => {
		const client = await open('/ws/btcusdt@kline_1s');
		const closing = await client.next(m => m['e'] === 'kline' && (m['k'] as {x: boolean}).x, 3500);
		const k = closing['k'] as {t: number; T: number; x: boolean; i: string};
		expect(k).toMatchObject({i: '1s', x: true});
		expect(k.T - k.t).toBe(999);
		const following = await client.next(m => m['e'] === 'kline' && (m['k'] as {t: number}).t === k.t + 1000, 2500);
		expect((following['k'] as {x: boolean}).x).toBe(false);
	});

	it('pushes all-market ticker arrays', async () => {
		const client = await open('/ws/!miniTicker@arr');
		const next = (await client.next(() => true, 2500)) as unknown as Array<{s: string}>;
		expect(next.map(ticker => ticker.s)).toEqual(['BTCUSDT', 'ETHUSDT']);
	});

	it('serializes each event once and counts every message sent', async () => {
		const subscribers = await Promise.all(Array.from({length: 20}, () => open('/ws/btcusdt@trade')));
		const before = exchange.layer.stats().messagesSent;
		const trade = exchange.market.trade();
		for (const client of subscribers) expect(await client.next(isTrade)).toEqual(trade);
		expect(exchange.layer.stats()).toMatchObject({openConnections: 20, messagesSent: before + 20});
	});

	it('survives a feed that throws: the failing stream stays silent, the others and the server keep going', async () => {
		const broken = exchange.market;
		broken.ticker = () => {
			throw new Error('ticker exploded');
		};
		broken.currentKline = () => {
			throw new Error('kline exploded');
		};
		const client = await open('/stream?streams=btcusdt@ticker/btcusdt@kline_1m/btcusdt@miniTicker/btcusdt@trade');
		expect(await client.request({method: 'SUBSCRIBE', params: ['ethusdt@kline_5m'], id: 1})).toEqual({
			result: null,
			id: 1,
		});
		const trade = broken.trade();
		expect((await client.next(m => m['stream'] === 'btcusdt@trade'))['data']).toEqual(trade);
		await client.next(m => m['stream'] === 'btcusdt@miniTicker', 2500);
		await sleep(1100); // past the next 1 s and 2 s boundaries
		const silent = new Set(['btcusdt@ticker', 'btcusdt@kline_1m', 'ethusdt@kline_5m']);
		expect(client.messages.filter(m => silent.has(String((m as {stream?: string}).stream)))).toEqual([]);
	});
});
