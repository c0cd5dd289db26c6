/**
 * rate-limit: the venue's weight header is tracked; a burst bigger than the throttle's allowance is
 * spread by our weight-aware throttle so no 429 ever comes back; and (on the mock) a 429 storm is
 * ridden out by honouring Retry-After, without ever earning a 418 ban. Uses raw GETs so ccxt's own
 * limiter (which never reads headers) is not what is being measured.
 */
import type {RawResponse} from '../exchange/exchange-client.js';
import {errorMessage, within} from './abort.js';
import {fail, limit, pass, skip} from './checks.js';
import type {Phase, PhaseCtx} from './phase-contract.js';
import {round} from './stats.js';
import {WeightThrottle} from './weight-throttle.js';

/** GET /api/v3/ticker/price?symbol= costs 2 weight on Binance spot. */
const burstWeight = 2;

function header(response: RawResponse, name: string): number | null {
	const value = response.headers[name.toLowerCase()];
	if (value === undefined) return null;
	const parsed = Number(value);
	return Number.isFinite(parsed) ? parsed : null;
}

async function rawGet(ctx: PhaseCtx, path: string, query: Record<string, string | number>): Promise<RawResponse> {
	return within(
		ctx.services.exchange.rawPublicGet(path, query),
		ctx.signal,
		ctx.profile.timeouts.requestMs,
		`GET ${path}`,
	);
}

async function checkWeightHeader(ctx: PhaseCtx, venueSymbol: string): Promise<void> {
	const title = 'X-MBX-USED-WEIGHT-1M tracked';
	const startedMinute = Math.floor(Date.now() / 60_000);
	const first = await rawGet(ctx, '/api/v3/ticker/price', {symbol: venueSymbol});
	const second = await rawGet(ctx, '/api/v3/ticker/price', {symbol: venueSymbol});
	const sameMinute = Math.floor(Date.now() / 60_000) === startedMinute;
	const a = header(first, 'x-mbx-used-weight-1m');
	const b = header(second, 'x-mbx-used-weight-1m');
	if (a === null || b === null) {
		fail(ctx, 'weight-header', title, 'responses carry no X-MBX-USED-WEIGHT-1M header', null, 'present');
		return;
	}
	ctx.services.weights.observe(b);
	// Other traffic may land in between, and the minute may roll over; the count must not go backwards within a minute.
	const delta = b - a;
	if (delta < 0 && sameMinute) {
		fail(
			ctx,
			'weight-header',
			title,
			`the used weight went down from ${a} to ${b} within a minute`,
			delta,
			`+${burstWeight} per call`,
		);
	} else pass(ctx, 'weight-header', title, `${b} used (+${delta} for one call)`, `present, +${burstWeight} per call`);
}

async function checkBurst(ctx: PhaseCtx, venueSymbol: string): Promise<void> {
	const profile = ctx.profile;
	// A throttle of its own for the burst, so its figures are this burst's alone; it starts from the venue's count.
	const throttle = new WeightThrottle({
		budgetPerMinute: profile.rateLimit.weightBudgetPerMinute,
		headroom: profile.rateLimit.headroom,
	});
	throttle.observe(ctx.services.weights.reported);
	// About two seconds' worth of the allowed rate, so the throttle must hold part of it back.
	const requests = Math.max(20, Math.min(200, Math.ceil((throttle.ratePerSecond * 2.5) / burstWeight)));
	let tooMany = 0;
	let banned = 0;
	let failed = 0;
	let peak = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({length: requests}, async () => {
			await throttle.acquire(burstWeight, ctx.signal);
			try {
				const response = await rawGet(ctx, '/api/v3/ticker/price', {symbol: venueSymbol});
				const used = header(response, 'x-mbx-used-weight-1m');
				throttle.observe(used);
				ctx.services.weights.observe(used);
				if (used !== null) peak = Math.max(peak, used);
				if (response.status === 429) tooMany += 1;
				else if (response.status === 418) banned += 1;
				else if (response.status >= 400) failed += 1;
			} finally {
				throttle.release(burstWeight);
			}
		}),
	);
	const elapsed = (performance.now() - started) / 1000;
	const achieved = (requests * burstWeight) / Math.max(elapsed, 0.001);
	ctx.log(
		'info',
		`burst: ${requests} requests in ${round(elapsed, 2)} s (${round(achieved, 1)} weight/s, throttle delayed ${throttle.delayed}, peak header ${peak})`,
	);
	limit(ctx, {
		id: 'burst-no-429',
		title: `burst of ${requests} requests (${requests * burstWeight} weight) without a 429`,
		measured: tooMany + banned,
		max: 0,
		reason: `${tooMany} × 429 and ${banned} × 418 despite the throttle`,
	});
	limit(ctx, {
		id: 'burst-under-budget',
		title: 'used weight stays under the budget minus headroom',
		measured: peak,
		max: throttle.limit,
		unit: 'weight',
	});
	if (throttle.delayed === 0) {
		ctx.check({
			id: 'burst-throttled',
			title: 'the throttle spread the burst',
			verdict: 'warn',
			measured: 0,
			threshold: '> 0 delayed',
			reason: 'the burst fitted the allowance: nothing had to be held back',
		});
	} else {
		// The bucket allows one second up front, then the sustained rate: the achieved rate may not exceed it by much.
		const allowed = throttle.ratePerSecond * (1 + 1 / Math.max(elapsed, 0.001));
		limit(ctx, {
			id: 'burst-throttled',
			title: `the throttle spread the burst (${throttle.delayed} requests held back)`,
			measured: round(achieved, 1),
			max: round(allowed * 1.1, 1),
			unit: 'weight/s',
		});
	}
	if (failed > 0)
		fail(
			ctx,
			'burst-errors',
			'burst requests answered',
			`${failed} requests failed with another HTTP error`,
			failed,
			'= 0',
		);
}

/** On the mock: a storm of 429s, ridden out by waiting Retry-After each time. */
async function checkStorm(ctx: PhaseCtx, venueSymbol: string): Promise<void> {
	const {faults} = ctx.services;
	const title = '429 storm: Retry-After honoured, recovered';
	if (!faults.supports('rate-limit-storm')) {
		skip(ctx, 'storm-recovery', title, faults.unsupportedReason('rate-limit-storm'));
		return;
	}
	const stormMs = 1_500;
	await faults.inject({fault: 'rate-limit-storm', durationMs: stormMs});
	const recovered = ctx.fault('rate-limit-storm', `429 on every request for ${stormMs} ms`);
	const injectedAt = performance.now();
	let tooMany = 0;
	let banned = 0;
	let missingRetryAfter = 0;
	let waitedMs = 0;
	let firstOkAt: number | null = null;
	try {
		const deadline = injectedAt + stormMs + 30_000;
		while (performance.now() < deadline) {
			const response = await rawGet(ctx, '/api/v3/ticker/price', {symbol: venueSymbol});
			if (response.status === 200) {
				firstOkAt = performance.now();
				break;
			}
			if (response.status === 418) banned += 1;
			else if (response.status === 429) tooMany += 1;
			const retryAfter = header(response, 'retry-after');
			if (retryAfter === null) missingRetryAfter += 1;
			// Honour Retry-After (seconds); without one, back off a second rather than hammer.
			const waitMs = retryAfter === null ? 1_000 : Math.max(0, retryAfter * 1_000);
			waitedMs += waitMs;
			await ctx.sleep(waitMs);
		}
	} finally {
		await faults.clear().catch((error: unknown) => ctx.log('warn', `clearing faults: ${errorMessage(error)}`));
	}
	if (firstOkAt !== null) recovered();
	if (tooMany === 0 && banned === 0) {
		fail(
			ctx,
			'storm-observed',
			'the 429 storm was observed',
			'the injected storm produced no 429: the fault had no effect',
			0,
			'> 0',
		);
		return;
	}
	pass(ctx, 'storm-observed', 'the 429 storm was observed', tooMany, '> 0 × 429');
	limit(ctx, {
		id: 'storm-no-418',
		title: 'no 418 ban (Retry-After was honoured)',
		measured: banned,
		max: 0,
		reason: `${banned} × 418: requests went out before Retry-After elapsed`,
	});
	limit(ctx, {id: 'storm-retry-after', title: '429 responses carry Retry-After', measured: missingRetryAfter, max: 0});
	const recovery = firstOkAt === null ? null : firstOkAt - injectedAt - stormMs;
	limit(ctx, {
		id: 'storm-recovery',
		title,
		measured: recovery === null ? null : Math.max(0, recovery),
		max: ctx.profile.thresholds.reconnectMs,
		unit: 'ms after the storm',
		whenMissing: 'fail',
		missingReason: `no successful request within 30 s of the storm's end (waited ${round(waitedMs / 1000, 1)} s on Retry-After)`,
	});
}

export const rateLimitPhase: Phase = {
	id: 'rate-limit',
	title: 'Rate limits',
	async run(ctx) {
		const {exchange} = ctx.services;
		await ctx.call('loadMarkets', () => exchange.loadMarkets());
		const venueSymbol = exchange.market(ctx.profile.symbols[0]!).id;
		await checkWeightHeader(ctx, venueSymbol);
		await checkBurst(ctx, venueSymbol);
		await checkStorm(ctx, venueSymbol);
	},
};
