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

export const chaosEntrySchema = z
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
	})
	.superRefine((entry, ctx) => {
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

export const chaosTimelineSchema = z.array(chaosEntrySchema).max(1000);

export type ChaosEntryInput = z.input<typeof chaosEntrySchema>;
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
		const durationMs =
			entry.at !== undefined
				? entry.duration !== undefined
					? ms(entry.duration)
					: defaultFaultDurationMs[entry.fault]
				: ms(entry.to!) - startMs;
		const params = entry.params ?? {};
		const window = durationMs > 0 ? `${short(startMs)}–${short(startMs + durationMs)}` : `at ${short(startMs)}`;
		return {
			index,
			fault: entry.fault,
			params,
			startMs,
			durationMs,
			recoveryBudgetMs:
				entry.recoveryBudget !== undefined ? ms(entry.recoveryBudget) : defaultRecoveryBudgetMs[entry.fault],
			label: `${entry.fault} ${window}${Object.keys(params).length > 0 ? ` ${JSON.stringify(params)}` : ''}`,
		};
	});
	return out.sort((a, b) => a.startMs - b.startMs || a.index - b.index);
}
