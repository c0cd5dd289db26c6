/**
 * Runs phases the way `drydock run` does — real mock on loopback, the runtime's composition (ccxt
 * client, phase services, hooks) and the real engine — and hands back the finished phase views.
 */
import {startMockExchange, type MockExchange, type MockExchangeOptions} from '../../source/mock/index.js';
import {validateProfile} from '../../source/profiles/profile-file.js';
import type {Profile, ProfileInput} from '../../source/profiles/schema.js';
import {buildRuntime, type BuiltRuntime} from '../../source/runtime/create.js';
import {engineOptionsFor} from '../../source/runtime/engine-options.js';
import {Engine, type RunOutcome} from '../../source/engine/engine.js';
import type {CheckResult} from '../../source/engine/checks.js';
import type {PhaseId} from '../../source/engine/phase-ids.js';
import type {EngineSnapshot, PhaseView} from '../../source/engine/snapshot.js';
import {createPhaseServices, type PhaseServices} from '../../source/phases/index.js';

export interface Harness {
	mock: MockExchange;
	profile: Profile;
	runtime: BuiltRuntime<PhaseServices>;
	engine: Engine<PhaseServices, Profile>;
	/** Runs the phases as one plan; resolves once the engine has finished and published. */
	run(
		phases: PhaseId[],
		soakDurationMs?: number,
	): Promise<{
		outcome: RunOutcome;
		snapshot: EngineSnapshot;
		phase(id: PhaseId): PhaseView;
		check(phase: PhaseId, check: string): CheckResult;
	}>;
	/** POST {admin}/faults over HTTP, as the phases do. */
	fault(fault: string, params?: Record<string, unknown>, durationMs?: number): Promise<void>;
	close(): Promise<void>;
}

export interface HarnessOptions {
	/** Build the phase services as for a real venue: no mock admin API, client-side faults only. */
	venueFaultsOnly?: boolean;
	/** Give the engine no masker, as a broken build would (the security phase must notice). */
	unmaskedEngine?: boolean;
}

export async function startHarness(
	profileInput: Partial<ProfileInput> = {},
	mockOptions: MockExchangeOptions = {},
	options: HarnessOptions = {},
): Promise<Harness> {
	const mock = await startMockExchange({
		host: '127.0.0.1',
		port: 0,
		seed: 11,
		symbols: ['BTCUSDT', 'ETHUSDT'],
		...mockOptions,
	});
	const profile = validateProfile(
		{
			name: 'phases-test',
			exchange: 'binance',
			environment: 'mock',
			urls: {rest: mock.rest, ws: mock.ws},
			symbols: ['BTC/USDT'],
			rateLimit: {enableRateLimit: false},
			breaker: {failureThreshold: 3, openMs: 800, halfOpenProbes: 1},
			retry: {attempts: 2, baseMs: 20, maxMs: 100},
			timeouts: {requestMs: 3_000},
			soak: {ratePerSecond: 4, warmupMs: 0, orderNotional: 20, progressEveryMs: 60_000},
			// Functional tests on a shared, loaded machine: latency budgets are the benchmarks' business.
			thresholds: {restP99Ms: 10_000, orderAckP99Ms: 10_000, streamP99LatencyMs: 10_000},
			...profileInput,
		},
		'test profile',
	);
	let engine: Engine<PhaseServices, Profile> | null = null;
	const runtime = await buildRuntime({
		profile,
		env: {},
		readOutputs: () => (engine === null ? '' : JSON.stringify(engine.store.publish())),
	});
	if (options.venueFaultsOnly) {
		const services = runtime.services;
		runtime.services = createPhaseServices({
			exchange: runtime.exchange,
			profile,
			credentials: services.credentials,
			...(services.readOutputs ? {readOutputs: services.readOutputs} : {}),
			...(services.mask ? {mask: services.mask} : {}),
		});
	}
	engine = new Engine<PhaseServices, Profile>(
		engineOptionsFor<PhaseServices>(profile, {
			runtime,
			reportDir: null,
			publishIntervalMs: 50,
			mask: options.unmaskedEngine ? text => text : text => runtime.services.mask?.(text) ?? text,
		}),
	);
	const built = engine;
	return {
		mock,
		profile,
		runtime,
		engine: built,
		async run(phases, soakDurationMs = 0) {
			const outcome = await built.start({name: 'custom', phases, soakDurationMs});
			const snapshot = built.store.publish();
			const phase = (id: PhaseId) => {
				const view = snapshot.phases.find(p => p.id === id);
				if (!view) throw new Error(`no phase ${id} in the snapshot`);
				return view;
			};
			const check = (phaseId: PhaseId, id: string) => {
				const found = phase(phaseId).checks.find(c => c.id === id);
				if (!found)
					throw new Error(
						`no check ${id} in ${phaseId}: ${phase(phaseId)
							.checks.map(c => `${c.id}=${c.verdict}`)
							.join(', ')}`,
					);
				return found;
			};
			return {outcome, snapshot, phase, check};
		},
		async fault(fault, params = {}, durationMs) {
			const response = await fetch(`${mock.admin}/faults`, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: JSON.stringify({fault, params, ...(durationMs ? {durationMs} : {})}),
			});
			if (!response.ok) throw new Error(`fault ${fault}: ${response.status} ${await response.text()}`);
		},
		async close() {
			await built.close();
			await mock.close();
		},
	};
}

/** `id=verdict (reason)` per check, for assertion messages. */
export function summary(view: PhaseView): string {
	return view.checks
		.map(c => `${c.id}=${c.verdict}${c.reason ? ` (${c.reason})` : ''} [${String(c.measured)}]`)
		.join('\n');
}

/** Polls until `condition` holds (or throws after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 25));
	}
}

export async function clearFaults(h: Harness): Promise<void> {
	await fetch(`${h.mock.admin}/faults`, {method: 'DELETE'});
}
