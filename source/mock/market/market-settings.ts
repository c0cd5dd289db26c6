import {z} from 'zod';

/**
 * How the simulated market moves, per symbol or for all. Units: `volatility` is the annualised standard
 * deviation of log returns (0.6 = 60 %/year, ≈ 0.64 %/hour); `drift` is the annualised log drift; `spread`
 * is the quoted spread in basis points of the mid (at least one tick); `tradeRate` is the mean number of
 * public trades per second. `regime: auto` switches between trending, ranging and volatile at random.
 */
export const marketSymbolSettingsSchema = z.strictObject({
	volatility: z.number().min(0).max(20).optional(),
	drift: z.number().min(-50).max(50).optional(),
	regime: z.enum(['auto', 'trending', 'ranging', 'volatile']).optional(),
	tradeRate: z.number().positive().max(1000).optional(),
	spread: z.number().min(0).max(10_000).optional(),
});

/** The profile's `mock.market` section: defaults for every symbol, overrides under `symbols`. */
export const mockMarketSchema = marketSymbolSettingsSchema.extend({
	symbols: z
		.record(
			z.string().regex(/^[A-Z0-9]+$/, 'expected an exchange symbol such as "BTCUSDT"'),
			marketSymbolSettingsSchema,
		)
		.optional(),
});

export type MarketSymbolSettings = z.infer<typeof marketSymbolSettingsSchema>;
export type MockMarketSettings = z.infer<typeof mockMarketSchema>;
export type RegimeSetting = NonNullable<MarketSymbolSettings['regime']>;

/** Settings with every field decided. */
export interface EffectiveMarketSettings {
	volatility: number;
	drift: number;
	regime: RegimeSetting;
	/** Undefined: the rate wanders between 1 and 10 trades/s. */
	tradeRate: number | undefined;
	spread: number;
}

/** 0.02 daily (the mock's historic default) expressed annually. */
export const DEFAULT_ANNUAL_VOLATILITY = 0.02 * Math.sqrt(365);

export function effectiveSettings(
	base: EffectiveMarketSettings,
	...layers: Array<MarketSymbolSettings | undefined>
): EffectiveMarketSettings {
	const out = {...base};
	for (const layer of layers) {
		if (!layer) continue;
		if (layer.volatility !== undefined) out.volatility = layer.volatility;
		if (layer.drift !== undefined) out.drift = layer.drift;
		if (layer.regime !== undefined) out.regime = layer.regime;
		if (layer.tradeRate !== undefined) out.tradeRate = layer.tradeRate;
		if (layer.spread !== undefined) out.spread = layer.spread;
	}
	return out;
}

/** `drydock mock` flags for the market, in util.parseArgs form (the command merges them into its own). */
export const marketFlagOptions = {
	volatility: {type: 'string'},
	drift: {type: 'string'},
	regime: {type: 'string'},
	'trade-rate': {type: 'string'},
	spread: {type: 'string'},
} as const;

export const marketFlagsHelp = `  --volatility X      annualised volatility of prices, 0.6 = 60 %/year (default ${DEFAULT_ANNUAL_VOLATILITY.toFixed(2)})
  --drift X           annualised log drift (default 0)
  --regime R          auto | trending | ranging | volatile (default auto)
  --trade-rate N      mean public trades per second per symbol (default: wanders 1–10)
  --spread BPS        quoted spread in basis points of the mid, at least one tick (default: one tick)
`;

/** The market flags' values → settings, or a one-line message naming the flag at fault. */
export function marketSettingsFromFlags(
	values: Partial<Record<keyof typeof marketFlagOptions, string | undefined>>,
): {ok: true; settings: MarketSymbolSettings} | {ok: false; message: string} {
	const raw: Record<string, unknown> = {};
	const numeric: Array<[keyof typeof marketFlagOptions, keyof MarketSymbolSettings]> = [
		['volatility', 'volatility'],
		['drift', 'drift'],
		['trade-rate', 'tradeRate'],
		['spread', 'spread'],
	];
	for (const [flag, field] of numeric) {
		const value = values[flag];
		if (value === undefined) continue;
		const n = Number(value);
		if (value.trim() === '' || !Number.isFinite(n))
			return {ok: false, message: `--${flag}: "${value}" is not a number`};
		raw[field] = n;
	}
	if (values.regime !== undefined) raw.regime = values.regime;
	const parsed = marketSymbolSettingsSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		const field = String(issue.path[0] ?? '');
		const flag = numeric.find(([, f]) => f === field)?.[0] ?? field;
		return {ok: false, message: `--${flag}: ${issue.message}`};
	}
	return {ok: true, settings: parsed.data};
}
