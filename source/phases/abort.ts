/**
 * Helpers that keep every wait in a phase abortable within the engine's ~1 s budget: ccxt's watch*
 * promises and some REST calls cannot be cancelled, so the phase stops waiting on them instead.
 */

export class TimeoutError extends Error {
	override readonly name = 'TimeoutError';
}

/** Resolves or rejects with `promise`, rejects when `signal` aborts, or with TimeoutError after `timeoutMs`. */
export function within<T>(
	promise: Promise<T>,
	signal: AbortSignal,
	timeoutMs?: number,
	what = 'operation',
): Promise<T> {
	signal.throwIfAborted();
	return new Promise<T>((resolve, reject) => {
		let timer: NodeJS.Timeout | undefined;
		const onAbort = () => {
			cleanup();
			reject(signal.reason instanceof Error ? signal.reason : abortError());
		};
		const cleanup = () => {
			if (timer) clearTimeout(timer);
			signal.removeEventListener('abort', onAbort);
		};
		signal.addEventListener('abort', onAbort, {once: true});
		if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
			timer = setTimeout(() => {
				cleanup();
				reject(new TimeoutError(`${what} took longer than ${Math.round(timeoutMs)} ms`));
			}, timeoutMs);
		}
		promise.then(
			value => {
				cleanup();
				resolve(value);
			},
			(error: unknown) => {
				cleanup();
				reject(error instanceof Error ? error : new Error(String(error)));
			},
		);
	});
}

export function abortError(): Error {
	const error = new Error('aborted');
	error.name = 'AbortError';
	return error;
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
	if (signal?.aborted) return true;
	return error instanceof Error && error.name === 'AbortError';
}

/** A sleep that never rejects: returns false when aborted (for loops that must run their cleanup). */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) return Promise.resolve(false);
	return new Promise(resolve => {
		const timer = setTimeout(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(true);
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			resolve(false);
		};
		signal.addEventListener('abort', onAbort, {once: true});
	});
}

export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
