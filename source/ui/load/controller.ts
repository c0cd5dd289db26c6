/**
 * What a key press does on the Load screen: a pure function from (UI state, key, snapshot) to the
 * next UI state and the effects (runner commands, quit), so every binding is testable apart from React.
 */
import type {Key} from 'ink';
import type {LoadCommand, LoadSnapshot} from '../../load/snapshot.js';
import {clampIndex} from '../selectors.js';
import {loadCommandFor, userDelta, type LoadCommandName, type LoadKeyMap} from './keymap.js';

export interface LoadUiState {
	overlay: 'none' | 'help' | 'confirm-quit';
	/** A stop was asked for; another Ctrl-C forces. */
	quitRequested: boolean;
	/** Index into the snapshot's entries. */
	selected: number;
}

export const initialLoadUiState: LoadUiState = {overlay: 'none', quitRequested: false, selected: 0};

export type LoadEffect = {type: 'dispatch'; command: LoadCommand} | {type: 'quit'; force: boolean};

export interface LoadKeyResult {
	state: LoadUiState;
	effects: LoadEffect[];
	command: LoadCommandName | null;
}

export interface LoadKeyContext {
	snapshot: LoadSnapshot;
	/** Rows a page key moves. */
	pageSize?: number;
	keyMap?: LoadKeyMap;
}

/** The run still takes commands (users can change, stopping means something). */
export function isLoadActive(snapshot: LoadSnapshot): boolean {
	return snapshot.status === 'starting' || snapshot.status === 'running';
}

function quit(state: LoadUiState, snapshot: LoadSnapshot, via: 'quit' | 'interrupt'): LoadKeyResult {
	if (via === 'interrupt' && (state.quitRequested || state.overlay === 'confirm-quit')) {
		return {state: {...state, overlay: 'none', quitRequested: true}, effects: [{type: 'quit', force: true}], command: via};
	}
	if (state.quitRequested) return {state, effects: [], command: via};
	if (isLoadActive(snapshot)) return {state: {...state, overlay: 'confirm-quit'}, effects: [], command: via};
	return {state: {...state, overlay: 'none', quitRequested: true}, effects: [{type: 'quit', force: false}], command: via};
}

export function handleLoadKey(state: LoadUiState, input: string, key: Key, context: LoadKeyContext): LoadKeyResult {
	const {snapshot} = context;
	const name = loadCommandFor(input, key, context.keyMap);
	if (name === 'interrupt') return quit(state, snapshot, 'interrupt');
	if (state.overlay === 'confirm-quit') {
		if (name === 'confirm-yes' || name === 'quit' || key.return) {
			return {state: {...state, overlay: 'none', quitRequested: true}, effects: [{type: 'quit', force: false}], command: name};
		}
		if (name === 'confirm-no' || name === 'close') return {state: {...state, overlay: 'none'}, effects: [], command: name};
		return {state, effects: [], command: null};
	}
	if (state.overlay === 'help') {
		// Any key closes help without acting: reading the help never changes the load.
		return {state: {...state, overlay: 'none'}, effects: [], command: name};
	}
	const none = (next: LoadUiState = state): LoadKeyResult => ({state: next, effects: [], command: name});
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
			return quit(state, snapshot, 'quit');
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
			const command: LoadCommand = delta > 0 ? {type: 'add-users', count: delta} : {type: 'remove-users', count: -delta};
			return {state, effects: [{type: 'dispatch', command}], command: name};
		}
	}
}
