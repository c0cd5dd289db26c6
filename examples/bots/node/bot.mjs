#!/usr/bin/env node
/**
 * drydock example bot (Node): a small market maker on tiagosiebler's `binance` SDK, which drydock does
 * not use. REST goes through its MainClient ({baseUrl}), market streams through its WebsocketClient
 * ({wsUrl}: the SDK appends /stream and subscribes with SUBSCRIBE frames; it reconnects and
 * resubscribes by itself after a drop).
 *
 *   node examples/bots/node/bot.mjs [--fault leak|orphans|ignore-retry-after|no-resubscribe|crash] [--cycle-seconds 10]
 *
 * Environment: DRYDOCK_REST_URL, DRYDOCK_WS_URL, DRYDOCK_WS_API_URL, DRYDOCK_API_KEY, DRYDOCK_API_SECRET,
 * DRYDOCK_SYMBOLS, DRYDOCK_STATSD (set by `drydock run --sut`); tuning: BOT_FAULT, BOT_CYCLE_SECONDS
 * (10), BOT_NOTIONAL (20), BOT_OFFSET_BPS (10), BOT_LEAK_MB_PER_MIN (10), BOT_CRASH_AFTER (6 cycles: a minute).
 */
import {parseArgs} from 'node:util';
import {WebsocketClient} from 'binance';
import {FAULTS, startLeak} from './faults.mjs';
import {quote, rulesFrom} from './quoting.mjs';
import {createTelemetry} from './telemetry.mjs';
import {Venue} from './venue.mjs';

/** How long shutdown may wait out a Retry-After window before giving up on cancelling (drydock's stop timeout is 10 s). */
const SHUTDOWN_WAIT_LIMIT_MS = 8000;

const env = process.env;
const usage = message => {
	process.stderr.write(`bot.mjs: ${message}\n`);
	process.exit(2);
};
const {values} = parseArgs({options: {fault: {type: 'string'}, 'cycle-seconds': {type: 'string'}}});
const fault = values.fault ?? (env.BOT_FAULT || undefined);
if (fault !== undefined && !FAULTS.includes(fault)) usage(`--fault "${fault}" is not one of ${FAULTS.join(', ')}`);
const cycleSeconds = Number(values['cycle-seconds'] ?? env.BOT_CYCLE_SECONDS ?? 10);
if (!(cycleSeconds > 0)) usage(`--cycle-seconds must be a positive number of seconds`);
const missing = ['DRYDOCK_REST_URL', 'DRYDOCK_WS_URL', 'DRYDOCK_API_KEY', 'DRYDOCK_API_SECRET'].filter(
	name => !env[name],
);
if (missing.length > 0) usage(`missing environment variable(s): ${missing.join(', ')} (drydock run --sut sets them)`);
const symbols = (env.DRYDOCK_SYMBOLS || 'BTCUSDT,ETHUSDT')
	.split(',')
	.map(s => s.trim().toUpperCase())
	.filter(Boolean);
const notional = Number(env.BOT_NOTIONAL ?? 20);
const offsetBps = Number(env.BOT_OFFSET_BPS ?? 10);
const crashAfter = Number(env.BOT_CRASH_AFTER ?? 6);

const log = createTelemetry(env.DRYDOCK_STATSD);
const venue = new Venue({
	restUrl: env.DRYDOCK_REST_URL,
	apiKey: env.DRYDOCK_API_KEY,
	apiSecret: env.DRYDOCK_API_SECRET,
	log,
	honourRetryAfter: fault !== 'ignore-retry-after',
});

/** Best bid/ask per symbol (from bookTicker) and an average of trade prices (from trade). */
const book = new Map(symbols.map(s => [s, {bid: undefined, ask: undefined, updated: 0, average: undefined}]));
/** symbol → clientOrderId of our resting order on it. */
const resting = new Map();
let rules = new Map();
let cycles = 0;
let stopping = false;

const errorText = error => (error instanceof Error ? error.message : String(error));

/** One venue call; errors are logged lines (and bot.errors), never the end of the bot. goneOk: -2011 (already filled or canceled) is an answer. */
async function call(name, request, {goneOk = false} = {}) {
	try {
		return await venue.call(name, request);
	} catch (error) {
		if (goneOk && error.code === -2011) return [];
		if (error.interrupted) {
			log.info(`stopping: abandoned ${name} waiting out Retry-After`);
			return undefined;
		}
		if (error.retryAfterSec !== undefined)
			log.error(`${name} rate limited: ${error.message}; Retry-After ${error.retryAfterSec} s, pausing REST`);
		else log.error(`${name} failed: ${errorText(error)}`);
		return undefined;
	}
}

// ---- market streams ----
const stream = new WebsocketClient(
	{wsUrl: env.DRYDOCK_WS_URL.replace(/\/+$/, ''), beautify: false},
	{
		trace: () => {},
		info: () => {},
		error: (...params) =>
			log.error(
				`sdk: ${params
					.map(p => (typeof p === 'string' ? p : JSON.stringify(p)))
					.join(' ')
					.slice(0, 300)}`,
			),
	},
);
const topics = symbols.flatMap(s => [`${s.toLowerCase()}@bookTicker`, `${s.toLowerCase()}@trade`]);
stream.on('message', data => {
	const entry = book.get(data?.s);
	if (!entry) return;
	if (data.e === 'trade') {
		const price = Number(data.p);
		entry.average = entry.average === undefined ? price : entry.average * 0.9 + price * 0.1;
	} else if (data.b !== undefined && data.a !== undefined) {
		entry.bid = Number(data.b);
		entry.ask = Number(data.a);
		entry.updated = Date.now();
	}
});
stream.on('open', () => log.info(`market stream subscribed: ${topics.join(',')}`));
stream.on('reconnected', () => log.info(`market stream reconnected and resubscribed: ${topics.join(',')}`));
stream.on('reconnecting', ({wsKey}) => {
	if (stopping) return;
	log.error('market stream dropped');
	if (fault === 'no-resubscribe') {
		// Tearing the client down on the first drop: the SDK's own reconnect timer is cleared with it.
		stream.close(wsKey);
		log.error('market stream lost; not reconnecting (fault no-resubscribe)');
	}
});

// ---- trading ----
async function cycle(symbol) {
	const started = performance.now();
	cycles++;
	if (!rules.has(symbol)) {
		rules = rulesFrom(await call('exchangeInfo', c => c.getExchangeInfo()));
		if (!rules.has(symbol)) return;
	}
	const previous = resting.get(symbol);
	if (previous) {
		const canceled = await call('cancel', c => c.cancelOrder({symbol, origClientOrderId: previous}), {goneOk: true});
		if (canceled === undefined) return; // not canceled: never stack a second order on top of it
		resting.delete(symbol);
	}
	const entry = book.get(symbol);
	if (entry.bid === undefined || Date.now() - entry.updated > 5000) {
		// No stream data yet (or the stream is gone): ask REST for the touch.
		const ticker = await call('bookTicker', c => c.getSymbolOrderBookTicker({symbol}));
		if (!ticker) return;
		entry.bid = Number(ticker.bidPrice);
		entry.ask = Number(ticker.askPrice);
		entry.updated = Date.now();
	}
	const {side, price, quantity} = quote(entry, rules.get(symbol), offsetBps, notional);
	const clientOrderId = `${venue.client.getOrderIdPrefix()}ddjs${process.pid}n${cycles}`;
	const placed = await call('order', c =>
		c.submitNewOrder({
			symbol,
			side,
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity,
			price,
			newClientOrderId: clientOrderId,
			newOrderRespType: 'ACK',
		}),
	);
	if (placed) {
		resting.set(symbol, clientOrderId);
		log.info(`placed ${side} ${quantity} ${symbol} @ ${price} (${clientOrderId})`);
	}
	log.cycle(performance.now() - started);
}

let current = Promise.resolve();
let wake = () => {};
async function run() {
	log.info(
		`starting: symbols ${symbols.join(',')}, a cycle every ${cycleSeconds} s, fault ${fault ?? 'none'}, REST ${env.DRYDOCK_REST_URL}, WS API ${env.DRYDOCK_WS_API_URL ?? '-'} (unused)`,
	);
	rules = rulesFrom(await call('exchangeInfo', c => c.getExchangeInfo()));
	if (fault === 'leak') startLeak(Number(env.BOT_LEAK_MB_PER_MIN ?? 10));
	// The SDK rejects a pending subscription when its connection is lost; it subscribes again on reconnect by itself.
	stream.subscribe(topics, 'main').catch(error => log.error(`market stream subscribe: ${errorText(error)}`));
	while (!stopping) {
		// Thrown outside `cycle`'s error handling on purpose: an unhandled error ends the process with a stack trace and exit 1.
		if (fault === 'crash' && cycles >= crashAfter)
			throw new Error(`deliberate crash after ${crashAfter} cycles (fault crash)`);
		current = cycle(symbols[cycles % symbols.length]);
		await current;
		await new Promise(resolve => {
			wake = resolve;
			setTimeout(resolve, cycleSeconds * 1000);
		});
	}
}

async function shutdown(signal) {
	if (stopping) return;
	stopping = true;
	log.info(`received ${signal}: stopping`);
	wake();
	stream.closeAll(true);
	if (fault === 'orphans') {
		log.info(`stopping without cancelling ${resting.size} open order(s) (fault orphans)`);
		process.exit(0);
	}
	venue.interrupt();
	await current;
	if (venue.backoffRemaining() > SHUTDOWN_WAIT_LIMIT_MS) {
		log.error(
			`inside a Retry-After window of ${Math.round(venue.backoffRemaining() / 1000)} s: cannot cancel open orders`,
		);
		process.exit(1);
	}
	for (const symbol of symbols) {
		const canceled = await call('cancelAll', c => c.cancelAllSymbolOrders({symbol}), {goneOk: true});
		if (canceled) log.info(`canceled ${canceled.length} open order(s) on ${symbol}`);
	}
	log.info('stopped');
	process.exit(0);
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
await run();
