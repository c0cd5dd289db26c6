/**
 * What a key press does on the Load screen: a pure function from (screen state, key, snapshot) to the
 * next state and the effects (load runner commands, quit), so every binding is testable apart from React.
 */
import type {Key} from 'ink';
import type {LoadCommand, LoadSnapshot} from '../../load/snapshot.js';
import {clampIndex} from '../list-window.js';
import {answerQuitDialog, requestQuit, type ControllerEffect, type KeyOutcome} from '../screen-controller.js';
import {
	loadScreenCommandFor,
	userDelta,
	type LoadScreenCommandName,
	type LoadScreenKeyMap,
} from './load-screen-keymap.js';

export interface LoadScreenState {
	overlay: 'none' | 'help' | 'confirm-quit';
	/** A stop was asked for; another Ctrl-C forces. */
	quitRequested: boolean;
	/** Index into the snapshot's entries. */
	selected: number;
}

export const initialLoadScreenState: LoadScreenState = {overlay: 'none', quitRequested: false, selected: 0};

export type LoadScreenEffect = ControllerEffect<LoadCommand>;

export type LoadScreenKeyResult = KeyOutcome<LoadScreenState, LoadCommand, LoadScreenCommandName>;

export interface LoadScreenKeyContext {
	snapshot: LoadSnapshot;
	/** Rows a page key moves. */
	pageSize?: number;
	keyMap?: LoadScreenKeyMap;
}

/** The run still takes commands (users can change, stopping means something). */
export function isLoadActive(snapshot: LoadSnapshot): boolean {
	return snapshot.status === 'starting' || snapshot.status === 'running';
}

export function handleLoadScreenKey(
	state: LoadScreenState,
	input: string,
	key: Key,
	context: LoadScreenKeyContext,
): LoadScreenKeyResult {
	const {snapshot} = context;
	const name = loadScreenCommandFor(input, key, context.keyMap);
	if (name === 'interrupt')
		return {...requestQuit<LoadScreenState, LoadCommand>(state, isLoadActive(snapshot), 'interrupt'), command: name};
	if (state.overlay === 'confirm-quit') {
		const answer =
			name === 'confirm-yes' || name === 'quit' || key.return
				? 'yes'
				: name === 'confirm-no' || name === 'close'
					? 'no'
					: null;
		return {...answerQuitDialog<LoadScreenState, LoadCommand>(state, answer), command: answer === null ? null : name};
	}
	if (state.overlay === 'help') {
		// Any key closes help without acting: reading the help never changes the load.
		return {state: {...state, overlay: 'none'}, effects: [], command: name};
	}
	const none = (next: LoadScreenState = state): LoadScreenKeyResult => ({state: next, effects: [], command: name});
	const length = snapshot.entries.length;
	const select = (index: number) => none({...state, selected: clampIndex(index, length)});
	const current = clampIndex(state.selected, length);
	const page = Math.max(1, context.pageSize ?? 5);
	switch (name) {
		case null:
		case 'confirm-yes':
		case 'confirm-no':
		case 'close':
			return none();
		case 'help':
			return none({...state, overlay: 'help'});
		case 'quit':
			return {...requestQuit<LoadScreenState, LoadCommand>(state, isLoadActive(snapshot), 'quit'), command: name};
		case 'move-up':
			return select(current - 1);
		case 'move-down':
			return select(current + 1);
		case 'page-up':
			return select(current - page);
		case 'page-down':
			return select(current + page);
		case 'move-first':
			return select(0);
		case 'move-last':
			return select(length - 1);
		case 'add-1':
		case 'add-10':
		case 'remove-1':
		case 'remove-10': {
			if (!isLoadActive(snapshot) || state.quitRequested) return none();
			const delta = userDelta(name);
			const command: LoadCommand =
				delta > 0 ? {type: 'add-users', count: delta} : {type: 'remove-users', count: -delta};
			return {state, effects: [{type: 'dispatch', command}], command: name};
		}
	}
}
