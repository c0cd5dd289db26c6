import {describe, expect, it} from 'vitest';
import {CircuitBreaker} from '../../source/engine/breaker.js';
import {backoffDelay, retry} from '../../source/engine/retry.js';

describe('circuit breaker', () => {
	it('opens after the threshold, half-opens after openMs, closes on probe success, reopens on probe failure', () => {
		let now = 1000;
		const transitions: string[] = [];
		const breaker = new CircuitBreaker({
			failureThreshold: 3,
			openMs: 500,
			halfOpenProbes: 1,
			now: () => now,
			onTransition: (view, from) => transitions.push(`${from}->${view.state}`),
		});
		expect(breaker.state).toBe('closed');
		breaker.failure();
		breaker.failure();
		breaker.success(); // resets the consecutive count
		breaker.failure();
		breaker.failure();
		expect(breaker.state).toBe('closed');
		breaker.failure();
		expect(breaker.state).toBe('open');
		expect(breaker.tryAcquire()).toBe(false);
		expect(breaker.view().retryAt).toBe(1500);
		now += 499;
		expect(breaker.state).toBe('open');
		now += 1;
		expect(breaker.state).toBe('half-open');
		expect(breaker.tryAcquire()).toBe(true);
		expect(breaker.tryAcquire()).toBe(false); // one probe at a time
		breaker.failure();
		expect(breaker.state).toBe('open');
		now += 500;
		expect(breaker.tryAcquire()).toBe(true);
		breaker.success();
		expect(breaker.state).toBe('closed');
		expect(transitions).toEqual([
			'closed->open',
			'open->half-open',
			'half-open->open',
			'open->half-open',
			'half-open->closed',
		]);
		breaker.trip();
		expect(breaker.state).toBe('open');
	});

	it('needs halfOpenProbes successes to close', () => {
		let now = 0;
		const breaker = new CircuitBreaker({failureThreshold: 1, openMs: 10, halfOpenProbes: 2, now: () => now});
		breaker.failure();
		now = 10;
		expect(breaker.tryAcquire()).toBe(true);
		expect(breaker.tryAcquire()).toBe(true);
		expect(breaker.tryAcquire()).toBe(false);
		breaker.success();
		expect(breaker.state).toBe('half-open');
		breaker.success();
		expect(breaker.state).toBe('closed');
	});
});

describe('retry with backoff and full jitter', () => {
	it('delays stay within [0, min(max, base·2^n))', () => {
		const policy = {baseMs: 100, maxMs: 1000};
		for (let n = 0; n < 10; n++) {
			const ceiling = Math.min(1000, 100 * 2 ** n);
			expect(backoffDelay(n, policy, () => 0)).toBe(0);
			expect(backoffDelay(n, policy, () => 0.999999)).toBe(ceiling - 1);
			for (let i = 0; i < 50; i++) {
				const d = backoffDelay(n, policy);
				expect(d).toBeGreaterThanOrEqual(0);
				expect(d).toBeLessThan(ceiling);
			}
		}
	});

	it('retries until success, stops at the attempt limit, and respects shouldRetry', async () => {
		let calls = 0;
		const value = await retry(
			async () => {
				calls++;
				if (calls < 3) throw new Error('flaky');
				return 'ok';
			},
			{attempts: 5, baseMs: 1, maxMs: 2},
		);
		expect(value).toBe('ok');
		expect(calls).toBe(3);
		calls = 0;
		await expect(
			retry(
				async () => {
					calls++;
					throw new Error('down');
				},
				{attempts: 4, baseMs: 1, maxMs: 2},
			),
		).rejects.toThrow('down');
		expect(calls).toBe(4);
		calls = 0;
		await expect(
			retry(
				async () => {
					calls++;
					throw new Error('invalid');
				},
				{attempts: 4, baseMs: 1, maxMs: 2, shouldRetry: () => false},
			),
		).rejects.toThrow('invalid');
		expect(calls).toBe(1);
	});
});
