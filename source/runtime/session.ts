/**
 * A session: the engine for a profile (created at once, cheap), the resource monitor, and the heavy
 * runtime (mock, ccxt, phases) built in the background and handed to the engine when ready. Both
 * `drydock run` and the console compose one.
 */
import {watchMarket} from './market-watch.js';
import {readFileSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {Profile} from '../profiles/schema.js';
import {processMasker} from '../profiles/mask.js';
import {recallFailedPhases, rememberRun} from '../profiles/user-config.js';
import {resolveProfilePath} from '../profiles/profile-file.js';
import {createEngine, type Engine} from '../engine/engine.js';
import {createMonitor, type Monitor} from '../monitor/monitor.js';
import {engineOptionsFor} from './engine-options.js';
import {buildRuntime, type BuiltRuntime} from './create.js';
import {guardLive, type RunEndpoints} from './target.js';
import type {PhaseServices} from '../phases/index.js';
import {normalizeTimeline, type ChaosEntry} from '../faults/chaos/schema.js';
import {OrderFateObserver} from '../faults/chaos/order-fate.js';
import {ChaosRunner} from '../faults/chaos/runner.js';
import {createGatewayFaultInjector} from '../faults/gateway-injector.js';
import {StreamWatcher} from '../exchange/stream-watcher.js';
import {resolveSutSpec, type SutSpec} from '../sut/spec.js';
import {UsageError} from '../util/usage-error.js';
import {SutSession} from './sut-session.js';
import {guardSutLive, startSutGateway, sutKeyFromEnv, type SutKey} from './sut-venue.js';
import {replayProfile} from './replay.js';
import {followReplay} from './replay-follower.js';
import type {MockReplayOptions} from '../mock/replay/index.js';

export interface SessionOptions {
	profile: Profile;
	exchangeUrl?: string;
	/** `--replay FILE`: the embedded mock replays it (runtime/replay.ts). */
	replay?: MockReplayOptions;
	allowLive?: boolean;
	watchPid?: number;
	/** Base folder for reports; default `reports`. */
	reportDir?: string;
	preflight?: boolean;
	onEndpoints?: (endpoints: RunEndpoints) => void;
	/** Resource sampling interval (default 1 s). */
	monitorIntervalMs?: number;
	/** Don't start building the runtime until `build()` is called (the console paints first). */
	deferRuntime?: boolean;
	/** Remember each finished run in the user's config (conf) so a later console can rerun its failures. Default true. */
	rememberRuns?: boolean;
	/** Write report.html next to report.json when a run ends. Default true. */
	htmlReport?: boolean;
	/** The chaos timeline (`--chaos FILE`); default the profile's `chaos` section. */
	chaos?: readonly ChaosEntry[];
	/** `--sut "CMD"`: the user's system under test (over the profile's `sut.command`). */
	sut?: string;
	/** The profile's file (loadProfile's `file`): recorded in report.json and the key remembered runs are kept under; default the shipped profile of that name. */
	profilePath?: string;
}

export interface Session<S = PhaseServices> {
	engine: Engine<S, Profile>;
	monitor: Monitor;
	/** Resolves when the exchange, services and phases are ready; rejects with a UsageError for config/reachability problems. */
	ready: Promise<BuiltRuntime<S>>;
	/** Resolves when the after-run work (report.html, remembering the run) of finished runs is done. */
	settled(): Promise<void>;
	/** Starts building the runtime (no-op unless deferRuntime; idempotent). */
	build(): void;
	/** The system under test's controller (`--sut`, the profile's `sut`); null without one. */
	sut: SutSession | null;
	/**
	 * Builds the runtime again after it failed (the venue was unreachable, say) and hands the new one
	 * to the engine; `ready` is then the new attempt. While a build is pending or succeeded, returns it.
	 */
	retry(): Promise<BuiltRuntime<S>>;
	close(): Promise<void>;
}

let cachedVersion: string | null = null;
export function drydockVersion(): string {
	if (cachedVersion) return cachedVersion;
	try {
		cachedVersion = (
			JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}
		).version;
	} catch {
		cachedVersion = '0.0.0';
	}
	return cachedVersion;
}

export function createSession(options: SessionOptions): Session<PhaseServices> {
	type S = PhaseServices;
	const profile = options.replay
		? replayProfile(options.profile, options.replay, options.exchangeUrl)
		: options.profile;
	// A bad `sut` section or an empty --sut is the user's mistake: one line, exit 2, before anything starts.
	const sutSpec = resolveSutSpec(profile.sut, {
		...(options.sut !== undefined ? {commandFlag: options.sut} : {}),
		profileLimits: profile.limits,
		where: `profile ${profile.name}: sut`,
	});
	// On testnet/mainnet the SUT goes through the local gateway with its own key (runtime/sut-venue.ts).
	let sutKey: SutKey | null = null;
	if (sutSpec && profile.environment !== 'mock') {
		guardSutLive(profile, options.allowLive ?? false);
		sutKey = sutKeyFromEnv(sutSpec, profile);
	}
	const profilePath = options.profilePath ?? resolveProfilePath(profile.name).file;
	guardLive({
		profile,
		allowLive: options.allowLive ?? false,
		...(options.exchangeUrl !== undefined ? {exchangeUrl: options.exchangeUrl} : {}),
	});
	const engine = createEngine<S, Profile>(
		engineOptionsFor<S>(profile, {
			reportDir: options.reportDir ?? 'reports',
			mask: text => processMasker.mask(text),
			version: drydockVersion(),
			profilePath,
			...(options.rememberRuns !== false ? {rerunFallback: () => recallFailedPhases(profilePath)} : {}),
		}),
	);
	// After each run: report.html beside report.json, and the run remembered in the user's config.
	const remembering = new Set<Promise<void>>();
	engine.onEvent(event => {
		if (event.type !== 'run-finished') return;
		const pending: Promise<void> = engine
			.whenIdle()
			.then(async outcome => {
				if (!outcome?.reportDir) return;
				if (options.htmlReport !== false && outcome.report) {
					try {
						const {writeHtmlReport} = await import('../report/html/index.js');
						await writeHtmlReport(path.join(outcome.reportDir, 'report.html'), outcome.report, {
							journal: path.join(outcome.reportDir, 'events.ndjson'),
						});
					} catch (error) {
						engine.notice('warn', `report.html not written: ${error instanceof Error ? error.message : String(error)}`);
					}
				}
				if (options.rememberRuns !== false)
					await rememberRun({
						profile: profile.name,
						profilePath,
						plan: outcome.report?.plan.name ?? 'custom',
						reportPath: path.join(outcome.reportDir, 'report.json'),
						exitCode: outcome.exitCode,
						at: new Date().toISOString(),
					});
			})
			.catch(() => {})
			.finally(() => remembering.delete(pending));
		remembering.add(pending);
	});
	const monitor = createMonitor({
		emit: event => engine.emit(event),
		limits: engine.options.limits,
		// Start-up (loading ccxt blocks the loop for ~1 s) and idle time are not anomalies.
		armed: () => engine.running,
		...(options.watchPid !== undefined ? {watchPid: options.watchPid} : {}),
		...(options.monitorIntervalMs !== undefined ? {intervalMs: options.monitorIntervalMs} : {}),
	});
	monitor.start();
	// A promise some library or phase forgot to await must not take the whole run down: it becomes an
	// error in the log (with its kind) and the run goes on to write its report. (ccxt rejects some at
	// high order rates.) An uncaught *exception* is fatal instead: see the crash path in engine/shutdown.ts.
	const onUnhandled = (reason: unknown) => {
		const kind =
			typeof (reason as {kind?: unknown})?.kind === 'string'
				? `unhandled ${(reason as {kind: string}).kind}`
				: 'unhandled-rejection';
		engine.emit({
			type: 'error',
			at: Date.now(),
			phase: engine.store.run?.currentPhase ?? null,
			error: {kind, message: processMasker.mask(reason instanceof Error ? reason.message : String(reason))},
		});
		if (process.env.DRYDOCK_DEBUG && reason instanceof Error)
			process.stderr.write(`${processMasker.mask(reason.stack ?? '')}\n`);
	};
	process.on('unhandledRejection', onUnhandled);
	const readOutputs = async () => {
		let text = JSON.stringify(engine.getSnapshot());
		const dir = engine.store.run?.reportDir;
		if (dir) text += await readFile(path.join(dir, 'events.ndjson'), 'utf8').catch(() => '');
		return text;
	};
	const timeline = options.chaos ?? (profile.chaos ? normalizeTimeline(profile.chaos) : []);
	const orderFates = timeline.length > 0 ? new OrderFateObserver() : undefined;
	let startBuild!: () => void;
	const gate = new Promise<void>(resolve => (startBuild = resolve));
	let sut: SutSession | null = null;
	let stopMarketWatch = () => {};
	let stopReplayFollow = () => {};
	const build = () =>
		buildRuntime({
			profile,
			...(options.exchangeUrl !== undefined ? {exchangeUrl: options.exchangeUrl} : {}),
			...(options.replay ? {replay: options.replay} : {}),
			allowLive: options.allowLive ?? false,
			readOutputs,
			...(options.preflight !== undefined ? {preflight: options.preflight} : {}),
			...(options.onEndpoints ? {onEndpoints: options.onEndpoints} : {}),
			...(orderFates ? {orderFates} : {}),
		}).then(async runtime => {
			stopMarketWatch();
			if (runtime.endpoints.admin)
				stopMarketWatch = watchMarket({adminUrl: runtime.endpoints.admin, emit: event => engine.emit(event)});
			stopReplayFollow();
			if (options.replay && runtime.endpoints.admin)
				stopReplayFollow = followReplay(runtime.endpoints.admin, e => engine.emit(e));
			if (!sutSpec) return runtime;
			try {
				sut = await attachSut(runtime, sutSpec, profile, engine, timeline, sutKey);
			} catch (error) {
				await runtime.close?.();
				throw error;
			}
			return runtime;
		});
	let ready = gate.then(build);
	// Registered before anyone can start a run on `ready`, so the runner sees the soak start.
	let chaos: ChaosRunner | null = null;
	const attachChaos = (ready: Promise<BuiltRuntime<S>>) => {
		if (timeline.length === 0) return;
		ready.then(
			runtime => {
				chaos = new ChaosRunner({
					host: {
						onEvent: listener => engine.onEvent(listener),
						emit: event => engine.emit(event),
						addPhaseFinalizer: finalizer => engine.addPhaseFinalizer(finalizer),
						soakStartedAt: () => engine.store.soakStartedAt,
						...(sut ? {soakClock: () => sut?.whenReady() ?? null} : {}),
						carriedOver: () => engine.store.chaos,
						addFaultLifter: lift => engine.addFaultLifter(lift),
					},
					timeline,
					// On a real venue the SUT's chaos goes to its gateway (5xx, 429, resets, drops of its connections).
					faults:
						sut?.observed === 'gateway'
							? createGatewayFaultInjector(sut.adminUrl, runtime.services.faults)
							: runtime.services.faults,
					exchange: runtime.exchange,
					fates: orderFates ?? null,
					symbol: (profile.symbols[0] ?? 'BTC/USDT').replace('/', ''),
					createWatcher: onEvent =>
						new StreamWatcher(runtime.exchange, {
							onEvent,
							onNotice: (_stream, text) => engine.notice('warn', text),
							clockOffsetMs: () => runtime.services.clock.offsetMs,
						}),
				});
			},
			() => {},
		);
	};
	attachChaos(ready);
	engine.provide(ready);
	ready.catch(() => {});
	if (!options.deferRuntime) startBuild();
	let closed = false;
	let failed = false;
	ready.catch(() => (failed = true));
	return {
		engine,
		monitor,
		get ready() {
			return ready;
		},
		build: () => startBuild(),
		get sut() {
			return sut;
		},
		retry() {
			if (closed || !failed) return ready;
			failed = false;
			chaos?.close();
			chaos = null;
			ready = build();
			ready.catch(() => (failed = true));
			attachChaos(ready);
			engine.provide(ready);
			return ready;
		},
		settled: async () => {
			await Promise.all([...remembering]);
		},
		async close() {
			startBuild();
			if (closed) return;
			closed = true;
			stopMarketWatch();
			stopReplayFollow();
			await monitor.stop();
			chaos?.close();
			await engine.close();
			const runtime = await ready.catch(() => null);
			// Before the runtime: its open orders are read on the mock, which closes with the runtime.
			await sut?.close();
			await runtime?.close?.().catch(() => {});
		},
	};
}

/**
 * Puts the SUT's controller in the runtime: the soak finds it in the services; the kill switch also
 * cancels the SUT's orders and a forced reconnect also drops its connections.
 */
async function attachSut(
	runtime: BuiltRuntime<PhaseServices>,
	spec: SutSpec,
	profile: Profile,
	engine: Engine<PhaseServices, Profile>,
	timeline: readonly ChaosEntry[],
	key: SutKey | null,
): Promise<SutSession> {
	let sut: SutSession;
	if (key) {
		const gateway = await startSutGateway(profile, key);
		// After the SUT (session.close stops it first): its last activity is read from the gateway.
		const closeRuntime = runtime.close?.bind(runtime);
		runtime.close = async () => {
			await gateway.close();
			await closeRuntime?.();
		};
		sut = new SutSession({spec, profile, engine, adminUrl: gateway.admin, gateway: gateway.access, timeline});
	} else {
		const adminUrl = runtime.endpoints.admin;
		if (!adminUrl)
			throw new UsageError(
				`--sut: ${runtime.endpoints.rest} has no drydock admin API (the system under test needs the mock's per-client accounts)`,
			);
		sut = new SutSession({spec, profile, engine, adminUrl, timeline});
	}
	runtime.services.sut = sut;
	const hooks = runtime.hooks ?? {};
	const cancel = hooks.cancelAllOrders?.bind(hooks);
	const reconnect = hooks.forceReconnect?.bind(hooks);
	runtime.hooks = {
		...hooks,
		async cancelAllOrders() {
			const [ours, theirs] = await Promise.all([cancel ? cancel() : Promise.resolve(0), sut.cancelOrders()]);
			return ours + theirs;
		},
		async forceReconnect() {
			const [ours, theirs] = await Promise.all([reconnect?.(), sut.dropConnections()]);
			return (typeof ours === 'number' ? ours : 0) + theirs;
		},
	};
	return sut;
}
