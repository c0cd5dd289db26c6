import {describe, expect, it} from 'vitest';
import {EngineStore} from '../../source/engine/store.js';
import {DownsampledSeries} from '../../source/engine/series.js';
import {RingBuffer} from '../../source/engine/ring.js';
import {ErrorLog, normaliseMessage} from '../../source/engine/errors.js';
import {profileView} from './helpers.js';

const limits = {cpuPercent: 50, rssMb: 300, rssSlopeMbPerHour: 5, eventLoopLagMs: 200};

describe('engine store', () => {
	it('getSnapshot returns the same object until the next publish, and publishes coalesce many events', () => {
		let now = 1_000_000;
		const store = new EngineStore({profile: profileView, limits, now: () => now, publishIntervalMs: 250});
		const first = store.getSnapshot();
		expect(store.getSnapshot()).toBe(first);
		let notified = 0;
		store.subscribe(() => notified++);
		store.apply({
			type: 'run-started',
			at: now,
			runId: 'r1',
			plan: {name: 'custom', phases: ['soak'], soakDurationMs: 60_000},
			reportDir: null,
		});
		store.apply({type: 'phase-started', at: now, phase: 'soak'});
		for (let i = 0; i < 10_000; i++)
			store.apply({
				type: 'operation',
				at: now + i / 10,
				phase: 'soak',
				sample: {kind: 'trade', ok: i % 100 !== 0, latencyMs: 1 + (i % 7)},
			});
		expect(store.getSnapshot()).toBe(first); // nothing published yet: events only mark the store dirty
		now += 1001;
		store.tick();
		const second = store.getSnapshot();
		expect(second).not.toBe(first);
		expect(notified).toBe(1);
		expect(second.seq).toBeGreaterThan(first.seq);
		expect(Object.isFrozen(second)).toBe(true);
		expect(second.metrics.operations).toBe(10_000);
		expect(second.metrics.failed).toBe(100);
		expect(second.metrics.successRate).toBeCloseTo(0.99, 5);
		expect(second.metrics.latency.minMs).toBe(1);
		expect(second.metrics.latency.peakMs).toBe(7);
		expect(second.soak!.operations).toBe(10_000);
		expect(second.soak!.errors).toBe(0);
		store.close();
	});

	it('stays bounded: error groups, stream recent messages, streams, series', () => {
		let now = 0;
		const store = new EngineStore({profile: profileView, limits, now: () => now});
		for (let i = 0; i < 5000; i++)
			store.apply({type: 'error', at: i, phase: null, error: {kind: `kind-${i}`, message: 'x'}});
		for (let i = 0; i < 5000; i++)
			store.apply({
				type: 'error',
				at: i,
				phase: null,
				error: {kind: 'network', message: `timeout after ${i} ms on order ${i * 7}`},
			});
		for (let i = 0; i < 2000; i++)
			store.apply({
				type: 'stream',
				at: i,
				update: {
					type: 'message',
					stream: `s${i % 100}`,
					kind: 'trade',
					symbol: 'BTC/USDT',
					receivedAt: i,
					eventTime: i - 1,
					latencyMs: 1,
					gap: 0,
					raw: `{"i":${i}}`,
				},
			});
		now = 10_000;
		const snap = store.publish();
		expect(snap.errors.length).toBeLessThanOrEqual(100);
		expect(snap.errors[0]!.kind).toBe('network');
		expect(snap.errors[0]!.count).toBe(5000);
		expect(snap.errors[0]!.firstSeen).toBe(0);
		expect(snap.errors[0]!.lastSeen).toBe(4999);
		expect(snap.streams.length).toBe(64);
		expect(snap.streams[0]!.recent.length).toBeLessThanOrEqual(20);
		expect(snap.metrics.opsSeries.length).toBeLessThanOrEqual(120);
		store.close();
	});

	it('marks a live stream silent once nothing arrived for streamSilenceMs', () => {
		let now = 0;
		const store = new EngineStore({profile: profileView, limits, now: () => now, streamSilenceMs: 1000});
		store.apply({
			type: 'stream',
			at: 0,
			update: {
				type: 'message',
				stream: 'btcusdt@trade',
				kind: 'trade',
				symbol: 'BTC/USDT',
				receivedAt: 0,
				eventTime: null,
				latencyMs: null,
				gap: 2,
			},
		});
		now = 500;
		expect(store.publish().streams[0]!.status).toBe('live');
		now = 1500;
		const s = store.publish().streams[0]!;
		expect(s.status).toBe('silent');
		expect(s.gaps).toBe(2);
		store.apply({type: 'stream', at: now, update: {type: 'reconnect', stream: 'btcusdt@trade', at: now}});
		expect(store.publish().streams[0]!).toMatchObject({status: 'reconnecting', reconnects: 1});
		store.close();
	});
});

describe('bounded structures', () => {
	it('ring buffer keeps the newest items', () => {
		const ring = new RingBuffer<number>(3);
		for (let i = 0; i < 10; i++) ring.push(i);
		expect(ring.toArray()).toEqual([7, 8, 9]);
		expect(ring.last()).toBe(9);
	});

	it('downsampled series keeps ≤ capacity points over any length, averaging neighbours', () => {
		const series = new DownsampledSeries(100, 1000);
		for (let t = 0; t < 1_000_000; t += 1000) series.add(t, t / 1000);
		const points = series.toArray();
		expect(points.length).toBeLessThanOrEqual(101);
		expect(points[0]!.at).toBe(0);
		expect(points.at(-1)!.at).toBeGreaterThan(900_000);
		// Averages preserve the trend: monotonic.
		for (let i = 1; i < points.length; i++) expect(points[i]!.value).toBeGreaterThan(points[i - 1]!.value);
	});

	it('error messages group by kind and normalised text', () => {
		expect(normaliseMessage('order 123 failed after 45.6 ms')).toBe(normaliseMessage('order 9 failed after 1 ms'));
		const log = new ErrorLog(2);
		log.add({kind: 'a', message: '1'}, null, 1);
		log.add({kind: 'b', message: '1'}, null, 2);
		log.add({kind: 'a', message: '2'}, null, 3);
		log.add({kind: 'c', message: '1'}, null, 4); // evicts b, the least recently seen
		expect(log.list().map(g => `${g.kind}:${g.count}`)).toEqual(['c:1', 'a:2']);
		expect(log.total).toBe(4);
	});
});
