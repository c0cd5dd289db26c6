/**
 * The run-time controller of the user's system under test (`--sut`, the profile's `sut` section).
 *
 * Where its life is bound: to the soak phase. The soak (phases/sut-soak.ts) calls `begin()` once the
 * venue is up and every earlier phase ran, and `finish()` when the soak ends — run out, or aborted by
 * Ctrl-C, `q`, SIGTERM or SIGHUP (they all interrupt the engine, which aborts the phase) — so every way
 * out stops the SUT the same way: its stop signal to its process group, wait, SIGKILL; then its open
 * orders are read through the mock's admin API (never the rate-limited surface). `close()` (the session
 * closing) stops a SUT still running, and the supervisor's exit guard SIGKILLs the group if drydock
 * exits without either (the forced second Ctrl-C).
 *
 * Per soak: an account and listener of its own on the mock, the StatsD intake, the environment (without
 * drydock's own key variables), the supervisor, log capture into the run folder's `sut.log`, the process
 * tree monitor and the venue activity follower. Once a second the SUT's view goes to the engine as a
 * `sut-sample` event (the console's panel, the metrics feed); at the end its report section as `sut-report`.
 */
import path from 'node:path';
import type {EngineEvent} from '../engine/events.js';
import type {ChaosEntry} from '../faults/chaos/schema.js';
import type {SutOperation, SutSoakHost} from '../sut/soak-host.js';
import type {Profile} from '../profiles/schema.js';
import {processMasker} from '../profiles/mask.js';
import {UsageError} from '../util/usage-error.js';
import {
	ActivityFollower,
	LogCapture,
	ProcessTreeMonitor,
	StatsdIntake,
	SutSupervisor,
	VenueOperationsTally,
	VenueView,
	buildSutEnv,
	buildSutView,
	gatherSutFacts,
	isFailedPlacement,
	isPlacement,
	judgeSut,
	reconcileBalances,
	type BalanceFacts,
	type OrphanFacts,
	type SutCheck,
	type SutSpec,
	type VenueClient,
} from '../sut/index.js';
import {buildSutReport, type SutCollectors} from './sut-report-build.js';

/** What the session needs of the engine. */
export interface SutEngine {
	emit(event: EngineEvent): void;
	notice(level: 'info' | 'warn' | 'error', text: string): void;
	readonly store: {
		readonly run: {readonly reportDir: string | null} | null;
		/** A resumed soak's first segment: its chaos clock carries on from there, as the soak's own does. */
		readonly resumedFrom: {readonly soakElapsedMs: number} | null;
		faultActive(since?: number): boolean;
	};
}

/**
 * The local gateway in front of testnet/mainnet (runtime/sut-venue.ts): the SUT's URLs, its own key from
 * the environment, and the one client the gateway attributes its traffic to.
 */
export interface SutGatewayAccess {
	clientId: string;
	port: number;
	rest: string;
	ws: string;
	wsApi: string;
	apiKey: string;
	apiSecret: string;
}

export interface SutSessionOptions {
	spec: SutSpec;
	profile: Profile;
	engine: SutEngine;
	/** The mock's admin base (`http://HOST:PORT/__drydock`), or the gateway's. */
	adminUrl: string;
	/** On a real venue: the gateway (no account is created; orphans and balances as observed through it). */
	gateway?: SutGatewayAccess;
	/** The chaos timeline (drop budgets). */
	timeline?: readonly ChaosEntry[];
	/** Inherited environment (default process.env). */
	baseEnv?: NodeJS.ProcessEnv;
	/** View sampling interval (default 1 s). */
	sampleEveryMs?: number;
	now?: () => number;
}

/** One soak's collectors. */
interface Live extends SutCollectors {
	client: VenueClient;
	initialBalances: Record<string, number>;
	tally: VenueOperationsTally;
	sampler: NodeJS.Timeout | null;
	removeGuard: () => void;
	finished: Promise<SutCheck[]> | null;
}

const DROP_BUDGET_MS = 5_000;
const NO_KEY_BALANCES =
	"on a real venue drydock holds no key of the SUT's: its balances cannot be read to prove them against its fills";

/** A promise with its resolver, for the soak clock's start (see whenReady). */
function gate(): {promise: Promise<number | null>; open: (at: number | null) => void} {
	let open!: (at: number | null) => void;
	const promise = new Promise<number | null>(resolve => (open = resolve));
	return {promise, open};
}

export class SutSession implements SutSoakHost {
	private live: Live | null = null;
	private readonly view: VenueView;
	private readonly now: () => number;
	/** Opened when the SUT of the current soak is ready (or failed to start: null). */
	private ready = gate();
	/** When the current soak's SUT became ready: the chaos timeline counts from here. */
	private readyAt: number | null = null;
	/** The last start failure, as the CLI reports it (exit 2). */
	startFailure: UsageError | null = null;

	constructor(private readonly options: SutSessionOptions) {
		this.view = new VenueView({adminBase: options.adminUrl});
		this.now = options.now ?? Date.now;
	}

	get command(): string {
		return this.options.spec.command;
	}

	/** The venue's admin base: the mock's, or the gateway's (faults, activity, drop). */
	get adminUrl(): string {
		return this.options.adminUrl;
	}

	/** Where the venue-side observations come from. */
	get observed(): 'mock' | 'gateway' {
		return this.options.gateway ? 'gateway' : 'mock';
	}

	/**
	 * When the soak's SUT became ready (null: it never did). The chaos timeline's clock starts here, not
	 * at the soak's start a second or so earlier, so a fault at 5 s means 5 s into the SUT's life.
	 */
	whenReady(): Promise<number | null> {
		return this.ready.promise;
	}

	async begin(onOperation: (operation: SutOperation) => void): Promise<{ok: true} | {ok: false; message: string}> {
		try {
			return await this.start(onOperation);
		} catch (error) {
			// A throw (a StatsD port that cannot bind…) must still open the readiness gate the chaos clock waits on.
			return this.failed(`the SUT did not start: ${error instanceof Error ? error.message : String(error)}`);
		}
	}

	private async start(
		onOperation: (operation: SutOperation) => void,
	): Promise<{ok: true} | {ok: false; message: string}> {
		if (this.live && !this.live.finished) await this.finish(this.now());
		const {spec, profile, engine} = this.options;
		const duringFault = (at: number) => engine.store.faultActive(at);
		const gw = this.options.gateway;
		const initialBalances: Record<string, number> = {};
		let client: VenueClient;
		if (gw) client = {id: gw.clientId, label: 'sut', ...gw};
		else {
			const created = await this.view.createClient({
				label: 'sut',
				...(profile.mock.balances ? {balances: profile.mock.balances} : {}),
			});
			if (!created.ok) return this.failed(`cannot create the SUT's account on the mock: ${created.error.message}`);
			client = created.value;
			const account = await this.view.account(client.id);
			if (account.ok) for (const b of account.value.balances) initialBalances[b.asset] = b.free + b.locked;
		}
		processMasker.add(client.apiSecret);
		const tally = new VenueOperationsTally(duringFault);
		const intake = new StatsdIntake({
			metrics: spec.metrics,
			duringFault,
			onOperation: op => {
				const count = Math.max(1, Math.round(op.count));
				for (let i = 0; i < count; i++) onOperation({at: op.at, ok: op.ok, latencyMs: op.latencyMs, source: 'statsd'});
			},
		});
		const statsd = await intake.listen(0);
		const follower = new ActivityFollower(this.view, client.id, {
			duringFault,
			onEvent: event => {
				tally.add(event);
				// The SUT's own StatsD, once it reports, is its operations; the venue's view stands in until then.
				if (intake.reporting || event.type !== 'order' || !isPlacement(event)) return;
				onOperation({
					at: event.at,
					ok: !isFailedPlacement(event),
					latencyMs: event.latencyMs,
					source: 'venue',
					code: event.code,
				});
			},
		});
		const symbols = profile.mock.symbols ?? profile.symbols.map(s => s.replace('/', ''));
		const env = buildSutEnv(
			{
				rest: client.rest,
				ws: client.ws,
				wsApi: client.wsApi,
				apiKey: client.apiKey,
				apiSecret: client.apiSecret,
				symbols,
				statsd: statsd.address,
			},
			spec.env,
			{
				omit: [
					profile.credentials.apiKeyEnv,
					profile.credentials.apiSecretEnv,
					'DRYDOCK_MOCK_API_KEY',
					'DRYDOCK_MOCK_API_SECRET',
				],
				...(this.options.baseEnv ? {base: this.options.baseEnv} : {}),
			},
		);
		const supervisor = new SutSupervisor({
			command: spec.command,
			cwd: spec.cwd,
			env,
			ready: spec.ready,
			startTimeoutMs: spec.startTimeoutMs,
			stopSignal: spec.stopSignal,
			stopTimeoutMs: spec.stopTimeoutMs,
			restart: spec.restart,
		});
		const dir = engine.store.run?.reportDir ?? null;
		const capture = dir
			? new LogCapture({dir, errorPatterns: spec.errorPatterns, secrets: [client.apiSecret], expected: duringFault})
			: null;
		const tree = new ProcessTreeMonitor();
		supervisor.on(event => {
			if (event.type === 'log') capture?.line(event.stream, event.line, event.at);
			else if (event.type === 'spawned' || event.type === 'ready') tree.setRoot(event.pid);
			else if (event.type === 'exited') {
				tree.setRoot(null);
				// During start-up the start failure says it all.
				if (
					!event.expected &&
					live.startFailure === null &&
					supervisor.startedAt !== null &&
					supervisor.state !== 'starting' &&
					supervisor.state !== 'failed'
				)
					engine.notice('error', `the SUT exited unexpectedly (${event.signal ?? `code ${event.code}`})`);
			} else if (event.type === 'restarting')
				engine.notice('warn', `restarting the SUT (${event.restart}/${event.max})`);
		});
		const live: Live = {
			client,
			initialBalances,
			intake,
			supervisor,
			capture,
			tree,
			follower,
			tally,
			sampler: null,
			removeGuard: supervisor.installExitGuard(),
			startFailure: null,
			stopResult: null,
			finished: null,
		};
		this.live = live;
		this.startFailure = null;
		const started = await supervisor.start();
		if (!started.ok) {
			live.startFailure = started.failure.message;
			this.startFailure = new UsageError(`--sut: ${started.failure.message}`, 2);
			this.ready.open(null);
			return {ok: false, message: `the SUT did not start: ${started.failure.message}`};
		}
		// On a resume the timeline counts from the first segment's start, so faults already run are not run again.
		this.readyAt = this.now() - (engine.store.resumedFrom?.soakElapsedMs ?? 0);
		this.ready.open(this.readyAt);
		engine.notice('info', `SUT started (pid ${started.pid}, ready after ${Math.round(started.readyAfterMs)} ms)`);
		tree.start();
		follower.start();
		live.sampler = setInterval(() => this.sample(), this.options.sampleEveryMs ?? 1_000);
		live.sampler.unref();
		this.sample();
		return {ok: true};
	}

	/** Stops the SUT (once), reads what it left on the venue, judges it and emits its report section. */
	finish(soakStartedAt: number): Promise<SutCheck[]> {
		const live = this.live;
		if (!live) return Promise.resolve([]);
		live.finished ??= this.finishLive(live, soakStartedAt);
		return live.finished;
	}

	/** The kill switch: the SUT's open orders on the venue are cancelled too. */
	async cancelOrders(): Promise<number> {
		const live = this.live;
		if (!live) return 0;
		if (this.options.gateway) {
			this.options.engine.notice(
				'warn',
				"kill switch: the SUT's orders on the venue are not cancelled (drydock holds no key of the SUT's; its own shutdown, or the venue's web interface, must)",
			);
			return 0;
		}
		const result = await this.view.cancelAll(live.client.id);
		if (!result.ok) {
			this.options.engine.notice('warn', `cancelling the SUT's orders failed: ${result.error.message}`);
			return 0;
		}
		return result.value.canceled;
	}

	/** Force reconnect: the SUT's connections are dropped too, so its resubscription is judged. */
	async dropConnections(): Promise<number> {
		const live = this.live;
		if (!live || live.finished) return 0;
		const open = live.follower.latest?.streams.connectionsOpen ?? 0;
		const result = await this.view.drop(live.client.id);
		if (!result.ok) {
			this.options.engine.notice('warn', `dropping the SUT's connections failed: ${result.error.message}`);
			return 0;
		}
		return open;
	}

	/** The session is closing: a SUT still running is stopped the same way. */
	async close(): Promise<void> {
		const live = this.live;
		if (!live) return;
		if (!live.finished) await this.finish(this.now()).catch(() => []);
		else await live.finished.catch(() => []);
	}

	private failed(message: string): {ok: false; message: string} {
		this.startFailure = new UsageError(`--sut: ${message}`, 2);
		this.ready.open(null);
		return {ok: false, message};
	}

	private sample(): void {
		const live = this.live;
		if (!live) return;
		const view = buildSutView(
			{
				command: this.command,
				supervisor: live.supervisor,
				tree: live.tree,
				follower: live.follower,
				intake: live.intake,
				capture: live.capture,
			},
			this.now(),
		);
		const {sutRssMb, sutCpuPercent} = this.options.spec.limits;
		this.options.engine.emit({
			type: 'sut-sample',
			at: this.now(),
			view: {...view, limits: {rssMb: sutRssMb, cpuPercent: sutCpuPercent}},
		});
	}

	private async finishLive(live: Live, soakStartedAt: number): Promise<SutCheck[]> {
		const {engine, spec, profile} = this.options;
		if (live.sampler) clearInterval(live.sampler);
		live.sampler = null;
		let orphans: OrphanFacts | null = null;
		let balances: BalanceFacts | null = null;
		if (live.startFailure === null) {
			live.stopResult = await live.supervisor.stop();
			live.removeGuard();
			await live.tree.stop();
			// One last poll: what it did up to its exit.
			await live.follower.stop();
			const last = await live.follower.poll();
			if (this.options.gateway) {
				// No key: the open orders are the ones the gateway saw placed and never saw close — as of this last
				// poll only: an older snapshot could miss orders placed just before the stop.
				const latest = last.ok ? live.follower.latest : null;
				orphans = latest
					? {
							openOrders: latest.orders.open,
							clientOrderIds: (latest.gateway?.openOrders ?? []).map(o => o.clientOrderId ?? o.orderId),
							observed: 'gateway',
						}
					: {error: `the gateway's activity could not be read: ${live.follower.error?.message ?? 'no answer'}`};
				balances = {unprovable: NO_KEY_BALANCES};
			} else {
				const open = await this.view.openOrders(live.client.id);
				orphans = open.ok
					? {openOrders: open.value.length, clientOrderIds: open.value.map(o => o.clientOrderId ?? String(o.orderId))}
					: {error: open.error.message};
				const account = await this.view.account(live.client.id);
				balances = account.ok
					? reconcileBalances(live.initialBalances, account.value)
					: {unavailable: account.error.message};
			}
		} else live.removeGuard();
		await live.intake.close();
		live.capture?.close();
		const now = this.now();
		const facts = gatherSutFacts({
			spec,
			supervisor: live.supervisor,
			startFailure:
				live.startFailure === null
					? null
					: {kind: 'exited', code: null, signal: null, message: live.startFailure, lastLines: []},
			tree: live.tree,
			warmupUntil: soakStartedAt + profile.soak.warmupMs,
			capture: live.capture,
			follower: live.startFailure === null ? live.follower : null,
			dropBudgetMs: (_id, at) => this.dropBudget(at, soakStartedAt),
			defaultBudgetMs: DROP_BUDGET_MS,
			orphans,
			balances,
			durationMs: now - soakStartedAt,
			now,
		});
		const checks = judgeSut(facts);
		this.sample();
		const report = buildSutReport({
			command: this.command,
			observed: this.observed,
			live,
			facts,
			orphans,
			balances,
			logFile: live.capture ? path.basename(live.capture.path) : null,
			dropBudget: (at: number) => this.dropBudget(at, soakStartedAt),
			now,
		});
		engine.emit({type: 'sut-report', at: now, report});
		// A later soak (a rerun) waits for its own SUT.
		this.ready = gate();
		this.readyAt = null;
		return checks;
	}

	/** A drop's recovery budget: the chaos entry that caused it (started at most 5 s before), else the default. */
	private dropBudget(at: number, soakStartedAt: number): number {
		// The chaos timeline counts from the SUT's readiness (see whenReady).
		const start = this.readyAt ?? soakStartedAt;
		const entry = (this.options.timeline ?? [])
			.filter(
				e =>
					e.fault === 'drop-websockets' &&
					start + e.startMs <= at + 1_000 &&
					at - (start + e.startMs + e.durationMs) <= 5_000,
			)
			.at(-1);
		return entry?.recoveryBudgetMs ?? DROP_BUDGET_MS;
	}
}
