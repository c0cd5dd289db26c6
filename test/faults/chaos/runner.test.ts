/**
 * The chaos runner's accounting with its surroundings faked (engine host, fault injector, stream
 * watcher): what counts as detection and recovery per fault kind, gaps and resyncs, unknown-fate
 * orders, breaker transitions, and the verdict against the budget. The real thing is soak.test.ts.
 */
import {describe, expect, it} from 'vitest';
import {ChaosRunner, type ChaosHost} from '../../../source/faults/chaos/runner.js';
import {OrderFateObserver} from '../../../source/faults/chaos/order-fate.js';
import {normalizeTimeline, type ChaosTimeline} from '../../../source/faults/chaos/schema.js';
import type {EngineEvent} from '../../../source/engine/events.js';
import type {CheckInput} from '../../../source/engine/checks.js';
import type {ChaosRecord} from '../../../source/engine/fault-records.js';
import type {StreamEvent, StreamWatcher} from '../../../source/exchange/stream-watcher.js';
import type {ExchangeClient, Order} from '../../../source/exchange/exchange-client.js';
import type {FaultInjector} from '../../../source/faults/injector.js';
import type {FaultRequest} from '../../../source/faults/spec/fault-spec.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function harness(timeline: ChaosTimeline, mode: 'mock' | 'client' = 'mock', silenceMs = 100) {
	const events: EngineEvent[] = [];
	const listeners: ((event: EngineEvent) => void)[] = [];
	let finalizer: ((check: (input: CheckInput) => void, phase: 'soak') => void | Promise<void>) | null = null;
	let soakStartedAt: number | null = null;
	const host: ChaosHost = {
		onEvent: listener => {
			listeners.push(listener);
			return () => {};
		},
		emit: event => {
			events.push(event);
			for (const l of listeners) l(event);
		},
		addPhaseFinalizer: f => {
			finalizer = f;
			return () => {};
		},
		soakStartedAt: () => soakStartedAt,
		carriedOver: () => new Map(),
	};
	const injected: FaultRequest[] = [];
	const faults: FaultInjector = {
		mode,
		supports: kind => mode === 'mock' || kind === 'drop-websockets',
		unsupportedReason: () => 'venue gives no control over 5xx responses',
		inject: async request => void injected.push(request),
		clear: async () => {},
		stats: async () => null,
	};
	let emitStream: (event: StreamEvent) => void = () => {};
	const watcher = {start: (ids: readonly string[]) => [...ids], close: async () => {}} as unknown as StreamWatcher;
	const exchange = {closeStreams: async () => {}} as unknown as ExchangeClient;
	const fates = new OrderFateObserver();
	const runner = new ChaosRunner({
		host,
		timeline: normalizeTimeline(timeline),
		faults,
		exchange,
		fates,
		symbol: 'BTCUSDT',
		silenceMs,
		createWatcher: onEvent => ((emitStream = onEvent), watcher),
	});
	return {
		events,
		injected,
		fates,
		runner,
		start() {
			soakStartedAt = Date.now();
			host.emit({type: 'phase-started', at: soakStartedAt, phase: 'soak'});
		},
		stream: (event: StreamEvent) => emitStream(event),
		message: (stream: string, gap = 0, latencyMs: number | null = 5) =>
			emitStream({
				type: 'message',
				stream,
				kind: stream.includes('depth') ? 'depth' : 'trade',
				symbol: 'BTCUSDT',
				receivedAt: Date.now(),
				eventTime: Date.now(),
				latencyMs,
				gap,
			}),
		emit: (event: EngineEvent) => host.emit(event),
		async finish(): Promise<CheckInput[]> {
			const checks: CheckInput[] = [];
			await finalizer!(input => checks.push(input), 'soak');
			return checks;
		},
		records(): ChaosRecord[] {
			const byIndex = new Map<number, ChaosRecord>();
			for (const e of events) if (e.type === 'chaos') byIndex.set(e.record.index, e.record);
			return [...byIndex.values()].sort((a, b) => a.index - b.index);
		},
	};
}

const trade = 'btcusdt@trade';
const depth = 'btcusdt@depth@100ms';

describe('chaos runner', () => {
	it('a drop: detected on the dropped stream, reconnected, resubscribed on every stream, gaps and resyncs counted', async () => {
		const h = harness(
			[
				{at: '0.05', fault: 'drop-websockets', recoveryBudget: '2s'},
				{at: '0.05', fault: 'drop-websockets', recoveryBudget: '1ms'},
			],
			'mock',
			5_000,
		);
		h.start();
		h.message(trade);
		await sleep(80);
		expect(h.injected.map(r => r.fault)).toEqual(['drop-websockets', 'drop-websockets']);
		expect(h.injected[0]!.durationMs).toBeUndefined();
		const at = Date.now();
		h.stream({type: 'status', stream: trade, kind: 'trade', symbol: 'BTCUSDT', status: 'reconnecting', at});
		await sleep(20);
		h.stream({type: 'reconnect', stream: trade, at: Date.now()});
		h.stream({type: 'reconnect', stream: depth, at: Date.now()});
		h.message(trade, 7);
		expect(h.records()[0]!.recovered_after_ms).toBeNull(); // depth not back yet
		h.message(depth, 3);
		const [ok, impossible] = h.records() as [ChaosRecord, ChaosRecord];
		expect(ok).toMatchObject({detected_by: `stream ${trade} dropped`, messages_missed: 7, verdict: 'pass'}); // trade ids; the depth gap counts update ids, so it is a resync, not messages
		expect(ok.book_resyncs).toBe(2); // the depth reconnect, and its gap
		expect(ok.resubscribed_after_ms).toBe(ok.recovered_after_ms);
		expect(ok.reconnected_after_ms!).toBeLessThanOrEqual(ok.resubscribed_after_ms!);
		expect(impossible.verdict).toBe('fail');
		expect(impossible.reason).toMatch(/over the 1 ms budget/);
		const checks = await h.finish();
		expect(checks.map(c => [c.id, c.verdict])).toEqual([
			['chaos-0', 'pass'],
			['chaos-1', 'fail'],
		]);
		expect(checks[1]!.threshold).toBe('≤ 1 ms');
		// The console's marks: injected and recovered (the 1 ms one closed at its deadline, then again when recovery was seen).
		expect(h.events.filter(e => e.type === 'fault')).toHaveLength(2);
		const recoveries = h.events.flatMap(e => (e.type === 'fault-recovered' ? [e.index] : []));
		expect(new Set(recoveries).size).toBe(2);
	});

	it('a 5xx window: failed calls detect it, unknown-fate orders are resolved by clientOrderId, recovery only after the window, breaker transitions kept', async () => {
		const h = harness([
			{from: '0.03', to: '0.2', fault: 'error-rate', params: {probability: 0.3}, recoveryBudget: '1s'},
		]);
		// An order placement that fails with a 5xx, then is looked up by clientOrderId.
		let placed = 0;
		const client = {
			createOrder: async () => {
				placed++;
				throw Object.assign(new Error('503 Service Unavailable'), {kind: 'unavailable'});
			},
			fetchOrder: async (): Promise<Order> => {
				throw Object.assign(new Error('Order does not exist.'), {kind: 'order-not-found'});
			},
		} as unknown as ExchangeClient;
		const wrapped = h.fates.wrap(client);
		h.start();
		await sleep(60);
		expect(h.injected[0]).toMatchObject({fault: 'error-rate', params: {probability: 0.3}, durationMs: 170});
		h.emit({type: 'error', at: Date.now(), phase: 'soak', error: {kind: 'unavailable', message: 'createOrder: 503'}});
		h.emit({
			type: 'breaker',
			at: Date.now(),
			view: {state: 'open', consecutiveFailures: 5, transitions: 1, lastTransitionAt: Date.now(), retryAt: null},
		});
		await wrapped
			.createOrder({symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 1, clientOrderId: 'ddabcde0-soak-1'})
			.catch(() => {});
		await wrapped.fetchOrder('BTC/USDT', {clientOrderId: 'ddabcde0-soak-1'}).catch(() => {});
		// A success inside the window is not recovery.
		h.emit({type: 'operation', at: Date.now(), phase: 'soak', sample: {kind: 'trade-cycle', ok: true, latencyMs: 3}});
		expect(h.records()[0]!.recovered_after_ms).toBeNull();
		await sleep(200);
		h.emit({type: 'operation', at: Date.now(), phase: 'soak', sample: {kind: 'trade-cycle', ok: true, latencyMs: 3}});
		const [record] = h.records() as [ChaosRecord];
		expect(record.detected_by).toBe('failed call (unavailable)');
		expect(record.failed_calls).toBe(1);
		expect(record.breaker_transitions.map(b => b.state)).toEqual(['open']);
		expect(record.unknown_orders).toEqual([
			expect.objectContaining({
				client_order_id: 'ddabcde0-soak-1',
				resolution: 'not placed (the venue has no such order)',
				resolved_by: 'fetchOrder by clientOrderId',
				placements: 1,
			}),
		]);
		expect(record.recovery_ms!).toBeGreaterThanOrEqual(0);
		expect(record.verdict).toBe('pass');
		expect(placed).toBe(1);
	});

	it('a stall is detected by silence and recovers on the first frame after it; a fault still on at the end is no-data, one never recovered past its budget fails', async () => {
		const h = harness([
			{from: '0.02', to: '0.2', fault: 'stall-streams', recoveryBudget: '1s'},
			{at: '0.03', fault: 'rate-limit-storm', duration: '0.02', recoveryBudget: '10ms'},
			{at: '0.03', fault: 'latency', params: {ms: 50}, duration: '10s'},
			{at: '60s', fault: 'pause-market'},
		]);
		h.start();
		h.message(depth);
		await sleep(260);
		const stall = h.records()[0]!;
		expect(stall.detected_by).toBe('no stream message for 100 ms');
		h.message(depth);
		expect(h.records()[0]!.verdict).toBe('pass');
		const checks = await h.finish();
		expect(checks.map(c => c.verdict)).toEqual(['pass', 'fail', 'no-data', 'skipped']);
		expect(checks[1]!.reason).toMatch(/not recovered \d+ ms after the fault ended \(budget 10 ms\)/);
		expect(checks[2]!.reason).toMatch(/still on/);
		expect(checks[3]!.reason).toMatch(/before it was due/);
	});

	it('on a real venue only our own connections can be dropped: other faults are skipped with the reason', async () => {
		const h = harness(
			[
				{at: '0.01', fault: 'error-rate', params: {probability: 0.5}},
				{at: '0.01', fault: 'drop-websockets'},
			],
			'client',
		);
		h.start();
		await sleep(50);
		expect(h.injected.map(r => r.fault)).toEqual(['drop-websockets']);
		const checks = await h.finish();
		expect(checks[0]).toMatchObject({
			verdict: 'skipped',
			reason: 'not possible on this venue: venue gives no control over 5xx responses',
		});
	});
});
