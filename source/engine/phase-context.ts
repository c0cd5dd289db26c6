/**
 * Builds the PhaseContext a phase runs with: checks, metrics, errors and streams become engine events;
 * `call` wraps every exchange call in the circuit breaker and the retry policy.
 */
import type {CheckInput, CheckResult} from './checks.js';
import type {CallOptions, ErrorInput, PhaseContext} from './phase-definition.js';
import type {PhaseId} from './phase-ids.js';
import type {EngineEvent} from './events.js';
import {BreakerOpenError, type CircuitBreaker} from './breaker.js';
import {backoffDelay, isAbortError, sleep, AbortError, type RetryPolicy} from './retry.js';
import type {LatencyRecorder} from './latency.js';

export interface ContextDeps<S, P> {
	runId: string;
	phase: PhaseId;
	profile: P;
	services: S;
	signal: AbortSignal;
	soakDurationMs: number;
	now: () => number;
	emit: (event: EngineEvent) => void;
	mask: (text: string) => string;
	breaker: CircuitBreaker;
	retry: RetryPolicy;
	requestTimeoutMs: number;
	/** Latency of every exchange call made through ctx.call. */
	callLatency: LatencyRecorder;
	killSwitchEngaged: () => boolean;
	nextFaultIndex: () => number;
	/** Whether an injected fault is active, or was at any moment since `since` (epoch ms, as `now`): the store's view; absent → never. */
	faultActive?: (since?: number) => boolean;
	random?: () => number;
}

/** The error's machine kind: ExchangeError-style `kind`, else its name. */
export function errorKind(error: unknown): string {
	if (error && typeof error === 'object') {
		const kind = (error as {kind?: unknown}).kind;
		if (typeof kind === 'string' && kind !== '') return kind;
		const name = (error as {name?: unknown}).name;
		if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
	}
	return 'error';
}

export function errorMessage(error: unknown): string {
	if (error instanceof Error) return error.message;
	return String(error);
}

export function createPhaseContext<S, P>(deps: ContextDeps<S, P>): PhaseContext<S, P> {
	const {phase, emit, mask, now} = deps;
	const maskOpt = (text: string | undefined) => (text === undefined ? undefined : mask(text));

	const ctx: PhaseContext<S, P> = {
		runId: deps.runId,
		phase,
		profile: deps.profile,
		services: deps.services,
		signal: deps.signal,
		soakDurationMs: deps.soakDurationMs,
		now,
		sleep: ms => sleep(ms, deps.signal),
		check(input: CheckInput): CheckResult {
			const measured =
				input.measured === undefined
					? null
					: typeof input.measured === 'string'
						? mask(input.measured)
						: input.measured;
			const result: CheckResult = {
				id: input.id,
				title: mask(input.title),
				verdict: input.verdict,
				measured,
				threshold: input.threshold === undefined || input.threshold === null ? null : mask(input.threshold),
				...(input.unit !== undefined ? {unit: input.unit} : {}),
				// Bounded: a reason listing thousands of orders must not bloat snapshots and reports.
				...(input.reason !== undefined ? {reason: clip(maskOpt(input.reason)!, 2000)} : {}),
				at: now(),
			};
			emit({type: 'check', at: result.at, phase, check: result});
			return result;
		},
		async call<T>(label: string, fn: (signal: AbortSignal) => Promise<T>, options: CallOptions = {}): Promise<T> {
			const useBreaker = options.breaker !== false;
			const attempts = options.retry === false ? 1 : Math.max(1, deps.retry.attempts);
			const timeoutMs = options.timeoutMs ?? deps.requestTimeoutMs;
			const isTransient = options.isTransient ?? (() => true);
			for (let attempt = 1; ; attempt++) {
				if (deps.signal.aborted) throw new AbortError(`${label}: aborted`);
				if (useBreaker && !deps.breaker.tryAcquire()) throw new BreakerOpenError(deps.breaker.view().retryAt);
				const controller = new AbortController();
				const onAbort = () => controller.abort(deps.signal.reason);
				deps.signal.addEventListener('abort', onAbort, {once: true});
				const timer = setTimeout(() => controller.abort(new TimeoutError(label, timeoutMs)), timeoutMs);
				const started = performance.now();
				try {
					const result = await raceAbort(fn(controller.signal), controller.signal);
					deps.callLatency.record(performance.now() - started);
					if (useBreaker) deps.breaker.success();
					return result;
				} catch (rawError) {
					const error =
						controller.signal.aborted && !deps.signal.aborted && controller.signal.reason instanceof TimeoutError
							? controller.signal.reason
							: rawError;
					if (deps.signal.aborted || (isAbortError(error) && !(error instanceof TimeoutError))) {
						if (useBreaker) deps.breaker.release();
						throw error;
					}
					const transient = isTransient(error);
					if (!transient) {
						// Expected by the caller (e.g. an order that must be rejected): neither a breaker failure nor an error.
						if (useBreaker) deps.breaker.success();
						throw error;
					}
					if (useBreaker) deps.breaker.failure();
					const last = attempt >= attempts;
					// Every failed attempt is logged (grouped, so retries show up as a count).
					// Errors of our own (a TimeoutError) already name the call: prefix it once.
					const text = errorMessage(error);
					emit({
						type: 'error',
						at: now(),
						phase,
						error: {kind: errorKind(error), message: mask(text.startsWith(`${label}:`) ? text : `${label}: ${text}`)},
					});
					if (last) throw error;
					await sleep(backoffDelay(attempt - 1, deps.retry, deps.random), deps.signal);
				} finally {
					clearTimeout(timer);
					deps.signal.removeEventListener('abort', onAbort);
				}
			}
		},
		operation(sample) {
			const error = sample.error ? {...sample.error, message: mask(sample.error.message)} : undefined;
			emit({type: 'operation', at: now(), phase, sample: error ? {...sample, error} : sample});
		},
		order(event, count = 1) {
			emit({type: 'order', at: now(), phase, event, count});
		},
		position(event, count = 1) {
			emit({type: 'position', at: now(), phase, event, count});
		},
		riskRejection(reason) {
			emit({type: 'risk-rejection', at: now(), phase, reason: mask(reason)});
		},
		error(input: ErrorInput) {
			emit({type: 'error', at: now(), phase, error: {...input, message: mask(input.message)}});
		},
		stream(update) {
			if (update.type === 'message' && update.raw !== undefined)
				emit({type: 'stream', at: update.receivedAt, update: {...update, raw: mask(update.raw)}});
			else emit({type: 'stream', at: now(), update});
		},
		fault(kind, detail) {
			const index = deps.nextFaultIndex();
			const at = now();
			emit({type: 'fault', at, index, mark: {at, kind, detail: mask(detail)}});
			let done = false;
			return (recoveredAt?: number) => {
				if (done) return;
				done = true;
				emit({type: 'fault-recovered', at: now(), index, recoveredAt: recoveredAt ?? now()});
			};
		},
		log(level, text) {
			emit({type: 'notice', at: now(), level, text: mask(`[${phase}] ${text}`)});
		},
		killSwitchEngaged: deps.killSwitchEngaged,
		breakerState: () => deps.breaker.state,
		faultActive: withinMs => deps.faultActive?.(withinMs === undefined ? undefined : now() - withinMs) ?? false,
	};
	return ctx;
}

function clip(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export class TimeoutError extends Error {
	override readonly name = 'TimeoutError';
	readonly kind = 'timeout';
	constructor(label: string, ms: number) {
		super(`${label}: no answer within ${ms} ms`);
	}
}

/** Settles with the promise, or rejects as soon as the signal aborts (a call that ignores its signal can't hang a phase). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) {
		promise.catch(() => {});
		return Promise.reject(signal.reason instanceof Error ? signal.reason : new AbortError());
	}
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => {
			promise.catch(() => {});
			reject(signal.reason instanceof Error ? signal.reason : new AbortError());
		};
		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(
			value => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error instanceof Error ? error : new Error(String(error)));
			},
		);
	});
}
