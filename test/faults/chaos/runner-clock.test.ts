/**
 * The chaos timeline's clock: counted from the soak's start, or — with a system under test — from the
 * moment the host's soakClock says the SUT was ready. A fake host and injector; the real ChaosRunner.
 */
import {describe, expect, it} from 'vitest';
import {ChaosRunner, type ChaosHost} from '../../../source/faults/chaos/runner.js';
import {normalizeTimeline} from '../../../source/faults/chaos/schema.js';
import type {EngineEvent} from '../../../source/engine/events.js';
import type {StreamWatcher} from '../../../source/exchange/stream-watcher.js';
import type {ExchangeClient} from '../../../source/exchange/exchange-client.js';
import type {FaultInjector} from '../../../source/faults/injector.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Starts a soak on a runner whose one fault is 100 ms in; resolves when it was injected. */
async function injectedAfter(soakClock?: ChaosHost['soakClock']): Promise<{startedAt: number; injectedAt: number}> {
	let listener: (event: EngineEvent) => void = () => {};
	let injectedAt = 0;
	const faults: FaultInjector = {
		mode: 'mock',
		supports: () => true,
		unsupportedReason: () => '',
		inject: async () => void (injectedAt = Date.now()),
		clear: async () => {},
		stats: async () => null,
	};
	const startedAt = Date.now();
	const runner = new ChaosRunner({
		host: {
			onEvent: l => ((listener = l), () => {}),
			emit: () => {},
			addPhaseFinalizer: () => () => {},
			soakStartedAt: () => startedAt,
			carriedOver: () => new Map(),
			...(soakClock ? {soakClock} : {}),
		},
		timeline: normalizeTimeline([{at: '100ms', fault: 'drop-websockets'}]),
		faults,
		exchange: {} as unknown as ExchangeClient,
		symbol: 'BTCUSDT',
		silenceMs: 60_000,
		createWatcher: () =>
			({start: (ids: readonly string[]) => [...ids], close: async () => {}}) as unknown as StreamWatcher,
	});
	try {
		listener({type: 'phase-started', at: startedAt, phase: 'soak'});
		const end = Date.now() + 3_000;
		while (injectedAt === 0 && Date.now() < end) await sleep(10);
		return {startedAt, injectedAt};
	} finally {
		runner.close();
	}
}

describe('the chaos clock', () => {
	it('counts from the soak start without a SUT', async () => {
		const {startedAt, injectedAt} = await injectedAfter();
		expect(injectedAt - startedAt).toBeGreaterThanOrEqual(90);
		expect(injectedAt - startedAt).toBeLessThan(500);
	});

	it('counts from the SUT’s readiness when the host gives a soak clock', async () => {
		let readyAt = 0;
		const ready = sleep(600).then(() => (readyAt = Date.now()));
		const {injectedAt} = await injectedAfter(() => ready);
		expect(readyAt).toBeGreaterThan(0);
		expect(injectedAt - readyAt).toBeGreaterThanOrEqual(90);
		expect(injectedAt - readyAt).toBeLessThan(500);
	});
});
