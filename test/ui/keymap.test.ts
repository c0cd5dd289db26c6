import type {Key} from 'ink';
import {describe, expect, it} from 'vitest';
import {bindingLabel, commandFor, commands, defaultKeyMap} from '../../source/ui/keymap.js';

const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

describe('key map', () => {
	it('binds every key to at most one command', () => {
		const seen = new Map<string, string>();
		for (const name of commands) {
			for (const binding of defaultKeyMap[name].bindings) {
				const id = JSON.stringify(binding);
				expect(seen.get(id), `${id} bound to ${seen.get(id)} and ${name}`).toBeUndefined();
				seen.set(id, name);
			}
		}
	});

	it('matches case, ctrl and shift exactly', () => {
		expect(commandFor('q', noKey)).toBe('quit');
		expect(commandFor('Q', {...noKey, shift: true})).toBe('quick-run');
		expect(commandFor('c', {...noKey, ctrl: true})).toBe('interrupt');
		expect(commandFor('c', noKey)).toBeNull();
		expect(commandFor('', {...noKey, tab: true})).toBe('focus-next');
		expect(commandFor('', {...noKey, tab: true, shift: true})).toBe('focus-prev');
		expect(commandFor('', {...noKey, return: true})).toBe('run-selected');
		expect(commandFor('', {...noKey, escape: true, meta: true})).toBe('close');
		expect(commandFor('q', {...noKey, meta: true})).toBeNull();
		expect(commandFor(' ', noKey)).toBe('pause');
	});

	it('keeps k for the kill switch only (no j/k list movement next to it)', () => {
		expect(commandFor('k', noKey)).toBe('kill-switch');
		expect(commandFor('j', noKey)).toBeNull();
	});

	it('labels bindings for humans, with ASCII twins', () => {
		expect(bindingLabel({char: 'c', ctrl: true})).toBe('Ctrl-C');
		expect(bindingLabel({special: 'tab', shift: true})).toBe('Shift-Tab');
		expect(bindingLabel({special: 'return'})).toBe('⏎');
		expect(bindingLabel({special: 'return'}, true)).toBe('Enter');
		expect(bindingLabel({char: ' '})).toBe('Space');
	});
});
