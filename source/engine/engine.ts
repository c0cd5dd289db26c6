/**
 * The engine: owns the store, the circuit breaker, the kill switch and the run. Phases run in plan
 * order, each with its own PhaseContext and AbortSignal; a phase that throws becomes a failed
 * `phase-error` check. Front ends read snapshots and dispatch commands (EngineHandle); the composition
 * root provides phases, services and hooks (possibly later than construction, so the console can paint
 * before ccxt loads).
 */
import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import {randomBytes} from 'node:crypto';
import {setMaxListeners} from 'node:events';
import {derivePhaseStatus, phaseIds} from './types.js';
import type {CheckInput, EngineCommand, EngineHandle, EngineSnapshot, PhaseDefinition, PhaseId, PlanSpec, ProfileView, ResourceLimits, KillSwitchView} from './types.js';
import type {EngineEvent, ResumeSeed} from './events.js';
import {EngineStore} from './store.js';
import {CircuitBreaker} from './breaker.js';
import {AbortError, isAbortError, type RetryPolicy} from './retry.js';
import {LatencyRecorder} from './latency.js';
import {createPhaseContext, errorMessage} from './context.js';
import {rerunStatuses, QUICK_SOAK_MS} from './plans.js';
import type {GradeRules} from './grade.js';
import {buildReport} from '../report/build.js';
import type {Report} from '../report/model.js';
import {toJUnit} from '../report/junit.js';
import {Journal} from '../report/journal.js';
import {toJson, writeFileAtomic, writeFileAtomicSync} from '../report/json.js';
import {detectLeak} from '../monitor/slope.js';
import {withTimeout} from '../util/with-timeout.js';

/** What the composition root plugs in: hooks act on the exchange the engine never sees. */
export interface EngineHooks {
	/** Cancels every open order drydock placed (kill switch, interruption, end of run); resolves to how many. */
	cancelAllOrders?(): Promise<number>;
	/** Drops every stream connection now. */
	forceReconnect?(): Promise<void> | void;
	/** Makes real calls fail (e.g. a 5xx burst on the mock) so the breaker opens on its own; absent → trip it directly. */
	breakerTest?(): Promise<void> | void;
	/** A cheap call (e.g. ping) used to probe a half-open breaker while no phase runs. */
	probe?(signal: AbortSignal): Promise<void>;
}

export interface EngineRuntime<S, P> {
	phases: readonly PhaseDefinition<S, P>[];
	services: S;
	hooks?: EngineHooks;
	/** Releases services (closes connections, stops an embedded mock). */
	close?(): Promise<void>;
}

export interface EngineOptions<S, P> {
	profile: P;
	profileView: ProfileView;
	limits: ResourceLimits & {errorsPerHour?: number};
	breaker: {failureThreshold: number; openMs: number; halfOpenProbes: number};
	retry: RetryPolicy;
	requestTimeoutMs: number;
	gradeRules?: GradeRules;
	streamSilenceMs?: number;
	/** Soak warm-up before the leak detector starts counting. */
	warmupMs?: number;
	/** Base folder for reports/<run-id>/; null writes nothing. Default `reports`. */
	reportDir?: string | null;
	/** Every string leaving the process goes through this. */
	mask?: (text: string) => string;
	runtime?: EngineRuntime<S, P> | Promise<EngineRuntime<S, P>>;
	publishIntervalMs?: number;
	checkpointEveryMs?: number;
	version?: string;
	/** How long the operator's breaker test may last before its mark is recovered whatever the breaker's state (default 120 s). */
	breakerTestMaxMs?: number;
	/** Where `rerun-failed` looks when this process has no failed phase yet (e.g. the last report remembered for the profile). */
	rerunFallback?: () => Promise<{phases: PhaseId[]; soakDurationMs: number; reportPath?: string} | null>;
	now?: () => number;
	random?: () => number;
}

export interface RunOutcome {
	runId: string;
	exitCode: number;
	interruptedBy: string | null;
	report: Report | null;
	reportDir: string | null;
}

type Listener = (event: EngineEvent) => void;

/** Runs when a phase's own work is done, before its status is derived: adds checks (e.g. the chaos verdicts to the soak). */
export type PhaseFinalizer = (check: (input: CheckInput) => void, phase: PhaseId) => void | Promise<void>;

export interface StartOptions {
	/** Continue an interrupted run: its counters, histograms and finished phases are carried over. */
	resume?: ResumeSeed;
	/** The phases actually run (default: the plan's); the plan is what the report describes. */
	runPhases?: readonly PhaseId[];
	/** Soak duration for this segment (default: the plan's). */
	soakDurationMs?: number;
}

const PHASE_ABORT_GRACE_MS = 10_000;
/** The operator's breaker test excuses failures at most this long after the last press. */
const BREAKER_TEST_MAX_MS = 120_000;
/** Lifting injected faults before the kill switch's cancels may hold them this long at most. */
const FAULT_LIFT_TIMEOUT_MS = 5_000;

interface BreakerWatch {
	transitions: number;
	deadline: number;
	marks: ((recoveredAt?: number) => void)[];
}

/** 70 for a crash (an uncaught exception), as `drydock: internal error` — distinct from failed checks (1) and signals. */
const interruptExitCodes: Record<string, number> = {SIGINT: 130, SIGTERM: 143, SIGHUP: 143, stop: 130, quit: 130, crash: 70};

export class Engine<S, P> implements EngineHandle {
	readonly store: EngineStore;
	readonly breaker: CircuitBreaker;
	readonly callLatency = new LatencyRecorder();
	private runtime: EngineRuntime<S, P> | null = null;
	private runtimePromise: Promise<EngineRuntime<S, P>> | null = null;
	private runtimeError: Error | null = null;
	private listeners = new Set<Listener>();
	private current: {
		runId: string;
		plan: PlanSpec;
		controller: AbortController;
		phaseController: AbortController | null;
		done: Promise<RunOutcome>;
		interruptedBy: string | null;
		dir: string | null;
		journal: Journal | null;
		lastCheckpoint: number;
	} | null = null;
	private lastOutcome: RunOutcome | null = null;
	private faultCounter = 0;
	private killSwitch: KillSwitchView = {engaged: false, since: null, ordersCancelled: 0};
	private housekeeping: NodeJS.Timeout;
	private ordersCancelledOnExit: number | null = null;
	private readonly mask: (text: string) => string;
	private readonly now: () => number;
	/** The operator's breaker test being watched, with the marks of every press it will recover. */
	private breakerWatch: BreakerWatch | null = null;
	private finalizers: PhaseFinalizer[] = [];
	private faultLifters = new Set<() => Promise<void> | void>();
	private refusedBy: string | null = null;

	constructor(readonly options: EngineOptions<S, P>) {
		this.now = options.now ?? Date.now;
		this.mask = options.mask ?? (t => t);
		this.store = new EngineStore({
			profile: options.profileView,
			limits: options.limits,
			...(options.gradeRules ? {gradeRules: options.gradeRules} : {}),
			...(options.streamSilenceMs !== undefined ? {streamSilenceMs: options.streamSilenceMs} : {}),
			...(options.publishIntervalMs !== undefined ? {publishIntervalMs: options.publishIntervalMs} : {}),
			now: this.now,
			mask: this.mask,
		});
		this.breaker = new CircuitBreaker({
			...options.breaker,
			now: this.now,
			onTransition: view => this.emit({type: 'breaker', at: this.now(), view}),
		});
		if (options.runtime) this.provide(options.runtime);
		// Refreshes time-driven state (breaker open → half-open, checkpoints) once a second.
		this.housekeeping = setInterval(() => this.tick(), 1000);
		this.housekeeping.unref();
		this.store.ensureTimer();
	}

	// --- EngineHandle -----------------------------------------------------------------------------

	getSnapshot = (): EngineSnapshot => this.store.getSnapshot();
	subscribe = (listener: () => void): (() => void) => this.store.subscribe(listener);

	dispatch = (command: EngineCommand): void => {
		void this.execute(command).catch(error => this.notice('error', `${command.type}: ${errorMessage(error)}`));
	};

	// --- wiring -----------------------------------------------------------------------------------

	/** Hands the engine its phases, services and hooks (now or when the promise resolves). */
	provide(runtime: EngineRuntime<S, P> | Promise<EngineRuntime<S, P>>): void {
		const promise = Promise.resolve(runtime);
		this.runtimePromise = promise;
		this.runtime = null;
		this.runtimeError = null;
		promise.then(
			value => {
				if (this.runtimePromise !== promise) return;
				this.runtime = value;
				for (const phase of value.phases) this.store.setPhaseTitle(phase.id, phase.title);
				this.store.publish();
			},
			(error: unknown) => {
				if (this.runtimePromise !== promise) return;
				this.runtimeError = error instanceof Error ? error : new Error(String(error));
				this.notice('error', `setup failed: ${this.runtimeError.message}`);
			},
		);
	}

	/** Adds checks at the end of every phase (the finalizer decides which phases it cares about). */
	addPhaseFinalizer(finalizer: PhaseFinalizer): () => void {
		this.finalizers.push(finalizer);
		return () => {
			this.finalizers = this.finalizers.filter(f => f !== finalizer);
		};
	}

	/**
	 * Registers what lifts faults drydock injected (e.g. the chaos runner's): the kill switch — the
	 * operator's `k` and the crash path — runs every lifter before it cancels open orders.
	 */
	addFaultLifter(lift: () => Promise<void> | void): () => void {
		this.faultLifters.add(lift);
		return () => this.faultLifters.delete(lift);
	}

	/** Every event, as it happens (the journal and the headless reporter listen here). */
	onEvent(listener: Listener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	emit(event: EngineEvent): void {
		this.store.apply(event);
		this.current?.journal && event.type !== 'stream' && event.type !== 'resource' && this.current.journal.append(event);
		for (const listener of this.listeners) {
			try {
				listener(event);
			} catch {
				// A listener's bug must not stop the run.
			}
		}
	}

	notice(level: 'info' | 'warn' | 'error', text: string): void {
		this.emit({type: 'notice', at: this.now(), level, text});
	}

	get running(): boolean {
		return this.current !== null;
	}

	get lastRun(): RunOutcome | null {
		return this.lastOutcome;
	}

	/** Resolves when the current run (if any) has finished and its report is written. */
	async whenIdle(): Promise<RunOutcome | null> {
		return this.current ? this.current.done : this.lastOutcome;
	}

	// --- commands ---------------------------------------------------------------------------------

	async execute(command: EngineCommand): Promise<void> {
		switch (command.type) {
			case 'start':
				this.startIfIdle(command.plan);
				return;
			case 'stop':
				if (this.current) await this.interrupt('stop');
				return;
			case 'rerun-failed': {
				const failed = phaseIds.filter(id => (rerunStatuses as readonly string[]).includes(this.store.phaseState(id).status));
				if (failed.length === 0 && !this.store.run && this.options.rerunFallback) {
					const remembered = await this.options.rerunFallback().catch(() => null);
					if (remembered && remembered.phases.length > 0) {
						this.notice('info', `rerunning the failed phases of ${remembered.reportPath ?? 'the last run'}: ${remembered.phases.join(', ')}`);
						this.startIfIdle({name: 'rerun', phases: remembered.phases, soakDurationMs: remembered.soakDurationMs});
						return;
					}
				}
				if (failed.length === 0) {
					this.notice('info', 'nothing to rerun: no phase failed');
					return;
				}
				this.startIfIdle({name: 'rerun', phases: failed, soakDurationMs: this.lastPlan()?.soakDurationMs ?? QUICK_SOAK_MS});
				return;
			}
			case 'run-phase':
				this.startIfIdle({name: 'phase', phases: [command.phase], soakDurationMs: this.lastPlan()?.soakDurationMs ?? QUICK_SOAK_MS});
				return;
			case 'force-reconnect': {
				const hook = (await this.readyRuntime())?.hooks?.forceReconnect;
				if (!hook) return this.notice('warn', 'force reconnect: not available for this exchange');
				const recovered = this.markFault('force-reconnect', 'every stream connection dropped by the operator');
				// A hook that throws must not leave the mark open (it would excuse every later failure of the phase).
				try {
					await hook();
				} finally {
					recovered();
				}
				this.notice('info', 'force reconnect: every stream dropped; watch them recover');
				return;
			}
			case 'trip-breaker':
				await this.breakerTest();
				return;
			case 'kill-switch':
				await this.toggleKillSwitch();
				return;
		}
	}

	private lastPlan(): PlanSpec | null {
		return this.store.run?.plan ?? null;
	}

	private startIfIdle(plan: PlanSpec): void {
		if (this.current) {
			this.notice('warn', 'a run is already active: stop it first');
			return;
		}
		void this.start(plan);
	}

	private async readyRuntime(): Promise<EngineRuntime<S, P> | null> {
		if (this.runtime) return this.runtime;
		if (!this.runtimePromise) return null;
		try {
			return await this.runtimePromise;
		} catch {
			return null;
		}
	}

	private markFault(kind: string, detail: string): (recoveredAt?: number) => void {
		const index = ++this.faultCounter;
		const at = this.now();
		this.emit({type: 'fault', at, index, mark: {at, kind, detail}});
		return recoveredAt => this.emit({type: 'fault-recovered', at: this.now(), index, recoveredAt: recoveredAt ?? this.now()});
	}

	private async breakerTest(): Promise<void> {
		const runtime = await this.readyRuntime();
		const recovered = this.markFault('breaker-test', 'circuit breaker test started by the operator');
		try {
			if (runtime?.hooks?.breakerTest) await runtime.hooks.breakerTest();
			else this.breaker.trip();
		} catch (error) {
			// Nothing was injected: this press's mark ends now (an earlier press still being watched keeps its own).
			recovered();
			throw error;
		}
		this.notice('info', 'breaker test: failures injected; watch it open, half-open and close');
		// Every press is watched by one loop; a press while it runs restarts its clock and baseline.
		const watch = this.breakerWatch;
		const baseline = {transitions: this.breaker.view().transitions, deadline: this.now() + (this.options.breakerTestMaxMs ?? BREAKER_TEST_MAX_MS)};
		if (watch) {
			watch.marks.push(recovered);
			Object.assign(watch, baseline);
			return;
		}
		const state = {...baseline, marks: [recovered]};
		this.breakerWatch = state;
		void this.watchBreakerTest(state, runtime?.hooks?.probe);
	}

	/**
	 * Ends the operator's breaker test: once the breaker has opened and closed again, or at the deadline
	 * whatever its state, every pending press's mark is recovered. While no phase makes calls it probes
	 * (when a probe hook exists) so the breaker can half-open and close on its own.
	 */
	private async watchBreakerTest(state: BreakerWatch, probe: EngineHooks['probe']): Promise<void> {
		try {
			while (this.now() < state.deadline) {
				await new Promise(resolve => setTimeout(resolve, 100).unref());
				if (probe && !this.current && this.breaker.tryAcquire()) {
					try {
						await probe(AbortSignal.timeout(this.options.requestTimeoutMs));
						this.breaker.success();
					} catch {
						this.breaker.failure();
					}
				}
				// Closed two or more transitions after the press: it opened (closed → open → half-open → closed).
				if (this.breaker.state === 'closed' && this.breaker.view().transitions >= state.transitions + 2) break;
			}
		} finally {
			this.breakerWatch = null;
			const at = this.now();
			for (const recovered of state.marks.splice(0)) recovered(at);
		}
	}

	private async toggleKillSwitch(): Promise<void> {
		if (this.killSwitch.engaged) {
			this.killSwitch = {...this.killSwitch, engaged: false, since: null};
			this.emit({type: 'kill-switch', at: this.now(), view: this.killSwitch});
			this.notice('info', 'kill switch released: new orders allowed');
			return;
		}
		this.killSwitch = {engaged: true, since: this.now(), ordersCancelled: this.killSwitch.ordersCancelled};
		this.emit({type: 'kill-switch', at: this.now(), view: this.killSwitch});
		this.notice('warn', 'kill switch engaged: cancelling every open order, new orders blocked');
		await this.liftInjectedFaults();
		const cancel = (await this.readyRuntime())?.hooks?.cancelAllOrders;
		if (cancel) {
			const n = await cancel();
			this.killSwitch = {...this.killSwitch, ordersCancelled: this.killSwitch.ordersCancelled + n};
			this.emit({type: 'kill-switch', at: this.now(), view: this.killSwitch});
		}
	}

	/** Runs every fault lifter (bounded): drydock's own faults (5xx, resets, timeouts) must not fail the kill switch's cancels. */
	private async liftInjectedFaults(): Promise<void> {
		await Promise.all(
			[...this.faultLifters].map(lift =>
				withTimeout(Promise.resolve().then(lift), FAULT_LIFT_TIMEOUT_MS, 'lifting injected faults').catch(error => this.notice('warn', `kill switch: injected faults not lifted: ${errorMessage(error)}`)),
			),
		);
	}

	// --- running ----------------------------------------------------------------------------------

	/** Why runs are refused (shutdown requested while none ran); null while they may start. */
	get runsRefusedBy(): string | null {
		return this.refusedBy;
	}

	/** From now on start() refuses (resolves as interrupted by `reason`, without running): the process is shutting down. */
	refuseRuns(reason: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'stop' | 'quit' | 'crash'): void {
		this.refusedBy ??= reason;
	}

	/** Starts a run; resolves with its outcome once the report is written. */
	start(plan: PlanSpec, startOptions: StartOptions = {}): Promise<RunOutcome> {
		if (this.current) return Promise.reject(new Error('a run is already active'));
		const runId = makeRunId(plan, this.now());
		if (this.refusedBy !== null) {
			// Shutdown was requested while nothing ran (e.g. Ctrl-C while a resume cancelled leftover orders): a run started now would outlive it.
			this.notice('warn', `run not started: shutting down (${this.refusedBy})`);
			return Promise.resolve({runId, exitCode: interruptExitCodes[this.refusedBy] ?? 130, interruptedBy: this.refusedBy, report: null, reportDir: null});
		}
		const controller = new AbortController();
		let resolveDone!: (outcome: RunOutcome) => void;
		const done = new Promise<RunOutcome>(resolve => (resolveDone = resolve));
		this.current = {runId, plan, controller, phaseController: null, done, interruptedBy: null, dir: null, journal: null, lastCheckpoint: this.now()};
		this.ordersCancelledOnExit = null;
		void this.runPlan(runId, plan, startOptions).then(resolveDone, (error: unknown) => {
			// The runner itself failing is a bug, but it still ends the run with a report.
			this.notice('error', `engine: ${errorMessage(error)}`);
			resolveDone({runId, exitCode: 1, interruptedBy: null, report: null, reportDir: this.current?.dir ?? null});
		});
		return done;
	}

	private async runPlan(runId: string, plan: PlanSpec, startOptions: StartOptions): Promise<RunOutcome> {
		const current = this.current!;
		const base = this.options.reportDir === undefined ? 'reports' : this.options.reportDir;
		if (base !== null) {
			current.dir = path.resolve(base, runId);
			await mkdir(current.dir, {recursive: true});
			current.journal = new Journal(path.join(current.dir, 'events.ndjson'), this.mask);
		}
		this.emit({type: 'run-started', at: this.now(), runId, plan, reportDir: current.dir});
		if (startOptions.resume) this.emit({type: 'resume', at: this.now(), seed: startOptions.resume});
		const segment: PlanSpec = {...plan, phases: startOptions.runPhases ?? plan.phases, soakDurationMs: startOptions.soakDurationMs ?? plan.soakDurationMs};
		if (!this.runtime && this.runtimePromise) this.notice('info', 'connecting to the exchange (loading the client, starting the mock)…');
		const runtime = await this.readyRuntime();
		if (!runtime) {
			const reason = this.runtimeError?.message ?? 'no phases were provided';
			for (const id of segment.phases) this.failPhase(id, 'setup', reason);
		} else {
			for (const id of segment.phases) {
				if (current.controller.signal.aborted) break;
				await this.runPhase(runtime, id, segment);
			}
		}
		return this.finish();
	}

	private failPhase(id: PhaseId, checkId: string, reason: string): void {
		const at = this.now();
		this.emit({type: 'phase-started', at, phase: id});
		this.emit({type: 'check', at, phase: id, check: {id: checkId, title: 'Phase could not run', verdict: 'fail', measured: null, threshold: null, reason: this.mask(reason), at}});
		this.emit({type: 'phase-finished', at, phase: id, status: 'fail', reason: this.mask(reason)});
	}

	private async runPhase(runtime: EngineRuntime<S, P>, id: PhaseId, plan: PlanSpec): Promise<void> {
		const current = this.current!;
		const definition = runtime.phases.find(p => p.id === id);
		const phaseController = new AbortController();
		current.phaseController = phaseController;
		const signal = AbortSignal.any([current.controller.signal, phaseController.signal]);
		// Every concurrent ctx.call listens on the phase signal; dozens at once are expected.
		setMaxListeners(1000, signal);
		this.emit({type: 'phase-started', at: this.now(), phase: id});
		this.updateRemaining();
		if (!definition) {
			const at = this.now();
			this.emit({type: 'check', at, phase: id, check: {id: 'implemented', title: 'Phase implemented', verdict: 'skipped', measured: null, threshold: null, reason: 'this build has no implementation of the phase', at}});
			this.emit({type: 'phase-finished', at, phase: id, status: 'skipped'});
			return;
		}
		const ctx = createPhaseContext<S, P>({
			runId: current.runId,
			phase: id,
			profile: this.options.profile,
			services: runtime.services,
			signal,
			soakDurationMs: plan.phases.includes('soak') ? plan.soakDurationMs : 0,
			now: this.now,
			emit: event => this.emit(event),
			mask: this.mask,
			breaker: this.breaker,
			retry: this.options.retry,
			requestTimeoutMs: this.options.requestTimeoutMs,
			callLatency: this.callLatency,
			killSwitchEngaged: () => this.killSwitch.engaged,
			nextFaultIndex: () => ++this.faultCounter,
			faultActive: since => this.store.faultActive(since),
			...(this.options.random ? {random: this.options.random} : {}),
		});
		let reason: string | undefined;
		let interrupted = false;
		let stopGrace: (() => void) | undefined;
		try {
			// A phase that ignores its signal can't hold shutdown hostage: 10 s after an abort it is left behind.
			const grace = new Promise<never>((_, reject) => {
				const onAbort = () => {
					const timer = setTimeout(() => reject(new AbortError(`${id} did not stop within ${PHASE_ABORT_GRACE_MS / 1000} s of being aborted`)), PHASE_ABORT_GRACE_MS);
					timer.unref();
					stopGrace = () => clearTimeout(timer);
				};
				if (signal.aborted) onAbort();
				else signal.addEventListener('abort', onAbort, {once: true});
				stopGrace = () => signal.removeEventListener('abort', onAbort);
			});
			grace.catch(() => {});
			await Promise.race([definition.run(ctx), grace]);
		} catch (error) {
			if (signal.aborted && (isAbortError(error) || current.controller.signal.aborted)) {
				ctx.check({id: 'interrupted', title: 'Phase completed', verdict: 'skipped', reason: `interrupted (${current.interruptedBy ?? 'stopped'})`});
				reason = `interrupted (${current.interruptedBy ?? 'stopped'})`;
				interrupted = true;
			} else {
				reason = errorMessage(error);
				ctx.check({id: 'phase-error', title: 'Phase ran to completion', verdict: 'fail', measured: null, reason});
				this.emit({type: 'error', at: this.now(), phase: id, error: {kind: 'phase-crash', message: this.mask(`${id}: ${reason}`)}});
			}
		}
		stopGrace?.();
		for (const finalizer of this.finalizers) {
			try {
				await finalizer(input => void ctx.check(input), id);
			} catch (error) {
				this.notice('warn', `${id}: finalizer failed: ${errorMessage(error)}`);
			}
		}
		if (id === 'soak') this.addSoakCriteria(ctx.check.bind(ctx));
		current.phaseController = null;
		let status = this.store.deriveStatus(id);
		// An interrupted phase proved nothing: it can't pass, whatever its checks said so far.
		if (interrupted && (status === 'pass' || status === 'warn')) status = 'skipped';
		this.emit({type: 'phase-finished', at: this.now(), phase: id, status, ...(reason !== undefined ? {reason} : {})});
	}

	/** The soak's success criteria that only the engine can measure: critical errors, errors/hour, CPU, memory slope. */
	private addSoakCriteria(check: (input: CheckInput) => void): void {
		const existing = new Set(this.store.phaseState('soak').checks.map(c => c.id));
		const add = (input: CheckInput) => {
			if (!existing.has(input.id)) check(input);
		};
		const stats = this.store.soakStats;
		add({id: 'critical-errors', title: 'No critical errors', verdict: this.store.errors.critical === 0 ? 'pass' : 'fail', measured: this.store.errors.critical, threshold: '= 0'});
		const soakStart = this.store.soakStartedAt ?? this.now();
		const hours = Math.max((this.now() - soakStart) / 3_600_000, 5 / 60);
		// Errors drydock caused on purpose (chaos timeline, operator tests) are judged by their own checks (recovery budgets).
		const expected = stats.expectedErrors;
		const perHour = Math.max(0, stats.errors - expected) / hours;
		const limit = this.options.limits.errorsPerHour;
		const faultsName = this.store.chaos.size > 0 ? 'chaos faults' : 'injected faults';
		if (limit !== undefined) add({id: 'errors-per-hour', title: expected > 0 ? `Errors per hour under the limit (${expected} during ${faultsName} not counted)` : 'Errors per hour under the limit', verdict: perHour <= limit ? 'pass' : 'fail', measured: Math.round(perHour * 100) / 100, threshold: `≤ ${limit}`, unit: '/h'});
		const self = this.store.resources.self;
		if (self.cpuCount === 0) add({id: 'cpu-average', title: 'Average CPU under the limit', verdict: 'skipped', measured: null, threshold: `≤ ${this.options.limits.cpuPercent}%`, reason: 'no resource samples (monitor not running)'});
		else {
			const avg = self.cpuSum / self.cpuCount;
			add({id: 'cpu-average', title: 'Average CPU under the limit', verdict: avg <= this.options.limits.cpuPercent ? 'pass' : 'fail', measured: Math.round(avg * 10) / 10, threshold: `≤ ${this.options.limits.cpuPercent}`, unit: '%'});
		}
		const leak = this.rssLeak();
		add({
			id: 'memory-slope',
			title: 'Memory stable (RSS slope after warm-up)',
			verdict: leak.slopePerHour === null ? 'skipped' : leak.leaking ? (leak.conclusive ? 'fail' : 'warn') : 'pass',
			measured: leak.slopePerHour === null ? null : Math.round(leak.slopePerHour * 100) / 100,
			threshold: `≤ ${this.options.limits.rssSlopeMbPerHour}`,
			unit: 'MB/h',
			...(leak.slopePerHour === null || leak.leaking ? {reason: leak.reason} : {}),
		});
		const grade = this.store.currentGrade();
		const excluded = stats.failedDuringFaults;
		const noGrade = stats.operations > 0 ? `all ${stats.operations} soak operations failed under injected faults: nothing left to grade` : 'no soak operation completed';
		add({id: 'grade', title: excluded > 0 ? `Performance grade (${excluded} failed operations under injected faults not graded)` : 'Performance grade', verdict: grade === null ? 'no-data' : grade === 'C' ? 'warn' : 'pass', measured: grade, threshold: 'A+ / A / B', ...(grade === null ? {reason: noGrade} : grade === 'C' ? {reason: 'below grade B (success rate or average latency)'} : {})});
	}

	rssLeak(): ReturnType<typeof detectLeak> {
		const start = this.store.soakStartedAt ?? this.store.run?.startedAt ?? this.now();
		return detectLeak(this.store.resources.self.slopeSeries.toArray(), {warmupUntil: start + (this.options.warmupMs ?? 60_000), limitMbPerHour: this.options.limits.rssSlopeMbPerHour});
	}

	private updateRemaining(): void {
		const run = this.store.run;
		if (!run) return;
		// Only the soak's length is known in advance; other phases take what they take.
		if (!run.plan.phases.includes('soak')) {
			this.store.remainingMs = null;
			return;
		}
		const soakPending = this.store.soakEndedAt === null;
		this.store.remainingMs = !soakPending ? 0 : this.store.soakStartedAt === null ? run.plan.soakDurationMs : Math.max(0, run.plan.soakDurationMs - (this.now() - this.store.soakStartedAt));
	}

	private tick(): void {
		const view = this.breaker.view();
		if (view.state !== this.store.breaker.state) this.emit({type: 'breaker', at: this.now(), view});
		if (this.current) {
			this.updateRemaining();
			const every = this.options.checkpointEveryMs ?? 30_000;
			if (this.now() - this.current.lastCheckpoint >= every) {
				this.current.lastCheckpoint = this.now();
				void this.checkpoint();
			}
		}
	}

	/** Writes report.json marked as a checkpoint (atomic). */
	async checkpoint(): Promise<void> {
		const current = this.current;
		if (!current?.dir || !this.store.run) return;
		try {
			const report = this.makeReport(true, null);
			await writeFileAtomic(path.join(current.dir, 'report.json'), toJson(report));
		} catch (error) {
			this.notice('warn', `checkpoint not written: ${errorMessage(error)}`);
		}
	}

	private makeReport(checkpoint: boolean, exitCode: number | null): Report {
		return buildReport(this.store, {
			version: this.options.version ?? '0.0.0',
			interruptedBy: this.current?.interruptedBy ?? null,
			checkpoint,
			exitCode,
			callLatency: this.callLatency,
			ordersCancelledOnExit: this.ordersCancelledOnExit,
			rssSlopeMbPerHour: this.rssLeak().slopePerHour,
			mask: this.mask,
		});
	}

	/** Exit code for the finished run: interrupted → 130/143; a failed (or no-data) phase → 1; else 0. */
	private exitCodeFor(interruptedBy: string | null, plan: PlanSpec): number {
		if (interruptedBy) return interruptExitCodes[interruptedBy] ?? 130;
		const bad = plan.phases.some(id => {
			const status = this.store.phaseState(id).status;
			return status === 'fail' || status === 'no-data' || status === 'pending' || status === 'running';
		});
		return bad ? 1 : 0;
	}

	private async finish(): Promise<RunOutcome> {
		const current = this.current!;
		// Nothing orphaned: cancel whatever is still open on the way out.
		const cancel = this.runtime?.hooks?.cancelAllOrders;
		if (cancel) {
			try {
				this.ordersCancelledOnExit = await withTimeout(cancel(), 10_000);
			} catch (error) {
				this.notice('error', `cancelling open orders failed: ${errorMessage(error)}`);
			}
		}
		// Phases the plan never reached (interrupted) are marked skipped so the report is complete.
		for (const id of current.plan.phases) {
			const status = this.store.phaseState(id).status;
			if (status === 'pending' && current.interruptedBy) {
				const at = this.now();
				this.emit({type: 'check', at, phase: id, check: {id: 'not-run', title: 'Phase ran', verdict: 'skipped', measured: null, threshold: null, reason: `run interrupted (${current.interruptedBy}) before this phase`, at}});
				this.emit({type: 'phase-finished', at, phase: id, status: 'skipped', reason: 'not run: interrupted'});
			}
		}
		const exitCode = this.exitCodeFor(current.interruptedBy, current.plan);
		this.emit({type: 'run-finished', at: this.now(), state: current.interruptedBy ? 'interrupted' : 'finished', exitCode});
		let report: Report | null = null;
		try {
			report = this.makeReport(false, exitCode);
			if (current.dir) {
				await writeFileAtomic(path.join(current.dir, 'report.json'), toJson(report));
				await writeFileAtomic(path.join(current.dir, 'junit.xml'), toJUnit(report, this.mask));
			}
		} catch (error) {
			this.notice('error', `report not written: ${errorMessage(error)}`);
		}
		await current.journal?.close().catch(() => {});
		const outcome: RunOutcome = {runId: current.runId, exitCode, interruptedBy: current.interruptedBy, report, reportDir: current.dir};
		this.lastOutcome = outcome;
		this.current = null;
		this.store.publish();
		return outcome;
	}

	/** Stops the run: no new operations, phases aborted, open orders cancelled, report marked interrupted. */
	async interrupt(by: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'stop' | 'quit' | 'crash'): Promise<RunOutcome | null> {
		const current = this.current;
		if (!current) return this.lastOutcome;
		if (!current.interruptedBy) {
			current.interruptedBy = by;
			if (this.store.run) this.store.run.state = 'stopping';
			this.notice('warn', `interrupted by ${by}: stopping, cancelling open orders, writing the report`);
			current.controller.abort(new Error(`interrupted by ${by}`));
		}
		return current.done;
	}

	/** The forced path (second Ctrl-C): writes what it can synchronously. */
	writeEmergencyReport(): string | null {
		const current = this.current;
		if (!current?.dir || !this.store.run) return null;
		try {
			const file = path.join(current.dir, 'report.json');
			const report = this.makeReport(false, interruptExitCodes[current.interruptedBy ?? 'SIGINT'] ?? 130);
			writeFileAtomicSync(file, toJson({...report, interrupted: true, interrupted_by: current.interruptedBy ?? 'SIGINT', success: false}));
			return file;
		} catch {
			return null;
		}
	}

	async close(): Promise<void> {
		clearInterval(this.housekeeping);
		// A breaker test still watched stops probing a runtime about to close (its marks are recovered).
		if (this.breakerWatch) this.breakerWatch.deadline = 0;
		this.store.close();
		if (this.runtime?.close) await this.runtime.close().catch(() => {});
	}
}

function makeRunId(plan: PlanSpec, at: number): string {
	const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
	return `${stamp}-${plan.name}-${randomBytes(2).toString('hex')}`;
}

export function createEngine<S, P>(options: EngineOptions<S, P>): Engine<S, P> {
	return new Engine(options);
}

export {derivePhaseStatus};
