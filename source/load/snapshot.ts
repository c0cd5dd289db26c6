/**
 * The immutable view of a running load test that front ends read: the console's Load screen via
 * `useSyncExternalStore(runner.subscribe, runner.getSnapshot)`, the headless progress line, the
 * end-of-run table. Rebuilt at a bounded rate, never on the request path.
 */
import type {EntrySummary, FailureKind} from './stats.js';

export type LoadMode = 'users' | 'shape' | 'arrival-rate';
export type LoadStatus = 'starting' | 'running' | 'stopping' | 'finished';

/** One point per second of the run; the snapshot keeps the most recent `SERIES_LENGTH`. */
export interface LoadSeriesPoint {
	/** Seconds since the start of the run (the second that just ended). */
	second: number;
	/** Requests (and failures) completed during that second. */
	rps: number;
	failuresPerSecond: number;
	/** Latency percentiles of the requests completed during that second, ms. */
	p50Ms: number;
	p95Ms: number;
	p99Ms: number;
	users: number;
}

export const SERIES_LENGTH = 300;

export interface LoadSnapshot {
	/** Increases with every published snapshot. */
	version: number;
	status: LoadStatus;
	mode: LoadMode;
	scenario: string;
	host: string;
	elapsedMs: number;
	/** undefined when the run lasts until stopped (or until its shape ends). */
	runTimeMs: number | undefined;
	users: {
		/** Users running (not counting those finishing their last task). */
		current: number;
		/** What the spawner is moving toward (arrival-rate mode: the concurrency cap). */
		target: number;
		/** Busy users in arrival-rate mode; equal to `current` otherwise. */
		busy: number;
	};
	arrival: {ratePerSecond: number; backlog: number; dropped: number} | undefined;
	/** Per (method, name), sorted like Locust's table. */
	entries: readonly EntrySummary[];
	total: EntrySummary;
	/** Grouped by method, name and reason; most frequent first. */
	failures: readonly FailureKind[];
	/** Exceptions in task code that no request could carry. */
	taskErrors: number;
	series: readonly LoadSeriesPoint[];
}

export type LoadCommand = {type: 'add-users'; count: number} | {type: 'remove-users'; count: number} | {type: 'stop'};

/** What a console screen needs from a runner; `LoadRunner` implements it. */
export interface LoadStore {
	subscribe(listener: () => void): () => void;
	getSnapshot(): LoadSnapshot;
	dispatch(command: LoadCommand): void;
}
