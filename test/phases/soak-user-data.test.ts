/**
 * The soak reconciles from the user data stream: every order it settled arrives there with REST's
 * status, executed quantity and quote, and the stream's balances match REST at the end. A stream that
 * silently loses events (the mock's stall-streams, which drydock did not inject, so no gap is known)
 * fails the check; a dropped connection is subscribed again and its gap reconciled from REST.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {clearFaults, startHarness, summary, until, type Harness} from './helpers.js';

let h: Harness;
beforeAll(async () => {
	h = await startHarness();
}, 30_000);
afterAll(async () => {
	await h?.close();
});

/** Starts a soak and waits until it has settled a few orders. */
async function soakWith(durationMs: number, midway: () => Promise<void>) {
	const previous = h.engine.store.publish().run?.id;
	const running = h.run(['soak'], durationMs);
	await until(
		() => {
			const snapshot = h.engine.store.publish();
			return snapshot.run?.id !== previous && (snapshot.soak?.operations ?? 0) >= 3;
		},
		10_000,
		'soak operations',
	);
	await midway();
	return running;
}

const counts = (measured: unknown) => {
	const [seen, expected] = String(measured).split(' ')[0]!.split('/').map(Number);
	return {seen: seen!, expected: expected!};
};

describe('soak-user-data', () => {
	it('passes on a healthy soak: every settled order seen on the stream', async () => {
		const r = await soakWith(4_000, () => Promise.resolve());
		const check = r.check('soak', 'soak-user-data');
		expect(check.verdict, summary(r.phase('soak'))).toBe('pass');
		const {seen, expected} = counts(check.measured);
		expect(expected).toBeGreaterThan(5);
		expect(seen).toBe(expected);
		expect(String(check.measured)).not.toContain('recovered');
	}, 30_000);

	it('fails when the stream silently loses events (a stall drydock did not inject)', async () => {
		const r = await soakWith(5_000, () => h.fault('stall-streams', {}, 1_500));
		const check = r.check('soak', 'soak-user-data');
		expect(check.verdict, summary(r.phase('soak'))).toBe('fail');
		expect(check.reason).toMatch(/never on the stream/);
		const {seen, expected} = counts(check.measured);
		expect(seen).toBeLessThan(expected);
	}, 30_000);

	it("fails when the stream's balances fall behind REST (account updates lost to the end)", async () => {
		// Stalled from early in the soak past its end: the last account update the stream gave is stale.
		const r = await soakWith(4_000, () => h.fault('stall-streams', {}, 9_000));
		const check = r.check('soak', 'soak-user-data');
		expect(check.verdict, summary(r.phase('soak'))).toBe('fail');
		expect(check.reason).toMatch(/[1-9]\d* balances differ/);
		await clearFaults(h);
	}, 30_000);

	it('a dropped connection is subscribed again; its gap is reconciled from REST, not counted as mismatches', async () => {
		const r = await soakWith(6_000, () => h.fault('drop-websockets', {}, 1_200));
		const check = r.check('soak', 'soak-user-data');
		const soak = summary(r.phase('soak'));
		expect(check.verdict, soak).toBe('pass');
		expect(check.title).toMatch(/[1-9]\d* outages, [1-9]\d* resubscribed/);
		const {seen, expected} = counts(check.measured);
		expect(seen, soak).toBe(expected);
		expect(String(check.measured), soak).toMatch(/\([1-9]\d* recovered from REST\)/);
	}, 30_000);
});
