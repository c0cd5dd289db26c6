/**
 * Chaos through the local fault proxy. A run against a venue that is not the mock (the proxy injector
 * alone: no venue-side fault API) executes latency and connection-reset entries instead of skipping them,
 * with real ccxt talking to the mock only over the proxied wire; 5xx stays skipped with the TLS reason.
 * And the composition root: testnet/mainnet get the proxy by default (no traffic is sent here: no
 * preflight, no call), DRYDOCK_FAULT_PROXY=off removes it, `on` puts it in front of the mock too.
 */
import net from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ChaosRunner, type ChaosHost} from '../../../source/faults/chaos/runner.js';
import {normalizeTimeline, type ChaosTimeline} from '../../../source/faults/chaos/schema.js';
import type {EngineEvent} from '../../../source/engine/events.js';
import type {CheckInput} from '../../../source/engine/checks.js';
import type {ChaosRecord} from '../../../source/engine/fault-records.js';
import {createExchange, StreamWatcher, toExchangeError, type ExchangeClient} from '../../../source/exchange/index.js';
import {startFaultProxy, type FaultProxy} from '../../../source/net/fault-proxy.js';
import {createProxyFaultInjector} from '../../../source/faults/proxy-injector.js';
import {loadProfile} from '../../../source/profiles/profile-file.js';
import {buildRuntime} from '../../../source/runtime/create.js';
import {streamHostsOf} from '../../../source/exchange/venues.js';
import {mockTarget, startMock, type Mock} from '../../exchange/helpers.js';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('chaos on a non-mock venue through the fault proxy', () => {
	let mock: Mock;
	let proxy: FaultProxy;
	let exchange: ExchangeClient;

	beforeAll(async () => {
		mock = await startMock({symbols: ['BTCUSDT']});
		proxy = await startFaultProxy({allowTarget: host => host === '127.0.0.1'});
		exchange = await createExchange(mockTarget(mock, {proxyUrl: proxy.url, timeoutMs: 2_000}));
		await exchange.loadMarkets();
	}, 30_000);

	afterAll(async () => {
		await exchange?.close();
		await proxy?.close();
		await mock?.close();
	});

	it('executes latency and connection-reset entries (detected, recovered, judged) and skips 5xx with the TLS reason', async () => {
		const timeline: ChaosTimeline = [
			{from: '0.3', to: '0.9', fault: 'latency', params: {ms: 150}, recoveryBudget: '2s'},
			{
				from: '1.2',
				to: '1.6',
				fault: 'connection-reset',
				params: {probability: 1, scope: 'rest'},
				recoveryBudget: '2s',
			},
			{at: '1.8', fault: 'error-rate', params: {probability: 0.5}},
		];
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
		const faults = createProxyFaultInjector(proxy, exchange);
		expect(faults.mode).toBe('proxy');
		const runner = new ChaosRunner({
			host,
			timeline: normalizeTimeline(timeline),
			faults,
			exchange,
			symbol: 'BTCUSDT',
			silenceMs: 2_000,
			createWatcher: onEvent => new StreamWatcher(exchange, {onEvent}),
		});
		try {
			soakStartedAt = Date.now();
			host.emit({type: 'phase-started', at: soakStartedAt, phase: 'soak'});
			// The soak's operations, as the engine reports them: a ticker every ~40 ms for 2.6 s.
			while (Date.now() - soakStartedAt < 2_600) {
				const started = performance.now();
				try {
					await exchange.fetchTicker('BTC/USDT');
					host.emit({
						type: 'operation',
						at: Date.now(),
						phase: 'soak',
						sample: {kind: 'fetch-ticker', ok: true, latencyMs: performance.now() - started},
					});
				} catch (error) {
					const e = toExchangeError(error);
					host.emit({type: 'error', at: Date.now(), phase: 'soak', error: {kind: e.kind, message: e.message}});
					host.emit({
						type: 'operation',
						at: Date.now(),
						phase: 'soak',
						sample: {
							kind: 'fetch-ticker',
							ok: false,
							latencyMs: performance.now() - started,
							error: {kind: e.kind, message: e.message},
						},
					});
				}
				await sleep(40);
			}
			const checks: CheckInput[] = [];
			await finalizer!(input => checks.push(input), 'soak');
			const records = new Map<number, ChaosRecord>();
			for (const e of events) if (e.type === 'chaos') records.set(e.record.index, e.record);
			const [latency, reset, errors] = [records.get(0)!, records.get(1)!, records.get(2)!];
			const explain = JSON.stringify([...records.values()], null, 1);
			expect(latency.injected_at, explain).not.toBeNull();
			expect(latency.detected_by, explain).toMatch(/slow operation/);
			expect(latency.verdict, explain).toBe('pass');
			expect(reset.injected_at, explain).not.toBeNull();
			expect(reset.detected_by, explain).toBe('failed call (network)');
			expect(reset.failed_calls).toBeGreaterThan(0);
			expect(reset.verdict, explain).toBe('pass');
			expect(errors.verdict).toBe('skipped');
			expect(errors.reason).toMatch(/cannot be injected into a TLS tunnel without terminating TLS/);
			expect(checks.map(c => [c.id, c.verdict])).toEqual([
				['chaos-0', 'pass'],
				['chaos-1', 'pass'],
				['chaos-2', 'skipped'],
			]);
			// What the proxy did for each, in the check's title (the report's phase table shows it).
			expect(checks[0]!.title).toMatch(/proxy: [1-9]\d* chunks delayed/);
			expect(checks[1]!.title).toMatch(/proxy: [1-9]\d* connections reset/);
			const marks = events.filter(e => e.type === 'fault');
			expect(marks.map(e => (e.type === 'fault' ? e.mark.detail : ''))).toEqual([
				expect.stringMatching(/local fault proxy/),
				expect.stringMatching(/local fault proxy/),
			]);
			const notice = events.find(e => e.type === 'notice' && e.text.startsWith('chaos: fault proxy'));
			expect(notice && notice.type === 'notice' ? notice.text : '').toMatch(/chunks delayed.*connections reset/);
			// Nothing of ours left on the proxy afterwards.
			expect(proxy.active()).toEqual([]);
		} finally {
			runner.close();
			await exchange.closeStreams();
		}
	}, 20_000);
});

describe('the fault proxy in the composition root', () => {
	const keys = {BINANCE_TESTNET_API_KEY: 'k'.repeat(64), BINANCE_TESTNET_API_SECRET: 's'.repeat(64)};

	it('testnet gets the proxy by default: its injector adds latency, stalls, resets and timeouts; close stops it', async () => {
		const {profile} = await loadProfile('testnet');
		// No preflight and no call: nothing leaves this machine.
		const runtime = await buildRuntime({profile, env: keys, preflight: false});
		try {
			expect(runtime.faultProxy).not.toBeNull();
			expect(runtime.endpoints.faultProxy).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
			const {faults} = runtime.services;
			expect(faults.mode).toBe('proxy');
			for (const kind of ['latency', 'stall-streams', 'drop-websockets', 'connection-reset', 'timeout'] as const)
				expect(faults.supports(kind), kind).toBe(true);
			expect(faults.supports('error-rate')).toBe(false);
			expect(faults.unsupportedReason('error-rate')).toBe(
				'5xx responses cannot be injected into a TLS tunnel without terminating TLS (the proxy forwards encrypted bytes it can neither read nor forge)',
			);
			expect(faults.unsupportedReason('rate-limit-storm')).toMatch(
				/^429 responses cannot be injected into a TLS tunnel without terminating TLS/,
			);
			// The console's breaker test: our REST connections reset for a while, so real calls fail.
			await runtime.hooks?.breakerTest?.();
			expect(runtime.faultProxy!.active()).toEqual([
				expect.objectContaining({fault: {kind: 'reset', probability: 1, scope: 'rest'}, expiresAt: expect.any(Number)}),
			]);
			expect(runtime.faultProxy!.stats().connections.total).toBe(0);
		} finally {
			await runtime.close?.();
		}
		const port = Number(new URL(runtime.endpoints.faultProxy!).port);
		const refused = await new Promise<string>(resolve => {
			const socket = net.connect(port, '127.0.0.1');
			socket.once('connect', () => (socket.destroy(), resolve('connected')));
			socket.once('error', error => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
		});
		expect(refused).toBe('ECONNREFUSED');
	});

	it('DRYDOCK_FAULT_PROXY=off: no proxy, client-side faults only (the reason says so); a bad value is a usage error', async () => {
		const {profile} = await loadProfile('testnet');
		const runtime = await buildRuntime({profile, env: {...keys, DRYDOCK_FAULT_PROXY: 'off'}, preflight: false});
		try {
			expect(runtime.faultProxy).toBeNull();
			expect(runtime.services.faults.mode).toBe('client');
			expect(runtime.services.faults.supports('latency')).toBe(false);
			expect(runtime.services.faults.unsupportedReason('connection-reset')).toMatch(/DRYDOCK_FAULT_PROXY=off/);
		} finally {
			await runtime.close?.();
		}
		await expect(
			buildRuntime({profile, env: {...keys, DRYDOCK_FAULT_PROXY: 'maybe'}, preflight: false}),
		).rejects.toThrow('DRYDOCK_FAULT_PROXY: "maybe" must be on, off or auto');
	});

	it('on the mock with the proxy on: traffic goes through it, the mock keeps its own faults, the proxy adds resets', async () => {
		const {profile} = await loadProfile('mock');
		const runtime = await buildRuntime({profile, faultProxy: 'on', preflight: false});
		try {
			const {faults} = runtime.services;
			expect(faults.mode).toBe('mock');
			expect(faults.supports('error-rate')).toBe(true);
			expect(faults.supports('connection-reset')).toBe(true);
			await runtime.exchange.ping();
			expect(runtime.faultProxy!.stats().connections.rest).toBeGreaterThanOrEqual(1);
			await faults.inject({fault: 'connection-reset', params: {probability: 1}});
			await expect(runtime.exchange.fetchTicker('BTC/USDT')).rejects.toMatchObject({kind: 'network'});
			await faults.clear();
			await expect(runtime.exchange.fetchTicker('BTC/USDT')).resolves.toMatchObject({symbol: 'BTC/USDT'});
			// A venue-side kind still goes to the mock (a 5xx only it can produce).
			await faults.inject({fault: 'error-rate', params: {probability: 1, status: 503}, durationMs: 2_000});
			await expect(runtime.exchange.fetchTicker('BTC/USDT')).rejects.toMatchObject({kind: 'unavailable'});
			await faults.clear();
		} finally {
			await runtime.close?.();
		}
	}, 30_000);

	it('stream connections are known by host on Binance, by their upgrade on the mock', () => {
		expect(
			streamHostsOf('https://api.binance.com/api/v3', [
				'wss://stream.binance.com:9443/ws',
				'wss://ws-api.binance.com:443/ws-api/v3',
			]),
		).toEqual(['stream.binance.com:9443', 'ws-api.binance.com:443']);
		expect(streamHostsOf('https://testnet.binance.vision/api/v3', ['wss://stream.testnet.binance.vision/ws'])).toEqual([
			'stream.testnet.binance.vision:443',
		]);
		expect(
			streamHostsOf('http://127.0.0.1:4000/api/v3', ['ws://127.0.0.1:4000/ws', 'ws://127.0.0.1:4000/ws-api/v3']),
		).toEqual([]);
	});

	it('a mock profile whose chaos timeline has a timeout entry gets the proxy by itself', async () => {
		const {profile} = await loadProfile('mock');
		const runtime = await buildRuntime({
			profile: {...profile, chaos: [{at: '1s', fault: 'timeout'}]},
			env: {},
			preflight: false,
		});
		try {
			expect(runtime.faultProxy).not.toBeNull();
			expect(runtime.services.faults.supports('timeout')).toBe(true);
		} finally {
			await runtime.close?.();
		}
	}, 30_000);

	it('the mock without the proxy says how to get resets and timeouts', async () => {
		const {profile} = await loadProfile('mock');
		const runtime = await buildRuntime({profile, env: {}, preflight: false});
		try {
			expect(runtime.faultProxy).toBeNull();
			expect(runtime.services.faults.supports('timeout')).toBe(false);
			expect(runtime.services.faults.unsupportedReason('timeout')).toMatch(/DRYDOCK_FAULT_PROXY=on/);
		} finally {
			await runtime.close?.();
		}
	}, 30_000);
});
