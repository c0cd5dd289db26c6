/** Quitting as both screens share it (source/ui/screen-controller.ts): ask while active, force on a second Ctrl-C. */
import {describe, expect, it} from 'vitest';
import {answerQuitDialog, requestQuit, type QuitDialogState} from '../../source/ui/screen-controller.js';

interface State extends QuitDialogState {
	editing: boolean;
}

const idle: State = {overlay: 'none', quitRequested: false, editing: true};

describe('screen controller: quitting', () => {
	it('quits at once when nothing runs; asks (applying `opening`) while something does', () => {
		expect(requestQuit(idle, false, 'quit')).toEqual({
			state: {...idle, quitRequested: true},
			effects: [{type: 'quit', force: false}],
		});
		expect(requestQuit(idle, true, 'quit', {editing: false})).toEqual({
			state: {overlay: 'confirm-quit', quitRequested: false, editing: false},
			effects: [],
		});
		expect(requestQuit(idle, true, 'interrupt').state.overlay).toBe('confirm-quit');
	});

	it('a Ctrl-C while asking, or after a quit was asked for, forces; another q does nothing', () => {
		const asking: State = {...idle, overlay: 'confirm-quit'};
		expect(requestQuit(asking, true, 'interrupt').effects).toEqual([{type: 'quit', force: true}]);
		const quitting: State = {...idle, quitRequested: true};
		expect(requestQuit(quitting, true, 'interrupt').effects).toEqual([{type: 'quit', force: true}]);
		expect(requestQuit(quitting, true, 'quit')).toEqual({state: quitting, effects: []});
	});

	it('the dialog: yes quits gracefully, no closes it, anything else leaves it open', () => {
		const asking: State = {...idle, overlay: 'confirm-quit'};
		expect(answerQuitDialog(asking, 'yes')).toEqual({
			state: {...asking, overlay: 'none', quitRequested: true},
			effects: [{type: 'quit', force: false}],
		});
		expect(answerQuitDialog(asking, 'no')).toEqual({state: {...asking, overlay: 'none'}, effects: []});
		expect(answerQuitDialog(asking, null)).toEqual({state: asking, effects: []});
	});
});
