/**
 * Runs one phase of a plan: its own PhaseContext and AbortSignal, a grace period after an abort, the
 * finalizers that add checks when its work is done, and its status derived from its checks. A phase that
 * throws becomes a failed `phase-error` check; one the run was stopped in proves nothing and is `interrupted`.
 */
import {setMaxListeners} from 'node:events';
import type {CheckInput, PhaseStatus} from './checks.js';
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import type {EngineEvent} from './events.js';
import type {CircuitBreaker} from './breaker.js';
import type {LatencyRecorder} from './latency.js';
import {AbortError, isAbortError, type RetryPolicy} from './retry.js';
import {createPhaseContext, errorMessage} from './phase-context.js';
import type {EngineRuntime} from './engine-runtime.js';

/** Runs when a phase's own work is done, before its status is derived: adds checks (e.g. the chaos verdicts to the soak). */
export type PhaseFinalizer = (check: (input: CheckInput) => void, phase: PhaseId) => void | Promise<void>;

const PHASE_ABORT_GRACE_MS = 10_000;

export interface PhaseRunnerDeps<P> {
	profile: P;
	now: () => number;
	emit: (event: EngineEvent) => void;
	notice: (level: 'info' | 'warn' | 'error', text: string) => void;
	mask: (text: string) => string;
	breaker: CircuitBreaker;
	retry: RetryPolicy;
	requestTimeoutMs: number;
	callLatency: LatencyRecorder;
	random?: () => number;
	killSwitchEngaged: () => boolean;
	nextFaultIndex: () => number;
	faultActive: (since?: number) => boolean;
	/** The phase's status from its checks so far. */
	deriveStatus: (id: PhaseId) => PhaseStatus;
	/** Told right after a phase starts (the engine refreshes its remaining-time hint). */
	phaseStarted: () => void;
	/** The checks the engine adds to the soak after its finalizers (soak criteria). */
	addSoakCriteria: (check: (input: CheckInput) => void) => void;
}

/** The run a phase belongs to. */
export interface PhaseRunScope {
	runId: string;
	signal: AbortSignal;
	interruptedBy: () => string | null;
	/** The phase's own controller while it runs (null after): cancels this phase only. */
	setPhaseController: (controller: AbortController | null) => void;
}

export class PhaseRunner<S, P> {
	private finalizers: PhaseFinalizer[] = [];

	constructor(private readonly deps: PhaseRunnerDeps<P>) {}

	/** Adds checks at the end of every phase (the finalizer decides which phases it cares about). */
	addFinalizer(finalizer: PhaseFinalizer): () => void {
		this.finalizers.push(finalizer);
		return () => {
			this.finalizers = this.finalizers.filter(f => f !== finalizer);
		};
	}

	async run(runtime: EngineRuntime<S, P>, id: PhaseId, plan: PlanSpec, scope: PhaseRunScope): Promise<void> {
		const {deps} = this;
		const definition = runtime.phases.find(p => p.id === id);
		const phaseController = new AbortController();
		scope.setPhaseController(phaseController);
		const signal = AbortSignal.any([scope.signal, phaseController.signal]);
		// Every concurrent ctx.call listens on the phase signal; dozens at once are expected.
		setMaxListeners(1000, signal);
		deps.emit({type: 'phase-started', at: deps.now(), phase: id});
		deps.phaseStarted();
		if (!definition) {
			const at = deps.now();
			deps.emit({
				type: 'check',
				at,
				phase: id,
				check: {
					id: 'implemented',
					title: 'Phase implemented',
					verdict: 'skipped',
					measured: null,
					threshold: null,
					reason: 'this build has no implementation of the phase',
					at,
				},
			});
			deps.emit({type: 'phase-finished', at, phase: id, status: 'skipped'});
			return;
		}
		const ctx = createPhaseContext<S, P>({
			runId: scope.runId,
			phase: id,
			profile: deps.profile,
			services: runtime.services,
			signal,
			soakDurationMs: plan.phases.includes('soak') ? plan.soakDurationMs : 0,
			now: deps.now,
			emit: deps.emit,
			mask: deps.mask,
			breaker: deps.breaker,
			retry: deps.retry,
			requestTimeoutMs: deps.requestTimeoutMs,
			callLatency: deps.callLatency,
			killSwitchEngaged: deps.killSwitchEngaged,
			nextFaultIndex: deps.nextFaultIndex,
			faultActive: deps.faultActive,
			...(deps.random ? {random: deps.random} : {}),
		});
		let reason: string | undefined;
		let interrupted = false;
		let stopGrace: (() => void) | undefined;
		try {
			// A phase that ignores its signal can't hold shutdown hostage: 10 s after an abort it is left behind.
			const grace = new Promise<never>((_, reject) => {
				const onAbort = () => {
					const timer = setTimeout(
						() => reject(new AbortError(`${id} did not stop within ${PHASE_ABORT_GRACE_MS / 1000} s of being aborted`)),
						PHASE_ABORT_GRACE_MS,
					);
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
			if (signal.aborted && (isAbortError(error) || scope.signal.aborted)) {
				ctx.check({
					id: 'interrupted',
					title: 'Phase completed',
					verdict: 'skipped',
					reason: `interrupted (${scope.interruptedBy() ?? 'stopped'})`,
				});
				reason = `interrupted (${scope.interruptedBy() ?? 'stopped'})`;
				interrupted = true;
			} else {
				reason = errorMessage(error);
				ctx.check({id: 'phase-error', title: 'Phase ran to completion', verdict: 'fail', measured: null, reason});
				deps.emit({
					type: 'error',
					at: deps.now(),
					phase: id,
					error: {kind: 'phase-crash', message: deps.mask(`${id}: ${reason}`)},
				});
			}
		}
		stopGrace?.();
		for (const finalizer of this.finalizers) {
			try {
				await finalizer(input => void ctx.check(input), id);
			} catch (error) {
				deps.notice('warn', `${id}: finalizer failed: ${errorMessage(error)}`);
			}
		}
		if (id === 'soak') deps.addSoakCriteria(ctx.check.bind(ctx));
		scope.setPhaseController(null);
		let status = deps.deriveStatus(id);
		// A run stopped while this phase ran (whether the phase threw or wound down quietly and returned):
		// it proved nothing, so it is `interrupted` — one verdict for every stop path, never a pass.
		const stoppedBy = scope.interruptedBy() ?? (scope.signal.aborted ? 'stopped' : null);
		if (interrupted || stoppedBy !== null) {
			if (!interrupted)
				ctx.check({
					id: 'interrupted',
					title: 'Phase completed',
					verdict: 'skipped',
					reason: `interrupted (${stoppedBy ?? 'stopped'})`,
				});
			const failed = deps.deriveStatus(id) === 'fail' ? '; a check had failed before the stop' : '';
			reason = `interrupted (${stoppedBy ?? 'stopped'})${failed}`;
			status = 'interrupted';
		}
		deps.emit({type: 'phase-finished', at: deps.now(), phase: id, status, ...(reason !== undefined ? {reason} : {})});
	}

	/** A phase never run because an earlier failure stopped the plan (its reason is said once, on the phase that failed). */
	notRun(id: PhaseId, reason: string): void {
		const {emit, now} = this.deps;
		const at = now();
		emit({
			type: 'check',
			at,
			phase: id,
			check: {id: 'not-run', title: 'Phase ran', verdict: 'skipped', measured: null, threshold: null, reason, at},
		});
		emit({type: 'phase-finished', at, phase: id, status: 'skipped', reason});
	}

	/** A phase that could not run at all (no runtime): one failed check, and the phase fails. */
	fail(id: PhaseId, checkId: string, reason: string): void {
		const {emit, mask, now} = this.deps;
		const at = now();
		emit({type: 'phase-started', at, phase: id});
		emit({
			type: 'check',
			at,
			phase: id,
			check: {
				id: checkId,
				title: 'Phase could not run',
				verdict: 'fail',
				measured: null,
				threshold: null,
				reason: mask(reason),
				at,
			},
		});
		emit({type: 'phase-finished', at, phase: id, status: 'fail', reason: mask(reason)});
	}
}
