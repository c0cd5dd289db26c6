/**
 * Key bindings as both screens declare them: one table per screen (named commands, their keys, a
 * description and an optional footer hint) that the input handler, the footer hints and the help
 * overlay all read, so a binding cannot exist without being documented. This module holds what the
 * tables share: the binding shape, matching a keypress, and the labels shown for keys.
 */
import type {Key} from 'ink';

/** Named non-printing keys, as Ink reports them in `Key`. */
export type SpecialKey = 'return' | 'escape' | 'tab' | 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end';

export interface KeyBinding {
	/** A printable character, compared exactly (`q` and `Q` differ). */
	char?: string;
	special?: SpecialKey;
	ctrl?: boolean;
	shift?: boolean;
}

export interface KeyCommandInfo {
	description: string;
	bindings: readonly KeyBinding[];
	/** Shown in the footer's hint line (in this order) when there is room. */
	hint?: string;
}

/** A screen's key map: every command name of `names` with its bindings. */
export type KeyMapOf<C extends string, I extends KeyCommandInfo = KeyCommandInfo> = {readonly [N in C]: I};

/** Whether one binding matches a keypress. */
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

/** The first command (in `names` order) whose bindings match the keypress. */
export function matchCommand<C extends string>(
	names: readonly C[],
	keyMap: KeyMapOf<C>,
	input: string,
	key: Key,
): C | null {
	for (const name of names) if (keyMap[name].bindings.some(b => matchBinding(b, input, key))) return name;
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

/** Every key of one command, for the help overlay: `+ / =`. */
export function bindingsLabel(info: KeyCommandInfo, ascii = false): string {
	return info.bindings.map(b => bindingLabel(b, ascii)).join(' / ');
}
