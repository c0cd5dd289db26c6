import {z} from 'zod';

import {
	checkMarketSymbolSettings,
	checkMockMarket,
	type MarketSymbolSettings,
	type MockMarketSettings,
	type RegimeSetting,
} from '../../faults/spec/market.js';

export type {MarketSymbolSettings, MockMarketSettings, RegimeSetting} from '../../faults/spec/market.js';

/** zod schemas over the one validator in faults/spec/market.ts (the profile schema uses the same validator). */
function fromCheck<T>(
	check: (value: unknown) => {ok: true; value: T} | {ok: false; issue: {path: string[]; message: string}},
) {
	return z.unknown().transform((value, ctx): T => {
		const result = check(value);
		if (result.ok) return result.value;
		ctx.addIssue({code: 'custom', path: result.issue.path, message: result.issue.message});
		return z.NEVER;
	});
}

export const marketSymbolSettingsSchema = fromCheck<MarketSymbolSettings>(v => checkMarketSymbolSettings(v));
export const mockMarketSchema = fromCheck<MockMarketSettings>(checkMockMarket);

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
