/**
 * What a key press does on the console: a pure function from (console state, key, snapshot) to the
 * next state and the effects to perform (engine commands, quit). Kept apart from React so every
 * binding's effect is testable and the ConsoleApp component only wires it up.
 */
import type {Key} from 'ink';
import type {EngineCommand} from '../../engine/commands.js';
import type {EngineSnapshot, StreamView} from '../../engine/snapshot.js';
import {planFor} from '../../engine/plans.js';
import {answerQuitDialog, requestQuit, type ControllerEffect, type KeyOutcome} from '../screen-controller.js';
import {clampIndex} from '../list-window.js';
import {sanitize} from '../text.js';
import {consoleCommandFor, consoleKeyMap, type ConsoleCommandName, type ConsoleKeyMap} from './console-keymap.js';
import {isRunActive, sortedChecks, visibleErrors} from './snapshot-selectors.js';

export const focusOrder = ['phases', 'checks', 'metrics', 'errors', 'streams', 'resources', 'sut'] as const;
export type FocusId = (typeof focusOrder)[number];

export interface ConsoleState {
	focus: FocusId;
	/** `describe-check`: the selected check full screen (Enter on the checks panel; Esc returns). */
	overlay: 'none' | 'help' | 'confirm-quit' | 'describe-check' | 'confirm-kill';
	/** A graceful quit was asked for; another Ctrl-C forces. */
	quitRequested: boolean;
	filter: string;
	filterEditing: boolean;
	selectedPhase: number;
	/** Cursor in the selected phase's checks (problems first, as the checks panel lists them). */
	selectedCheck: number;
	selectedError: number;
	selectedStream: number;
	/** While set, the stream inspector shows this frozen copy instead of live data. */
	pausedStreams: {streams: readonly StreamView[]; at: number} | null;
}

export const initialConsoleState: ConsoleState = {
	focus: 'phases',
	overlay: 'none',
	quitRequested: false,
	filter: '',
	filterEditing: false,
	selectedPhase: 0,
	selectedCheck: 0,
	selectedError: 0,
	selectedStream: 0,
	pausedStreams: null,
};

/**
 * The kill switch with whether to also close positions. Typed here until the engine's command carries
 * `flatten` (the `verdicts` change); the engine reads it from the same command object.
 */
export type KillSwitchCommand = {type: 'kill-switch'; flatten?: boolean};

/** What a console key can ask for: an engine command, or building the session's runtime again. */
export type ConsoleDispatch = EngineCommand | KillSwitchCommand | {type: 'retry-setup'};

export type ConsoleEffect = ControllerEffect<ConsoleDispatch>;

export type ConsoleKeyResult = KeyOutcome<ConsoleState, ConsoleDispatch, ConsoleCommandName>;

export interface ConsoleKeyContext {
	snapshot: EngineSnapshot;
	/** Rows a page-up/page-down moves in the focused list. */
	pageSize?: number;
	keyMap?: ConsoleKeyMap;
	/** The session's runtime failed to build (venue unreachable): `R` retries it. */
	runtimeFailed?: boolean;
	/** The profile's `killSwitch.flatten`; when not set, `k` asks whether to also close positions. */
	killSwitchFlatten?: boolean;
}

/** The engine command a run key stands for, independent of console state; plans come from the engine's plan definitions. */
export function engineCommandFor(name: ConsoleCommandName): EngineCommand | null {
	switch (name) {
		case 'quick-run':
			return {type: 'start', plan: planFor('quick')};
		case 'full-run':
			return {type: 'start', plan: planFor('full')};
		case 'rerun-failed':
			return {type: 'rerun-failed'};
		case 'force-reconnect':
			return {type: 'force-reconnect'};
		case 'trip-breaker':
			return {type: 'trip-breaker'};
		case 'kill-switch':
			return {type: 'kill-switch'};
		default:
			return null;
	}
}

function listLength(state: ConsoleState, snapshot: EngineSnapshot): number {
	switch (state.focus) {
		case 'phases':
			return snapshot.phases.length;
		case 'checks':
			return sortedChecks(snapshot.phases[clampIndex(state.selectedPhase, snapshot.phases.length)]).length;
		case 'errors':
			return visibleErrors(snapshot.errors, state.filter).length;
		case 'streams':
			return (state.pausedStreams?.streams ?? snapshot.streams).length;
		default:
			return 0;
	}
}

function move(state: ConsoleState, snapshot: EngineSnapshot, delta: number | 'first' | 'last'): ConsoleState {
	const length = listLength(state, snapshot);
	const key =
		state.focus === 'phases'
			? 'selectedPhase'
			: state.focus === 'checks'
				? 'selectedCheck'
				: state.focus === 'errors'
					? 'selectedError'
					: state.focus === 'streams'
						? 'selectedStream'
						: null;
	if (key === null) return state;
	const current = clampIndex(state[key], length);
	const next = clampIndex(delta === 'first' ? 0 : delta === 'last' ? length - 1 : current + delta, length);
	// Another phase, another list of checks: its cursor starts at the top (its worst check).
	if (key === 'selectedPhase' && next !== current) return {...state, selectedPhase: next, selectedCheck: 0};
	return {...state, [key]: next};
}

function cycleFocus(focus: FocusId, step: 1 | -1, withSut: boolean): FocusId {
	// The SUT's panel exists only when a SUT is configured.
	const order: readonly FocusId[] = withSut ? focusOrder : focusOrder.filter(f => f !== 'sut');
	const index = order.indexOf(focus);
	return order[(index + step + order.length) % order.length]!;
}

function quit(state: ConsoleState, snapshot: EngineSnapshot, via: 'q' | 'ctrl-c'): ConsoleKeyResult {
	const command: ConsoleCommandName = via === 'q' ? 'quit' : 'interrupt';
	return {
		...requestQuit<ConsoleState, ConsoleDispatch>(state, isRunActive(snapshot), via === 'q' ? 'quit' : 'interrupt', {
			filterEditing: false,
		}),
		command,
	};
}

function editFilter(state: ConsoleState, input: string, key: Key, name: ConsoleCommandName | null): ConsoleKeyResult {
	if (key.escape)
		return {state: {...state, filter: '', filterEditing: false, selectedError: 0}, effects: [], command: 'close'};
	if (key.return) return {state: {...state, filterEditing: false}, effects: [], command: null};
	if (key.backspace || key.delete) {
		return {
			state: {...state, filter: [...state.filter].slice(0, -1).join(''), selectedError: 0},
			effects: [],
			command: null,
		};
	}
	if (name === 'move-up' || name === 'move-down') return {state, effects: [], command: name};
	if (key.ctrl || key.meta || input === '' || key.tab) return {state, effects: [], command: null};
	const text = sanitize(input);
	return {state: {...state, filter: (state.filter + text).slice(0, 60), selectedError: 0}, effects: [], command: null};
}

export function handleConsoleKey(
	state: ConsoleState,
	input: string,
	key: Key,
	context: ConsoleKeyContext,
): ConsoleKeyResult {
	const {snapshot} = context;
	const name = consoleCommandFor(input, key, context.keyMap ?? consoleKeyMap);
	if (name === 'interrupt') return quit(state, snapshot, 'ctrl-c');
	if (state.filterEditing) {
		const result = editFilter(state, input, key, name);
		if (result.command === 'move-up' || result.command === 'move-down') {
			return {
				state: move(result.state, snapshot, result.command === 'move-up' ? -1 : 1),
				effects: [],
				command: result.command,
			};
		}
		return result;
	}
	if (state.overlay === 'confirm-quit') {
		// Enter (run-selected) confirms too: the dialog's default answer is to stop and write the report.
		const answer =
			name === 'confirm-yes' || name === 'quit' || name === 'run-selected'
				? 'yes'
				: name === 'confirm-no' || name === 'close'
					? 'no'
					: null;
		return {...answerQuitDialog<ConsoleState, ConsoleDispatch>(state, answer), command: answer === null ? null : name};
	}
	if (state.overlay === 'confirm-kill') {
		// y: cancel, block and close positions; n: cancel and block only; Esc: nothing happens.
		if (name === 'confirm-yes' || name === 'confirm-no') {
			return {
				state: {...state, overlay: 'none'},
				effects: [{type: 'dispatch', command: {type: 'kill-switch', flatten: name === 'confirm-yes'}}],
				command: name,
			};
		}
		if (name === 'close') return {state: {...state, overlay: 'none'}, effects: [], command: name};
		return {state, effects: [], command: null};
	}
	if (state.overlay === 'describe-check') {
		// Esc (or Enter again) returns to the panels; q still quits, everything else waits.
		if (name === 'close' || name === 'run-selected')
			return {state: {...state, overlay: 'none'}, effects: [], command: name};
		if (name === 'quit') return quit({...state, overlay: 'none'}, snapshot, 'q');
		return {state, effects: [], command: null};
	}
	if (state.overlay === 'help') {
		// Any key closes help without acting: reading the help must never start or stop anything.
		return {state: {...state, overlay: 'none'}, effects: [], command: name};
	}
	const none = (next: ConsoleState = state): ConsoleKeyResult => ({state: next, effects: [], command: name});
	const page = Math.max(1, context.pageSize ?? 5);
	switch (name) {
		case null:
		case 'confirm-yes':
		case 'confirm-no':
			return none();
		case 'help':
			return none({...state, overlay: 'help'});
		case 'quit':
			return quit(state, snapshot, 'q');
		case 'run-selected': {
			if (state.focus === 'checks') {
				const checks = sortedChecks(snapshot.phases[clampIndex(state.selectedPhase, snapshot.phases.length)]);
				return none(checks.length > 0 ? {...state, overlay: 'describe-check'} : state);
			}
			if (state.focus !== 'phases') return none();
			const phase = snapshot.phases[clampIndex(state.selectedPhase, snapshot.phases.length)];
			if (phase === undefined) return none();
			return {state, effects: [{type: 'dispatch', command: {type: 'run-phase', phase: phase.id}}], command: name};
		}
		case 'focus-next':
			return none({...state, focus: cycleFocus(state.focus, 1, Boolean(snapshot.sut))});
		case 'focus-prev':
			return none({...state, focus: cycleFocus(state.focus, -1, Boolean(snapshot.sut))});
		case 'move-up':
			return none(move(state, snapshot, -1));
		case 'move-down':
			return none(move(state, snapshot, 1));
		case 'page-up':
			return none(move(state, snapshot, -page));
		case 'page-down':
			return none(move(state, snapshot, page));
		case 'move-first':
			return none(move(state, snapshot, 'first'));
		case 'move-last':
			return none(move(state, snapshot, 'last'));
		case 'filter':
			return none({...state, focus: 'errors', filterEditing: true});
		case 'close':
			if (state.filter !== '') return none({...state, filter: '', selectedError: 0});
			return none();
		case 'kill-switch': {
			// Releasing needs no question; engaging asks unless the profile decided.
			if (snapshot.killSwitch.engaged)
				return {state, effects: [{type: 'dispatch', command: {type: 'kill-switch'}}], command: name};
			if (context.killSwitchFlatten === undefined) return none({...state, overlay: 'confirm-kill'});
			return {
				state,
				effects: [{type: 'dispatch', command: {type: 'kill-switch', flatten: context.killSwitchFlatten}}],
				command: name,
			};
		}
		case 'retry-setup':
			return context.runtimeFailed
				? {state, effects: [{type: 'dispatch', command: {type: 'retry-setup'}}], command: name}
				: none();
		case 'pause':
			return none({...state, pausedStreams: state.pausedStreams ? null : {streams: snapshot.streams, at: snapshot.at}});
		default: {
			const command = engineCommandFor(name);
			return {state, effects: command ? [{type: 'dispatch', command}] : [], command: name};
		}
	}
}

/**
 * After a run: the cursor on the first failed (or no-data) phase and its worst check, so the reason
 * is the first thing on screen. A clean run leaves the cursor where the user put it.
 */
export function focusFirstFailure(state: ConsoleState, snapshot: EngineSnapshot): ConsoleState {
	const index = snapshot.phases.findIndex(p => p.status === 'fail' || p.status === 'no-data');
	if (index < 0) return state;
	return {...state, selectedPhase: index, selectedCheck: 0, focus: state.focus === 'checks' ? 'checks' : 'phases'};
}
