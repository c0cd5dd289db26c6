/**
 * Exact histogram merging: decode each HDR histogram (compressed base64, microseconds), add the
 * counts, re-encode. Percentiles of the result equal those of one histogram over the union of samples.
 */
import * as hdr from 'hdr-histogram-js';
import type {Histogram} from 'hdr-histogram-js';
import {UsageError} from '../../util/usage-error.js';

export function decodeHistogram(data: string, where: string): Histogram {
	try {
		return hdr.decodeFromCompressedBase64(data, 32);
	} catch (error) {
		throw new UsageError(`${where}: not a valid HDR histogram (${(error as Error).message})`);
	}
}

/** Sum of the given encoded histograms; null when the list is empty. */
export function mergeHistograms(items: readonly {data: string; where: string}[]): Histogram | null {
	let total: Histogram | null = null;
	for (const item of items) {
		const h = decodeHistogram(item.data, item.where);
		if (total === null) total = h;
		else total.add(h);
	}
	return total;
}

export function encodeHistogram(histogram: Histogram): string {
	return hdr.encodeIntoCompressedBase64(histogram);
}

/** Value at a percentile in ms (histograms hold microseconds); null for an empty histogram. */
export function percentileMs(histogram: Histogram | null, percentile: number): number | null {
	if (histogram === null || histogram.totalCount === 0) return null;
	return histogram.getValueAtPercentile(percentile) / 1000;
}
