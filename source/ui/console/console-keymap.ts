/**
 * The console's one key map: named commands and the keys bound to each (modelled on gemini-cli's
 * keyBindings). The input handler, the footer hints and the help overlay all read this table, so a
 * binding cannot exist without being documented.
 *
 * No vim-style j/k list movement: `k` is the kill switch, and a list key one row away from it
 * would engage it by accident. Lists move with the arrows, PgUp/PgDn, Home/End.
 */
import type {Key} from 'ink';
import {bindingsLabel, matchCommand, type KeyCommandInfo, type KeyMapOf} from '../key-bindings.js';

export const consoleCommands = [
	'help',
	'quit',
	'interrupt',
	'quick-run',
	'full-run',
	'rerun-failed',
	'run-selected',
	'force-reconnect',
	'trip-breaker',
	'kill-switch',
	'retry-setup',
	'focus-next',
	'focus-prev',
	'move-up',
	'move-down',
	'page-up',
	'page-down',
	'move-first',
	'move-last',
	'filter',
	'close',
	'pause',
	'confirm-yes',
	'confirm-no',
] as const;

export type ConsoleCommandName = (typeof consoleCommands)[number];

export interface ConsoleCommandInfo extends KeyCommandInfo {
	/** Where the command acts, for the help overlay. */
	scope: 'run' | 'navigate' | 'app' | 'dialog';
}

export type ConsoleKeyMap = KeyMapOf<ConsoleCommandName, ConsoleCommandInfo>;

export const consoleKeyMap: ConsoleKeyMap = {
	help: {description: 'show or hide this help', scope: 'app', bindings: [{char: '?'}], hint: 'help'},
	quit: {description: 'quit (asks if a run is on)', scope: 'app', bindings: [{char: 'q'}], hint: 'quit'},
	interrupt: {description: 'quit; press twice to force', scope: 'app', bindings: [{char: 'c', ctrl: true}]},
	'quick-run': {description: 'quick run: all + 5 min soak', scope: 'run', bindings: [{char: 'Q'}], hint: 'quick'},
	'full-run': {description: 'full run: all + 24 h soak', scope: 'run', bindings: [{char: 'F'}], hint: 'full'},
	'rerun-failed': {description: 'rerun the failed phases', scope: 'run', bindings: [{char: 'r'}], hint: 'rerun'},
	'run-selected': {
		description: 'run phase / describe check',
		scope: 'run',
		bindings: [{special: 'return'}],
		hint: 'run phase',
	},
	'force-reconnect': {
		description: 'drop all stream connections',
		scope: 'run',
		bindings: [{char: 'x'}],
		hint: 'reconnect',
	},
	'trip-breaker': {description: 'circuit-breaker test', scope: 'run', bindings: [{char: 'b'}], hint: 'breaker'},
	'kill-switch': {description: 'kill switch: cancel + block', scope: 'run', bindings: [{char: 'k'}], hint: 'kill'},
	'retry-setup': {description: 'retry a failed venue setup', scope: 'run', bindings: [{char: 'R'}], hint: 'retry'},
	'focus-next': {description: 'focus the next panel', scope: 'navigate', bindings: [{special: 'tab'}], hint: 'panel'},
	'focus-prev': {description: 'focus the previous panel', scope: 'navigate', bindings: [{special: 'tab', shift: true}]},
	'move-up': {description: 'move up in the list', scope: 'navigate', bindings: [{special: 'upArrow'}]},
	'move-down': {description: 'move down in the list', scope: 'navigate', bindings: [{special: 'downArrow'}]},
	'page-up': {description: 'page up in the list', scope: 'navigate', bindings: [{special: 'pageUp'}]},
	'page-down': {description: 'page down in the list', scope: 'navigate', bindings: [{special: 'pageDown'}]},
	'move-first': {description: 'first item in the list', scope: 'navigate', bindings: [{special: 'home'}]},
	'move-last': {description: 'last item in the list', scope: 'navigate', bindings: [{special: 'end'}]},
	filter: {description: 'filter the error log', scope: 'navigate', bindings: [{char: '/'}], hint: 'filter'},
	close: {description: 'close dialog, clear filter', scope: 'navigate', bindings: [{special: 'escape'}]},
	pause: {description: 'pause/resume stream view', scope: 'navigate', bindings: [{char: ' '}]},
	'confirm-yes': {description: 'yes, in a dialog', scope: 'dialog', bindings: [{char: 'y'}]},
	'confirm-no': {description: 'no, in a dialog', scope: 'dialog', bindings: [{char: 'n'}]},
};

/** The first command whose bindings match, in key-map order. */
export function consoleCommandFor(
	input: string,
	key: Key,
	keyMap: ConsoleKeyMap = consoleKeyMap,
): ConsoleCommandName | null {
	return matchCommand(consoleCommands, keyMap, input, key);
}

export function consoleKeysLabel(
	name: ConsoleCommandName,
	ascii = false,
	keyMap: ConsoleKeyMap = consoleKeyMap,
): string {
	return bindingsLabel(keyMap[name], ascii);
}
