/**
 * Hostile stream input. (1) The tap and the StreamWatcher's bookkeeping fed thousands of random frames
 * (unit: the code around ccxt). (2) Real ccxt over a real WebSocket: a hostile venue on loopback sends
 * truncated JSON, wrong types, NaN/huge numbers, duplicated and regressing ids, unknown symbols, binary
 * and 10 MB frames to a client made by createExchange (REST from a real mock). Nothing crashes, the
 * watcher counts gaps, duplicates and errors, the errors say why, and the client still works after.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	ExchangeError,
	StreamWatcher,
	createExchange,
	exchangeErrorKinds,
	type ExchangeClient,
	type StreamEvent,
} from '../../source/exchange/index.js';
import {MAX_RAW_CHARS, TapSink, frameFromMessage, type TappedClient} from '../../source/exchange/ws-tap.js';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';
import {startHostileWs, type HostileWs} from './helpers.js';
import {fuzzConfig, hostileNumber, sleep, trapProcessFailures, truncate, withSeed, type Rng} from './helpers.js';

const symbols = ['BTCUSDT', 'ETHUSDT', 'ZZZUSDT', 'btcusdt', '', 'BTC/USDT', 'X'.repeat(300)];

function validTrade(t: number, s = 'BTCUSDT'): Record<string, unknown> {
	const E = Date.now();
	return {e: 'trade', E, s, t, p: '50000.00', q: '0.001', T: E, m: true, M: true};
}

function validDepth(U: number, u: number): Record<string, unknown> {
	return {e: 'depthUpdate', E: Date.now(), s: 'BTCUSDT', U, u, b: [['50000.00', '1.0']], a: [['50001.00', '0']]};
}

/** One hostile message (already-parsed shape, as ccxt hands it on) — for the unit fuzz. */
function hostileObject(rng: Rng): unknown {
	const base = rng.pick([
		validTrade(rng.int(100)),
		validDepth(rng.int(100), rng.int(100)),
		{u: hostileNumber(rng), s: rng.pick(symbols), b: '1', B: '1', a: '2', A: '1'},
		{e: 'kline', E: 1, s: 'BTCUSDT', k: rng.pick([null, 5, 'x', {i: hostileNumber(rng)}])},
		{result: null, id: hostileNumber(rng)},
		{stream: rng.pick(['btcusdt@trade', 5, null]), data: rng.pick([validTrade(1), null, 'x', []])},
		{subscriptionId: hostileNumber(rng), event: rng.pick([{e: 'executionReport', E: hostileNumber(rng)}, null, 'x'])},
		{lastUpdateId: hostileNumber(rng)},
	]);
	const out: Record<string, unknown> = {...base};
	for (const key of Object.keys(out)) if (rng.chance(0.3)) out[key] = hostileNumber(rng);
	if (rng.chance(0.2)) out['s'] = rng.pick(symbols);
	if (rng.chance(0.1)) return rng.pick<unknown>([[], [null], [out], [1, 2, 3], {}, Object.create(null)]);
	return out;
}

describe('tap and watcher bookkeeping under random frames', () => {
	it('never throws, never yields NaN or unsafe sequence ids, and counts stay finite', async () => {
		const config = fuzzConfig(3000);
		await withSeed('tap fuzz', config, async (rng, cases, note) => {
			const tap = new TapSink();
			const never = () => new Promise<never>(() => {});
			const client = {
				tap,
				watchTrades: never,
				watchOrderBook: never,
				watchBookTicker: never,
				watchOHLCV: never,
				watchTicker: never,
			} as unknown as ExchangeClient;
			const events: StreamEvent[] = [];
			const watcher = new StreamWatcher(client, {onEvent: e => events.push(e), includeRaw: true});
			const ids = watcher.start(['btcusdt@trade', 'btcusdt@depth@100ms', 'btcusdt@bookTicker', 'btcusdt@kline_1m']);
			const conn: TappedClient = {url: 'ws://fuzz/ws/0', drydockStreams: [...ids], drydockPendingSubscribe: new Map()};
			for (let i = 0; i < cases; i++) {
				const message = hostileObject(rng);
				note(`case ${i}: ${JSON.stringify(message)?.slice(0, 200)}`);
				conn.drydockRaw = Buffer.from(JSON.stringify(message) ?? 'undefined');
				const frame = frameFromMessage(conn, message, 1000 + i);
				if (frame === null) continue;
				for (const id of [frame.seqId, frame.firstUpdateId, frame.lastUpdateId]) {
					if (id !== null) expect(Number.isSafeInteger(id) && id >= 0, `sequence id ${id}`).toBe(true);
				}
				if (frame.eventTime !== null) expect(Number.isFinite(frame.eventTime)).toBe(true);
				tap.frame(frame, conn);
			}
			for (const id of ids) {
				const stats = watcher.stats(id)!;
				for (const value of [stats.messages, stats.gaps, stats.missed, stats.outOfOrder])
					expect(Number.isSafeInteger(value) && value >= 0, `${id}: ${JSON.stringify(stats)}`).toBe(true);
			}
			for (const event of events) {
				if (event.type !== 'message') continue;
				expect(Number.isSafeInteger(event.gap) && event.gap >= 0).toBe(true);
				if (event.latencyMs !== null) expect(Number.isFinite(event.latencyMs)).toBe(true);
			}
			await watcher.close();
		});
	});

	it('counts duplicated and regressing ids as out of order, never as gaps; caps raw text', async () => {
		const tap = new TapSink();
		const never = () => new Promise<never>(() => {});
		const client = {tap, watchTrades: never, watchOrderBook: never} as unknown as ExchangeClient;
		const events: StreamEvent[] = [];
		const watcher = new StreamWatcher(client, {onEvent: e => events.push(e), includeRaw: true});
		watcher.start(['btcusdt@trade', 'btcusdt@depth@100ms']);
		const conn: TappedClient = {url: 'ws://x/ws/0', drydockStreams: ['btcusdt@trade', 'btcusdt@depth@100ms']};
		const feed = (message: Record<string, unknown>, raw?: string) => {
			conn.drydockRaw = Buffer.from(raw ?? JSON.stringify(message));
			const frame = frameFromMessage(conn, message, Date.now());
			if (frame) tap.frame(frame, conn);
		};
		for (const t of [1, 2, 3, 7, 7, 5, 8, 9]) feed(validTrade(t));
		expect(watcher.stats('btcusdt@trade')).toMatchObject({messages: 8, gaps: 1, missed: 3, outOfOrder: 2});
		for (const [U, u] of [
			[1, 3],
			[4, 6],
			[4, 6],
			[2, 3],
			[10, 12],
			[13, 12],
		] as const)
			feed(validDepth(U, u));
		// [13, 12] is not a range: no claim, no count.
		expect(watcher.stats('btcusdt@depth@100ms')).toMatchObject({gaps: 1, missed: 3, outOfOrder: 2});
		const big = JSON.stringify({...validTrade(10), pad: 'x'.repeat(200_000)});
		feed(JSON.parse(big) as Record<string, unknown>, big);
		const last = events.filter((e): e is Extract<StreamEvent, {type: 'message'}> => e.type === 'message').at(-1)!;
		expect(last.raw!.length).toBeLessThan(MAX_RAW_CHARS + 100);
		expect(last.raw).toMatch(/truncated: \d+ bytes/);
		await watcher.close();
	});
});

describe('real ccxt over a hostile WebSocket venue', () => {
	let mock: MockExchange;
	let hostile: HostileWs;
	let client: ExchangeClient;
	let watcher: StreamWatcher;
	const errors: {stream: string; error: ExchangeError}[] = [];
	const trap = trapProcessFailures();

	beforeAll(async () => {
		mock = await startMockExchange({port: 0, host: '127.0.0.1', seed: 3, quiet: true});
		hostile = await startHostileWs();
		client = await createExchange({
			environment: 'mock',
			restUrl: mock.rest,
			wsUrl: hostile.url,
			apiKey: mock.apiKey,
			secret: mock.apiSecret,
			enableRateLimit: false,
			timeoutMs: 3000,
			wsReconnectBaseMs: 50,
		});
		await client.loadMarkets();
		watcher = new StreamWatcher(client, {
			onEvent: () => {},
			onError: (stream, error) => errors.push({stream, error}),
			retryDelayMs: 20,
			includeRaw: true,
		});
		watcher.start(['btcusdt@trade', 'btcusdt@depth@100ms', 'btcusdt@bookTicker', 'btcusdt@kline_1m']);
		await hostile.waitForSubscription('btcusdt@trade');
		await hostile.waitForSubscription('btcusdt@bookTicker');
	}, 30_000);

	afterAll(async () => {
		await watcher?.close();
		await client?.close();
		await hostile?.close();
		await mock?.close();
		trap.remove();
	});

	it('counts gaps and duplicates on a real connection', async () => {
		for (const t of [100, 101, 102, 110, 110, 105, 111])
			hostile.send(JSON.stringify(validTrade(t)), {stream: 'btcusdt@trade'});
		await waitUntil(() => (watcher.stats('btcusdt@trade')?.messages ?? 0) >= 7, 5000, 'seven trades seen');
		expect(watcher.stats('btcusdt@trade')).toMatchObject({gaps: 1, missed: 7, outOfOrder: 2});
	});

	it('survives every kind of hostile frame; errors are typed and say why', async () => {
		const config = fuzzConfig(300);
		await withSeed('stream fuzz', config, async (rng, cases, note) => {
			const before = errors.length;
			for (let i = 0; i < cases; i++) {
				const family = rng.int(9);
				let data: string | Buffer;
				let binary = false;
				switch (family) {
					case 0:
						data = truncate(rng, JSON.stringify(rng.chance(0.5) ? validTrade(rng.int(1e6)) : validDepth(1, 2)));
						break;
					case 1:
						data = JSON.stringify(hostileObject(rng));
						break;
					case 2:
						data = JSON.stringify({
							...validTrade(rng.int(1e6), rng.pick(symbols)),
							p: hostileNumber(rng),
							q: hostileNumber(rng),
							T: hostileNumber(rng),
						});
						break;
					case 3:
						data = JSON.stringify({
							...validDepth(rng.int(1e6), rng.int(1e6)),
							U: hostileNumber(rng),
							b: rng.pick<unknown>([[['NaN', '1']], [['1e400', '-1']], 'x', null, [[null, {}]]]),
						});
						break;
					case 4:
						data = rng.pick(['123', '"text"', 'null', 'true', '[]', '[1,2]', '{}', '']);
						break;
					case 5:
						data = rng.text(200);
						break;
					case 6:
						data = rng.bytes(1 + rng.int(300));
						binary = true;
						break;
					case 7:
						data = JSON.stringify({
							e: rng.pick(['trade', 'depthUpdate', 'kline', '24hrTicker', 'bookTicker', 'mystery']),
							E: hostileNumber(rng),
							s: rng.pick(symbols),
							t: hostileNumber(rng),
							U: hostileNumber(rng),
							u: hostileNumber(rng),
						});
						break;
					default:
						data = JSON.stringify({
							u: hostileNumber(rng),
							s: rng.pick(symbols),
							b: hostileNumber(rng),
							B: '1',
							a: hostileNumber(rng),
							A: '1',
						});
						break;
				}
				note(`case ${i} (family ${family}): ${(typeof data === 'string' ? data : data.toString('hex')).slice(0, 200)}`);
				hostile.send(data, {binary});
				if (i % 25 === 24) await sleep(5);
			}
			note('10 MB frames');
			hostile.send(JSON.stringify({...validTrade(2_000_000), pad: 'y'.repeat(10 * 1024 * 1024)}), {
				stream: 'btcusdt@trade',
			});
			hostile.send(`{"e":"trade","s":"BTCUSDT","pad":"${'z'.repeat(10 * 1024 * 1024)}`);
			hostile.send(rng.bytes(10 * 1024 * 1024), {binary: true});
			await sleep(500);
			note('after the fuzz');
			expect(trap.failures, String(trap.failures[0])).toEqual([]);
			const fresh = errors.slice(before);
			expect(fresh.length, 'malformed frames must surface as watch errors').toBeGreaterThan(0);
			for (const {error} of fresh) {
				expect(error).toBeInstanceOf(ExchangeError);
				expect(exchangeErrorKinds).toContain(error.kind);
				expect(error.message.length).toBeGreaterThan(0);
			}
			expect(
				fresh.some(e => /malformed frame on ws:\/\/127\.0\.0\.1:\d+.*not JSON/.test(e.error.message)),
				fresh
					.map(e => e.error.message)
					.slice(0, 5)
					.join('\n'),
			).toBe(true);
			expect(watcher.stats('btcusdt@trade')!.errors).toBeGreaterThan(0);
		});
	}, 60_000);

	it('still delivers good frames afterwards (no crash, no wedged connection)', async () => {
		// A large fuzz leaves a backlog of hostile frames (10 MB ones last): let it drain first.
		let seen = errors.length;
		let quietSince = Date.now();
		while (Date.now() - quietSince < 1000) {
			await sleep(100);
			if (errors.length !== seen) {
				seen = errors.length;
				quietSince = Date.now();
			}
		}
		const pending = client.watchTrades('BTC/USDT');
		const before = watcher.stats('btcusdt@trade')!.messages;
		let t = 3_000_000;
		const feeder = setInterval(() => hostile.send(JSON.stringify(validTrade(t++)), {stream: 'btcusdt@trade'}), 20);
		try {
			const trades = await pending;
			expect(trades.at(-1)).toMatchObject({symbol: 'BTC/USDT', price: 50000, amount: 0.001});
			await waitUntil(() => watcher.stats('btcusdt@trade')!.messages > before + 3, 5000, 'watcher sees new trades');
		} finally {
			clearInterval(feeder);
		}
		expect(trap.failures).toEqual([]);
	}, 60_000);
});

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
		await sleep(20);
	}
}
