/**
 * connectivity: ping, server time and clock skew (RTT/2-corrected, best of several samples), the
 * markets with every profile symbol tradable, REST round-trip p99, and an authenticated account read.
 */
import {isTransientError, toExchangeError} from '../exchange/errors.js';
import {describe, fail, failFromError, limit, pass} from './checks.js';
import {measureClock, tightest, type ClockSample} from './clock.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {round, summarize} from './stats.js';

/**
 * The recvWindow our signed requests carry: ccxt's binance default (options.recvWindow, 10 s; the venue's
 * own default is 5 s). A timestamp further behind the venue's clock is rejected with -1021.
 */
export const recvWindowMs = 10_000;

async function checkClock(ctx: PhaseCtx): Promise<void> {
	const {exchange, clock} = ctx.services;
	const samples: ClockSample[] = [];
	const rtts: number[] = [];
	for (let i = 0; i < 5; i++) {
		const sample = await ctx.call('fetchTime', () => measureClock(exchange), {isTransient: isTransientError});
		samples.push(sample);
		rtts.push(sample.rttMs);
	}
	const best = tightest(samples)!;
	clock.set(best);
	const skew = Math.abs(best.offsetMs);
	const direction = best.offsetMs >= 0 ? 'ahead of' : 'behind';
	const threshold = ctx.profile.thresholds.clockSkewMs;
	const beyondRecvWindow = skew > recvWindowMs;
	limit(ctx, {
		id: 'clock-skew',
		title: 'clock skew vs the venue (RTT/2 corrected)',
		measured: skew,
		max: threshold,
		unit: 'ms',
		reason: `the venue's clock is ${round(skew, 1)} ms ${direction} ours (> ${threshold} ms)${beyondRecvWindow ? `: beyond the ${recvWindowMs} ms recvWindow, signed requests are rejected (-1021) — sync the clock (NTP)` : ''}`,
	});
	const summary = summarize(rtts);
	ctx.log(
		'info',
		`clock offset ${round(best.offsetMs, 1)} ms (rtt ${round(best.rttMs, 2)} ms, median ${round(summary.p50 ?? 0, 2)} ms)`,
	);
}

async function checkRestLatency(ctx: PhaseCtx, symbol: string): Promise<void> {
	const {exchange} = ctx.services;
	const latencies: number[] = [];
	for (let i = 0; i < 20; i++) {
		const started = performance.now();
		await ctx.call('fetchTicker', () => exchange.fetchTicker(symbol), {isTransient: isTransientError});
		latencies.push(performance.now() - started);
	}
	const summary = summarize(latencies);
	limit(ctx, {
		id: 'rest-p99',
		title: `REST round trip p99 (fetchTicker ${symbol}, n=${summary.count})`,
		measured: summary.p99,
		max: ctx.profile.thresholds.restP99Ms,
		unit: 'ms',
	});
}

export const connectivityPhase: Phase = {
	id: 'connectivity',
	title: 'Connectivity',
	async run(ctx) {
		const {exchange} = ctx.services;
		const profile = ctx.profile;

		try {
			const started = performance.now();
			await ctx.call('ping', () => exchange.ping(), {isTransient: isTransientError});
			pass(ctx, 'ping', 'ping', round(performance.now() - started, 2), 'answers', 'ms');
		} catch (error) {
			failFromError(ctx, 'ping', 'ping', error, 'answers');
			// Nothing else can work without a reachable venue.
			return;
		}

		try {
			await checkClock(ctx);
		} catch (error) {
			failFromError(ctx, 'clock-skew', 'clock skew vs the venue (RTT/2 corrected)', error);
		}

		let symbolsOk = false;
		try {
			const markets = await ctx.call('loadMarkets', () => exchange.loadMarkets(true), {isTransient: isTransientError});
			pass(ctx, 'exchange-info', 'exchangeInfo loaded', markets.length, '> 0 markets');
			const problems: string[] = [];
			for (const symbol of profile.symbols) {
				const market = markets.find(m => m.symbol === symbol);
				if (!market) problems.push(`${symbol} is not listed`);
				else if (!market.active || market.status !== 'TRADING') problems.push(`${symbol} is ${market.status}`);
				else if (!market.orderTypes.includes('LIMIT') || !market.orderTypes.includes('MARKET'))
					problems.push(`${symbol} lacks LIMIT/MARKET orders`);
			}
			if (problems.length > 0)
				fail(
					ctx,
					'symbols-tradable',
					'profile symbols tradable',
					problems.join('; '),
					`${profile.symbols.length - problems.length}/${profile.symbols.length}`,
					'all TRADING',
				);
			else {
				symbolsOk = true;
				pass(
					ctx,
					'symbols-tradable',
					'profile symbols tradable',
					`${profile.symbols.length}/${profile.symbols.length}`,
					'all TRADING',
				);
			}
		} catch (error) {
			failFromError(ctx, 'exchange-info', 'exchangeInfo loaded', error, '> 0 markets');
		}

		if (symbolsOk) {
			try {
				await checkRestLatency(ctx, profile.symbols[0]!);
			} catch (error) {
				failFromError(ctx, 'rest-p99', 'REST round trip p99', error);
			}
		}

		try {
			const balance = await ctx.call('fetchBalance', () => exchange.fetchBalance(), {isTransient: isTransientError});
			pass(
				ctx,
				'account-read',
				'authenticated account read',
				`${Object.keys(balance.assets).length} assets`,
				'signed request accepted',
			);
		} catch (error) {
			const typed = toExchangeError(error);
			const hint =
				typed.kind === 'invalid-nonce'
					? " — our timestamp is outside the venue's recvWindow: the clocks disagree (see clock-skew)"
					: typed.kind === 'auth'
						? " — check the key, the secret and the key's IP whitelist"
						: '';
			fail(
				ctx,
				'account-read',
				'authenticated account read',
				`${describe(error)}${hint}`,
				typed.kind,
				'signed request accepted',
			);
		}
	},
};
