/**
 * The operator's breaker test goes through the run's fault injector: a 5xx burst on the mock, REST
 * resets through the fault proxy, nothing where neither is possible. Real runtime, real embedded mock.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {breakerBurst} from '../../source/faults/breaker-burst.js';
import {createClientFaultInjector} from '../../source/faults/client-injector.js';
import type {FaultInjector} from '../../source/faults/injector.js';
import type {FaultRequest} from '../../source/faults/spec/fault-spec.js';
import type {ExchangeClient} from '../../source/exchange/exchange-client.js';
import {validateProfile} from '../../source/profiles/profile-file.js';
import {buildRuntime} from '../../source/runtime/create.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const close of closers.splice(0)) await close().catch(() => {});
});

/** An injector that records what it is asked, supporting only `kinds`. */
function recording(kinds: readonly string[]): FaultInjector & {asked: FaultRequest[]} {
	const asked: FaultRequest[] = [];
	return {
		asked,
		mode: 'proxy',
		supports: kind => kinds.includes(kind),
		unsupportedReason: () => 'no',
		async inject(request) {
			asked.push(request);
		},
		async clear() {},
		async stats() {
			return null;
		},
	};
}

describe('breaker test', () => {
	it("on the embedded mock: every call answers 503 for the burst, through the mock's own fault controls", async () => {
		const profile = validateProfile(
			{
				name: 'breaker-test',
				exchange: 'binance',
				environment: 'mock',
				symbols: ['BTC/USDT'],
				rateLimit: {enableRateLimit: false},
				mock: {seed: 5},
				breaker: {openMs: 2_500},
			},
			'test profile',
		);
		const runtime = await buildRuntime({profile, env: {}, readOutputs: () => ''});
		closers.push(async () => runtime.close?.());
		expect(runtime.hooks?.breakerTest).toBeTypeOf('function');
		await runtime.hooks!.breakerTest!();
		const {faults} = (await (await fetch(`${runtime.endpoints.admin}/faults`)).json()) as {
			faults: {fault: string; params: Record<string, unknown>; startedAt: number; expiresAt: number}[];
		};
		expect(faults).toHaveLength(1);
		expect(faults[0]).toMatchObject({fault: 'error-rate', params: {probability: 1, status: 503}});
		expect(faults[0]!.expiresAt - faults[0]!.startedAt).toBe(2_500);
		await expect(runtime.exchange.ping()).rejects.toThrow();
	});

	it('through the proxy (no 5xx on demand): our REST connections are reset for the burst', async () => {
		const faults = recording(['connection-reset', 'latency']);
		await breakerBurst(faults, 3_000)!();
		expect(faults.asked).toEqual([
			{fault: 'connection-reset', params: {probability: 1, scope: 'rest'}, durationMs: 3_000},
		]);
	});

	it('with neither: no breaker test is offered', () => {
		const client = createClientFaultInjector({dropConnections: async () => {}} as unknown as ExchangeClient);
		expect(breakerBurst(client, 3_000)).toBeUndefined();
	});
});
