/**
 * The resilience phase as on a real venue with the fault proxy in front of it (the mock reached only
 * through the proxy, its admin API unused): the stream drop and the timeouts are injected by the proxy
 * and pass, what needs the venue (5xx, 429 storms) is skipped with the TLS reason.
 */
import net from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Engine} from '../../source/engine/engine.js';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';
import {createProxyFaultInjector} from '../../source/faults/proxy-injector.js';
import type {PhaseServices} from '../../source/phases/index.js';
import {validateProfile} from '../../source/profiles/profile-file.js';
import type {Profile} from '../../source/profiles/schema.js';
import {buildRuntime, type BuiltRuntime} from '../../source/runtime/create.js';
import {engineOptionsFor} from '../../source/runtime/engine-options.js';

describe('resilience through the fault proxy, no venue-side fault API', () => {
	let mock: MockExchange;
	let runtime: BuiltRuntime<PhaseServices>;
	let engine: Engine<PhaseServices, Profile>;

	beforeAll(async () => {
		mock = await startMockExchange({host: '127.0.0.1', port: 0, seed: 11, symbols: ['BTCUSDT']});
		const profile = validateProfile(
			{
				name: 'proxy-resilience',
				exchange: 'binance',
				environment: 'mock',
				urls: {rest: mock.rest, ws: mock.ws},
				symbols: ['BTC/USDT'],
				rateLimit: {enableRateLimit: false},
				breaker: {failureThreshold: 3, openMs: 800, halfOpenProbes: 1},
				retry: {attempts: 2, baseMs: 20, maxMs: 100},
				timeouts: {requestMs: 3_000},
				thresholds: {restP99Ms: 10_000, orderAckP99Ms: 10_000, streamP99LatencyMs: 10_000},
			},
			'test profile',
		);
		runtime = await buildRuntime({profile, env: {DRYDOCK_FAULT_PROXY: 'on'}});
		// As on testnet/mainnet: only the proxy, no mock admin API.
		runtime.services.faults = createProxyFaultInjector(runtime.faultProxy!, runtime.exchange);
		engine = new Engine<PhaseServices, Profile>(
			engineOptionsFor<PhaseServices>(profile, {runtime, reportDir: null, publishIntervalMs: 50}),
		);
	}, 30_000);

	afterAll(async () => {
		await engine?.close();
		await mock?.close();
	});

	it('drop and timeouts are injected by the proxy and pass; 5xx and 429 are skipped with the TLS reason', async () => {
		const outcome = await engine.start({name: 'custom', phases: ['resilience'], soakDurationMs: 0});
		const view = engine.store.publish().phases.find(p => p.id === 'resilience')!;
		const check = (id: string) => view.checks.find(c => c.id === id)!;
		const summary = view.checks.map(c => `${c.id}=${c.verdict}${c.reason ? ` (${c.reason})` : ''}`).join('\n');
		expect(check('ws-drop-recovery').verdict, summary).toBe('pass');
		expect(check('timeouts').verdict, summary).toBe('pass');
		expect(check('breaker').verdict, summary).toBe('skipped');
		expect(check('breaker').reason).toMatch(
			/^5xx responses cannot be injected into a TLS tunnel without terminating TLS/,
		);
		expect(check('rate-limit-storm').verdict, summary).toBe('skipped');
		expect(check('rate-limit-storm').reason).toMatch(/^429 responses cannot be injected into a TLS tunnel/);
		expect(view.status, summary).toBe('pass');
		expect(outcome.exitCode).toBe(0);
		const stats = runtime.faultProxy!.stats();
		expect(stats.effects['drop-websockets'], 'the proxy cut the stream tunnel').toBeGreaterThanOrEqual(1);
		expect(stats.effects.latency, 'the proxy delayed the calls that had to time out').toBeGreaterThan(0);
		expect(runtime.faultProxy!.active()).toEqual([]);
		expect(stats.connections.refused, 'no venue traffic was refused').toBe(0);
	}, 30_000);

	it("the runtime's proxy dials only the venue: another loopback port is refused with 403", async () => {
		const venuePort = Number(new URL(mock.rest).port);
		const connect = async (authority: string) => {
			const socket = net.connect(Number(new URL(runtime.faultProxy!.url).port), '127.0.0.1');
			let text = '';
			socket.on('data', chunk => (text += chunk.toString()));
			socket.on('error', () => {});
			socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
			await expect.poll(() => text).toMatch(/^HTTP\/1\.1 \d{3}/);
			socket.destroy();
			return text;
		};
		expect(await connect(`127.0.0.1:${venuePort === 65_535 ? 1 : venuePort + 1}`)).toMatch(
			/^HTTP\/1\.1 403[^]*not allowed/,
		);
		// The venue's port under another name is another target (nothing here may leave loopback, even if this broke).
		expect(await connect(`localhost:${venuePort}`)).toMatch(/^HTTP\/1\.1 403/);
		expect(await connect(`127.0.0.1:${venuePort}`)).toMatch(/^HTTP\/1\.1 200/);
		expect(runtime.faultProxy!.stats().connections.refused).toBe(2);
	});
});
