/**
 * The same phases as on a real venue: no fault API. What needs venue control is skipped with the reason;
 * dropping our own connections and local deadlines still work.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startHarness, summary, type Harness} from './helpers.js';

describe('phases without venue-side fault control', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness({}, {}, {venueFaultsOnly: true});
	});
	afterAll(async () => {
		await h?.close();
	});

	it('rate-limit and resilience skip what they cannot inject, and prove the rest', async () => {
		const r = await h.run(['rate-limit', 'resilience']);
		const rate = summary(r.phase('rate-limit'));
		const resilience = summary(r.phase('resilience'));
		expect(r.check('rate-limit', 'storm-recovery').verdict, rate).toBe('skipped');
		expect(r.check('rate-limit', 'storm-recovery').reason).toContain('no control over 429 storms');
		expect(r.check('rate-limit', 'burst-no-429').verdict, rate).toBe('pass');
		expect(r.check('resilience', 'breaker').verdict, resilience).toBe('skipped');
		expect(r.check('resilience', 'breaker').reason).toBe('venue gives no control over 5xx responses');
		expect(r.check('resilience', 'rate-limit-storm').verdict, resilience).toBe('skipped');
		// Our own connections dropped, a local deadline: these work everywhere.
		expect(r.check('resilience', 'ws-drop-recovery').verdict, resilience).toBe('pass');
		expect(r.check('resilience', 'timeouts').verdict, resilience).toBe('pass');
		expect(r.check('resilience', 'insufficient-balance').verdict, resilience).toBe('pass');
		expect(r.phase('resilience').status).toBe('pass');
		expect(r.outcome.exitCode).toBe(0);
	}, 25_000);
});

describe('security phase against an engine that does not mask', () => {
	it('finds the planted secret in the output and fails on it', async () => {
		const h = await startHarness({}, {}, {unmaskedEngine: true});
		try {
			const r = await h.run(['security']);
			const check = r.check('security', 'secrets-not-in-output');
			expect(check.verdict, summary(r.phase('security'))).toBe('fail');
			expect(check.reason).toContain('the planted secret');
			expect(r.phase('security').status).toBe('fail');
		} finally {
			await h.close();
		}
	}, 20_000);
});
