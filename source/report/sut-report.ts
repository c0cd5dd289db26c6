/**
 * report.json's `sut` section: the user's own system under test as drydock saw it — the process, its
 * resources and logs, and what it did on the venue (read through the mock's admin side). Plain data,
 * snake_case like the rest of report.json; built at the end of the soak by the runtime's SUT session
 * and carried into the report by build.ts. `null` fields: not measured (the venue could not be read,
 * no sample was taken).
 */

export interface SutReportDrop {
	drop_id: string;
	at: string;
	kind: string;
	/** Subscriptions the SUT held when it was cut. */
	streams: string[];
	/** ms until it held the same subscriptions again; null: never (pending at the end). */
	after_ms: number | null;
	pending: boolean;
	/** The fault's recovery budget it was judged against. */
	budget_ms: number;
}

export interface SutReportLatency {
	count: number;
	avg_ms: number | null;
	p50_ms: number | null;
	p99_ms: number | null;
	max_ms: number | null;
}

export interface SutReportVenue {
	requests: number;
	requests_per_minute: number;
	weight_used: number;
	weight_limit: number;
	status_429: number;
	status_418: number;
	requests_inside_retry_after: number;
	/** Binance error code → responses. */
	errors_by_code: Record<string, number>;
	orders: {
		placed: number;
		filled: number;
		partially_filled: number;
		canceled: number;
		rejected: number;
		rejected_by_code: Record<string, number>;
		duplicate_client_order_ids: number;
		max_orders_per_10s: number;
		orders_per_10s_limit: number;
		open: number;
		ack_latency: SutReportLatency;
	};
	streams: {connections_open: number; connections_total: number; subscriptions: string[]};
	drops: SutReportDrop[];
	/** Events the venue's ring dropped before drydock read them. */
	missed_events: number;
}

export interface SutReportOrphans {
	/** Open orders left on the venue after the SUT stopped; null when they could not be read. */
	open_orders: number | null;
	client_order_ids: string[];
	error: string | null;
}

export interface SutReportConsistency {
	duplicate_client_order_ids: number | null;
	/** true: balances explained by fills; false: mismatches listed; null: not reconciled (reason). */
	balances_match: boolean | null;
	mismatches: {asset: string; expected: number; actual: number}[];
	reason: string | null;
}

export interface SutReportStatsd {
	operations: number;
	succeeded: number;
	failed: number;
	failures_during_faults: number;
	/** 0..100, failures during faults left out. */
	success_rate: number | null;
	avg_latency_ms: number | null;
	peak_latency_ms: number | null;
	min_latency_ms: number | null;
	p99_latency_ms: number | null;
	packets: number;
	malformed: number;
	unmapped: number;
}

export interface SutReport {
	command: string;
	/** The last pid the SUT ran under (a restart changes it). */
	pid: number | null;
	/** How it ended: exit code or signal after drydock asked it to stop (or on its own). */
	exit: {code: number | null; signal: string | null; requested: boolean} | null;
	/** Why it never became ready; null when it started. */
	start_failure: string | null;
	state: string;
	restarts: number;
	unexpected_exits: number;
	/** Where the SUT's operations for the grade came from. */
	operations_source: 'statsd' | 'venue' | 'none';
	/**
	 * Where the venue-side observations came from: the mock's per-client admin side, or the local gateway in
	 * front of testnet/mainnet (no key of the SUT's: open orders counted from its traffic, balances unproven).
	 * Absent in reports written before it existed.
	 */
	observed?: 'mock' | 'gateway';
	resources: {
		samples: number;
		cpu_avg_percent: number | null;
		cpu_peak_percent: number | null;
		rss_avg_mb: number | null;
		rss_peak_mb: number | null;
		rss_slope_mb_per_hour: number | null;
		peak_processes: number;
		samples_series: {at: string; cpu_percent: number; rss_mb: number}[];
	};
	logs: {
		file: string | null;
		error_lines: number;
		expected_error_lines: number;
		last_lines: {at: string; stream: 'stdout' | 'stderr'; line: string; error: boolean}[];
	};
	/** null: the venue's activity could not be read (or there is no venue view). */
	venue: SutReportVenue | null;
	orphans: SutReportOrphans | null;
	consistency: SutReportConsistency | null;
	/** null: the SUT sent no StatsD. */
	statsd: SutReportStatsd | null;
}
