/**
 * The console's one key map: named commands, the keys bound to each, and matchers built from the
 * bindings (modelled on gemini-cli's keyBindings/keyMatchers). The input handler, the footer hints
 * and the help overlay all read this table, so a binding cannot exist without being documented.
 *
 * No vim-style j/k list movement: `k` is the kill switch, and a list key one row away from it
 * would engage it by accident. Lists move with the arrows, PgUp/PgDn, Home/End.
 */
import type {Key} from 'ink';

export const commands = [
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

export type CommandName = (typeof commands)[number];

/** Named non-printing keys, as Ink reports them in `Key`. */
export type SpecialKey = 'return' | 'escape' | 'tab' | 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end';

export interface KeyBinding {
	/** A printable character, compared exactly (`q` and `Q` differ). */
	char?: string;
	special?: SpecialKey;
	ctrl?: boolean;
	shift?: boolean;
}

export interface CommandInfo {
	description: string;
	/** Where the command acts, for the help overlay. */
	scope: 'run' | 'navigate' | 'app' | 'dialog';
	bindings: readonly KeyBinding[];
	/** Shown in the footer's hint line (in this order) when there is room. */
	hint?: string;
}

export type KeyMap = {readonly [C in CommandName]: CommandInfo};

export const defaultKeyMap: KeyMap = {
	help: {description: 'show or hide this help', scope: 'app', bindings: [{char: '?'}], hint: 'help'},
	quit: {description: 'quit (asks if a run is on)', scope: 'app', bindings: [{char: 'q'}], hint: 'quit'},
	interrupt: {description: 'quit; press twice to force', scope: 'app', bindings: [{char: 'c', ctrl: true}]},
	'quick-run': {description: 'quick run: all + 5 min soak', scope: 'run', bindings: [{char: 'Q'}], hint: 'quick'},
	'full-run': {description: 'full run: all + 24 h soak', scope: 'run', bindings: [{char: 'F'}], hint: 'full'},
	'rerun-failed': {description: 'rerun the failed phases', scope: 'run', bindings: [{char: 'r'}], hint: 'rerun'},
	'run-selected': {description: 'run the selected phase', scope: 'run', bindings: [{special: 'return'}], hint: 'run phase'},
	'force-reconnect': {description: 'drop all stream connections', scope: 'run', bindings: [{char: 'x'}], hint: 'reconnect'},
	'trip-breaker': {description: 'circuit-breaker test', scope: 'run', bindings: [{char: 'b'}], hint: 'breaker'},
	'kill-switch': {description: 'kill switch: cancel + block', scope: 'run', bindings: [{char: 'k'}], hint: 'kill'},
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
	'confirm-yes': {description: 'confirm quitting', scope: 'dialog', bindings: [{char: 'y'}]},
	'confirm-no': {description: 'keep running', scope: 'dialog', bindings: [{char: 'n'}]},
};

export type KeyMatchers = {readonly [C in CommandName]: (input: string, key: Key) => boolean};

/** Whether one binding matches a keypress; shared with the Load screen's key map. */
export function matchBinding(binding: KeyBinding, input: string, key: Key): boolean {
	if (binding.special !== undefined) {
		if (!key[binding.special]) return false;
		if ((binding.shift ?? false) !== key.shift) return false;
		return (binding.ctrl ?? false) === key.ctrl;
	}
	if (binding.char === undefined) return false;
	if ((binding.ctrl ?? false) !== key.ctrl) return false;
	// Ink flags Escape as meta; a printable binding never matches a meta chord (Alt-q is not q).
	if (key.meta || key.escape) return false;
	return input === binding.char;
}

export function createKeyMatchers(keyMap: KeyMap = defaultKeyMap): KeyMatchers {
	const matchers = {} as Record<CommandName, (input: string, key: Key) => boolean>;
	for (const name of commands) {
		const {bindings} = keyMap[name];
		matchers[name] = (input, key) => bindings.some(b => matchBinding(b, input, key));
	}
	return matchers;
}

export const defaultKeyMatchers = createKeyMatchers();

/** The first command whose bindings match, in key-map order. */
export function commandFor(input: string, key: Key, matchers: KeyMatchers = defaultKeyMatchers): CommandName | null {
	for (const name of commands) if (matchers[name](input, key)) return name;
	return null;
}

const specialLabels: Record<SpecialKey, {unicode: string; ascii: string}> = {
	return: {unicode: '⏎', ascii: 'Enter'},
	escape: {unicode: 'Esc', ascii: 'Esc'},
	tab: {unicode: 'Tab', ascii: 'Tab'},
	upArrow: {unicode: '↑', ascii: 'Up'},
	downArrow: {unicode: '↓', ascii: 'Down'},
	pageUp: {unicode: 'PgUp', ascii: 'PgUp'},
	pageDown: {unicode: 'PgDn', ascii: 'PgDn'},
	home: {unicode: 'Home', ascii: 'Home'},
	end: {unicode: 'End', ascii: 'End'},
};

export function bindingLabel(binding: KeyBinding, ascii = false): string {
	let base: string;
	if (binding.special !== undefined) base = specialLabels[binding.special][ascii ? 'ascii' : 'unicode'];
	else if (binding.char === ' ') base = 'Space';
	else base = binding.ctrl ? (binding.char ?? '').toUpperCase() : (binding.char ?? '');
	if (binding.shift) base = `Shift-${base}`;
	if (binding.ctrl) base = `Ctrl-${base}`;
	return base;
}

export function commandKeysLabel(name: CommandName, ascii = false, keyMap: KeyMap = defaultKeyMap): string {
	return keyMap[name].bindings.map(b => bindingLabel(b, ascii)).join(' / ');
}
