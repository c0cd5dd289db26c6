import {useCallback, useEffect, useRef, useState} from 'react';
import {useInput, type Key} from 'ink';
import type {ControllerEffect} from '../screen-controller.js';

export interface KeyHandler<S, C, Snap> {
	(
		state: S,
		input: string,
		key: Key,
		context: {snapshot: Snap; pageSize: number},
	): {state: S; effects: readonly ControllerEffect<C>[]};
}

/**
 * Wires a pure key controller to Ink: keeps its UI state, runs its effects (dispatch a command, or
 * quit) and never lets a throwing command take the screen down. `pageSize` is read at key time.
 * Shared by the console and the Load screen.
 */
export function useKeyController<S, C, Snap>(options: {
	initial: S;
	handle: KeyHandler<S, C, Snap>;
	getSnapshot: () => Snap;
	dispatch: (command: C) => void;
	onQuit: (force: boolean) => void;
	pageSize: () => number;
	active: boolean;
	/**
	 * A state change the screen makes itself when something it watches happens (a run finished): each
	 * time `key` changes to a non-null value, `update` is applied once.
	 */
	sync?: {key: string | null; update: (state: S) => S};
}): S {
	const {initial, handle, getSnapshot, dispatch, onQuit, pageSize, active, sync} = options;
	const [state, setState] = useState<S>(initial);
	const stateRef = useRef(state);
	const syncedRef = useRef<string | null>(null);
	const syncKey = sync?.key ?? null;
	const syncUpdate = sync?.update;
	useEffect(() => {
		if (syncKey === null || syncKey === syncedRef.current || !syncUpdate) return;
		syncedRef.current = syncKey;
		const next = syncUpdate(stateRef.current);
		if (next !== stateRef.current) {
			stateRef.current = next;
			setState(next);
		}
	}, [syncKey, syncUpdate]);
	const pageRef = useRef(pageSize);
	pageRef.current = pageSize;
	const onInput = useCallback(
		(input: string, key: Key) => {
			const result = handle(stateRef.current, input, key, {snapshot: getSnapshot(), pageSize: pageRef.current()});
			if (result.state !== stateRef.current) {
				stateRef.current = result.state;
				setState(result.state);
			}
			for (const effect of result.effects) {
				try {
					if (effect.type === 'dispatch') dispatch(effect.command);
					else onQuit(effect.force);
				} catch {
					// Failed commands are reported by their owner (engine notices, load store); the screen goes on.
				}
			}
		},
		[handle, getSnapshot, dispatch, onQuit],
	);
	useInput(onInput, {isActive: active});
	return state;
}
