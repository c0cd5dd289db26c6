/**
 * report.json's `sut` section from one soak's collectors and the facts the judge saw (see
 * report/sut-report.ts for the shape). Pure apart from reading the collectors.
 */
import type {SutReport, SutReportLatency} from '../report/sut-report.js';
import type {
	ActivityFollower,
	BalanceFacts,
	LogCapture,
	OrphanFacts,
	ProcessTreeMonitor,
	StatsdIntake,
	StopResult,
	SutFacts,
	SutSupervisor,
} from '../sut/index.js';

/** One soak's collectors, as the SUT session holds them. */
export interface SutCollectors {
	intake: StatsdIntake;
	supervisor: SutSupervisor;
	capture: LogCapture | null;
	tree: ProcessTreeMonitor;
	follower: ActivityFollower;
	/** Why it never became ready; null when it started. */
	startFailure: string | null;
	stopResult: StopResult | null;
}

export interface SutReportInput {
	command: string;
	/** Where the venue-side figures came from (report.json `sut.observed`). */
	observed: 'mock' | 'gateway';
	live: SutCollectors;
	facts: SutFacts;
	orphans: OrphanFacts | null;
	balances: BalanceFacts | null;
	/** `sut.log`'s name in the run folder; null when no run folder. */
	logFile: string | null;
	dropBudget: (at: number) => number;
	now: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number | null | undefined, digits = 2) =>
	n === null || n === undefined ? null : Math.round(n * 10 ** digits) / 10 ** digits;
/** Points kept in the report's resource series (the soak's full series is downsampled to this). */
const SERIES_POINTS = 500;

export function buildSutReport(input: SutReportInput): SutReport {
	const {live, facts} = input;
	const stats = live.tree.stats();
	const statsd = live.intake.reporting ? live.intake.snapshot() : null;
	const latest = live.follower.latest;
	const cpu = live.tree.cpuHistory();
	const rss = live.tree.rssHistory();
	const step = Math.max(1, Math.ceil(rss.length / SERIES_POINTS));
	const series: SutReport['resources']['samples_series'] = [];
	for (let i = 0; i < rss.length; i += step)
		series.push({at: iso(rss[i]!.at), cpu_percent: round(cpu[i]?.value ?? 0)!, rss_mb: round(rss[i]!.value)!});
	const leak = facts.resources?.leak ?? null;
	const errors = live.capture?.errors() ?? {total: 0, expected: 0};
	const stop = live.stopResult;
	const exit = live.supervisor.lastUnexpectedExit;
	const ack = latest?.orders.ackLatencyMs;
	const ackLatency: SutReportLatency = {
		count: ack?.count ?? 0,
		avg_ms: round(ack?.avg),
		p50_ms: round(ack?.p50),
		p99_ms: round(ack?.p99),
		max_ms: round(ack?.max),
	};
	const balances = input.balances;
	return {
		command: input.command,
		pid: stats.last?.pids[0] ?? live.supervisor.pid ?? null,
		exit:
			stop && stop.wasRunning
				? {code: stop.code, signal: stop.signal, requested: true}
				: exit
					? {code: exit.code, signal: exit.signal, requested: false}
					: null,
		start_failure: live.startFailure,
		state: live.supervisor.state,
		restarts: live.supervisor.restarts,
		unexpected_exits: live.supervisor.unexpectedExits,
		operations_source: statsd ? 'statsd' : latest && latest.orders.placed > 0 ? 'venue' : 'none',
		observed: input.observed,
		resources: {
			samples: stats.samples,
			cpu_avg_percent: round(stats.avgCpuPercent),
			cpu_peak_percent: round(stats.peakCpuPercent),
			rss_avg_mb: round(stats.avgRssMb),
			rss_peak_mb: round(stats.peakRssMb),
			rss_slope_mb_per_hour: round(leak?.slopePerHour ?? null, 3),
			peak_processes: stats.peakProcesses,
			samples_series: series,
		},
		logs: {
			file: input.logFile,
			error_lines: errors.total,
			expected_error_lines: errors.expected,
			last_lines: (live.capture?.recent() ?? [])
				.slice(-20)
				.map(l => ({at: iso(l.at), stream: l.stream, line: l.line, error: l.error})),
		},
		venue: latest
			? {
					requests: latest.rest.requests,
					requests_per_minute: latest.rest.requestsPerMinute,
					weight_used: latest.rest.weightUsed,
					weight_limit: latest.rest.weightLimit,
					status_429: latest.rest.status429,
					status_418: latest.rest.status418,
					requests_inside_retry_after: latest.rest.requestsInsideRetryAfter,
					errors_by_code: {...latest.rest.errorsByCode},
					orders: {
						placed: latest.orders.placed,
						filled: latest.orders.filled,
						partially_filled: latest.orders.partiallyFilled,
						canceled: latest.orders.canceled,
						rejected: latest.orders.rejected,
						rejected_by_code: {...latest.orders.rejectedByCode},
						duplicate_client_order_ids: latest.orders.duplicateClientOrderIds,
						max_orders_per_10s: latest.orders.maxOrdersPer10s,
						orders_per_10s_limit: latest.orders.ordersPer10sLimit,
						open: latest.orders.open,
						ack_latency: ackLatency,
					},
					streams: {
						connections_open: latest.streams.connectionsOpen,
						connections_total: latest.streams.connectionsTotal,
						subscriptions: [...latest.streams.subscriptions],
					},
					drops: live.follower.drops().map(d => ({
						drop_id: d.dropId,
						at: iso(d.at),
						kind: d.kind,
						streams: d.streams,
						after_ms: round(d.resubscribedAfterMs, 0),
						pending: d.resubscribedAfterMs === null,
						budget_ms: input.dropBudget(d.at),
					})),
					missed_events: live.follower.missedEvents,
				}
			: null,
		orphans:
			input.orphans === null
				? null
				: 'error' in input.orphans
					? {open_orders: null, client_order_ids: [], error: input.orphans.error}
					: {
							open_orders: input.orphans.openOrders,
							client_order_ids: [...input.orphans.clientOrderIds].slice(0, 100),
							error: null,
						},
		consistency:
			facts.consistency === null
				? null
				: {
						duplicate_client_order_ids: facts.consistency.duplicateClientOrderIds,
						balances_match: balances === null || !('ok' in balances) ? null : balances.ok,
						mismatches:
							balances !== null && 'ok' in balances && !balances.ok
								? balances.mismatches.map(m => ({asset: m.asset, expected: m.expected, actual: m.actual}))
								: [],
						reason:
							balances === null
								? null
								: 'unavailable' in balances
									? balances.unavailable
									: 'unprovable' in balances
										? balances.unprovable
										: null,
					},
		statsd: statsd
			? {
					operations: statsd.operations,
					succeeded: statsd.succeeded,
					failed: statsd.failed,
					failures_during_faults: statsd.failuresDuringFaults,
					success_rate: statsd.successRate === null ? null : round(statsd.successRate * 100, 4),
					avg_latency_ms: round(statsd.latency.avgMs),
					peak_latency_ms: round(statsd.latency.peakMs),
					min_latency_ms: round(statsd.latency.minMs),
					p99_latency_ms: round(statsd.latency.p99Ms),
					packets: statsd.packets,
					malformed: statsd.malformed,
					unmapped: statsd.unmapped,
				}
			: null,
	};
}
