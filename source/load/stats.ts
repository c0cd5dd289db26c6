/**
 * Request statistics: one entry per (method, name) plus the aggregate, latencies in HDR histograms
 * (microsecond integers, 3 significant digits) so percentiles are exact to the histogram's
 * resolution and reports can be merged later. Memory is bounded: histograms are fixed-size, the
 * per-second counters are a ring, the failure table is capped.
 */
import * as hdr from 'hdr-histogram-js';
import type {Histogram} from 'hdr-histogram-js';

/** Locust's percentile list, in its order. */
export const PERCENTILES = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1] as const;

/** `0.999` → `99.9%`, as Locust's headers spell them. */
export function percentileLabel(p: number): string {
	const pct = Math.round(p * 100 * 1e6) / 1e6;
	return `${pct}%`;
}

const HIGHEST_US = 3_600_000_000; // one hour
const RING_SECONDS = 20;
/** Locust's window for the "current" figures. */
export const CURRENT_WINDOW_SECONDS = 10;
const MAX_FAILURE_KINDS = 500;
/** Each entry holds ~90 KB of histogram; requests named after raw ids (`/item/123`) must not grow without end. */
export const MAX_ENTRIES = 500;
export const OVERFLOW_NAME = '(other names: too many distinct request names; use the name option)';

export function newHistogram(): Histogram {
	return hdr.build({
		bitBucketSize: 32,
		autoResize: false,
		lowestDiscernibleValue: 1,
		highestTrackableValue: HIGHEST_US,
		numberOfSignificantValueDigits: 3,
	});
}

export class StatsEntry {
	requests = 0;
	failures = 0;
	totalUs = 0;
	minUs = Infinity;
	maxUs = 0;
	contentBytes = 0;
	readonly histogram: Histogram = newHistogram();
	/** Latencies measured from the intended send time (arrival-rate mode only). */
	corrected: Histogram | undefined;
	private readonly ringSecond = new Int32Array(RING_SECONDS).fill(-1);
	private readonly ringRequests = new Float64Array(RING_SECONDS);
	private readonly ringFailures = new Float64Array(RING_SECONDS);

	constructor(
		readonly method: string,
		readonly name: string,
	) {}

	record(us: number, correctedUs: number, bytes: number, second: number): void {
		this.requests++;
		this.totalUs += us;
		if (us < this.minUs) this.minUs = us;
		if (us > this.maxUs) this.maxUs = us;
		this.contentBytes += bytes;
		this.histogram.recordValue(us < HIGHEST_US ? us : HIGHEST_US);
		if (correctedUs >= 0) {
			this.corrected ??= newHistogram();
			this.corrected.recordValue(correctedUs < HIGHEST_US ? correctedUs : HIGHEST_US);
		}
		this.bucket(second, this.ringRequests);
	}

	/** Counts a failure of a request already recorded (or one recorded right after). */
	recordFailure(second: number): void {
		this.failures++;
		this.bucket(second, this.ringFailures);
	}

	private bucket(second: number, ring: Float64Array): void {
		const slot = second % RING_SECONDS;
		if (this.ringSecond[slot] !== second) {
			this.ringSecond[slot] = second;
			this.ringRequests[slot] = 0;
			this.ringFailures[slot] = 0;
		}
		ring[slot]! += 1;
	}

	/** Mean per second over the last complete `CURRENT_WINDOW_SECONDS` seconds before `nowSecond`. */
	currentRates(nowSecond: number, startSecond: number): {rps: number; fps: number} {
		const from = Math.max(startSecond, nowSecond - CURRENT_WINDOW_SECONDS);
		const span = nowSecond - from;
		if (span <= 0) return {rps: 0, fps: 0};
		let requests = 0;
		let failures = 0;
		for (let s = from; s < nowSecond; s++) {
			const slot = s % RING_SECONDS;
			if (this.ringSecond[slot] === s) {
				requests += this.ringRequests[slot]!;
				failures += this.ringFailures[slot]!;
			}
		}
		return {rps: requests / span, fps: failures / span};
	}

	/** Requests counted in one whole second (for series). */
	requestsInSecond(second: number): number {
		const slot = second % RING_SECONDS;
		return this.ringSecond[slot] === second ? this.ringRequests[slot]! : 0;
	}

	failuresInSecond(second: number): number {
		const slot = second % RING_SECONDS;
		return this.ringSecond[slot] === second ? this.ringFailures[slot]! : 0;
	}
}

export interface FailureKind {
	method: string;
	name: string;
	error: string;
	occurrences: number;
}

export class StatsRegistry {
	readonly entries = new Map<string, StatsEntry>();
	readonly total = new StatsEntry('', 'Aggregated');
	readonly failures = new Map<string, FailureKind>();
	/** Exceptions thrown by task code outside any request, keyed like failures. */
	taskErrors = 0;
	/** Arrival-rate iterations skipped because the backlog was full. */
	droppedIterations = 0;

	/** The same entries by method then name: the per-request lookup, without building a key string. */
	private readonly byMethod = new Map<string, Map<string, StatsEntry>>();

	entry(method: string, name: string): StatsEntry {
		const known = this.byMethod.get(method)?.get(name);
		if (known !== undefined) return known;
		const key = method + ' ' + name;
		let found = this.entries.get(key);
		if (found === undefined) {
			if (this.entries.size >= MAX_ENTRIES && name !== OVERFLOW_NAME) return this.entry('', OVERFLOW_NAME);
			found = new StatsEntry(method, name);
			this.entries.set(key, found);
		}
		let byName = this.byMethod.get(method);
		if (byName === undefined) this.byMethod.set(method, (byName = new Map<string, StatsEntry>()));
		byName.set(name, found);
		return found;
	}

	addFailure(method: string, name: string, error: string): void {
		const key = method + '\u0000' + name + '\u0000' + error;
		const found = this.failures.get(key);
		if (found !== undefined) {
			found.occurrences++;
			return;
		}
		if (this.failures.size >= MAX_FAILURE_KINDS) {
			const overflow = 'other errors (too many distinct kinds)';
			const spill = this.failures.get('\u0000\u0000' + overflow);
			if (spill) spill.occurrences++;
			else this.failures.set('\u0000\u0000' + overflow, {method: '', name: '', error: overflow, occurrences: 1});
			return;
		}
		this.failures.set(key, {method, name, error, occurrences: 1});
	}

	/** Entries sorted as Locust sorts them (by name, then method). */
	sortedEntries(): StatsEntry[] {
		return [...this.entries.values()].sort((a, b) =>
			a.name < b.name ? -1 : a.name > b.name ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0,
		);
	}
}

/** The figures a table, CSV row, threshold or snapshot needs, in milliseconds. */
export interface EntrySummary {
	method: string;
	name: string;
	requests: number;
	failures: number;
	failRatio: number;
	avgMs: number;
	minMs: number;
	maxMs: number;
	medianMs: number;
	avgContentSize: number;
	/** Over the whole run. */
	rps: number;
	failuresPerSecond: number;
	/** Over the last 10 s. */
	currentRps: number;
	currentFailuresPerSecond: number;
	/** Keyed by Locust's labels ("50%" ... "100%"). */
	percentiles: Record<string, number>;
	/** Same, measured from the intended send time (arrival-rate mode); absent otherwise. */
	correctedPercentiles?: Record<string, number>;
	correctedAvgMs?: number;
	correctedMaxMs?: number;
}

function percentilesMs(histogram: Histogram, count: number): Record<string, number> {
	const out: Record<string, number> = {};
	for (const p of PERCENTILES)
		out[percentileLabel(p)] = count === 0 ? 0 : histogram.getValueAtPercentile(p * 100) / 1000;
	return out;
}

export function summarize(
	entry: StatsEntry,
	elapsedSeconds: number,
	nowSecond: number,
	startSecond: number,
): EntrySummary {
	const n = entry.requests;
	const current = entry.currentRates(nowSecond, startSecond);
	const summary: EntrySummary = {
		method: entry.method,
		name: entry.name,
		requests: n,
		failures: entry.failures,
		failRatio: n === 0 ? 0 : entry.failures / n,
		avgMs: n === 0 ? 0 : entry.totalUs / n / 1000,
		minMs: n === 0 ? 0 : entry.minUs / 1000,
		maxMs: entry.maxUs / 1000,
		medianMs: n === 0 ? 0 : entry.histogram.getValueAtPercentile(50) / 1000,
		avgContentSize: n === 0 ? 0 : entry.contentBytes / n,
		rps: elapsedSeconds > 0 ? n / elapsedSeconds : 0,
		failuresPerSecond: elapsedSeconds > 0 ? entry.failures / elapsedSeconds : 0,
		currentRps: current.rps,
		currentFailuresPerSecond: current.fps,
		percentiles: percentilesMs(entry.histogram, n),
	};
	if (entry.corrected !== undefined) {
		const c = entry.corrected;
		summary.correctedPercentiles = percentilesMs(c, c.totalCount);
		summary.correctedAvgMs = c.totalCount === 0 ? 0 : c.mean / 1000;
		summary.correctedMaxMs = c.totalCount === 0 ? 0 : c.maxValue / 1000;
	}
	return summary;
}
