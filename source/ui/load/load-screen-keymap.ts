/**
 * The Load screen's key map: named commands and their keys, in the console's pattern (one table
 * that the input handler, the footer hints and the help overlay all read, so no binding goes
 * undocumented). These are keys of the screen; what they ask of the load runner is a `LoadCommand`.
 */
import type {Key} from 'ink';
import {bindingsLabel, matchCommand, type KeyCommandInfo, type KeyMapOf} from '../key-bindings.js';

export const loadScreenCommands = [
	'help',
	'quit',
	'interrupt',
	'add-1',
	'remove-1',
	'add-10',
	'remove-10',
	'move-up',
	'move-down',
	'page-up',
	'page-down',
	'move-first',
	'move-last',
	'close',
	'confirm-yes',
	'confirm-no',
] as const;

export type LoadScreenCommandName = (typeof loadScreenCommands)[number];

export type LoadScreenKeyMap = KeyMapOf<LoadScreenCommandName, KeyCommandInfo>;

export const loadScreenKeyMap: LoadScreenKeyMap = {
	help: {description: 'show or hide this help', bindings: [{char: '?'}], hint: 'help'},
	quit: {description: 'stop the run (asks while it runs)', bindings: [{char: 'q'}], hint: 'stop'},
	interrupt: {description: 'stop; press twice to force', bindings: [{char: 'c', ctrl: true}]},
	'add-1': {description: 'add 1 user', bindings: [{char: '+'}, {char: '='}], hint: 'add 1'},
	'remove-1': {description: 'remove 1 user', bindings: [{char: '-'}, {char: '_'}], hint: 'remove 1'},
	'add-10': {description: 'add 10 users', bindings: [{char: ']'}, {char: '}'}], hint: 'add 10'},
	'remove-10': {description: 'remove 10 users', bindings: [{char: '['}, {char: '{'}], hint: 'remove 10'},
	'move-up': {description: 'select the previous request name', bindings: [{special: 'upArrow'}], hint: 'select'},
	'move-down': {description: 'select the next request name', bindings: [{special: 'downArrow'}]},
	'page-up': {description: 'page up in the table', bindings: [{special: 'pageUp'}]},
	'page-down': {description: 'page down in the table', bindings: [{special: 'pageDown'}]},
	'move-first': {description: 'first request name', bindings: [{special: 'home'}]},
	'move-last': {description: 'last request name', bindings: [{special: 'end'}]},
	close: {description: 'close a dialog or this help', bindings: [{special: 'escape'}]},
	'confirm-yes': {description: 'confirm stopping the run', bindings: [{char: 'y'}]},
	'confirm-no': {description: 'keep running', bindings: [{char: 'n'}]},
};

/** The user-count change a command stands for (0 for the others). */
export function userDelta(name: LoadScreenCommandName): number {
	switch (name) {
		case 'add-1':
			return 1;
		case 'add-10':
			return 10;
		case 'remove-1':
			return -1;
		case 'remove-10':
			return -10;
		default:
			return 0;
	}
}

/** The first command whose bindings match, in key-map order. */
export function loadScreenCommandFor(
	input: string,
	key: Key,
	keyMap: LoadScreenKeyMap = loadScreenKeyMap,
): LoadScreenCommandName | null {
	return matchCommand(loadScreenCommands, keyMap, input, key);
}

export function loadScreenKeysLabel(
	name: LoadScreenCommandName,
	ascii = false,
	keyMap: LoadScreenKeyMap = loadScreenKeyMap,
): string {
	return bindingsLabel(keyMap[name], ascii);
}
