import {useMemo, useSyncExternalStore} from 'react';

/** What both screens read: the engine and the load runner publish snapshots the same way. */
export interface SnapshotSource<S> {
	subscribe(listener: () => void): () => void;
	getSnapshot(): S;
}

/** Coalesces notifications to at most one per `intervalMs` (trailing, so the latest always shows). */
export function throttleSubscribe(
	subscribe: SnapshotSource<unknown>['subscribe'],
	intervalMs: number,
): SnapshotSource<unknown>['subscribe'] {
	if (intervalMs <= 0) return subscribe;
	return listener => {
		let last = 0;
		let timer: NodeJS.Timeout | null = null;
		const unsubscribe = subscribe(() => {
			if (timer) return;
			const wait = last + intervalMs - Date.now();
			if (wait <= 0) {
				last = Date.now();
				listener();
				return;
			}
			timer = setTimeout(() => {
				timer = null;
				last = Date.now();
				listener();
			}, wait);
		});
		return () => {
			if (timer) clearTimeout(timer);
			unsubscribe();
		};
	};
}

/**
 * The latest snapshot, redrawn at most every `refreshMs` (keys still redraw at once). Every frame
 * costs Ink a full re-tokenisation of the screen, so a screen watched for hours follows its store at
 * a human rate rather than at its publish rate. 0 follows every snapshot.
 */
export function useThrottledSnapshot<S>(source: SnapshotSource<S>, refreshMs: number): S {
	const subscribe = useMemo(() => throttleSubscribe(source.subscribe, refreshMs), [source, refreshMs]);
	return useSyncExternalStore(subscribe, source.getSnapshot);
}
