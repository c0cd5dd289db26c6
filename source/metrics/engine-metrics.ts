/**
 * The engine's state as Prometheus metrics. Every metric reads the latest EngineSnapshot in its
 * collect() callback at scrape time, so nothing is recorded on the engine's hot path and a registry
 * per server keeps tests and several engines apart.
 */
import {Counter, Gauge, Registry, type LabelValues} from 'prom-client';
import type {PhaseStatus} from '../engine/checks.js';
import type {EngineHandle} from '../engine/commands.js';
import type {Grade} from '../engine/grade.js';
import type {EngineSnapshot, RunState, BreakerState, StreamStatus} from '../engine/snapshot.js';
import {HdrHistogramMetric} from './hdr-histogram-metric.js';
import {sutMetrics, type SutFeed} from './sut-metrics.js';

export interface EngineMetricsOptions {
	/** Encoded HDR histograms (µs), e.g. `() => engine.store.overall.latency.encode()`: exported as real Prometheus histograms. */
	histograms?: {operations?: () => string | null; calls?: () => string | null};
	/** Prefix for every metric name (default `drydock_`). */
	prefix?: string;
	/** The system under test's figures (`drydock_sut_*`); without it those metrics are not registered. */
	sut?: SutFeed;
}

const runStates: RunState[] = ['idle', 'starting', 'running', 'stopping', 'finished', 'interrupted'];
const phaseStatuses: PhaseStatus[] = [
	'pending',
	'running',
	'pass',
	'warn',
	'fail',
	'no-data',
	'skipped',
	'interrupted',
];
const breakerStates: BreakerState[] = ['closed', 'open', 'half-open'];
const grades: Grade[] = ['A+', 'A', 'B', 'C'];
const streamStatuses: StreamStatus[] = ['connecting', 'live', 'silent', 'reconnecting', 'closed'];

type Collect<T> = (this: T, snapshot: EngineSnapshot) => void;

/** Builds a registry whose metrics mirror `engine`'s snapshot. */
export function createEngineRegistry(engine: EngineHandle, options: EngineMetricsOptions = {}): Registry {
	const registry = new Registry();
	const p = options.prefix ?? 'drydock_';
	const snap = () => engine.getSnapshot();

	function gauge<L extends string>(
		name: string,
		help: string,
		labelNames: readonly L[],
		fill: Collect<Gauge<L>>,
	): void {
		new Gauge<L>({
			name: p + name,
			help,
			labelNames,
			registers: [registry],
			collect() {
				this.reset();
				// reset() puts an unlabelled gauge back at 0; "absent when unknown" needs no sample at all.
				if (labelNames.length === 0) this.remove({} as LabelValues<L>);
				fill.call(this, snap());
			},
		});
	}
	/** A counter set from the snapshot's running total (the engine counts; this only reports). */
	function counter<L extends string>(
		name: string,
		help: string,
		labelNames: readonly L[],
		fill: Collect<Counter<L>>,
	): void {
		new Counter<L>({
			name: p + name,
			help,
			labelNames,
			registers: [registry],
			collect() {
				this.reset();
				fill.call(this, snap());
			},
		});
	}
	const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

	// --- run and phases -------------------------------------------------------------------------
	gauge(
		'run_info',
		'The current run (value 1): id, plan, profile',
		['run_id', 'plan', 'profile', 'environment', 'execution'],
		function (s) {
			if (s.run)
				this.set(
					{
						run_id: s.run.id,
						plan: s.run.plan.name,
						profile: s.profile.name,
						environment: s.profile.environment,
						execution: s.profile.execution,
					},
					1,
				);
		},
	);
	gauge('run_state', 'Run state: 1 for the current state, 0 for the others', ['state'], function (s) {
		const state = s.run?.state ?? 'idle';
		for (const st of runStates) this.set({state: st}, st === state ? 1 : 0);
	});
	gauge('run_elapsed_seconds', 'Time since the run started', [], function (s) {
		this.set((s.run?.elapsedMs ?? 0) / 1000);
	});
	gauge('run_remaining_seconds', 'Estimated time until the plan ends (absent when unknown)', [], function (s) {
		if (s.run?.remainingMs !== null && s.run?.remainingMs !== undefined) this.set(s.run.remainingMs / 1000);
	});
	gauge('run_exit_code', 'Exit code of the finished run (absent while running)', [], function (s) {
		if (s.run?.exitCode !== null && s.run?.exitCode !== undefined) this.set(s.run.exitCode);
	});
	gauge(
		'phase_status',
		"Phase status: 1 for the phase's current status, 0 for the others",
		['phase', 'status'],
		function (s) {
			for (const phase of s.phases)
				for (const st of phaseStatuses) this.set({phase: phase.id, status: st}, phase.status === st ? 1 : 0);
		},
	);
	gauge('phase_checks', 'Checks per phase and verdict', ['phase', 'verdict'], function (s) {
		for (const phase of s.phases) {
			const byVerdict = new Map<string, number>();
			for (const c of phase.checks) byVerdict.set(c.verdict, (byVerdict.get(c.verdict) ?? 0) + 1);
			for (const [verdict, n] of byVerdict) this.set({phase: phase.id, verdict}, n);
		}
	});
	gauge('phase_duration_seconds', 'How long each started phase ran (or has run so far)', ['phase'], function (s) {
		for (const phase of s.phases) if (phase.durationMs !== null) this.set({phase: phase.id}, phase.durationMs / 1000);
	});

	// --- operations and latency -----------------------------------------------------------------
	counter('operations_total', 'Operations by outcome', ['outcome'], function (s) {
		this.inc({outcome: 'succeeded'}, s.metrics.succeeded);
		this.inc({outcome: 'failed'}, s.metrics.failed);
	});
	gauge('operations_per_second', 'Operations completed in the last whole second', [], function (s) {
		this.set(s.metrics.opsPerSecond);
	});
	gauge('operation_success_ratio', 'Succeeded / all operations (absent before the first)', [], function (s) {
		const v = num(s.metrics.successRate);
		if (v !== null) this.set(v);
	});
	gauge(
		'operation_latency_milliseconds',
		'Operation latency summary over the run (HDR histogram)',
		['stat'],
		function (s) {
			const l = s.metrics.latency;
			for (const [stat, v] of [
				['avg', l.avgMs],
				['p50', l.p50Ms],
				['p99', l.p99Ms],
				['min', l.minMs],
				['max', l.peakMs],
			] as const) {
				const value = num(v);
				if (value !== null) this.set({stat}, value);
			}
		},
	);
	counter('orders_total', 'Orders by event', ['event'], function (s) {
		for (const [event, n] of Object.entries(s.metrics.orders)) this.inc({event}, n);
	});
	counter('positions_total', 'Positions opened and closed', ['event'], function (s) {
		this.inc({event: 'opened'}, s.metrics.positions.opened);
		this.inc({event: 'closed'}, s.metrics.positions.closed);
	});
	gauge('positions_open', 'Positions open now', [], function (s) {
		this.set(s.metrics.positions.open);
	});
	counter('risk_rejections_total', 'Orders the risk manager refused (decisions, not errors)', [], function (s) {
		this.inc(s.metrics.riskRejections);
	});
	gauge('errors_per_hour', 'Errors per hour over the run', [], function (s) {
		this.set(s.metrics.errorsPerHour);
	});
	counter(
		'errors_total',
		'Errors by kind and criticality (over the error groups the snapshot keeps)',
		['kind', 'critical'],
		function (s) {
			const byKind = new Map<string, number>();
			for (const g of s.errors) {
				const key = `${g.kind}\u0000${g.critical}`;
				byKind.set(key, (byKind.get(key) ?? 0) + g.count);
			}
			for (const [key, n] of byKind) {
				const [kind, critical] = key.split('\u0000') as [string, string];
				this.inc({kind, critical}, n);
			}
		},
	);

	// --- streams --------------------------------------------------------------------------------
	const streamLabels = ['stream', 'kind', 'symbol'] as const;
	counter('stream_messages_total', 'Messages received per stream', streamLabels, function (s) {
		for (const st of s.streams) this.inc({stream: st.id, kind: st.kind, symbol: st.symbol}, st.messages);
	});
	gauge('stream_rate_messages_per_second', 'Messages per second per stream (last second)', streamLabels, function (s) {
		for (const st of s.streams) this.set({stream: st.id, kind: st.kind, symbol: st.symbol}, st.ratePerSec);
	});
	counter('stream_gaps_total', 'Sequence gaps (missed messages) per stream', streamLabels, function (s) {
		for (const st of s.streams) this.inc({stream: st.id, kind: st.kind, symbol: st.symbol}, st.gaps);
	});
	counter('stream_reconnects_total', 'Reconnects per stream', streamLabels, function (s) {
		for (const st of s.streams) this.inc({stream: st.id, kind: st.kind, symbol: st.symbol}, st.reconnects);
	});
	gauge(
		'stream_status',
		'Stream status: 1 for the current status, 0 for the others',
		['stream', 'status'],
		function (s) {
			for (const st of s.streams)
				for (const status of streamStatuses) this.set({stream: st.id, status}, st.status === status ? 1 : 0);
		},
	);
	gauge(
		'stream_latency_milliseconds',
		'Stream latency (event time to receipt, clock-corrected)',
		['stream', 'stat'],
		function (s) {
			for (const st of s.streams) {
				for (const [stat, v] of [
					['avg', st.latency.avgMs],
					['p50', st.latency.p50Ms],
					['p99', st.latency.p99Ms],
				] as const) {
					const value = num(v);
					if (value !== null) this.set({stream: st.id, stat}, value);
				}
			}
		},
	);

	// --- breaker, kill switch, faults, soak -----------------------------------------------------
	gauge('breaker_state', 'Circuit breaker: 1 for the current state, 0 for the others', ['state'], function (s) {
		for (const st of breakerStates) this.set({state: st}, s.breaker.state === st ? 1 : 0);
	});
	counter('breaker_transitions_total', 'Circuit breaker state changes', [], function (s) {
		this.inc(s.breaker.transitions);
	});
	gauge('breaker_consecutive_failures', 'Consecutive failures counted by the breaker', [], function (s) {
		this.set(s.breaker.consecutiveFailures);
	});
	gauge('kill_switch_engaged', '1 while the kill switch blocks new orders', [], function (s) {
		this.set(s.killSwitch.engaged ? 1 : 0);
	});
	counter('kill_switch_orders_cancelled_total', 'Orders cancelled by the kill switch', [], function (s) {
		this.inc(s.killSwitch.ordersCancelled);
	});
	gauge('faults', "Injected faults on the run's timeline, by recovery", ['recovered'], function (s) {
		const recovered = s.faults.filter(f => f.recoveredAt !== undefined).length;
		this.set({recovered: 'true'}, recovered);
		this.set({recovered: 'false'}, s.faults.length - recovered);
	});
	gauge('grade', 'Current grade: 1 for it, 0 for the others (absent before any operation)', ['grade'], function (s) {
		if (s.grade !== null) for (const g of grades) this.set({grade: g}, s.grade === g ? 1 : 0);
	});
	gauge('soak_progress_ratio', 'Soak elapsed / duration (absent without a soak)', [], function (s) {
		if (s.soak && s.soak.durationMs > 0) this.set(Math.min(1, s.soak.elapsedMs / s.soak.durationMs));
	});

	// --- resources ------------------------------------------------------------------------------
	const resources = (s: EngineSnapshot) =>
		[s.resources.self, s.resources.watched].flatMap((r, i) =>
			r ? [{r, process: i === 0 ? 'drydock' : 'watched'}] : [],
		);
	gauge(
		'process_cpu_percent',
		'CPU of drydock and of the watched process (% of one core)',
		['process', 'pid'],
		function (s) {
			for (const {r, process} of resources(s)) if (r.cpuPercent !== null) this.set({process, pid: r.pid}, r.cpuPercent);
		},
	);
	gauge('process_resident_memory_bytes', 'RSS of drydock and of the watched process', ['process', 'pid'], function (s) {
		for (const {r, process} of resources(s))
			if (r.rssMb !== null) this.set({process, pid: r.pid}, r.rssMb * 1024 * 1024);
	});
	gauge('process_heap_bytes', 'V8 heap used (drydock only)', ['process', 'pid'], function (s) {
		for (const {r, process} of resources(s))
			if (r.heapMb !== null) this.set({process, pid: r.pid}, r.heapMb * 1024 * 1024);
	});
	gauge('process_event_loop_lag_seconds', 'Event-loop lag of drydock', ['process', 'pid'], function (s) {
		for (const {r, process} of resources(s))
			if (r.eventLoopLagMs !== null) this.set({process, pid: r.pid}, r.eventLoopLagMs / 1000);
	});
	gauge('process_alive', '1 while the process is alive', ['process', 'pid'], function (s) {
		for (const {r, process} of resources(s)) this.set({process, pid: r.pid}, r.alive ? 1 : 0);
	});
	gauge('resource_limit', "The profile's resource limits", ['limit'], function (s) {
		const l = s.resources.limits;
		this.set({limit: 'cpu_percent'}, l.cpuPercent);
		this.set({limit: 'rss_bytes'}, l.rssMb * 1024 * 1024);
		this.set({limit: 'rss_slope_mb_per_hour'}, l.rssSlopeMbPerHour);
		this.set({limit: 'event_loop_lag_seconds'}, l.eventLoopLagMs / 1000);
	});

	// --- real histograms, when the composition root gives their source ---------------------------
	if (options.histograms?.operations)
		registry.registerMetric(
			new HdrHistogramMetric(
				p + 'operation_latency_seconds',
				'Operation latency over the run',
				options.histograms.operations,
			).asMetric(),
		);
	if (options.histograms?.calls)
		registry.registerMetric(
			new HdrHistogramMetric(
				p + 'exchange_call_latency_seconds',
				'Exchange call latency over the run',
				options.histograms.calls,
			).asMetric(),
		);
	if (options.sut) for (const metric of sutMetrics(options.sut, p)) registry.registerMetric(metric);
	return registry;
}
