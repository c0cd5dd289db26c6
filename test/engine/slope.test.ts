import {describe, expect, it} from 'vitest';
import {detectLeak, leastSquaresSlopePerHour} from '../../source/monitor/slope.js';

/** A deterministic pseudo-random generator so the noisy series is the same every run. */
function lcg(seed: number) {
	let s = seed >>> 0;
	return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const minute = 60_000;

describe('RSS slope leak detector', () => {
	it('recovers a known slope exactly', () => {
		const points = Array.from({length: 60}, (_, i) => ({at: i * minute, value: 100 + i * 0.5}));
		expect(leastSquaresSlopePerHour(points)!.slopePerHour).toBeCloseTo(30, 6); // 0.5 MB/min
	});

	it('flags a synthetic leak after warm-up and ignores the warm-up ramp', () => {
		const random = lcg(7);
		// Warm-up: steep growth for 10 minutes (JIT, caches), then a 12 MB/h leak with ±3 MB noise.
		const points = [
			...Array.from({length: 10}, (_, i) => ({at: i * minute, value: 80 + i * 5})),
			...Array.from({length: 120}, (_, i) => ({
				at: (10 + i) * minute,
				value: 130 + (i / 60) * 12 + (random() - 0.5) * 6,
			})),
		];
		const verdict = detectLeak(points, {warmupUntil: 10 * minute, limitMbPerHour: 5});
		expect(verdict.leaking).toBe(true);
		expect(verdict.conclusive).toBe(true); // 2 h after warm-up
		expect(verdict.slopePerHour!).toBeGreaterThan(9);
		expect(verdict.slopePerHour!).toBeLessThan(15);
	});

	it('passes a flat, noisy series whose warm-up alone would look like a leak', () => {
		const random = lcg(11);
		const points = [
			...Array.from({length: 10}, (_, i) => ({at: i * minute, value: 60 + i * 7})),
			...Array.from({length: 240}, (_, i) => ({
				at: (10 + i) * minute,
				value: 130 + (random() - 0.5) * 8 + (i % 30 === 0 ? 10 : 0),
			})),
		];
		const verdict = detectLeak(points, {warmupUntil: 10 * minute, limitMbPerHour: 5});
		expect(verdict.leaking).toBe(false);
		expect(Math.abs(verdict.slopePerHour!)).toBeLessThan(2);
		expect(detectLeak(points, {warmupUntil: 0, limitMbPerHour: 5}).slopePerHour!).toBeGreaterThan(0);
	});

	it('a steep slope over a few minutes is reported but not conclusive', () => {
		const points = Array.from({length: 24}, (_, i) => ({at: i * 5000, value: 90 + i * 0.15}));
		const verdict = detectLeak(points, {warmupUntil: 0, limitMbPerHour: 5});
		expect(verdict.leaking).toBe(true);
		expect(verdict.conclusive).toBe(false);
		expect(verdict.reason).toMatch(/too short to call a leak/);
	});

	it('says so when there is not enough data', () => {
		expect(detectLeak([{at: 0, value: 1}], {warmupUntil: 0, limitMbPerHour: 5})).toMatchObject({
			leaking: false,
			slopePerHour: null,
		});
	});
});
