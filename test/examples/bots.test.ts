/**
 * The example bots of examples/bots, run for real (child processes on loopback against an in-process
 * mock each) and judged from the venue's side: the good bot trades, reports over StatsD, reconnects
 * and resubscribes after a drop, stays quiet inside a Retry-After window and leaves no open orders
 * after SIGTERM; each faulty variant shows the fault a drydock soak must catch.
 */
import {describe, expect, it, type TestContext} from 'vitest';
import {BOTS, Bot, Venue, pythonSkipReason, sleep, statsdSink, until, type BotKind} from './helpers.js';

const pythonSkip = pythonSkipReason();
if (pythonSkip) console.warn(`test/examples/bots.test.ts: Python bot skipped: ${pythonSkip}`);

/** A venue of its own and the bot on it, both torn down when the test ends whatever happened (tests run concurrently). */
async function setUp(
	test: TestContext,
	kind: BotKind,
	options: Parameters<typeof Bot.start>[2] = {},
): Promise<{venue: Venue; bot: Bot}> {
	const venue = await Venue.start();
	const bot = Bot.start(kind, venue, options);
	test.onTestFinished(async () => {
		await bot.kill();
		await venue.close();
	});
	// Trading has begun once the venue has accepted an order.
	await until('a first order', async () => (await venue.ordersPlaced()) >= 1, bot);
	return {venue, bot};
}

/** The stream is delivering to the bot: a connection is open and the venue's sent-message count grows. */
async function streamFlowing(venue: Venue): Promise<boolean> {
	const before = (await venue.stats()).websocket;
	await sleep(400);
	const after = (await venue.stats()).websocket;
	return after.openConnections >= 1 && after.messagesSent > before.messagesSent;
}

for (const kind of BOTS) {
	const skip = kind.name === 'python' && pythonSkip !== undefined;
	describe.skipIf(skip).concurrent(`${kind.name} example bot`, () => {
		it('trades, reports bot.cycle over StatsD, and leaves no open orders after SIGTERM', async test => {
			const statsd = await statsdSink();
			test.onTestFinished(() => statsd.close());
			const {venue, bot} = await setUp(test, kind, {env: {DRYDOCK_STATSD: statsd.address}});
			await until('three orders', async () => (await venue.ordersPlaced()) >= 3, bot);
			expect((await venue.openOrders()).length).toBeGreaterThan(0);
			expect(await bot.stop()).toEqual({code: 0, signal: null});
			expect(await venue.openOrders()).toEqual([]);
			expect(statsd.lines.some(line => /^bot\.cycle:\d+(\.\d+)?\|ms$/.test(line))).toBe(true);
			expect(bot.log).toMatch(/ INFO placed (BUY|SELL) /);
		});

		it('reconnects and resubscribes after drop-websockets', async test => {
			const {venue, bot} = await setUp(test, kind);
			await until('the market stream', () => streamFlowing(venue), bot);
			await venue.fault({fault: 'drop-websockets'});
			await until('the stream to flow again after the drop', () => streamFlowing(venue), bot, 8000);
			expect(bot.log).toMatch(/reconnected and resubscribed/);
			expect((await bot.stop()).code).toBe(0);
		});

		it('sends nothing inside a Retry-After window', async test => {
			const {venue, bot} = await setUp(test, kind);
			const before = await venue.rateLimited();
			await venue.fault({fault: 'rate-limit-storm', params: {retryAfterSec: 2}, durationMs: 2000});
			await sleep(2500);
			// One request runs into the storm and learns the window; the next goes out after it ended.
			expect((await venue.rateLimited()) - before).toBeLessThanOrEqual(2);
			expect((await bot.stop()).code).toBe(0);
		});

		it('fault leak: RSS grows steadily', async test => {
			const {bot} = await setUp(test, kind, {fault: 'leak', env: {BOT_LEAK_MB_PER_MIN: '240'}});
			const first = bot.rssMb();
			await sleep(3000);
			// 240 MB a minute is 12 MB in 3 s; half of it leaves room for a slow machine.
			expect(bot.rssMb() - first).toBeGreaterThan(6);
		});

		it('fault orphans: exits 0 on SIGTERM leaving its orders on the venue', async test => {
			const {venue, bot} = await setUp(test, kind, {fault: 'orphans'});
			await until('two orders', async () => (await venue.ordersPlaced()) >= 2, bot);
			expect(await bot.stop()).toEqual({code: 0, signal: null});
			expect((await venue.openOrders()).length).toBeGreaterThan(0);
		});

		it('fault ignore-retry-after: keeps sending inside the Retry-After window', async test => {
			const {venue} = await setUp(test, kind, {fault: 'ignore-retry-after'});
			const before = await venue.rateLimited();
			await venue.fault({fault: 'rate-limit-storm', params: {retryAfterSec: 3}, durationMs: 3000});
			await sleep(3500);
			// It retries every 100 ms or so: about 30 in the window; well past the good bot's one or two even on a loaded machine.
			expect((await venue.rateLimited()) - before).toBeGreaterThanOrEqual(6);
		});

		it('fault no-resubscribe: stays disconnected after drop-websockets', async test => {
			const {venue, bot} = await setUp(test, kind, {fault: 'no-resubscribe'});
			await until('the market stream', () => streamFlowing(venue), bot);
			await venue.fault({fault: 'drop-websockets'});
			await until('the drop to be noticed', () => /not reconnecting/.test(bot.log), bot);
			// The good bot is back within about a second (see above); give this one three.
			await sleep(3000);
			const {websocket} = await venue.stats();
			expect(websocket.openConnections).toBe(0);
			expect(await streamFlowing(venue)).toBe(false);
			// Still alive and trading on REST: only the stream is gone.
			expect(bot.child.exitCode).toBe(null);
		});

		it('fault crash: exits non-zero with a stack trace after a few cycles', async test => {
			const {bot} = await setUp(test, kind, {fault: 'crash', env: {BOT_CRASH_AFTER: '3'}});
			const {code} = await bot.exit;
			expect(code).not.toBe(0);
			expect(bot.log).toMatch(kind.crashTrace);
		});
	});
}
