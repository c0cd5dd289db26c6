/**
 * Whether the session's runtime (venue, client, phases) is being built, ready, or failed — and the
 * way to build it again. The engine snapshot does not carry it, so the composition root feeds this
 * small store from the session and the console reads it like a snapshot (useSyncExternalStore).
 */
export type RuntimeState = 'building' | 'ready' | 'failed';

export interface RuntimeStatus {
	state: RuntimeState;
	/** The whole reason the runtime failed (e.g. the venue is unreachable), when it did. */
	error: string | null;
}

export interface RuntimeStatusSource {
	get: () => RuntimeStatus;
	subscribe: (listener: () => void) => () => void;
	/** Builds the runtime again (the console's `R`). */
	retry: () => void;
}

export interface RuntimeStatusStore extends RuntimeStatusSource {
	set: (status: RuntimeStatus) => void;
}

export const readyRuntime: RuntimeStatus = {state: 'ready', error: null};

/** A store for the composition root: `set` on each build's outcome, `retry` calls back into the session. */
export function createRuntimeStatus(
	retry: () => void,
	initial: RuntimeStatus = {state: 'building', error: null},
): RuntimeStatusStore {
	let status = initial;
	const listeners = new Set<() => void>();
	return {
		get: () => status,
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		set(next) {
			if (next.state === status.state && next.error === status.error) return;
			status = next;
			for (const listener of [...listeners]) listener();
		},
		retry,
	};
}

/** Follows a session's build attempts into the store: building → ready, or failed with the reason. */
export function followRuntime(store: RuntimeStatusStore, ready: Promise<unknown>): void {
	store.set({state: 'building', error: null});
	ready.then(
		() => store.set(readyRuntime),
		(error: unknown) => store.set({state: 'failed', error: error instanceof Error ? error.message : String(error)}),
	);
}
