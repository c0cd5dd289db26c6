/** Unit tests of the WebSocket layer's connection lifecycle: heartbeat, stall and drop faults, shutdown. */
import {afterEach, describe, expect, it} from 'vitest';
import {sleep, TestClient} from './helpers.js';
import {API_KEY, startFakeExchange, type FakeExchange} from './helpers.js';

let exchange: FakeExchange | undefined;
const clients: TestClient[] = [];

async function open(path: string, options = {}): Promise<TestClient> {
	if (!exchange) throw new Error('no exchange');
	const client = await TestClient.open(`${exchange.wsUrl}${path}`, options);
	clients.push(client);
	return client;
}

afterEach(async () => {
	for (const client of clients.splice(0)) client.close();
	await exchange?.close();
	exchange = undefined;
});

const isTrade = (message: Record<string, unknown>): boolean => message['e'] === 'trade';

describe('heartbeat', () => {
	it('pings clients and terminates one that never pongs, keeping the one that does', async () => {
		exchange = await startFakeExchange({pingIntervalMs: 50, pongTimeoutMs: 300});
		const polite = await open('/ws/btcusdt@trade');
		const silent = await open('/ws/btcusdt@trade', {autoPong: false});
		let pings = 0;
		polite.ws.on('ping', () => pings++);
		const started = Date.now();
		const closed = await silent.closed;
		expect(closed.code).toBe(1006); // terminated, no closing handshake
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(pings).toBeGreaterThanOrEqual(3);
		await sleep(400);
		const trade = exchange.market.trade();
		expect(await polite.next(isTrade)).toEqual(trade);
		expect(exchange.layer.stats().openConnections).toBe(1);
	});
});

describe('maximum connection age', () => {
	it('closes connections older than the maximum age (24 h on Binance) and accepts the reconnect', async () => {
		exchange = await startFakeExchange({pingIntervalMs: 50, pongTimeoutMs: 1000, layer: {maxConnectionAgeMs: 300}});
		const client = await open('/ws/btcusdt@trade');
		const started = Date.now();
		expect(await client.closed).toMatchObject({code: 1000, reason: expect.stringMatching(/maximum age/)});
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		const again = await open('/ws/btcusdt@trade');
		const trade = exchange.market.trade();
		expect(await again.next(isTrade)).toEqual(trade);
	});
});

describe('faults', () => {
	it('pushes nothing while streams are stalled (connections stay open, replies and pings continue) and resumes after', async () => {
		exchange = await startFakeExchange({pingIntervalMs: 50, pongTimeoutMs: 2000});
		const market = await open('/stream?streams=btcusdt@trade/btcusdt@depth10@100ms');
		const user = await open('/ws-api/v3');
		const listenKey = exchange.layer.listenKeys.create(API_KEY);
		const legacy = await open(`/ws/${listenKey}`);
		let pings = 0;
		market.ws.on('ping', () => pings++);

		exchange.faults.stalled = true;
		await sleep(150);
		const before = market.messages.length;
		exchange.market.trade();
		exchange.users.push(API_KEY, {e: 'balanceUpdate', E: 1, a: 'USDT', d: '1', T: 1});
		await sleep(400);
		expect(market.messages.length).toBe(before);
		expect(legacy.messages).toHaveLength(0);
		expect(pings).toBeGreaterThanOrEqual(3);
		expect(await market.request({method: 'LIST_SUBSCRIPTIONS', id: 9})).toEqual({
			result: ['btcusdt@trade', 'btcusdt@depth10@100ms'],
			id: 9,
		});
		expect(await user.request({id: 2, method: 'ping'})).toMatchObject({status: 200});
		expect(exchange.layer.stats().openConnections).toBe(3);

		exchange.faults.stalled = false;
		const trade = exchange.market.trade();
		expect((await market.next(m => m['stream'] === 'btcusdt@trade', 3000, before))['data']).toEqual(trade);
		await market.next(m => m['stream'] === 'btcusdt@depth10@100ms', 1000, before);
		exchange.users.push(API_KEY, {e: 'balanceUpdate', E: 2, a: 'USDT', d: '2', T: 2});
		expect(await legacy.next(m => m['e'] === 'balanceUpdate')).toMatchObject({d: '2'});
	});

	it('drops every connection at once on drop-websockets and accepts new ones afterwards', async () => {
		exchange = await startFakeExchange();
		const connections = await Promise.all([
			open('/ws/btcusdt@trade'),
			open('/stream?streams=ethusdt@trade'),
			open('/ws-api/v3'),
			open('/ws/0'),
		]);
		expect(exchange.layer.stats().openConnections).toBe(4);
		exchange.faults.drops.emit();
		const closed = await Promise.all(connections.map(client => client.closed));
		expect(closed.map(entry => entry.code)).toEqual([1006, 1006, 1006, 1006]);
		await sleep(20);
		expect(exchange.layer.stats().openConnections).toBe(0);
		const fresh = await open('/ws/btcusdt@trade');
		const trade = exchange.market.trade();
		expect(await fresh.next(isTrade)).toEqual(trade);
	});
});

describe('shutdown', () => {
	it('close() closes every connection with 1001, stops the feeds and refuses new upgrades', async () => {
		exchange = await startFakeExchange();
		const first = await open('/ws/btcusdt@depth@100ms');
		const second = await open('/ws-api/v3');
		expect(exchange.market.trades.size).toBe(1);
		const closing = exchange.layer.close();
		expect((await first.closed).code).toBe(1001);
		expect((await second.closed).code).toBe(1001);
		await closing;
		expect(exchange.market.trades.size).toBe(0);
		expect(exchange.market.depthUpdates.size).toBe(0);
		expect(exchange.layer.stats().openConnections).toBe(0);
	});
});
