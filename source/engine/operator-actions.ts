/**
 * The operator's tests and levers, apart from the run they act on: the breaker test (and the watch that
 * recovers its fault marks), the kill switch (with the lifters of drydock's own injected faults), force
 * reconnect, and the run's fault-mark numbering.
 */
import type {KillSwitchView} from './snapshot.js';
import type {EngineEvent, OperatorAction} from './events.js';
import type {CircuitBreaker} from './breaker.js';
import type {EngineHooks} from './engine-runtime.js';
import {errorMessage} from './phase-context.js';
import {withTimeout} from '../util/with-timeout.js';

/** The operator's breaker test excuses failures at most this long after the last press. */
const BREAKER_TEST_MAX_MS = 120_000;
/** Lifting injected faults before the kill switch's cancels may hold them this long at most. */
const FAULT_LIFT_TIMEOUT_MS = 5_000;

export interface OperatorDeps {
	now: () => number;
	emit: (event: EngineEvent) => void;
	notice: (level: 'info' | 'warn' | 'error', text: string) => void;
	breaker: CircuitBreaker;
	/** The hooks of the runtime, once it is ready (null when none was provided or its setup failed). */
	hooks: () => Promise<EngineHooks | null>;
	/** True while a run is active (its phases make calls; the breaker watch then does not probe). */
	running: () => boolean;
	requestTimeoutMs: number;
	breakerTestMaxMs?: number;
	/** Whether engaging the kill switch also closes positions when the command does not say (the profile's `killSwitch.flatten`). */
	flattenByDefault?: boolean;
}

interface BreakerWatch {
	transitions: number;
	deadline: number;
	marks: ((recoveredAt?: number) => void)[];
}

export class OperatorActions {
	private faultCounter = 0;
	private killSwitchView: KillSwitchView = {engaged: false, since: null, ordersCancelled: 0};
	/** The operator's breaker test being watched, with the marks of every press it will recover. */
	private breakerWatch: BreakerWatch | null = null;
	private faultLifters = new Set<() => Promise<void> | void>();

	constructor(private readonly deps: OperatorDeps) {}

	get killSwitch(): KillSwitchView {
		return this.killSwitchView;
	}

	/** The next fault-mark index of the process (phases' ctx.fault and the operator's marks share it). */
	nextFaultIndex(): number {
		return ++this.faultCounter;
	}

	/**
	 * Registers what lifts faults drydock injected (e.g. the chaos runner's): the kill switch — the
	 * operator's `k` and the crash path — runs every lifter before it cancels open orders.
	 */
	addFaultLifter(lift: () => Promise<void> | void): () => void {
		this.faultLifters.add(lift);
		return () => this.faultLifters.delete(lift);
	}

	/** Opens a fault mark; the returned function ends it (recovered), or with `withdrawn` removes it (the fault did nothing). */
	markFault(kind: string, detail: string): (recoveredAt?: number, withdrawn?: boolean) => void {
		const {emit, now} = this.deps;
		const index = this.nextFaultIndex();
		const at = now();
		emit({type: 'fault', at, index, mark: {at, kind, detail}});
		return (recoveredAt, withdrawn) =>
			emit({
				type: 'fault-recovered',
				at: now(),
				index,
				recoveredAt: recoveredAt ?? now(),
				...(withdrawn ? {withdrawn: true} : {}),
			});
	}

	/** Records what the operator did: report.json's operator_actions, the HTML charts' marks, the summary. */
	private record(action: OperatorAction): void {
		this.deps.emit({type: 'operator-action', at: this.deps.now(), action});
	}

	async forceReconnect(): Promise<void> {
		const hook = (await this.deps.hooks())?.forceReconnect;
		if (!hook) return this.deps.notice('warn', 'force reconnect: not available for this exchange');
		const recovered = this.markFault('force-reconnect', 'every stream connection dropped by the operator');
		let dropped: number | void = undefined;
		// A hook that throws must not leave the mark open (it would excuse every later failure of the phase).
		try {
			dropped = await hook();
		} finally {
			// No stream was open: nothing was dropped, so nothing is recorded as recovered.
			recovered(undefined, dropped === 0);
		}
		if (dropped === 0) {
			// Nothing was dropped, so nothing can be recovered: say so rather than "every stream dropped".
			this.record({action: 'force-reconnect', detail: 'no stream open to drop', streamsDropped: 0});
			return this.deps.notice('warn', 'force reconnect: no stream open to drop');
		}
		const what =
			typeof dropped === 'number' ? `${dropped} stream${dropped === 1 ? '' : 's'} dropped` : 'every stream dropped';
		this.record({
			action: 'force-reconnect',
			detail: what,
			...(typeof dropped === 'number' ? {streamsDropped: dropped} : {}),
		});
		this.deps.notice('info', `force reconnect: ${what}; watch them recover`);
	}

	async breakerTest(): Promise<void> {
		const {breaker, now} = this.deps;
		const hooks = await this.deps.hooks();
		const recovered = this.markFault('breaker-test', 'circuit breaker test started by the operator');
		try {
			if (hooks?.breakerTest) await hooks.breakerTest();
			else breaker.trip();
		} catch (error) {
			// Nothing was injected: this press's mark ends now (an earlier press still being watched keeps its own).
			recovered();
			throw error;
		}
		this.record({
			action: 'breaker-test',
			detail: hooks?.breakerTest ? 'failures injected so the breaker opens on its own' : 'breaker tripped directly',
		});
		this.deps.notice('info', 'breaker test: failures injected; watch it open, half-open and close');
		// Every press is watched by one loop; a press while it runs restarts its clock and baseline.
		const watch = this.breakerWatch;
		const baseline = {
			transitions: breaker.view().transitions,
			deadline: now() + (this.deps.breakerTestMaxMs ?? BREAKER_TEST_MAX_MS),
		};
		if (watch) {
			watch.marks.push(recovered);
			Object.assign(watch, baseline);
			return;
		}
		const state = {...baseline, marks: [recovered]};
		this.breakerWatch = state;
		void this.watchBreakerTest(state, hooks?.probe);
	}

	/**
	 * Ends the operator's breaker test: once the breaker has opened and closed again, or at the deadline
	 * whatever its state, every pending press's mark is recovered. While no phase makes calls it probes
	 * (when a probe hook exists) so the breaker can half-open and close on its own.
	 */
	private async watchBreakerTest(state: BreakerWatch, probe: EngineHooks['probe']): Promise<void> {
		const {breaker, now} = this.deps;
		try {
			while (now() < state.deadline) {
				await new Promise(resolve => setTimeout(resolve, 100).unref());
				if (probe && !this.deps.running() && breaker.tryAcquire()) {
					try {
						await probe(AbortSignal.timeout(this.deps.requestTimeoutMs));
						breaker.success();
					} catch {
						breaker.failure();
					}
				}
				// Closed two or more transitions after the press: it opened (closed → open → half-open → closed).
				if (breaker.state === 'closed' && breaker.view().transitions >= state.transitions + 2) break;
			}
		} finally {
			this.breakerWatch = null;
			const at = now();
			for (const recovered of state.marks.splice(0)) recovered(at);
		}
	}

	async toggleKillSwitch(options: {flatten?: boolean} = {}): Promise<void> {
		const {emit, now, notice} = this.deps;
		if (this.killSwitchView.engaged) {
			this.killSwitchView = {...this.killSwitchView, engaged: false, since: null};
			emit({type: 'kill-switch', at: now(), view: this.killSwitchView});
			this.record({action: 'kill-switch-released', detail: 'new orders allowed'});
			notice('info', 'kill switch released: new orders allowed');
			return;
		}
		const flatten = options.flatten ?? this.deps.flattenByDefault ?? false;
		this.killSwitchView = {engaged: true, since: now(), ordersCancelled: this.killSwitchView.ordersCancelled};
		emit({type: 'kill-switch', at: now(), view: this.killSwitchView});
		notice(
			'warn',
			`kill switch engaged: cancelling every open order${flatten ? ' and closing positions' : ''}, new orders blocked`,
		);
		await this.liftInjectedFaults();
		const hooks = await this.deps.hooks();
		let cancelled: number | undefined;
		const problems: string[] = [];
		if (hooks?.cancelAllOrders) {
			try {
				cancelled = await hooks.cancelAllOrders();
				this.killSwitchView = {
					...this.killSwitchView,
					ordersCancelled: this.killSwitchView.ordersCancelled + cancelled,
				};
				emit({type: 'kill-switch', at: now(), view: this.killSwitchView});
			} catch (error) {
				problems.push(`cancelling failed: ${errorMessage(error)}`);
			}
		}
		let flattened: {closed: number; detail: string} | undefined;
		if (flatten) {
			if (!hooks?.flattenPositions) problems.push('closing positions is not available for this exchange');
			else {
				try {
					flattened = await hooks.flattenPositions();
				} catch (error) {
					problems.push(`closing positions failed: ${errorMessage(error)}`);
				}
			}
		}
		const detail = [
			cancelled !== undefined
				? `${cancelled} open order${cancelled === 1 ? '' : 's'} cancelled`
				: 'no order cancel available',
			flattened
				? `${flattened.closed} position${flattened.closed === 1 ? '' : 's'} closed (${flattened.detail})`
				: null,
			...problems,
		]
			.filter(Boolean)
			.join('; ');
		this.record({
			action: 'kill-switch-engaged',
			detail,
			...(cancelled !== undefined ? {ordersCancelled: cancelled} : {}),
			...(flattened ? {positionsClosed: flattened.closed} : {}),
		});
		if (problems.length > 0) notice('error', `kill switch: ${problems.join('; ')}`);
		else if (flattened) notice('info', `kill switch: ${detail}`);
	}

	/** Runs every fault lifter (bounded): drydock's own faults (5xx, resets, timeouts) must not fail the kill switch's cancels. */
	private async liftInjectedFaults(): Promise<void> {
		await Promise.all(
			[...this.faultLifters].map(lift =>
				withTimeout(Promise.resolve().then(lift), FAULT_LIFT_TIMEOUT_MS, 'lifting injected faults').catch(error =>
					this.deps.notice('warn', `kill switch: injected faults not lifted: ${errorMessage(error)}`),
				),
			),
		);
	}

	/** A breaker test still watched stops probing a runtime about to close (its marks are recovered). */
	close(): void {
		if (this.breakerWatch) this.breakerWatch.deadline = 0;
	}
}
