/**
 * What the console's and the Load screen's key controllers share: the effects a key can have (a
 * command for the screen's store, or quitting), and quitting itself — q asks first while something
 * runs, Ctrl-C asks too and a second Ctrl-C forces, the dialog takes yes or no. Pure, like the
 * controllers that use it, so every transition is testable without React.
 */

export type ControllerEffect<C> = {type: 'dispatch'; command: C} | {type: 'quit'; force: boolean};

export interface KeyOutcome<S, C, N> {
	state: S;
	effects: ControllerEffect<C>[];
	/** The key-map command the key resolved to, or null (for tests and the status line). */
	command: N | null;
}

/** The part of a screen's UI state that quitting reads and writes. */
export interface QuitDialogState {
	/** 'none', 'help', 'confirm-quit', or a screen's own overlay (the console's check description). */
	overlay: string;
	/** A graceful quit was asked for; another Ctrl-C forces. */
	quitRequested: boolean;
}

/**
 * `q` (via 'quit') or Ctrl-C (via 'interrupt'). While `active` (a run that a quit would stop) the
 * confirm dialog opens, with `opening` applied (e.g. leaving the filter prompt); otherwise it quits.
 */
export function requestQuit<S extends QuitDialogState, C>(
	state: S,
	active: boolean,
	via: 'quit' | 'interrupt',
	opening: Partial<S> = {},
): {state: S; effects: ControllerEffect<C>[]} {
	if (via === 'interrupt' && (state.quitRequested || state.overlay === 'confirm-quit')) {
		return {state: {...state, overlay: 'none', quitRequested: true}, effects: [{type: 'quit', force: true}]};
	}
	if (state.quitRequested) return {state, effects: []};
	if (active) return {state: {...state, overlay: 'confirm-quit', ...opening}, effects: []};
	return {state: {...state, overlay: 'none', quitRequested: true}, effects: [{type: 'quit', force: false}]};
}

/** A key while the confirm dialog is open: yes quits gracefully, no closes it, anything else is ignored. */
export function answerQuitDialog<S extends QuitDialogState, C>(
	state: S,
	answer: 'yes' | 'no' | null,
): {state: S; effects: ControllerEffect<C>[]} {
	if (answer === 'yes')
		return {state: {...state, overlay: 'none', quitRequested: true}, effects: [{type: 'quit', force: false}]};
	if (answer === 'no') return {state: {...state, overlay: 'none'}, effects: []};
	return {state, effects: []};
}
