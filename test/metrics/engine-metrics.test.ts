/**
 * /metrics over a real EngineStore fed with engine events (unit test of the metrics module), and over
 * a real Engine running a short plan of in-test phases (the engine's own runner, breaker and store).
 */
import {afterEach, describe, expect, it} from 'vitest';
import {Engine} from '../../source/engine/engine.js';
import {EngineStore} from '../../source/engine/store.js';
import {LatencyRecorder} from '../../source/engine/latency.js';
import type {EngineHandle} from '../../source/engine/commands.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';
import {startMetricsServer, type MetricsServer} from '../../source/metrics/index.js';
import {UsageError} from '../../source/util/usage-error.js';
import {scrape} from './helpers.js';

const profileView = {
	name: 'mock',
	exchange: 'binance',
	environment: 'mock',
	execution: 'exchange',
	symbols: ['BTCUSDT'],
} as const;
const limits = {cpuPercent: 80, rssMb: 200, rssSlopeMbPerHour: 5, eventLoopLagMs: 200};
const servers: MetricsServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(s => s.close()));
});

function storeHandle(store: EngineStore): EngineHandle {
	return {getSnapshot: store.getSnapshot, subscribe: store.subscribe, dispatch: () => {}};
}

describe('startMetricsServer over an engine store', () => {
	it('serves run state, phases, operations, latency histogram, streams, breaker, kill switch and resources', async () => {
		let now = Date.parse('2026-11-22T10:00:00Z');
		const store = new EngineStore({
			profile: {...profileView, symbols: [...profileView.symbols]},
			limits,
			now: () => now,
		});
		const latency = new LatencyRecorder();
		store.apply({
			type: 'run-started',
			at: now,
			runId: 'run-m1',
			plan: {name: 'quick', phases: ['connectivity', 'streams', 'soak'], soakDurationMs: 60_000},
			reportDir: null,
		});
		store.apply({type: 'phase-started', at: now, phase: 'connectivity'});
		store.apply({
			type: 'check',
			at: now,
			phase: 'connectivity',
			check: {id: 'ping', title: 'Ping', verdict: 'pass', measured: 1, threshold: '< 1000 ms', at: now},
		});
		store.apply({
			type: 'check',
			at: now,
			phase: 'connectivity',
			check: {
				id: 'skew',
				title: 'Clock skew',
				verdict: 'fail',
				measured: 5000,
				threshold: '< 1000 ms',
				reason: 'skew 5000 ms',
				at: now,
			},
		});
		now += 1500;
		store.apply({type: 'phase-finished', at: now, phase: 'connectivity', status: 'fail'});
		store.apply({type: 'phase-started', at: now, phase: 'soak'});
		const samples = [0.4, 0.8, 1.5, 3, 7, 20, 60, 300];
		for (const [i, ms] of samples.entries()) {
			store.apply({
				type: 'operation',
				at: now,
				phase: 'soak',
				sample: {
					kind: 'trade-cycle',
					ok: i !== 3,
					latencyMs: ms,
					...(i === 3 ? {error: {kind: 'timeout', message: 'order timed out', critical: true}} : {}),
				},
			});
			latency.record(ms);
		}
		store.apply({type: 'order', at: now, phase: 'soak', event: 'placed', count: 7});
		store.apply({type: 'order', at: now, phase: 'soak', event: 'filled', count: 6});
		store.apply({
			type: 'stream',
			at: now,
			update: {
				type: 'message',
				stream: 'btcusdt@trade',
				kind: 'trade',
				symbol: 'BTCUSDT',
				receivedAt: now,
				eventTime: now - 3,
				latencyMs: 3,
				gap: 2,
			},
		});
		store.apply({type: 'stream', at: now, update: {type: 'reconnect', stream: 'btcusdt@trade', at: now}});
		store.apply({
			type: 'breaker',
			at: now,
			view: {state: 'open', consecutiveFailures: 5, transitions: 1, lastTransitionAt: now, retryAt: now + 5000},
		});
		store.apply({type: 'kill-switch', at: now, view: {engaged: true, since: now, ordersCancelled: 3}});
		store.apply({
			type: 'resource',
			at: now,
			sample: {
				which: 'self',
				pid: 4242,
				label: 'drydock',
				at: now,
				cpuPercent: 12.5,
				rssMb: 100,
				heapMb: 50,
				eventLoopLagMs: 4,
				alive: true,
			},
		});
		store.apply({
			type: 'resource',
			at: now,
			sample: {
				which: 'watched',
				pid: 777,
				label: 'bot',
				at: now,
				cpuPercent: 33,
				rssMb: 300,
				heapMb: null,
				eventLoopLagMs: null,
				alive: true,
			},
		});
		store.apply({type: 'fault', at: now, index: 0, mark: {at: now, kind: 'drop', detail: 'dropped streams'}});
		store.publish();

		const server = await startMetricsServer(storeHandle(store), {
			port: 0,
			histograms: {operations: () => latency.encode()},
		});
		servers.push(server);
		expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
		const {scrape: m, contentType} = await scrape(server.url);
		expect(contentType).toContain('text/plain');

		expect(m.value('drydock_run_info', {run_id: 'run-m1', plan: 'quick', profile: 'mock'})).toBe(1);
		expect(m.value('drydock_run_state', {state: 'running'})).toBe(1);
		expect(m.value('drydock_run_state', {state: 'finished'})).toBe(0);
		expect(m.value('drydock_phase_status', {phase: 'connectivity', status: 'fail'})).toBe(1);
		expect(m.value('drydock_phase_status', {phase: 'soak', status: 'running'})).toBe(1);
		expect(m.value('drydock_phase_checks', {phase: 'connectivity', verdict: 'fail'})).toBe(1);
		expect(m.value('drydock_phase_duration_seconds', {phase: 'connectivity'})).toBe(1.5);
		expect(m.types.get('drydock_operations_total')).toBe('counter');
		expect(m.value('drydock_operations_total', {outcome: 'succeeded'})).toBe(7);
		expect(m.value('drydock_operations_total', {outcome: 'failed'})).toBe(1);
		expect(m.value('drydock_operation_success_ratio')).toBeCloseTo(7 / 8, 10);
		expect(m.value('drydock_operation_latency_milliseconds', {stat: 'max'})).toBe(300);
		expect(m.value('drydock_orders_total', {event: 'placed'})).toBe(7);
		expect(m.value('drydock_errors_total', {kind: 'timeout', critical: 'true'})).toBe(1);
		// The histogram comes from the HDR recording: cumulative buckets consistent with the samples.
		expect(m.types.get('drydock_operation_latency_seconds')).toBe('histogram');
		expect(m.value('drydock_operation_latency_seconds_count')).toBe(8);
		expect(m.value('drydock_operation_latency_seconds_bucket', {le: '0.001'})).toBe(2);
		expect(m.value('drydock_operation_latency_seconds_bucket', {le: '0.01'})).toBe(5);
		expect(m.value('drydock_operation_latency_seconds_bucket', {le: '0.25'})).toBe(7);
		expect(m.value('drydock_operation_latency_seconds_bucket', {le: '+Inf'})).toBe(8);
		expect(m.value('drydock_operation_latency_seconds_sum')).toBeCloseTo(samples.reduce((a, b) => a + b, 0) / 1000, 3);
		expect(m.value('drydock_stream_messages_total', {stream: 'btcusdt@trade'})).toBe(1);
		expect(m.value('drydock_stream_gaps_total', {stream: 'btcusdt@trade'})).toBe(2);
		expect(m.value('drydock_stream_reconnects_total', {stream: 'btcusdt@trade'})).toBe(1);
		expect(m.value('drydock_stream_status', {stream: 'btcusdt@trade', status: 'reconnecting'})).toBe(1);
		expect(m.value('drydock_breaker_state', {state: 'open'})).toBe(1);
		expect(m.value('drydock_breaker_state', {state: 'closed'})).toBe(0);
		expect(m.value('drydock_kill_switch_engaged')).toBe(1);
		expect(m.value('drydock_kill_switch_orders_cancelled_total')).toBe(3);
		expect(m.value('drydock_process_cpu_percent', {process: 'drydock', pid: '4242'})).toBe(12.5);
		expect(m.value('drydock_process_resident_memory_bytes', {process: 'watched'})).toBe(300 * 1024 * 1024);
		expect(m.value('drydock_faults', {recovered: 'false'})).toBe(1);

		// Values follow the store between scrapes.
		store.apply({
			type: 'breaker',
			at: now,
			view: {state: 'closed', consecutiveFailures: 0, transitions: 2, lastTransitionAt: now, retryAt: null},
		});
		store.apply({type: 'run-finished', at: now, state: 'finished', exitCode: 1});
		store.publish();
		const {scrape: again} = await scrape(server.url);
		expect(again.value('drydock_breaker_state', {state: 'closed'})).toBe(1);
		expect(again.value('drydock_run_state', {state: 'finished'})).toBe(1);
		expect(again.value('drydock_run_exit_code')).toBe(1);
		expect(await fetch(server.url.replace('/metrics', '/nope')).then(r => r.status)).toBe(404);
	});

	it('refuses a taken port and a bad port with a one-line configuration error', async () => {
		const store = new EngineStore({profile: {...profileView, symbols: []}, limits});
		const first = await startMetricsServer(storeHandle(store), {port: 0});
		servers.push(first);
		await expect(startMetricsServer(storeHandle(store), {port: first.port})).rejects.toThrow(
			new UsageError(`--metrics-port ${first.port} --metrics-host 127.0.0.1: cannot listen: address in use`),
		);
		await expect(startMetricsServer(storeHandle(store), {port: 70_000})).rejects.toBeInstanceOf(UsageError);
		// Two servers never share metrics (a registry each).
		const second = await startMetricsServer(storeHandle(store), {port: 0});
		servers.push(second);
		expect((await scrape(second.url)).scrape.value('drydock_run_state', {state: 'idle'})).toBe(1);
	});

	it('is scraped during a real engine run of a short plan', async () => {
		const phases: PhaseDefinition<object, object>[] = [
			{
				id: 'connectivity',
				title: 'Connectivity',
				run: async ctx =>
					void ctx.check({id: 'ping', title: 'Ping', verdict: 'pass', measured: 1, threshold: '< 1000 ms'}),
			},
			{
				id: 'soak',
				title: 'Soak',
				run: async ctx => {
					for (let i = 0; i < 40 && !ctx.signal.aborted; i++) {
						ctx.operation({kind: 'trade-cycle', ok: true, latencyMs: 1 + (i % 5)});
						ctx.stream({
							type: 'message',
							stream: 'btcusdt@trade',
							kind: 'trade',
							symbol: 'BTCUSDT',
							receivedAt: ctx.now(),
							eventTime: ctx.now() - 1,
							latencyMs: 1,
							gap: 0,
						});
						await ctx.sleep(10);
					}
					ctx.check({id: 'operations', title: 'Operations', verdict: 'pass', measured: 40, threshold: '> 0'});
				},
			},
		];
		const engine = new Engine<object, object>({
			profile: {},
			profileView: {...profileView, symbols: [...profileView.symbols]},
			limits,
			breaker: {failureThreshold: 5, openMs: 1000, halfOpenProbes: 1},
			retry: {attempts: 1, baseMs: 10, maxMs: 10},
			requestTimeoutMs: 1000,
			reportDir: null,
			publishIntervalMs: 20,
			runtime: {phases, services: {}},
		});
		const server = await startMetricsServer(engine, {
			port: 0,
			histograms: {operations: () => engine.store.overall.latency.encode(), calls: () => engine.callLatency.encode()},
		});
		servers.push(server);
		const done = engine.start({name: 'custom', phases: ['connectivity', 'soak'], soakDurationMs: 1000});
		let during = null as Awaited<ReturnType<typeof scrape>>['scrape'] | null;
		for (let i = 0; i < 100 && during === null; i++) {
			await new Promise(resolve => setTimeout(resolve, 20));
			const {scrape: m} = await scrape(server.url);
			if (
				m.value('drydock_phase_status', {phase: 'soak', status: 'running'}) === 1 &&
				m.value('drydock_operations_total', {outcome: 'succeeded'}) > 0
			)
				during = m;
		}
		expect(during, 'a scrape while the soak ran').not.toBeNull();
		expect(during!.value('drydock_run_state', {state: 'running'})).toBe(1);
		expect(during!.value('drydock_phase_status', {phase: 'connectivity', status: 'pass'})).toBe(1);
		const outcome = await done;
		expect(outcome.exitCode).toBe(0);
		engine.store.publish();
		const {scrape: after} = await scrape(server.url);
		expect(after.value('drydock_run_state', {state: 'finished'})).toBe(1);
		expect(after.value('drydock_operations_total', {outcome: 'succeeded'})).toBe(40);
		expect(after.value('drydock_operation_latency_seconds_count')).toBe(40);
		expect(after.value('drydock_stream_messages_total', {stream: 'btcusdt@trade'})).toBe(40);
		expect(after.value('drydock_phase_status', {phase: 'soak', status: 'pass'})).toBe(1);
		await engine.close?.();
	}, 20_000);
});
