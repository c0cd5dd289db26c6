/** The aggregates a run's state is made of: operation stats (with their latency histograms), streams, resource tracks. */
import type {StreamStatus} from './snapshot.js';
import type {ResourceSample} from './events.js';
import type {StreamBackfill} from './run-view.js';
import {LatencyRecorder} from './latency.js';
import {RingBuffer} from './ring.js';
import {DownsampledSeries} from './series.js';

const HISTORY_POINTS = 120;
/** Report resource samples: one per 30 s, downsampled beyond 2880 points (24 h). */
export const REPORT_SAMPLE_MS = 30_000;

export class OperationStats {
	operations = 0;
	succeeded = 0;
	failed = 0;
	errors = 0;
	/** Failed operations with an injected fault active at some moment of their run: drydock caused them, so they are kept out of successRate (and the grade). */
	failedDuringFaults = 0;
	/** Errors recorded while an injected fault was active: counted, but kept out of errors per hour. */
	expectedErrors = 0;
	latency = new LatencyRecorder();
	/** Operations' whole-cycle latency (OperationSample.cycleLatencyMs), when they report one. */
	cycleLatency = new LatencyRecorder();
	orders = {placed: 0, filled: 0, canceled: 0, rejected: 0};
	positions = {opened: 0, closed: 0};
	riskRejections = 0;

	/**
	 * The success rate drydock grades (0..1): failures while an injected fault was active are left out,
	 * successes inside fault windows stay in (they are real). null before any operation, and when every
	 * operation failed under a fault (nothing left to judge the system by).
	 */
	get successRate(): number | null {
		const judged = this.operations - this.failedDuringFaults;
		return judged <= 0 ? null : this.succeeded / judged;
	}

	reset(): void {
		this.operations =
			this.succeeded =
			this.failed =
			this.errors =
			this.riskRejections =
			this.failedDuringFaults =
			this.expectedErrors =
				0;
		this.latency.reset();
		this.cycleLatency.reset();
		this.orders = {placed: 0, filled: 0, canceled: 0, rejected: 0};
		this.positions = {opened: 0, closed: 0};
	}
}

export interface StreamState {
	id: string;
	kind: string;
	symbol: string;
	status: StreamStatus;
	messages: number;
	lastMessageAt: number | null;
	latency: LatencyRecorder;
	gaps: number;
	reconnects: number;
	backfill: StreamBackfill;
	recent: RingBuffer<string>;
	windowStart: number;
	windowCount: number;
	rate: number;
}

export interface ResourceTrack {
	latest: ResourceSample | null;
	cpuHistory: RingBuffer<number>;
	rssHistory: RingBuffer<number>;
	/** For the report: 30 s buckets, downsampled. */
	rssSeries: DownsampledSeries;
	cpuSeries: DownsampledSeries;
	/** For the leak detector: 5 s buckets, downsampled past 2000 points. */
	slopeSeries: DownsampledSeries;
	cpuSum: number;
	cpuCount: number;
	rssSum: number;
	rssCount: number;
	rssPeak: number | null;
	lagPeak: number | null;
}

export function newTrack(): ResourceTrack {
	return {
		latest: null,
		cpuHistory: new RingBuffer(HISTORY_POINTS),
		rssHistory: new RingBuffer(HISTORY_POINTS),
		rssSeries: new DownsampledSeries(2880, REPORT_SAMPLE_MS),
		cpuSeries: new DownsampledSeries(2880, REPORT_SAMPLE_MS),
		slopeSeries: new DownsampledSeries(2000, 5_000),
		cpuSum: 0,
		cpuCount: 0,
		rssSum: 0,
		rssCount: 0,
		rssPeak: null,
		lagPeak: null,
	};
}
