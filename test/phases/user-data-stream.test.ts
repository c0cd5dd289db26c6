/**
 * The orders phase holds every fill and cancel it made against the user data stream (ccxt's watchOrders,
 * subscribed over the WebSocket API): they match REST on a healthy mock, and the check fails when the
 * mock stops pushing (stall-streams drops every user data event while REST keeps answering).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {clearFaults, startHarness, summary, type Harness} from './helpers.js';

let h: Harness;
beforeAll(async () => {
	h = await startHarness();
}, 30_000);
afterAll(async () => {
	await h?.close();
});

describe('user data stream in the orders phase', () => {
	it('every fill and cancel arrives on the stream and matches REST', async () => {
		const r = await h.run(['orders']);
		const check = r.check('orders', 'user-data-stream');
		expect(check.verdict, summary(r.phase('orders'))).toBe('pass');
		expect(check.measured).toMatch(/^(\d+)\/\1$/);
		// A fill, a cancel and the IOC at least.
		expect(Number(String(check.measured).split('/')[0])).toBeGreaterThanOrEqual(3);
	}, 30_000);

	it('fails when the stream delivers nothing', async () => {
		await h.fault('stall-streams', {}, 60_000);
		try {
			await h.runtime.exchange.closeStreams().catch(() => undefined);
			const r = await h.run(['orders']);
			const check = r.check('orders', 'user-data-stream');
			expect(check.verdict, summary(r.phase('orders'))).toBe('fail');
			expect(check.reason).toContain('never on the stream');
		} finally {
			await clearFaults(h);
		}
	}, 30_000);
});
