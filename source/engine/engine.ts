/**
 * The engine: takes commands and runs the lifecycle of a run (start, interrupt, finish, close). It owns
 * the store, the circuit breaker and the run; the phases run in plan order through the PhaseRunner, the
 * operator's tests and levers live in OperatorActions, the soak's own criteria are a list of providers,
 * and the RunRecorder listens to events and writes the journal, checkpoints and reports. Front ends read
 * snapshots and dispatch commands (EngineHandle); the composition root provides phases, services and
 * hooks (possibly later than construction, so the console can paint before ccxt loads).
 */
import {randomBytes} from 'node:crypto';
import {derivePhaseStatus} from './checks.js';
import {phaseIds} from './phase-ids.js';
import type {EngineCommand, EngineHandle} from './commands.js';
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import type {EngineSnapshot, ProfileView, ResourceLimits} from './snapshot.js';
import type {EngineEvent, ResumeSeed} from './events.js';
import {EngineStore} from './store.js';
import {CircuitBreaker} from './breaker.js';
import type {RetryPolicy} from './retry.js';
import {LatencyRecorder} from './latency.js';
import {errorMessage} from './phase-context.js';
import {rerunStatuses, QUICK_SOAK_MS} from './plans.js';
import {defaultGradeRules, type Grade, type GradeRules} from './grade.js';
import type {EngineRuntime} from './engine-runtime.js';
import {PhaseRunner, type PhaseFinalizer} from './phase-runner.js';
import {OperatorActions} from './operator-actions.js';
import {
	addSoakCriteria,
	defaultSoakTargets,
	engineSoakCriteria,
	type SoakCriteriaProvider,
	type SoakTargets,
} from './soak-criteria.js';
import {RunRecorder} from './run-recorder.js';
import type {Report} from '../report/model.js';
import {detectLeak} from '../monitor/slope.js';
import {withTimeout} from '../util/with-timeout.js';

export type {EngineHooks, EngineRuntime} from './engine-runtime.js';
export type {PhaseFinalizer} from './phase-runner.js';
export type {SoakCriteriaProvider} from './soak-criteria.js';

export interface EngineOptions<S, P> {
	profile: P;
	profileView: ProfileView;
	limits: ResourceLimits & {errorsPerHour?: number};
	breaker: {failureThreshold: number; openMs: number; halfOpenProbes: number};
	retry: RetryPolicy;
	requestTimeoutMs: number;
	gradeRules?: GradeRules;
	/** The soak's pass criteria beside the grade rules: the lowest passing grade (default B) and the peak latency limit (default 500 ms). */
	targets?: {minGrade?: Grade; peakLatencyMs?: number};
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
	/** Whether `k` also closes positions unless the command says (the profile's `killSwitch.flatten`; default false). */
	killSwitchFlatten?: boolean;
	/** The profile file the run is made with: recorded in report.json (profile_path) so `--rerun-failed` reruns under it. */
	profilePath?: string | null;
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

export interface StartOptions {
	/** Continue an interrupted run: its counters, histograms and finished phases are carried over. */
	resume?: ResumeSeed;
	/** The phases actually run (default: the plan's); the plan is what the report describes. */
	runPhases?: readonly PhaseId[];
	/** Soak duration for this segment (default: the plan's). */
	soakDurationMs?: number;
}
/** 70 for a crash (an uncaught exception), as `drydock: internal error` — distinct from failed checks (1) and signals. */
const interruptExitCodes: Record<string, number> = {
	SIGINT: 130,
	SIGTERM: 143,
	SIGHUP: 143,
	stop: 130,
	quit: 130,
	crash: 70,
};

type InterruptReason = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'stop' | 'quit' | 'crash';

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
	} | null = null;
	private lastOutcome: RunOutcome | null = null;
	private housekeeping: NodeJS.Timeout;
	private ordersCancelledOnExit: number | null = null;
	private readonly mask: (text: string) => string;
	private readonly now: () => number;
	private readonly phaseRunner: PhaseRunner<S, P>;
	private readonly operator: OperatorActions;
	private readonly recorder: RunRecorder;
	private soakCriteria: SoakCriteriaProvider[] = [...engineSoakCriteria];
	private refusedBy: string | null = null;
	readonly targets: SoakTargets;

	constructor(readonly options: EngineOptions<S, P>) {
		this.now = options.now ?? Date.now;
		this.targets = {
			minGrade: options.targets?.minGrade ?? defaultSoakTargets.minGrade,
			peakLatencyMs: options.targets?.peakLatencyMs ?? defaultSoakTargets.peakLatencyMs,
			rules: options.gradeRules ?? defaultGradeRules,
		};
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
		const emit = (event: EngineEvent) => this.emit(event);
		const notice = (level: 'info' | 'warn' | 'error', text: string) => this.notice(level, text);
		this.operator = new OperatorActions({
			now: this.now,
			emit,
			notice,
			breaker: this.breaker,
			hooks: async () => (await this.readyRuntime())?.hooks ?? null,
			running: () => this.current !== null,
			requestTimeoutMs: options.requestTimeoutMs,
			...(options.breakerTestMaxMs !== undefined ? {breakerTestMaxMs: options.breakerTestMaxMs} : {}),
			...(options.killSwitchFlatten !== undefined ? {flattenByDefault: options.killSwitchFlatten} : {}),
		});
		this.phaseRunner = new PhaseRunner<S, P>({
			profile: options.profile,
			now: this.now,
			emit,
			notice,
			mask: this.mask,
			breaker: this.breaker,
			retry: options.retry,
			requestTimeoutMs: options.requestTimeoutMs,
			callLatency: this.callLatency,
			...(options.random ? {random: options.random} : {}),
			killSwitchEngaged: () => this.operator.killSwitch.engaged,
			nextFaultIndex: () => this.operator.nextFaultIndex(),
			faultActive: since => this.store.faultActive(since),
			deriveStatus: id => this.store.deriveStatus(id),
			phaseStarted: () => this.updateRemaining(),
			addSoakCriteria: check =>
				addSoakCriteria(
					this.soakCriteria,
					{
						view: this.store.view,
						now: this.now(),
						limits: options.limits,
						targets: this.targets,
						rssLeak: () => this.rssLeak(),
					},
					check,
				),
		});
		this.recorder = new RunRecorder({
			view: this.store.view,
			now: this.now,
			notice,
			mask: this.mask,
			reportDir: options.reportDir === undefined ? 'reports' : options.reportDir,
			checkpointEveryMs: options.checkpointEveryMs ?? 30_000,
			version: options.version ?? '0.0.0',
			callLatency: this.callLatency,
			extras: () => ({
				interruptedBy: this.current?.interruptedBy ?? null,
				ordersCancelledOnExit: this.ordersCancelledOnExit,
				rssSlopeMbPerHour: this.rssLeak().slopePerHour,
				profilePath: options.profilePath ?? null,
			}),
		});
		// The recorder listens first: the journal records each event before any other listener sees it.
		this.onEvent(this.recorder.listener);
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
		return this.phaseRunner.addFinalizer(finalizer);
	}

	/** Adds soak criteria (checks judged when the soak's own work is done, after its finalizers and the engine's own). */
	addSoakCriteria(provider: SoakCriteriaProvider): () => void {
		this.soakCriteria.push(provider);
		return () => {
			this.soakCriteria = this.soakCriteria.filter(p => p !== provider);
		};
	}

	/**
	 * Registers what lifts faults drydock injected (e.g. the chaos runner's): the kill switch — the
	 * operator's `k` and the crash path — runs every lifter before it cancels open orders.
	 */
	addFaultLifter(lift: () => Promise<void> | void): () => void {
		return this.operator.addFaultLifter(lift);
	}

	/** Every event, as it happens (the run recorder and the headless reporter listen here). */
	onEvent(listener: Listener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	emit(event: EngineEvent): void {
		this.store.apply(event);
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
				const failed = phaseIds.filter(id =>
					(rerunStatuses as readonly string[]).includes(this.store.phaseState(id).status),
				);
				if (failed.length === 0 && !this.store.run && this.options.rerunFallback) {
					const remembered = await this.options.rerunFallback().catch(() => null);
					if (remembered && remembered.phases.length > 0) {
						this.notice(
							'info',
							`rerunning the failed phases of ${remembered.reportPath ?? 'the last run'}: ${remembered.phases.join(', ')}`,
						);
						this.startIfIdle({name: 'rerun', phases: remembered.phases, soakDurationMs: remembered.soakDurationMs});
						return;
					}
				}
				if (failed.length === 0) {
					this.notice('info', 'nothing to rerun: no phase failed');
					return;
				}
				this.startIfIdle({
					name: 'rerun',
					phases: failed,
					soakDurationMs: this.lastPlan()?.soakDurationMs ?? QUICK_SOAK_MS,
				});
				return;
			}
			case 'run-phase':
				this.startIfIdle({
					name: 'phase',
					phases: [command.phase],
					soakDurationMs: this.lastPlan()?.soakDurationMs ?? QUICK_SOAK_MS,
				});
				return;
			case 'force-reconnect':
				await this.operator.forceReconnect();
				return;
			case 'trip-breaker':
				await this.operator.breakerTest();
				return;
			case 'kill-switch':
				await this.operator.toggleKillSwitch(command.flatten === undefined ? {} : {flatten: command.flatten});
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

	// --- running ----------------------------------------------------------------------------------

	/** Why runs are refused (shutdown requested while none ran); null while they may start. */
	get runsRefusedBy(): string | null {
		return this.refusedBy;
	}

	/** From now on start() refuses (resolves as interrupted by `reason`, without running): the process is shutting down. */
	refuseRuns(reason: InterruptReason): void {
		this.refusedBy ??= reason;
	}

	/** Starts a run; resolves with its outcome once the report is written. */
	start(plan: PlanSpec, startOptions: StartOptions = {}): Promise<RunOutcome> {
		if (this.current) return Promise.reject(new Error('a run is already active'));
		const runId = makeRunId(plan, this.now());
		if (this.runtimeError !== null) {
			// The exchange could not be set up (e.g. an unreachable venue): one clear notice, not every phase failed in 0 s.
			this.notice('error', `run not started: setup failed: ${this.mask(this.runtimeError.message)}`);
			return Promise.resolve({runId, exitCode: 1, interruptedBy: null, report: null, reportDir: null});
		}
		if (this.refusedBy !== null) {
			// Shutdown was requested while nothing ran (e.g. Ctrl-C while a resume cancelled leftover orders): a run started now would outlive it.
			this.notice('warn', `run not started: shutting down (${this.refusedBy})`);
			return Promise.resolve({
				runId,
				exitCode: interruptExitCodes[this.refusedBy] ?? 130,
				interruptedBy: this.refusedBy,
				report: null,
				reportDir: null,
			});
		}
		const controller = new AbortController();
		let resolveDone!: (outcome: RunOutcome) => void;
		const done = new Promise<RunOutcome>(resolve => (resolveDone = resolve));
		this.current = {runId, plan, controller, phaseController: null, done, interruptedBy: null, dir: null};
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
		current.dir = await this.recorder.prepare(runId);
		this.emit({type: 'run-started', at: this.now(), runId, plan, reportDir: current.dir});
		if (startOptions.resume) this.emit({type: 'resume', at: this.now(), seed: startOptions.resume});
		const segment: PlanSpec = {
			...plan,
			phases: startOptions.runPhases ?? plan.phases,
			soakDurationMs: startOptions.soakDurationMs ?? plan.soakDurationMs,
		};
		if (!this.runtime && this.runtimePromise)
			this.notice('info', 'connecting to the exchange (loading the client, starting the mock)…');
		const runtime = await this.readyRuntime();
		if (!runtime) {
			// Said once: the first phase fails with the reason, the others were never run.
			const reason = this.runtimeError?.message ?? 'no phases were provided';
			const [first, ...rest] = segment.phases;
			if (first) this.phaseRunner.fail(first, 'setup', reason);
			for (const id of rest) this.phaseRunner.notRun(id, 'not run: setup failed');
		} else {
			const scope = {
				runId,
				signal: current.controller.signal,
				interruptedBy: () => current.interruptedBy,
				setPhaseController: (controller: AbortController | null) => void (current.phaseController = controller),
			};
			for (const id of segment.phases) {
				if (current.controller.signal.aborted) break;
				await this.phaseRunner.run(runtime, id, segment, scope);
			}
		}
		return this.finish();
	}

	rssLeak(): ReturnType<typeof detectLeak> {
		const start = this.store.soakStartedAt ?? this.store.run?.startedAt ?? this.now();
		return detectLeak(this.store.resources.self.slopeSeries.toArray(), {
			warmupUntil: start + (this.options.warmupMs ?? 60_000),
			limitMbPerHour: this.options.limits.rssSlopeMbPerHour,
		});
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
		this.store.remainingMs = !soakPending
			? 0
			: this.store.soakStartedAt === null
				? run.plan.soakDurationMs
				: Math.max(0, run.plan.soakDurationMs - (this.now() - this.store.soakStartedAt));
	}

	private tick(): void {
		const view = this.breaker.view();
		if (view.state !== this.store.breaker.state) this.emit({type: 'breaker', at: this.now(), view});
		if (this.current) {
			this.updateRemaining();
			this.recorder.tick();
		}
	}

	/** Writes report.json marked as a checkpoint (atomic). */
	async checkpoint(): Promise<void> {
		if (this.current) await this.recorder.checkpoint();
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
				this.emit({
					type: 'check',
					at,
					phase: id,
					check: {
						id: 'not-run',
						title: 'Phase ran',
						verdict: 'skipped',
						measured: null,
						threshold: null,
						reason: `run interrupted (${current.interruptedBy}) before this phase`,
						at,
					},
				});
				this.emit({type: 'phase-finished', at, phase: id, status: 'skipped', reason: 'not run: interrupted'});
			}
		}
		const exitCode = this.exitCodeFor(current.interruptedBy, current.plan);
		// The recorder writes report.json and junit.xml on this event; finished() waits for them.
		this.emit({
			type: 'run-finished',
			at: this.now(),
			state: current.interruptedBy ? 'interrupted' : 'finished',
			exitCode,
		});
		const report = await this.recorder.finished();
		const outcome: RunOutcome = {
			runId: current.runId,
			exitCode,
			interruptedBy: current.interruptedBy,
			report,
			reportDir: current.dir,
		};
		this.lastOutcome = outcome;
		this.current = null;
		this.store.publish();
		return outcome;
	}

	/** Stops the run: no new operations, phases aborted, open orders cancelled, report marked interrupted. */
	async interrupt(by: InterruptReason): Promise<RunOutcome | null> {
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
		if (!current) return null;
		const by = current.interruptedBy ?? 'SIGINT';
		return this.recorder.writeEmergencyReport(by, interruptExitCodes[by] ?? 130);
	}

	async close(): Promise<void> {
		clearInterval(this.housekeeping);
		this.operator.close();
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
