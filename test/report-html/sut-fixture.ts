/**
 * A report with a `sut` section as a run with `--sut` leaves it: the engine's own fixture report (store +
 * report builder) plus a `sut` section shaped like the runtime's and the eight sut-* checks in the soak —
 * here a faulty bot: it left orders behind, never resubscribed after a drop, and its balances are off.
 */
import type {CheckResult} from '../../source/engine/checks.js';
import type {Report} from '../../source/report/model.js';
import type {SutReport} from '../../source/report/sut-report.js';
import {buildFixtureReport} from './fixture.js';

export function sutReport(start: number, overrides: Partial<SutReport> = {}): SutReport {
	const iso = (t: number) => new Date(t).toISOString();
	return {
		command: 'python3 -m mybot --config <dry>.yaml',
		pid: 31337,
		exit: {code: 0, signal: null, requested: true},
		start_failure: null,
		state: 'exited',
		restarts: 1,
		unexpected_exits: 1,
		operations_source: 'statsd',
		resources: {
			samples: 60,
			cpu_avg_percent: 14.2,
			cpu_peak_percent: 41,
			rss_avg_mb: 88.5,
			rss_peak_mb: 121.3,
			rss_slope_mb_per_hour: 3.25,
			peak_processes: 2,
			samples_series: Array.from({length: 60}, (_, i) => ({at: iso(start + 40_000 + i * 1000), cpu_percent: 10 + (i % 9), rss_mb: 80 + i * 0.5})),
		},
		logs: {
			file: 'sut.log',
			error_lines: 3,
			expected_error_lines: 1,
			last_lines: [
				{at: iso(start + 90_000), stream: 'stdout', line: 'cycle 88 ok', error: false},
				{at: iso(start + 91_000), stream: 'stderr', line: 'ERROR <script>alert(1)</script> order rejected', error: true},
			],
		},
		venue: {
			requests: 1234,
			requests_per_minute: 61.7,
			weight_used: 940,
			weight_limit: 6000,
			status_429: 4,
			status_418: 1,
			requests_inside_retry_after: 7,
			errors_by_code: {'-1013': 2, '-2010': 5, '-1021': 0},
			orders: {
				placed: 40,
				filled: 31,
				partially_filled: 2,
				canceled: 4,
				rejected: 5,
				rejected_by_code: {'-2010': 5},
				duplicate_client_order_ids: 1,
				max_orders_per_10s: 12,
				orders_per_10s_limit: 50,
				open: 3,
				ack_latency: {count: 40, avg_ms: 1.8, p50_ms: 1.2, p99_ms: 7.5, max_ms: 9.9},
			},
			streams: {connections_open: 1, connections_total: 3, subscriptions: ['btcusdt@trade', 'btcusdt@depth@100ms']},
			drops: [
				{drop_id: 'd1', at: iso(start + 50_000), kind: 'drop-websockets', streams: ['btcusdt@trade'], after_ms: 1400, pending: false, budget_ms: 5000},
				{drop_id: 'd2', at: iso(start + 70_000), kind: 'force-reconnect', streams: ['btcusdt@trade', 'btcusdt@depth@100ms'], after_ms: null, pending: true, budget_ms: 5000},
			],
			missed_events: 0,
		},
		orphans: {open_orders: 3, client_order_ids: ['bot-1', 'bot-2', 'bot-3'], error: null},
		consistency: {duplicate_client_order_ids: 1, balances_match: false, mismatches: [{asset: 'USDT', expected: 1000, actual: 990.5}], reason: 'USDT off by 9.5'},
		statsd: {operations: 90, succeeded: 88, failed: 2, failures_during_faults: 1, success_rate: 98.876, avg_latency_ms: 3.2, peak_latency_ms: 25, min_latency_ms: 0.4, p99_latency_ms: 18, packets: 180, malformed: 2, unmapped: 1},
		...overrides,
	};
}

const check = (id: string, verdict: CheckResult['verdict'], measured: number, threshold: string, reason?: string): CheckResult => ({id, title: id, verdict, measured, threshold, at: 0, ...(reason ? {reason} : {})});

export const sutChecks: CheckResult[] = [
	check('sut-alive', 'pass', 1, 'no unexpected exit'),
	check('sut-orphans', 'fail', 3, '= 0', '3 open orders left on the venue after it stopped: bot-1, bot-2, bot-3'),
	check('sut-resubscribe', 'fail', 1, 'every drop within 5000 ms', 'drop d2 never resubscribed'),
	check('sut-rate-limit', 'pass', 0, 'no 418'),
	check('sut-memory', 'pass', 121.3, '≤ 500 MB'),
	check('sut-cpu', 'pass', 14.2, '≤ 50 %'),
	check('sut-errors', 'pass', 2, '≤ 10 / h'),
	check('sut-consistency', 'fail', 1, 'balances match fills', 'USDT off by 9.5 <b>&'),
];

/** The engine's fixture report with the SUT's section and its checks in the soak. */
export function buildSutFixtureReport(overrides: Partial<SutReport> = {}): Report {
	const start = Date.parse('2026-11-22T08:00:00Z');
	const base = buildFixtureReport({start, verdicts: {soak: ['pass']}});
	return {
		...base,
		sut: sutReport(start, overrides),
		phases: base.phases.map(p => (p.id === 'soak' ? {...p, status: 'fail', checks: [...p.checks, ...sutChecks]} : p)),
	};
}
