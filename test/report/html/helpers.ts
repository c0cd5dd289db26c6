/**
 * Builds real report.json objects through the engine's own store and report builder (no hand-written
 * report literals), with a clock the test controls.
 */
import {existsSync} from 'node:fs';
import type {Browser} from 'playwright-core';
import {EngineStore} from '../../../source/engine/store.js';
import {LatencyRecorder} from '../../../source/engine/latency.js';
import {buildReport} from '../../../source/report/build.js';
import type {Report} from '../../../source/report/model.js';
import type {CheckResult, Verdict} from '../../../source/engine/checks.js';
import type {ChaosRecord} from '../../../source/engine/fault-records.js';
import type {PhaseId} from '../../../source/engine/phase-ids.js';
import type {EngineEvent} from '../../../source/engine/events.js';
import type {SutReport} from '../../../source/report/sut-report.js';

export interface FixtureOptions {
	runId?: string;
	start?: number;
	/** Latencies of soak operations (ms); `ok` false for every `failEvery`-th. */
	latencies?: readonly number[];
	failEvery?: number;
	withResources?: boolean;
	withStreams?: boolean;
	withFaults?: boolean;
	phases?: readonly PhaseId[];
	/** Per phase, its checks' verdicts (default: one pass). */
	verdicts?: Partial<Record<PhaseId, readonly Verdict[]>>;
	/**
	 * Chaos records, as the chaos runner reports them (`chaos` events, each with its plain fault mark),
	 * at a third of the soak; given the moment of injection.
	 */
	chaos?: (injectedAt: number) => readonly ChaosRecord[];
	/** Sees every event the store applies (e.g. to write a journal). */
	onEvent?: (event: EngineEvent) => void;
}

export function buildFixtureReport(options: FixtureOptions = {}): Report {
	let now = options.start ?? Date.parse('2026-11-22T08:00:00Z');
	const store = new EngineStore({
		profile: {
			name: 'mock',
			exchange: 'binance',
			environment: 'mock',
			execution: 'exchange',
			symbols: ['BTCUSDT', 'ETHUSDT'],
		},
		limits: {cpuPercent: 80, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 200},
		now: () => now,
	});
	const apply = (event: EngineEvent) => {
		options.onEvent?.(event);
		store.apply(event);
	};
	const phases = options.phases ?? (['connectivity', 'streams', 'orders', 'soak'] as PhaseId[]);
	const latencies = options.latencies ?? Array.from({length: 400}, (_, i) => 0.3 + ((i * 37) % 100) / 40);
	apply({
		type: 'run-started',
		at: now,
		runId: options.runId ?? 'run-fixture',
		plan: {name: 'quick', phases, soakDurationMs: 300_000},
		reportDir: null,
	});
	for (const phase of phases) {
		apply({type: 'phase-started', at: now, phase});
		const verdicts = options.verdicts?.[phase] ?? ['pass'];
		verdicts.forEach((verdict, i) => {
			apply({
				type: 'check',
				at: now,
				phase,
				check: {
					id: `${phase}-check-${i}`,
					title: `${phase} check ${i}`,
					verdict,
					measured: verdict === 'fail' ? 1500 : 12,
					threshold: '< 1000 ms',
					unit: 'ms',
					...(verdict === 'pass' ? {} : {reason: `${phase} check ${i} was ${verdict}: measured 1500 ms`}),
					at: now,
				},
			});
		});
		if (phase === 'soak') {
			latencies.forEach((latencyMs, i) => {
				now += 250;
				const ok = !(options.failEvery && i % options.failEvery === options.failEvery - 1);
				apply({
					type: 'operation',
					at: now,
					phase: 'soak',
					sample: {
						kind: 'trade-cycle',
						ok,
						latencyMs,
						...(ok ? {} : {error: {kind: 'timeout', message: `order ${i} timed out`, critical: i % 3 === 0}}),
					},
				});
				if (ok) apply({type: 'order', at: now, phase: 'soak', event: 'placed', count: 1});
				if (options.withResources !== false && i % 4 === 0) {
					apply({
						type: 'resource',
						at: now,
						sample: {
							which: 'self',
							pid: 4242,
							label: 'drydock',
							at: now,
							cpuPercent: 5 + (i % 7),
							rssMb: 90 + i / 50,
							heapMb: 40,
							eventLoopLagMs: 2,
							alive: true,
						},
					});
					apply({
						type: 'resource',
						at: now,
						sample: {
							which: 'watched',
							pid: 777,
							label: 'bot',
							at: now,
							cpuPercent: 20 + (i % 5),
							rssMb: 300 + (i % 13),
							heapMb: null,
							eventLoopLagMs: null,
							alive: true,
						},
					});
				}
				if (options.withFaults !== false && i === Math.floor(latencies.length / 3)) {
					apply({
						type: 'fault',
						at: now,
						index: 0,
						mark: {at: now, kind: 'drop-streams', detail: 'dropped every stream connection'},
					});
					apply({type: 'fault-recovered', at: now + 4000, index: 0, recoveredAt: now + 4000});
					apply({
						type: 'anomaly',
						at: now + 1000,
						metric: 'cpu',
						value: 93,
						limit: 80,
						detail: 'drydock CPU 93% over 80%',
					});
				}
				if (options.chaos && i === Math.floor(latencies.length / 3)) {
					for (const [n, record] of options.chaos(now).entries()) {
						const at = Date.parse(record.injected_at ?? '');
						const recovered = record.recovered_after_ms === null ? {} : {recoveredAt: at + record.recovered_after_ms};
						apply({
							type: 'fault',
							at: now,
							index: 100 + n,
							mark: {at, kind: record.fault, detail: `chaos #${record.index}: ${record.label}`, ...recovered},
						});
						apply({type: 'chaos', at: now, record});
					}
				}
			});
		}
		if (phase === 'streams' && options.withStreams !== false) {
			for (let i = 0; i < 50; i++) {
				now += 20;
				apply({
					type: 'stream',
					at: now,
					update: {
						type: 'message',
						stream: 'btcusdt@trade',
						kind: 'trade',
						symbol: 'BTCUSDT',
						receivedAt: now,
						eventTime: now - 2,
						latencyMs: 2 + (i % 3),
						gap: i === 20 ? 2 : 0,
					},
				});
				apply({
					type: 'stream',
					at: now,
					update: {
						type: 'message',
						stream: '<ethusdt>@depth',
						kind: 'depth',
						symbol: 'ETHUSDT',
						receivedAt: now,
						eventTime: now - 1,
						latencyMs: 1,
						gap: 0,
					},
				});
			}
			apply({type: 'stream', at: now, update: {type: 'reconnect', stream: 'btcusdt@trade', at: now}});
		}
		now += 1000;
		apply({type: 'phase-finished', at: now, phase, status: store.deriveStatus(phase)});
	}
	apply({
		type: 'error',
		at: now,
		phase: 'orders',
		error: {kind: 'invalid-order', message: 'Filter failure: <LOT_SIZE> & "x"'},
	});
	apply({type: 'run-finished', at: now, state: 'finished', exitCode: 0});
	return buildReport(store, {
		version: '0.1.0',
		interruptedBy: null,
		checkpoint: false,
		exitCode: 0,
		callLatency: new LatencyRecorder(),
		ordersCancelledOnExit: 0,
		rssSlopeMbPerHour: 0.4,
		mask: t => t,
	});
}

/**
 * Two chaos records shaped like a real run's (`drydock run --chaos` against the mock: websockets
 * dropped at 5 s, 503s at 30% for 5 s from 10 s), the second failed with unknown-fate orders and
 * breaker transitions, plus a hostile reason string.
 */
export function chaosRecords(injectedAt: number): ChaosRecord[] {
	const iso = (t: number) => new Date(t).toISOString();
	return [
		{
			index: 0,
			fault: 'drop-websockets',
			label: 'drop-websockets at 5s',
			params: {},
			scheduled_ms: 5000,
			duration_ms: 0,
			recovery_budget_ms: 5000,
			injected_at: iso(injectedAt),
			detected_after_ms: 27,
			detected_by: 'stream btcusdt@depth@100ms dropped',
			reconnected_after_ms: 1265,
			resubscribed_after_ms: 1501,
			recovered_after_ms: 1501,
			recovery_ms: 1501,
			messages_missed: 2,
			book_resyncs: 2,
			failed_calls: 0,
			unknown_orders: [],
			breaker_transitions: [],
			verdict: 'pass',
			reason: null,
		},
		{
			index: 1,
			fault: 'error-rate',
			label: 'error-rate 10s–15s {"probability":0.3,"status":503}',
			params: {probability: 0.3, status: 503},
			scheduled_ms: 10_000,
			duration_ms: 5000,
			recovery_budget_ms: 10_000,
			injected_at: iso(injectedAt + 5000),
			detected_after_ms: 476,
			detected_by: 'failed call (unavailable)',
			reconnected_after_ms: null,
			resubscribed_after_ms: null,
			recovered_after_ms: 17_250,
			recovery_ms: 12_250,
			messages_missed: 0,
			book_resyncs: 0,
			failed_calls: 9,
			unknown_orders: [
				{
					client_order_id: 'dd-soak-41',
					at_ms: 812,
					error: 'unavailable: 503 Service Unavailable',
					resolution: 'found closed',
					resolved_by: 'fetchOrder by clientOrderId',
					placements: 1,
				},
				{
					client_order_id: 'dd-soak-42',
					at_ms: 1900,
					error: 'timeout',
					resolution: 'unresolved',
					resolved_by: null,
					placements: 2,
				},
			],
			breaker_transitions: [
				{after_ms: 900, state: 'open'},
				{after_ms: 6000, state: 'half-open'},
				{after_ms: 6100, state: 'closed'},
			],
			verdict: 'fail',
			reason: 'recovered 12250 ms after the fault, budget 10000 ms <b>&',
		},
	];
}

/**
 * A report with a `sut` section as a run with `--sut` leaves it: the engine's own fixture report (store +
 * report builder) plus a `sut` section shaped like the runtime's and the eight sut-* checks in the soak —
 * here a faulty bot: it left orders behind, never resubscribed after a drop, and its balances are off.
 */

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
			samples_series: Array.from({length: 60}, (_, i) => ({
				at: iso(start + 40_000 + i * 1000),
				cpu_percent: 10 + (i % 9),
				rss_mb: 80 + i * 0.5,
			})),
		},
		logs: {
			file: 'sut.log',
			error_lines: 3,
			expected_error_lines: 1,
			last_lines: [
				{at: iso(start + 90_000), stream: 'stdout', line: 'cycle 88 ok', error: false},
				{
					at: iso(start + 91_000),
					stream: 'stderr',
					line: 'ERROR <script>alert(1)</script> order rejected',
					error: true,
				},
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
				{
					drop_id: 'd1',
					at: iso(start + 50_000),
					kind: 'drop-websockets',
					streams: ['btcusdt@trade'],
					after_ms: 1400,
					pending: false,
					budget_ms: 5000,
				},
				{
					drop_id: 'd2',
					at: iso(start + 70_000),
					kind: 'force-reconnect',
					streams: ['btcusdt@trade', 'btcusdt@depth@100ms'],
					after_ms: null,
					pending: true,
					budget_ms: 5000,
				},
			],
			missed_events: 0,
		},
		orphans: {open_orders: 3, client_order_ids: ['bot-1', 'bot-2', 'bot-3'], error: null},
		consistency: {
			duplicate_client_order_ids: 1,
			balances_match: false,
			mismatches: [{asset: 'USDT', expected: 1000, actual: 990.5}],
			reason: 'USDT off by 9.5',
		},
		statsd: {
			operations: 90,
			succeeded: 88,
			failed: 2,
			failures_during_faults: 1,
			success_rate: 98.876,
			avg_latency_ms: 3.2,
			peak_latency_ms: 25,
			min_latency_ms: 0.4,
			p99_latency_ms: 18,
			packets: 180,
			malformed: 2,
			unmapped: 1,
		},
		...overrides,
	};
}

const check = (
	id: string,
	verdict: CheckResult['verdict'],
	measured: number,
	threshold: string,
	reason?: string,
): CheckResult => ({id, title: id, verdict, measured, threshold, at: 0, ...(reason ? {reason} : {})});

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

/** Debian's Chromium (or CHROMIUM_PATH), for the tests that load report.html in a real browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);

/** Headless Chromium as this machine allows it: no sandbox as root, and nothing dialled out at start. */
export async function launchChromium(): Promise<Browser> {
	if (!haveChromium)
		throw new Error(`CI has no Chromium at ${chromiumPath}: .ci/run needs "apt-get install -y chromium"`);
	const {chromium} = await import('playwright-core');
	return chromium.launch({
		executablePath: chromiumPath,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
}
