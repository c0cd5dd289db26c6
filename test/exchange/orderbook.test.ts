/**
 * watchOrderBook kept in sync with the REST snapshot over ≥ 10 000 diff-depth updates (four symbols),
 * then compared level by level with a snapshot taken while the market is paused.
 */
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {ExchangeClient, OrderBook} from '../../source/exchange/index.js';
import {admin, connect, startMock, type Mock} from './helpers.js';

let mock: Mock;
let client: ExchangeClient;

beforeAll(async () => {
	// A fast simulation step so 10 000 diffs arrive in seconds instead of minutes.
	mock = await startMock({stepMs: 1, symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT']});
	client = await connect(mock);
	await client.loadMarkets();
});

afterAll(async () => {
	await client?.close();
	await mock?.close();
});

it('stays in sync over 10 000 updates without a ChecksumError', {timeout: 60_000}, async () => {
	const symbols = ['BTC/USDT', 'ETH/USDT', 'BNB/USDT', 'SOL/USDT'];
	let updates = 0;
	const off = client.tap.onFrame(frame => {
		if (frame.event === 'depthUpdate') updates++;
	});
	const errors: string[] = [];
	const last = new Map<string, OrderBook>();
	const started = Date.now();
	const lastNonce = new Map<string, number>();
	await Promise.all(
		symbols.map(async symbol => {
			while (updates < 10_000) {
				try {
					const book = await client.watchOrderBook(symbol, {levels: 5});
					const previous = lastNonce.get(symbol);
					if (previous !== undefined) expect(book.nonce!).toBeGreaterThanOrEqual(previous);
					lastNonce.set(symbol, book.nonce!);
					last.set(symbol, book);
				} catch (error) {
					errors.push(`${symbol}: ${(error as Error).message}`);
					if (errors.length > 5) throw new Error(errors.join('\n'));
				}
				if (Date.now() - started > 50_000) throw new Error(`only ${updates} updates in 50 s`);
			}
		}),
	);
	off();
	expect(errors).toEqual([]);
	expect(updates).toBeGreaterThanOrEqual(10_000);
	for (const symbol of symbols) {
		const book = last.get(symbol)!;
		expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
	}

	// Freeze the market, let the last diffs land, and compare with the venue's snapshot.
	await admin(mock, 'POST', '/faults', {fault: 'pause-market'});
	await new Promise(resolve => setTimeout(resolve, 400));
	for (const symbol of symbols) {
		const snapshot = await client.fetchOrderBook(symbol, 20);
		const local = client.localOrderBook(symbol, 20)!;
		expect(local.nonce).toBe(snapshot.nonce);
		expect(local.bids).toEqual(snapshot.bids);
		expect(local.asks).toEqual(snapshot.asks);
	}
	await admin(mock, 'DELETE', '/faults');
});
