/**
 * The chaos timeline: faults scheduled relative to the soak's start, from a profile's `chaos` section or
 * `--chaos FILE`. Entries are either a point (`at`, optional `duration`) or a window (`from`..`to`).
 * Parsing here only checks shapes; `normalizeTimeline` turns durations into milliseconds and fills the
 * per-kind defaults, and its error names the entry index and the field.
 */
import {z} from 'zod';
import {parseDuration} from '../../util/duration.js';
import {defaultFaultDurationMs, defaultRecoveryBudgetMs} from '../spec/budgets.js';
import {FAULT_KINDS, PROXY_KIND_OF, PROXY_ONLY_KINDS} from '../spec/kinds.js';
import type {TimedFault} from '../spec/fault-spec.js';
import {parseMarketFaultParams, shockRecoveryMs} from '../spec/market.js';
import {parseMockFaultSpec} from '../spec/mock-spec.js';
import {parseProxyFault} from '../spec/proxy-spec.js';

/** `30s`, `5m`, `1h30m`, or a number of seconds. */
const durationText = z.union([z.string().min(1), z.number().nonnegative()]).refine(value => {
	try {
		parseDuration(String(value));
		return true;
	} catch {
		return false;
	}
}, 'expected a duration such as 30s, 5m or 1h30m');

/** `-8%`, `-8` or -8: a percentage change. */
const percentText = z
	.union([z.number(), z.string().regex(/^\s*[+-]?\d+(\.\d+)?\s*%?\s*$/, 'expected a percentage such as -8%')])
	.transform(value => (typeof value === 'number' ? value : Number(value.replace('%', '').trim())));

/** The market faults' shorthand fields, folded into `params` by normalizeTimeline. */
const MARKET_SHORTHAND = ['symbol', 'change', 'over', 'hold', 'recover', 'tolerance'] as const;

/** `kind` is another name for `fault` (the issue's and the admin API's word). */
function kindAlias(value: unknown): unknown {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
	const entry = value as Record<string, unknown>;
	if (entry.kind === undefined || entry.fault !== undefined) return value;
	const {kind, ...rest} = entry;
	return {...rest, fault: kind};
}

const entryObject = z
	.strictObject({
		at: durationText.optional(),
		from: durationText.optional(),
		to: durationText.optional(),
		/**
		 * Any fault kind (source/faults/spec/kinds.ts): the mock's, plus two that the local fault proxy
		 * applies on any venue (and on the mock when the proxy is in front of it): `connection-reset`
		 * {probability?, scope?} and `timeout` {probability?, scope?} (connections go silent, so the
		 * client's own timeout fires).
		 */
		fault: z.enum(FAULT_KINDS),
		params: z.record(z.string(), z.unknown()).optional(),
		/** How long a point fault lasts (default per kind; drop-websockets is instantaneous). */
		duration: durationText.optional(),
		/** How long recovery may take once the fault has ended (default per kind). */
		recoveryBudget: durationText.optional(),
		/**
		 * The market faults' shorthand (price-shock, halt): `symbol` (default: the soak's), `change` (-8%),
		 * `over` (the move, default 3s), `hold` (at the shocked price), `recover` (the mock's way back,
		 * default ten times `over`), `tolerance` (how close to the pre-shock price is recovered, default 1%).
		 */
		symbol: z
			.string()
			.regex(/^[A-Z0-9]+$/, 'expected an exchange symbol such as "BTCUSDT"')
			.optional(),
		change: percentText.optional(),
		over: durationText.optional(),
		hold: durationText.optional(),
		recover: durationText.optional(),
		tolerance: percentText.optional(),
	})
	.superRefine((entry, ctx) => {
		const market = entry.fault === 'price-shock' || entry.fault === 'halt';
		for (const field of MARKET_SHORTHAND) {
			if (entry[field] === undefined) continue;
			if (!market) ctx.addIssue({code: 'custom', path: [field], message: 'only for price-shock and halt'});
			else if (entry.fault === 'halt' && field !== 'symbol')
				ctx.addIssue({code: 'custom', path: [field], message: 'a halt takes "symbol" and "duration" only'});
		}
		if (entry.fault === 'price-shock' && entry.duration !== undefined)
			ctx.addIssue({
				code: 'custom',
				path: ['duration'],
				message: 'a price-shock is timed by "over", "hold" and "recover"',
			});
		if (entry.fault === 'price-shock' && entry.change === undefined && entry.params?.percent === undefined)
			ctx.addIssue({code: 'custom', path: ['change'], message: 'required: how far the price moves, e.g. -8%'});
		const hasAt = entry.at !== undefined;
		const hasWindow = entry.from !== undefined || entry.to !== undefined;
		if (hasAt && hasWindow)
			ctx.addIssue({code: 'custom', path: ['at'], message: 'give either "at" or "from"/"to", not both'});
		else if (!hasAt && !hasWindow)
			ctx.addIssue({code: 'custom', path: ['at'], message: 'required: "at" (a point) or "from" and "to" (a window)'});
		else if (hasWindow) {
			if (entry.from === undefined) ctx.addIssue({code: 'custom', path: ['from'], message: 'required with "to"'});
			else if (entry.to === undefined) ctx.addIssue({code: 'custom', path: ['to'], message: 'required with "from"'});
			else if (safeMs(entry.to) !== null && safeMs(entry.from) !== null && safeMs(entry.to)! <= safeMs(entry.from)!)
				ctx.addIssue({code: 'custom', path: ['to'], message: 'must be later than "from"'});
			if (entry.duration !== undefined)
				ctx.addIssue({code: 'custom', path: ['duration'], message: 'a "from"/"to" window already has a duration'});
		}
		// The mock's (or the proxy's) own validation of the parameters, so a bad value is caught before the run, not an hour in.
		const check = PROXY_ONLY_KINDS.has(entry.fault)
			? parseProxyFault(PROXY_KIND_OF[entry.fault]!, entry.params ?? {})
			: entry.fault === 'price-shock' || entry.fault === 'halt'
				? parseMarketFaultParams(entry.fault, marketParams(entry))
				: parseMockFaultSpec({fault: entry.fault, params: entry.params ?? {}});
		if (!check.ok) {
			const field = /"params\.([A-Za-z]+)"/.exec(check.message)?.[1];
			ctx.addIssue({
				code: 'custom',
				path: field ? ['params', field] : ['params'],
				message: check.message.replace(/^"params\.[A-Za-z]+" /, ''),
			});
		}
	});

export const chaosEntrySchema = z.preprocess(kindAlias, entryObject);

export const chaosTimelineSchema = z.array(chaosEntrySchema).max(1000);

export type ChaosEntryInput =
	| z.input<typeof entryObject>
	| (Omit<z.input<typeof entryObject>, 'fault'> & {kind: z.input<typeof entryObject>['fault']});
export type ChaosTimeline = z.output<typeof chaosTimelineSchema>;

/** One scheduled fault, in milliseconds from the soak's start. */
export interface ChaosEntry extends TimedFault {
	index: number;
	/** Human-readable, e.g. `error-rate 20m–25m {"probability":0.3}`. */
	label: string;
}

function safeMs(value: string | number): number | null {
	try {
		return parseDuration(String(value));
	} catch {
		return null;
	}
}

function ms(value: string | number): number {
	return parseDuration(String(value));
}

type EntryOutput = z.output<typeof entryObject>;

/** A market fault's params: `params` with the shorthand folded in (durations in ms; unparsable ones left for the check to name). */
function marketParams(entry: EntryOutput): Record<string, unknown> {
	const out: Record<string, unknown> = {...entry.params};
	const put = (key: string, value: string | number | undefined, asMs: boolean) => {
		if (value === undefined) return;
		out[key] = asMs ? (safeMs(value) ?? value) : value;
	};
	put('symbol', entry.symbol, false);
	put('percent', entry.change, false);
	put('tolerancePercent', entry.tolerance, false);
	if (entry.fault === 'price-shock') {
		put('durationMs', entry.over, true);
		if (out.durationMs === undefined) out.durationMs = defaultFaultDurationMs['price-shock'];
		put('holdMs', entry.hold, true);
		put('recoveryMs', entry.recover, true);
	}
	return out;
}

function short(msValue: number): string {
	if (msValue % 3_600_000 === 0) return `${msValue / 3_600_000}h`;
	if (msValue % 60_000 === 0) return `${msValue / 60_000}m`;
	if (msValue % 1000 === 0) return `${msValue / 1000}s`;
	return `${msValue}ms`;
}

/** Validated entries → ChaosEntry, sorted by start (indexes stay those of the file). */
export function normalizeTimeline(entries: readonly z.output<typeof chaosEntrySchema>[]): ChaosEntry[] {
	const out = entries.map((entry, index): ChaosEntry => {
		const startMs = entry.at !== undefined ? ms(entry.at) : ms(entry.from!);
		const shock = entry.fault === 'price-shock';
		const params = shock || entry.fault === 'halt' ? marketParams(entry) : (entry.params ?? {});
		// A shock's window is its move and hold; the way back is the mock's own, within the recovery budget.
		const shockMs = shock ? Number(params.durationMs) + Number(params.holdMs ?? 0) : 0;
		const durationMs = shock
			? shockMs
			: entry.at !== undefined
				? entry.duration !== undefined
					? ms(entry.duration)
					: defaultFaultDurationMs[entry.fault]
				: ms(entry.to!) - startMs;
		const defaultBudget = shock
			? shockRecoveryMs({
					percent: Number(params.percent),
					durationMs: Number(params.durationMs),
					...(params.recoveryMs === undefined ? {} : {recoveryMs: Number(params.recoveryMs)}),
				}) + defaultRecoveryBudgetMs['price-shock']
			: defaultRecoveryBudgetMs[entry.fault];
		const window = durationMs > 0 ? `${short(startMs)}–${short(startMs + durationMs)}` : `at ${short(startMs)}`;
		return {
			index,
			fault: entry.fault,
			params,
			startMs,
			durationMs,
			recoveryBudgetMs: entry.recoveryBudget !== undefined ? ms(entry.recoveryBudget) : defaultBudget,
			label: `${entry.fault} ${window}${Object.keys(params).length > 0 ? ` ${JSON.stringify(params)}` : ''}`,
		};
	});
	return out.sort((a, b) => a.startMs - b.startMs || a.index - b.index);
}
