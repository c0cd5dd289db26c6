/** The bounded pieces of a client's activity: the event ring and the ack-latency reservoir. */
import {describe, expect, it} from 'vitest';
import {ActivityRing} from '../../source/mock/clients/activity-ring.js';
import {LatencyReservoir} from '../../source/mock/clients/latency-reservoir.js';

describe('activity ring', () => {
	it('keeps the last `capacity` events; since pages past what was read and past what was pushed out', () => {
		const ring = new ActivityRing(5);
		for (let i = 1; i <= 12; i++) ring.push(i * 10, 'order', {n: i});
		expect(ring.seq).toBe(12);
		expect(ring.since(0).map(e => e.seq)).toEqual([8, 9, 10, 11, 12]);
		expect(ring.since(10).map(e => e.seq)).toEqual([11, 12]);
		expect(ring.since(12)).toEqual([]);
		expect(ring.since(11)).toEqual([{seq: 12, at: 120, type: 'order', n: 12}]);
	});

	it('a payload field never overrides the event’s own seq, at or type', () => {
		const ring = new ActivityRing(3);
		ring.push(5, 'order', {type: 'LIMIT', seq: 99, at: 0});
		expect(ring.since(0)).toEqual([{seq: 1, at: 5, type: 'order'}]);
	});
});

describe('latency reservoir', () => {
	it('summarises exactly while it holds every sample', () => {
		const reservoir = new LatencyReservoir(2048);
		expect(reservoir.summary()).toEqual({count: 0, avg: 0, p50: 0, p99: 0, max: 0});
		for (let ms = 1; ms <= 1000; ms++) reservoir.record(ms);
		expect(reservoir.summary()).toEqual({count: 1000, avg: 500.5, p50: 501, p99: 991, max: 1000});
	});

	it('stays bounded past its size, with exact count, mean and max', () => {
		const reservoir = new LatencyReservoir(100);
		for (let i = 0; i < 100_000; i++) reservoir.record(i % 10);
		reservoir.record(500);
		const s = reservoir.summary();
		expect(s).toMatchObject({count: 100_001, max: 500});
		expect(s.avg).toBeCloseTo((4.5 * 100_000 + 500) / 100_001, 3);
		expect(s.p50).toBeGreaterThanOrEqual(0);
		expect(s.p50).toBeLessThanOrEqual(9);
	});
});
