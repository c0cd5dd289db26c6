/** Retry with exponential backoff and full jitter (delay uniformly in [0, min(max, base·2^attempt))). */

export interface RetryPolicy {
	/** Total attempts including the first (≥ 1). */
	attempts: number;
	baseMs: number;
	maxMs: number;
}

/** Delay before retry number `retry` (0 = the first retry). `random` returns [0, 1). */
export function backoffDelay(
	retry: number,
	policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
	random: () => number = Math.random,
): number {
	const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(retry, 30));
	return Math.floor(random() * ceiling);
}

export class AbortError extends Error {
	override readonly name = 'AbortError';
	constructor(message = 'aborted') {
		super(message);
	}
}

export function isAbortError(error: unknown): boolean {
	return error instanceof Error && (error.name === 'AbortError' || (error as {code?: unknown}).code === 'ABORT_ERR');
}

/** Resolves after ms, or rejects with AbortError when the signal aborts. Timers are unref'd. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(new AbortError());
			return;
		}
		const timer = setTimeout(
			() => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			},
			Math.max(0, ms),
		);
		const onAbort = () => {
			clearTimeout(timer);
			reject(new AbortError());
		};
		signal?.addEventListener('abort', onAbort, {once: true});
	});
}

export interface RetryOptions extends RetryPolicy {
	signal?: AbortSignal;
	/** Whether this error deserves another attempt. */
	shouldRetry?: (error: unknown, attempt: number) => boolean;
	onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
	random?: () => number;
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
	const attempts = Math.max(1, Math.floor(options.attempts));
	for (let attempt = 1; ; attempt++) {
		try {
			return await fn(attempt);
		} catch (error) {
			if (options.signal?.aborted || isAbortError(error)) throw error;
			if (attempt >= attempts || (options.shouldRetry && !options.shouldRetry(error, attempt))) throw error;
			const delay = backoffDelay(attempt - 1, options, options.random);
			options.onRetry?.(error, attempt, delay);
			await sleep(delay, options.signal);
		}
	}
}
