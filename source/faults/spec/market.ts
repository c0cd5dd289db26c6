/**
 * The steerable market's vocabulary (a pure leaf, no packages): the settings the mock's simulator takes
 * (profile `mock.market`, `drydock mock` flags, admin POST /market) and the parameters of the two market
 * faults (`price-shock`, `halt`). One validator for the mock, the profile schema and the chaos timeline,
 * so a value the mock would refuse is refused before a run starts, with the field named.
 */

export const REGIME_SETTINGS = ['auto', 'trending', 'ranging', 'volatile'] as const;
export type RegimeSetting = (typeof REGIME_SETTINGS)[number];

/**
 * Units: `volatility` is the annualised standard deviation of log returns (0.6 = 60 %/year); `drift` the
 * annualised log drift; `spread` the quoted spread in basis points of the mid (at least one tick);
 * `tradeRate` the mean number of public trades per second. `regime: auto` switches at random.
 */
export interface MarketSymbolSettings {
	volatility?: number;
	drift?: number;
	regime?: RegimeSetting;
	tradeRate?: number;
	spread?: number;
}

/** The profile's `mock.market`: defaults for every symbol, overrides under `symbols`. */
export interface MockMarketSettings extends MarketSymbolSettings {
	symbols?: Record<string, MarketSymbolSettings>;
}

/** A refusal: the path of the bad field and why. */
export interface MarketIssue {
	path: string[];
	message: string;
}

export type MarketCheck<T> = {ok: true; value: T} | {ok: false; issue: MarketIssue};

const NUMERIC: ReadonlyArray<{field: keyof MarketSymbolSettings; min: number; max: number; exclusiveMin?: boolean}> = [
	{field: 'volatility', min: 0, max: 20},
	{field: 'drift', min: -50, max: 50},
	{field: 'tradeRate', min: 0, max: 1000, exclusiveMin: true},
	{field: 'spread', min: 0, max: 10_000},
];
const SYMBOL = /^[A-Z0-9]+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (path: string[], message: string): {ok: false; issue: MarketIssue} => ({
	ok: false,
	issue: {path, message},
});

/** One symbol's (or every symbol's) settings; unknown fields are refused so a typo is not silently ignored. */
export function checkMarketSymbolSettings(
	value: unknown,
	extra: readonly string[] = [],
): MarketCheck<MarketSymbolSettings> {
	if (!isObject(value)) return fail([], 'expected an object');
	const known = new Set<string>([...NUMERIC.map(n => n.field), 'regime', ...extra]);
	const unknown = Object.keys(value).find(key => !known.has(key));
	if (unknown !== undefined) return fail([unknown], `unknown field (expected ${[...known].join(', ')})`);
	const out: MarketSymbolSettings = {};
	for (const {field, min, max, exclusiveMin} of NUMERIC) {
		const v = value[field];
		if (v === undefined) continue;
		if (typeof v !== 'number' || !Number.isFinite(v)) return fail([field], 'expected a number');
		if (exclusiveMin ? v <= min : v < min)
			return fail([field], `must be ${exclusiveMin ? 'above' : 'at least'} ${min}`);
		if (v > max) return fail([field], `must be at most ${max}`);
		(out as Record<string, number>)[field] = v;
	}
	if (value.regime !== undefined) {
		if (!REGIME_SETTINGS.includes(value.regime as RegimeSetting))
			return fail(['regime'], `expected one of ${REGIME_SETTINGS.join(', ')}`);
		out.regime = value.regime as RegimeSetting;
	}
	return {ok: true, value: out};
}

/** The whole `mock.market` section. */
export function checkMockMarket(value: unknown): MarketCheck<MockMarketSettings> {
	const base = checkMarketSymbolSettings(value, ['symbols']);
	if (!base.ok) return base;
	const symbols = (value as Record<string, unknown>).symbols;
	if (symbols === undefined) return base;
	if (!isObject(symbols)) return fail(['symbols'], 'expected an object of symbol → settings');
	const out: Record<string, MarketSymbolSettings> = {};
	for (const [symbol, settings] of Object.entries(symbols)) {
		if (!SYMBOL.test(symbol)) return fail(['symbols', symbol], 'expected an exchange symbol such as "BTCUSDT"');
		const one = checkMarketSymbolSettings(settings);
		if (!one.ok) return fail(['symbols', symbol, ...one.issue.path], one.issue.message);
		out[symbol] = one.value;
	}
	return {ok: true, value: {...base.value, symbols: out}};
}

/** `"regime": expected one of …` / `"symbols.BTCUSDT.spread": must be at most 10000` */
export function describeMarketIssue(issue: MarketIssue): string {
	return `"${issue.path.join('.') || 'body'}": ${issue.message}`;
}

// ---- the market faults --------------------------------------------------------------------------

const DAY_MS = 86_400_000;

/** A `price-shock`: the mid moves by `percent` over `durationMs`, holds `holdMs`, then returns over `recoveryMs`. */
export interface ShockSpec {
	percent: number;
	durationMs: number;
	holdMs?: number;
	recoveryMs?: number;
}

/** The mock's own recovery time of a shock when none is given: ten times the move. */
export function shockRecoveryMs(spec: ShockSpec): number {
	return spec.recoveryMs ?? spec.durationMs * 10;
}

const ms = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= DAY_MS;

/** Checks a shock's parameters (admin body or chaos params); the message names the field as `"percent" …`. */
export function parseShock(body: Record<string, unknown>): {ok: true; spec: ShockSpec} | {ok: false; message: string} {
	const {percent, durationMs, holdMs, recoveryMs} = body;
	if (typeof percent !== 'number' || !Number.isFinite(percent) || percent <= -95 || percent > 1000 || percent === 0)
		return {ok: false, message: '"percent" must be a non-zero number above -95 (e.g. -8)'};
	if (!ms(durationMs)) return {ok: false, message: '"durationMs" must be 0..86400000'};
	for (const [name, v] of [
		['holdMs', holdMs],
		['recoveryMs', recoveryMs],
	] as const) {
		if (v !== undefined && !ms(v)) return {ok: false, message: `"${name}" must be 0..86400000`};
	}
	return {
		ok: true,
		spec: {
			percent,
			durationMs,
			...(holdMs === undefined ? {} : {holdMs: holdMs as number}),
			...(recoveryMs === undefined ? {} : {recoveryMs: recoveryMs as number}),
		},
	};
}

/** A halt's parameters: the symbol, and how long until the mock resumes trading by itself (absent: until resumed). */
export function parseHalt(
	body: Record<string, unknown>,
): {ok: true; durationMs?: number} | {ok: false; message: string} {
	const {durationMs} = body;
	if (durationMs === undefined) return {ok: true};
	if (!ms(durationMs) || durationMs === 0) return {ok: false, message: '"durationMs" must be 1..86400000'};
	return {ok: true, durationMs};
}

/**
 * A market fault's chaos parameters: `symbol` (default: the soak's), plus the shock's fields, and
 * `tolerancePercent` — how close to the pre-shock price counts as recovered (default 1 %).
 */
export function parseMarketFaultParams(
	kind: 'price-shock' | 'halt',
	params: Record<string, unknown>,
): {ok: true} | {ok: false; message: string} {
	const {symbol, tolerancePercent, ...rest} = params;
	if (symbol !== undefined && (typeof symbol !== 'string' || !SYMBOL.test(symbol)))
		return {ok: false, message: '"params.symbol" must be an exchange symbol such as "BTCUSDT"'};
	if (kind === 'halt') {
		const unknown = Object.keys(rest)[0];
		return unknown === undefined ? {ok: true} : {ok: false, message: `"params.${unknown}" is not a halt parameter`};
	}
	if (
		tolerancePercent !== undefined &&
		(typeof tolerancePercent !== 'number' || !(tolerancePercent > 0) || tolerancePercent > 50)
	)
		return {ok: false, message: '"params.tolerancePercent" must be above 0 and at most 50'};
	const unknown = Object.keys(rest).find(k => !['percent', 'durationMs', 'holdMs', 'recoveryMs'].includes(k));
	if (unknown !== undefined) return {ok: false, message: `"params.${unknown}" is not a price-shock parameter`};
	const shock = parseShock(rest);
	return shock.ok ? {ok: true} : {ok: false, message: shock.message.replace(/^"/, '"params.')};
}

/** Default closeness to the pre-shock price that counts as recovered. */
export const DEFAULT_SHOCK_TOLERANCE_PERCENT = 1;
