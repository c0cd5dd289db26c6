/**
 * Latency recording with an HDR histogram (bounded memory whatever the count) plus exact count, sum,
 * min and max. Values are recorded in microseconds; summaries are in milliseconds. The histogram can be
 * encoded (compressed base64) so reports can be merged exactly later.
 */
import {createRequire} from 'node:module';
import type {Histogram} from 'hdr-histogram-js';
import type {LatencySummary} from './snapshot.js';

type Hdr = typeof import('hdr-histogram-js');
let hdrModule: Hdr | null = null;
/** hdr-histogram-js embeds a WebAssembly build and costs ~50–200 ms to load: only on first use, not before the console's first frame. */
function hdr(): Hdr {
	hdrModule ??= createRequire(import.meta.url)('hdr-histogram-js') as Hdr;
	return hdrModule;
}

/** One hour in microseconds: anything slower is clamped (and is a failure by any threshold). */
const HIGHEST_US = 3_600_000_000;

export class LatencyRecorder {
	private histogramValue: Histogram | null = null;
	private get histogram(): Histogram {
		this.histogramValue ??= hdr().build({
			lowestDiscernibleValue: 1,
			highestTrackableValue: HIGHEST_US,
			numberOfSignificantValueDigits: 3,
			bitBucketSize: 'packed',
		});
		return this.histogramValue;
	}
	private sumMs = 0;
	count = 0;
	minMs: number | null = null;
	maxMs: number | null = null;

	record(ms: number): void {
		if (!Number.isFinite(ms)) return;
		const value = Math.max(0, ms);
		this.count++;
		this.sumMs += value;
		if (this.minMs === null || value < this.minMs) this.minMs = value;
		if (this.maxMs === null || value > this.maxMs) this.maxMs = value;
		this.histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(value * 1000))));
	}

	get avgMs(): number | null {
		return this.count === 0 ? null : this.sumMs / this.count;
	}

	/** HDR buckets round up (p99 299.263 ms beside a peak of 299.152 ms): a percentile never exceeds the recorded maximum. */
	percentileMs(p: number): number | null {
		return this.count === 0 ? null : clampPercentile(this.histogram.getValueAtPercentile(p) / 1000, this.maxMs);
	}

	summary(): LatencySummary {
		return {
			count: this.count,
			avgMs: this.avgMs,
			p50Ms: this.percentileMs(50),
			p99Ms: this.percentileMs(99),
			minMs: this.minMs,
			peakMs: this.maxMs,
		};
	}

	/**
	 * Adds another recorder's encoded histogram and its exact summary (a resumed run carries on from the
	 * first segment). Without a histogram only the summary counts.
	 */
	absorb(
		encoded: string | null,
		summary: {count: number; avgMs: number | null; minMs: number | null; maxMs: number | null},
	): void {
		if (summary.count <= 0) return;
		if (encoded) {
			try {
				this.histogram.add(hdr().decodeFromCompressedBase64(encoded));
			} catch {
				// A damaged histogram loses the percentiles of the first segment, not the run.
			}
		}
		this.count += summary.count;
		this.sumMs += (summary.avgMs ?? 0) * summary.count;
		if (summary.minMs !== null && (this.minMs === null || summary.minMs < this.minMs)) this.minMs = summary.minMs;
		if (summary.maxMs !== null && (this.maxMs === null || summary.maxMs > this.maxMs)) this.maxMs = summary.maxMs;
	}

	encode(): string {
		return hdr().encodeIntoCompressedBase64(this.histogram);
	}

	reset(): void {
		this.histogramValue?.reset();
		this.sumMs = 0;
		this.count = 0;
		this.minMs = null;
		this.maxMs = null;
	}
}

/** A percentile read from an HDR histogram, clamped to the exact recorded maximum (HDR's bucket rounding can exceed it). */
export function clampPercentile(value: number | null, maxMs: number | null | undefined): number | null {
	if (value === null) return null;
	return maxMs === null || maxMs === undefined ? value : Math.min(value, maxMs);
}

/** Decodes a histogram written by `LatencyRecorder.encode` (microsecond values). */
export function decodeHistogram(encoded: string): {count: number; percentileMs(p: number): number; meanMs: number} {
	const h = hdr().decodeFromCompressedBase64(encoded);
	// Without the exact max, the histogram's own (bucket-rounded) max is the ceiling: no percentile reads above it.
	const maxMs = h.maxValue / 1000;
	return {
		count: h.totalCount,
		percentileMs: p => Math.min(h.getValueAtPercentile(p) / 1000, maxMs),
		meanMs: h.mean / 1000,
	};
}
