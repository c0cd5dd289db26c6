/**
 * Over-time series for report.html rebuilt from the run's journal (events.ndjson): operations per
 * bucket with latency percentiles, and errors by kind per bucket. The journal is streamed line by line
 * and folded into at most `maxPoints` buckets, so memory stays bounded however long the run was.
 */
import {createReadStream} from 'node:fs';
import {access} from 'node:fs/promises';
import {createInterface} from 'node:readline';
import hdr from 'hdr-histogram-js';
import type {Histogram} from 'hdr-histogram-js';
import type {Report} from '../model.js';
import type {ReportTimeline} from './render.js';

interface Bucket {
	operations: number;
	failed: number;
	latency: Histogram | null;
	maxMs: number;
	errors: Map<string, number>;
}

/** Distinct error kinds kept per bucket; the rest are counted as `other`. */
const MAX_KINDS_PER_BUCKET = 20;

export interface JournalTimelineOptions {
	/** Upper bound on points per series (default 720). */
	maxPoints?: number;
}

/** Operations per time bucket on average, at least, so the bucket's percentiles differ. */
const MIN_OPS_PER_BUCKET = 50;

function newBucket(): Bucket {
	return {operations: 0, failed: 0, latency: null, maxMs: 0, errors: new Map()};
}

function countError(bucket: Bucket, kind: unknown): void {
	const name = typeof kind === 'string' && kind.length > 0 ? kind.slice(0, 60) : 'unknown';
	const key = bucket.errors.has(name) || bucket.errors.size < MAX_KINDS_PER_BUCKET ? name : 'other';
	bucket.errors.set(key, (bucket.errors.get(key) ?? 0) + 1);
}

/**
 * Reads `journalFile` and returns the timeline for `report`'s span, or null when the file does not
 * exist or holds no operation and no error. Unreadable lines are skipped.
 */
export async function timelineFromJournal(
	journalFile: string,
	report: Pick<Report, 'start_time' | 'end_time' | 'duration_hours'> & Partial<Pick<Report, 'total_operations'>>,
	options: JournalTimelineOptions = {},
): Promise<ReportTimeline | null> {
	try {
		await access(journalFile);
	} catch {
		return null;
	}
	const start = Date.parse(report.start_time);
	if (!Number.isFinite(start)) return null;
	const end = report.end_time ? Date.parse(report.end_time) : start + report.duration_hours * 3_600_000;
	const maxPoints = Math.max(10, options.maxPoints ?? 720);
	// Whole seconds, at least 1 s, wide enough that the run fits in maxPoints buckets.
	// And wide enough to hold some MIN_OPS_PER_BUCKET operations on average: a percentile of 3 operations
	// is just their max, and p50/p95/p99 lines would lie on top of each other.
	const span = Math.max(1, end - start);
	const byOperations =
		report.total_operations && report.total_operations > 0 ? (span * MIN_OPS_PER_BUCKET) / report.total_operations : 0;
	const intervalMs = Math.max(1000, Math.ceil(Math.max(span / maxPoints, byOperations) / 1000) * 1000);
	const buckets = new Map<number, Bucket>();
	const bucketAt = (at: unknown): Bucket | null => {
		if (typeof at !== 'number' || !Number.isFinite(at) || at < start) return null;
		const index = Math.min(maxPoints, Math.floor((at - start) / intervalMs));
		let bucket = buckets.get(index);
		if (!bucket) buckets.set(index, (bucket = newBucket()));
		return bucket;
	};

	const lines = createInterface({input: createReadStream(journalFile, {encoding: 'utf8'}), crlfDelay: Infinity});
	for await (const line of lines) {
		// Cheap filter first: most lines are neither operations nor errors.
		if (!line.includes('"type":"operation') && !line.includes('"type":"error"')) continue;
		let event: {
			type?: unknown;
			at?: unknown;
			sample?: {ok?: unknown; latencyMs?: unknown; error?: {kind?: unknown}};
			error?: {kind?: unknown};
			count?: unknown;
			latency?: {histogram?: unknown; maxMs?: unknown};
		};
		try {
			event = JSON.parse(line) as typeof event;
		} catch {
			continue;
		}
		const bucket = bucketAt(event.at);
		if (!bucket) continue;
		if (event.type === 'operation' && event.sample) {
			bucket.operations++;
			if (event.sample.ok === false) {
				bucket.failed++;
				if (event.sample.error) countError(bucket, event.sample.error.kind);
			}
			const ms = event.sample.latencyMs;
			if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) {
				bucket.latency ??= hdr.build({
					bitBucketSize: 'packed',
					lowestDiscernibleValue: 1,
					highestTrackableValue: 3_600_000_000,
					numberOfSignificantValueDigits: 2,
				});
				bucket.latency.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round(ms * 1000))));
				bucket.maxMs = Math.max(bucket.maxMs, ms);
			}
		} else if (
			event.type === 'operation-batch' &&
			typeof event.count === 'number' &&
			typeof event.latency?.histogram === 'string'
		) {
			// Successful operations the journal summed (a long, fast soak): their count and latency histogram.
			bucket.operations += event.count;
			try {
				const h = hdr.decodeFromCompressedBase64(event.latency.histogram);
				bucket.latency ??= hdr.build({
					bitBucketSize: 'packed',
					lowestDiscernibleValue: 1,
					highestTrackableValue: 3_600_000_000,
					numberOfSignificantValueDigits: 2,
				});
				bucket.latency.add(h);
				h.destroy();
				if (typeof event.latency.maxMs === 'number') bucket.maxMs = Math.max(bucket.maxMs, event.latency.maxMs);
			} catch {
				// A damaged batch keeps its count; its latencies are lost.
			}
		} else if (event.type === 'error' && event.error) {
			countError(bucket, event.error.kind);
		}
	}
	if (buckets.size === 0) return null;

	const indexes = [...buckets.keys()].sort((a, b) => a - b);
	const first = indexes[0]!;
	const last = indexes[indexes.length - 1]!;
	const operations: NonNullable<ReportTimeline['operations']> = [];
	const errors: NonNullable<ReportTimeline['errors']> = [];
	const percentile = (h: Histogram | null, p: number) =>
		h === null || h.totalCount === 0 ? null : h.getValueAtPercentile(p) / 1000;
	// Every bucket from the first to the last, so quiet stretches draw as zeros rather than as a line.
	for (let i = first; i <= last; i++) {
		const b = buckets.get(i) ?? newBucket();
		const at = new Date(start + i * intervalMs).toISOString();
		operations.push({
			at,
			operations: b.operations,
			failed: b.failed,
			p50_ms: percentile(b.latency, 50),
			p95_ms: percentile(b.latency, 95),
			p99_ms: percentile(b.latency, 99),
			max_ms: b.latency ? b.maxMs : null,
		});
		for (const [kind, count] of b.errors) errors.push({at, kind, count});
		b.latency?.destroy();
	}
	const anyOperation = operations.some(p => p.operations > 0);
	return {interval_ms: intervalMs, ...(anyOperation ? {operations} : {}), errors};
}
