/**
 * A Prometheus histogram fed from an HDR histogram (compressed base64, microseconds) at scrape time.
 * prom-client's own Histogram only counts observations made through it; the engine already records
 * every latency in HDR form, so the buckets are read from that instead of observing twice.
 */
import * as hdr from 'hdr-histogram-js';
import type {Metric} from 'prom-client';

/** Bucket upper bounds in seconds (0.5 ms … 10 s). */
export const defaultLatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface MetricValue {
	value: number;
	labels: Record<string, string | number>;
	metricName: string;
}

export class HdrHistogramMetric {
	readonly type = 'histogram';
	readonly aggregator = 'sum';

	constructor(
		readonly name: string,
		readonly help: string,
		/** Returns the encoded histogram now, or null when there is none yet. */
		private readonly source: () => string | null,
		private readonly buckets: readonly number[] = defaultLatencyBuckets,
	) {}

	/** Cumulative counts per bucket, plus sum (seconds) and count. */
	read(): {cumulative: number[]; sum: number; count: number} {
		const cumulative = this.buckets.map(() => 0);
		const encoded = this.source();
		if (!encoded) return {cumulative, sum: 0, count: 0};
		const histogram = hdr.decodeFromCompressedBase64(encoded, 32);
		const counts = histogram as unknown as hdr.JsHistogram;
		const perBucket = this.buckets.map(() => 0);
		for (let index = 0; index < counts.countsArrayLength; index++) {
			const n = counts.getCountAtIndex(index);
			if (n === 0) continue;
			const seconds = counts.valueFromIndex(index) / 1e6;
			const bucket = this.buckets.findIndex(le => seconds <= le);
			if (bucket >= 0) perBucket[bucket]! += n;
		}
		let running = 0;
		perBucket.forEach((n, i) => {
			running += n;
			cumulative[i] = running;
		});
		return {cumulative, sum: (histogram.mean * histogram.totalCount) / 1e6, count: histogram.totalCount};
	}

	get(): {name: string; help: string; type: string; aggregator: string; values: MetricValue[]} {
		let read: ReturnType<HdrHistogramMetric['read']>;
		try {
			read = this.read();
		} catch {
			// A scrape must never fail because one source is unreadable: report an empty histogram.
			read = {cumulative: this.buckets.map(() => 0), sum: 0, count: 0};
		}
		const values: MetricValue[] = this.buckets.map((le, i) => ({
			metricName: `${this.name}_bucket`,
			labels: {le},
			value: read.cumulative[i]!,
		}));
		values.push({metricName: `${this.name}_bucket`, labels: {le: '+Inf'}, value: read.count});
		values.push({metricName: `${this.name}_sum`, labels: {}, value: read.sum});
		values.push({metricName: `${this.name}_count`, labels: {}, value: read.count});
		return {name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values};
	}

	/** prom-client's Registry accepts any object with this shape; its typings want its own classes. */
	asMetric(): Metric {
		return this as unknown as Metric;
	}
}
