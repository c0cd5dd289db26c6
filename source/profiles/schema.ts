/**
 * The profile schema (zod 4). A profile names the venue, how to reach it, where its keys live (names of
 * environment variables, never the secrets), and every threshold a phase holds the venue to. Defaults
 * are filled here so shipped profiles stay short; `prefault({})` makes a missing section parse through
 * its own defaults.
 */
import {z} from 'zod';
import {chaosTimelineSchema} from '../faults/chaos/schema.js';
import {checkMockMarket, type MockMarketSettings} from '../faults/spec/market.js';
import {sutSchema} from '../sut/spec.js';

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();
const positiveInt = () => z.number().int().positive();

/** ccxt unified symbol: BASE/QUOTE. */
const unifiedSymbol = z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/, 'expected a ccxt unified symbol such as "BTC/USDT"');
const envVarName = z
	.string()
	.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (letters, digits, _)');

const urlString = z.string().refine(value => {
	try {
		const url = new URL(value);
		return ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol);
	} catch {
		return false;
	}
}, 'expected an http(s):// or ws(s):// URL');

export const gradeRuleSchema = z.strictObject({
	/** 0..1 */
	minSuccessRate: z.number().min(0).max(1),
	/** Average latency must be strictly below this. */
	maxAvgLatencyMs: positive(),
});

export const gradesSchema = z.strictObject({
	'A+': gradeRuleSchema.prefault({minSuccessRate: 0.999, maxAvgLatencyMs: 1}),
	A: gradeRuleSchema.prefault({minSuccessRate: 0.995, maxAvgLatencyMs: 5}),
	B: gradeRuleSchema.prefault({minSuccessRate: 0.99, maxAvgLatencyMs: 200}),
});

export const profileSchema = z.strictObject({
	name: z.string().min(1),
	description: z.string().optional(),
	exchange: z.literal('binance'),
	environment: z.enum(['mock', 'testnet', 'mainnet']),
	execution: z.enum(['exchange', 'paper']).default('exchange'),
	/**
	 * For mock: use a running mock at these URLs instead of starting one (`--exchange-url` overrides). For
	 * testnet/mainnet: the venue's own bases instead of Binance's (a local TLS venue in tests); wsApi defaults to {ws}/ws-api/v3.
	 */
	urls: z
		.strictObject({
			rest: urlString.optional(),
			ws: urlString.optional(),
			wsApi: urlString.optional(),
		})
		.optional(),
	/** Embedded mock settings (environment mock only). */
	mock: z
		.strictObject({
			seed: z.number().int().default(1),
			/** Exchange-native symbols, e.g. BTCUSDT; default: derived from `symbols`. */
			symbols: z.array(z.string().regex(/^[A-Z0-9]+$/, 'expected an exchange symbol such as "BTCUSDT"')).optional(),
			balances: z.record(z.string(), nonNegative()).optional(),
			/** The mock's venue limits (Binance's by default: 100 orders per 10 s, 200 000 a day, weight 6 000 a minute); raise them for an accelerated soak. */
			ordersPer10s: positiveInt().optional(),
			ordersPerDay: positiveInt().optional(),
			weightLimitPerMinute: positiveInt().optional(),
			/** How the simulated market moves (faults/spec/market.ts, the validator the mock uses too). */
			market: z
				.unknown()
				.transform((value, ctx): MockMarketSettings | undefined => {
					if (value === undefined) return undefined;
					const result = checkMockMarket(value);
					if (result.ok) return result.value;
					ctx.addIssue({code: 'custom', path: result.issue.path, message: result.issue.message});
					return z.NEVER;
				})
				.optional(),
		})
		.prefault({}),
	credentials: z
		.strictObject({
			apiKeyEnv: envVarName,
			apiSecretEnv: envVarName,
			/** A file holding `KEY=...`/`SECRET=...` lines or a JSON {apiKey, secret}; path relative to cwd. */
			keyFile: z.string().min(1).optional(),
		})
		.prefault({apiKeyEnv: 'DRYDOCK_API_KEY', apiSecretEnv: 'DRYDOCK_API_SECRET'}),
	symbols: z.array(unifiedSymbol).min(1).default(['BTC/USDT']),
	rateLimit: z
		.strictObject({
			enableRateLimit: z.boolean().default(true),
			/** Binance spot REQUEST_WEIGHT per minute is 6000; stay under it. */
			weightBudgetPerMinute: positiveInt().default(6000),
			/** Fraction of the budget kept free (0..1). */
			headroom: z.number().min(0).max(0.9).default(0.2),
		})
		.prefault({}),
	timeouts: z.strictObject({requestMs: positiveInt().default(10_000)}).prefault({}),
	breaker: z
		.strictObject({
			failureThreshold: positiveInt().default(5),
			openMs: positiveInt().default(5_000),
			halfOpenProbes: positiveInt().default(1),
		})
		.prefault({}),
	retry: z
		.strictObject({
			attempts: z.number().int().min(1).max(20).default(3),
			baseMs: positiveInt().default(100),
			maxMs: positiveInt().default(2_000),
		})
		.prefault({}),
	thresholds: z
		.strictObject({
			clockSkewMs: positive().default(1_000),
			restP99Ms: positive().default(1_000),
			streamSilenceMs: positive().default(10_000),
			streamP99LatencyMs: positive().default(1_000),
			reconnectMs: positive().default(5_000),
			orderAckP99Ms: positive().default(1_000),
			/** The lowest soak grade that passes (the guides: C fails). */
			minGrade: z.enum(['A+', 'A', 'B', 'C']).default('B'),
			/** The slowest single soak operation allowed (the guides' "whole trade execution < 500 ms"). */
			peakLatencyMs: positive().default(500),
		})
		.prefault({}),
	/** `k` (kill switch) also closes positions, inside the notional caps, unless the console's confirm says otherwise. */
	killSwitch: z.strictObject({flatten: z.boolean().default(false)}).prefault({}),
	soak: z
		.strictObject({
			ratePerSecond: positive().max(10_000).default(1),
			progressEveryMs: positiveInt().default(300_000),
			warmupMs: nonNegative().default(60_000),
			/** Quote notional of each soak order (e.g. USDT). */
			orderNotional: positive().default(20),
		})
		.prefault({}),
	strategy: z
		.strictObject({
			builtin: z.enum(['ma-crossover', 'pinger']).default('pinger'),
			/** A user strategy module; path relative to cwd. */
			file: z.string().min(1).optional(),
		})
		.prefault({}),
	risk: z
		.strictObject({
			maxOrderNotional: positive().default(1_000),
			maxPosition: positive().default(1),
			maxOpenOrders: positiveInt().default(10),
			dailyLossLimit: positive().default(500),
		})
		.prefault({}),
	limits: z
		.strictObject({
			cpuPercent: positive().default(50),
			/** Process memory ceiling (the guides: < 500 MB). */
			rssMb: positive().default(500),
			rssSlopeMbPerHour: positive().default(5),
			/** The guides' "< 1 error per hour" (errors under injected faults not counted). */
			errorsPerHour: nonNegative().default(1),
			eventLoopLagMs: positive().default(200),
		})
		.prefault({}),
	grades: gradesSchema.prefault({}),
	/** Faults scheduled relative to the soak's start (see source/faults/chaos/schema.ts); `--chaos FILE` replaces it. */
	chaos: chaosTimelineSchema.optional(),
	/** The user's own system under test (issue 12; see source/sut/spec.ts); `--sut "CMD"` overrides `sut.command`. */
	sut: sutSchema.optional(),
	/** Caps for real orders on mainnet (enforced with --allow-live). */
	live: z
		.strictObject({
			perOrderNotionalCap: positive().default(20),
			perRunNotionalCap: positive().default(200),
		})
		.prefault({}),
});

/** A validated profile with every default filled. */
export type Profile = z.output<typeof profileSchema>;
/** What a profile file may contain (sections optional). */
export type ProfileInput = z.input<typeof profileSchema>;
export type GradeRules = z.output<typeof gradesSchema>;
