/**
 * Builds real report.json objects through the engine's own store and report builder (no hand-written
 * report literals), with a clock the test controls.
 */
import {EngineStore} from '../../../source/engine/store.js';
import {LatencyRecorder} from '../../../source/engine/latency.js';
import {buildReport} from '../../../source/report/build.js';
import type {Report} from '../../../source/report/model.js';
import type {Verdict} from '../../../source/engine/checks.js';
import type {ChaosRecord} from '../../../source/engine/fault-records.js';
import type {PhaseId} from '../../../source/engine/phase-ids.js';
import type {EngineEvent} from '../../../source/engine/events.js';

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
		profile: {name: 'mock', exchange: 'binance', environment: 'mock', execution: 'exchange', symbols: ['BTCUSDT', 'ETHUSDT']},
		limits: {cpuPercent: 80, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 200},
		now: () => now,
	});
	const apply = (event: EngineEvent) => {
		options.onEvent?.(event);
		store.apply(event);
	};
	const phases = options.phases ?? (['connectivity', 'streams', 'orders', 'soak'] as PhaseId[]);
	const latencies = options.latencies ?? Array.from({length: 400}, (_, i) => 0.3 + ((i * 37) % 100) / 40);
	apply({type: 'run-started', at: now, runId: options.runId ?? 'run-fixture', plan: {name: 'quick', phases, soakDurationMs: 300_000}, reportDir: null});
	for (const phase of phases) {
		apply({type: 'phase-started', at: now, phase});
		const verdicts = options.verdicts?.[phase] ?? ['pass'];
		verdicts.forEach((verdict, i) => {
			apply({
				type: 'check',
				at: now,
				phase,
				check: {id: `${phase}-check-${i}`, title: `${phase} check ${i}`, verdict, measured: verdict === 'fail' ? 1500 : 12, threshold: '< 1000 ms', unit: 'ms', ...(verdict === 'pass' ? {} : {reason: `${phase} check ${i} was ${verdict}: measured 1500 ms`}), at: now},
			});
		});
		if (phase === 'soak') {
			latencies.forEach((latencyMs, i) => {
				now += 250;
				const ok = !(options.failEvery && i % options.failEvery === options.failEvery - 1);
				apply({type: 'operation', at: now, phase: 'soak', sample: {kind: 'trade-cycle', ok, latencyMs, ...(ok ? {} : {error: {kind: 'timeout', message: `order ${i} timed out`, critical: i % 3 === 0}})}});
				if (ok) apply({type: 'order', at: now, phase: 'soak', event: 'placed', count: 1});
				if (options.withResources !== false && i % 4 === 0) {
					apply({type: 'resource', at: now, sample: {which: 'self', pid: 4242, label: 'drydock', at: now, cpuPercent: 5 + (i % 7), rssMb: 90 + i / 50, heapMb: 40, eventLoopLagMs: 2, alive: true}});
					apply({type: 'resource', at: now, sample: {which: 'watched', pid: 777, label: 'bot', at: now, cpuPercent: 20 + (i % 5), rssMb: 300 + (i % 13), heapMb: null, eventLoopLagMs: null, alive: true}});
				}
				if (options.withFaults !== false && i === Math.floor(latencies.length / 3)) {
					apply({type: 'fault', at: now, index: 0, mark: {at: now, kind: 'drop-streams', detail: 'dropped every stream connection'}});
					apply({type: 'fault-recovered', at: now + 4000, index: 0, recoveredAt: now + 4000});
					apply({type: 'anomaly', at: now + 1000, metric: 'cpu', value: 93, limit: 80, detail: 'drydock CPU 93% over 80%'});
				}
				if (options.chaos && i === Math.floor(latencies.length / 3)) {
					for (const [n, record] of options.chaos(now).entries()) {
						const at = Date.parse(record.injected_at ?? '');
						const recovered = record.recovered_after_ms === null ? {} : {recoveredAt: at + record.recovered_after_ms};
						apply({type: 'fault', at: now, index: 100 + n, mark: {at, kind: record.fault, detail: `chaos #${record.index}: ${record.label}`, ...recovered}});
						apply({type: 'chaos', at: now, record});
					}
				}
			});
		}
		if (phase === 'streams' && options.withStreams !== false) {
			for (let i = 0; i < 50; i++) {
				now += 20;
				apply({type: 'stream', at: now, update: {type: 'message', stream: 'btcusdt@trade', kind: 'trade', symbol: 'BTCUSDT', receivedAt: now, eventTime: now - 2, latencyMs: 2 + (i % 3), gap: i === 20 ? 2 : 0}});
				apply({type: 'stream', at: now, update: {type: 'message', stream: '<ethusdt>@depth', kind: 'depth', symbol: 'ETHUSDT', receivedAt: now, eventTime: now - 1, latencyMs: 1, gap: 0}});
			}
			apply({type: 'stream', at: now, update: {type: 'reconnect', stream: 'btcusdt@trade', at: now}});
		}
		now += 1000;
		apply({type: 'phase-finished', at: now, phase, status: store.deriveStatus(phase)});
	}
	apply({type: 'error', at: now, phase: 'orders', error: {kind: 'invalid-order', message: 'Filter failure: <LOT_SIZE> & "x"'}});
	apply({type: 'run-finished', at: now, state: 'finished', exitCode: 0});
	return buildReport(store, {version: '0.1.0', interruptedBy: null, checkpoint: false, exitCode: 0, callLatency: new LatencyRecorder(), ordersCancelledOnExit: 0, rssSlopeMbPerHour: 0.4, mask: t => t});
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
			index: 0, fault: 'drop-websockets', label: 'drop-websockets at 5s', params: {}, scheduled_ms: 5000, duration_ms: 0, recovery_budget_ms: 5000,
			injected_at: iso(injectedAt), detected_after_ms: 27, detected_by: 'stream btcusdt@depth@100ms dropped', reconnected_after_ms: 1265, resubscribed_after_ms: 1501,
			recovered_after_ms: 1501, recovery_ms: 1501, messages_missed: 2, book_resyncs: 2, failed_calls: 0, unknown_orders: [], breaker_transitions: [], verdict: 'pass', reason: null,
		},
		{
			index: 1, fault: 'error-rate', label: 'error-rate 10s–15s {"probability":0.3,"status":503}', params: {probability: 0.3, status: 503}, scheduled_ms: 10_000, duration_ms: 5000, recovery_budget_ms: 10_000,
			injected_at: iso(injectedAt + 5000), detected_after_ms: 476, detected_by: 'failed call (unavailable)', reconnected_after_ms: null, resubscribed_after_ms: null,
			recovered_after_ms: 17_250, recovery_ms: 12_250, messages_missed: 0, book_resyncs: 0, failed_calls: 9,
			unknown_orders: [
				{client_order_id: 'dd-soak-41', at_ms: 812, error: 'unavailable: 503 Service Unavailable', resolution: 'found closed', resolved_by: 'fetchOrder by clientOrderId', placements: 1},
				{client_order_id: 'dd-soak-42', at_ms: 1900, error: 'timeout', resolution: 'unresolved', resolved_by: null, placements: 2},
			],
			breaker_transitions: [{after_ms: 900, state: 'open'}, {after_ms: 6000, state: 'half-open'}, {after_ms: 6100, state: 'closed'}],
			verdict: 'fail', reason: 'recovered 12250 ms after the fault, budget 10000 ms <b>&',
		},
	];
}
