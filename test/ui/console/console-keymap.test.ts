import type {Key} from 'ink';
import {describe, expect, it} from 'vitest';
import {bindingLabel} from '../../../source/ui/key-bindings.js';
import {consoleCommandFor, consoleCommands, consoleKeyMap} from '../../../source/ui/console/console-keymap.js';

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
		for (const name of consoleCommands) {
			for (const binding of consoleKeyMap[name].bindings) {
				const id = JSON.stringify(binding);
				expect(seen.get(id), `${id} bound to ${seen.get(id)} and ${name}`).toBeUndefined();
				seen.set(id, name);
			}
		}
	});

	it('matches case, ctrl and shift exactly', () => {
		expect(consoleCommandFor('q', noKey)).toBe('quit');
		expect(consoleCommandFor('Q', {...noKey, shift: true})).toBe('quick-run');
		expect(consoleCommandFor('c', {...noKey, ctrl: true})).toBe('interrupt');
		expect(consoleCommandFor('c', noKey)).toBeNull();
		expect(consoleCommandFor('', {...noKey, tab: true})).toBe('focus-next');
		expect(consoleCommandFor('', {...noKey, tab: true, shift: true})).toBe('focus-prev');
		expect(consoleCommandFor('', {...noKey, return: true})).toBe('run-selected');
		expect(consoleCommandFor('', {...noKey, escape: true, meta: true})).toBe('close');
		expect(consoleCommandFor('q', {...noKey, meta: true})).toBeNull();
		expect(consoleCommandFor(' ', noKey)).toBe('pause');
	});

	it('keeps k for the kill switch only (no j/k list movement next to it)', () => {
		expect(consoleCommandFor('k', noKey)).toBe('kill-switch');
		expect(consoleCommandFor('j', noKey)).toBeNull();
	});

	it('labels bindings for humans, with ASCII twins', () => {
		expect(bindingLabel({char: 'c', ctrl: true})).toBe('Ctrl-C');
		expect(bindingLabel({special: 'tab', shift: true})).toBe('Shift-Tab');
		expect(bindingLabel({special: 'return'})).toBe('⏎');
		expect(bindingLabel({special: 'return'}, true)).toBe('Enter');
		expect(bindingLabel({char: ' '})).toBe('Space');
	});
});
