/**
 * Every character the console draws that a non-UTF-8 terminal might not have, in one place, with an
 * ASCII twin. Panels ask for `glyphs(ascii)` instead of writing box or block characters themselves.
 */
import type {PhaseStatus} from '../engine/checks.js';
import type {StreamStatus, BreakerState} from '../engine/snapshot.js';

export interface Glyphs {
	ascii: boolean;
	/** Ink border style name. */
	border: 'round' | 'classic';
	/** Corner and edge characters matching `border`, for the panel title line we draw ourselves. */
	frame: {topLeft: string; topRight: string; horizontal: string};
	status: Record<PhaseStatus, string>;
	stream: Record<StreamStatus, string>;
	breaker: Record<BreakerState, string>;
	/** Sparkline levels, lowest first. */
	spark: readonly string[];
	gaugeFull: string;
	gaugeEmpty: string;
	/** Marks a limit on a gauge. */
	gaugeLimit: string;
	pointer: string;
	separator: string;
	ellipsis: string;
	up: string;
	down: string;
	enter: string;
}

const unicode: Glyphs = {
	ascii: false,
	border: 'round',
	frame: {topLeft: '╭', topRight: '╮', horizontal: '─'},
	status: {
		pending: '○',
		running: '●',
		pass: '✔',
		warn: '!',
		fail: '✘',
		'no-data': '∅',
		skipped: '–',
		info: 'i',
		interrupted: '■',
	},
	stream: {connecting: '◌', live: '●', silent: '∅', reconnecting: '↻', closed: '□'},
	breaker: {closed: '●', 'half-open': '◐', open: '○'},
	spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
	gaugeFull: '█',
	gaugeEmpty: '░',
	gaugeLimit: '┃',
	pointer: '›',
	separator: '│',
	ellipsis: '…',
	up: '↑',
	down: '↓',
	enter: '⏎',
};

const ascii: Glyphs = {
	ascii: true,
	border: 'classic',
	frame: {topLeft: '+', topRight: '+', horizontal: '-'},
	status: {
		pending: '[ ]',
		running: '[..]',
		pass: '[ok]',
		warn: '[!]',
		fail: '[FAIL]',
		'no-data': '[none]',
		skipped: '[skip]',
		info: '[i]',
		interrupted: '[stop]',
	},
	stream: {connecting: '[..]', live: '[ok]', silent: '[none]', reconnecting: '[re]', closed: '[--]'},
	breaker: {closed: '[ok]', 'half-open': '[~]', open: '[!!]'},
	spark: ['_', '.', '-', '=', '#'],
	gaugeFull: '#',
	gaugeEmpty: '.',
	gaugeLimit: '|',
	pointer: '>',
	separator: '|',
	ellipsis: '~',
	up: 'Up',
	down: 'Down',
	enter: 'Enter',
};

export function glyphs(useAscii: boolean): Glyphs {
	return useAscii ? ascii : unicode;
}

/** Colour per status; the symbol carries the meaning on its own for colourless terminals. */
export const statusColor: Record<PhaseStatus, string> = {
	pending: 'gray',
	running: 'cyan',
	pass: 'green',
	warn: 'yellow',
	fail: 'red',
	'no-data': 'magenta',
	skipped: 'gray',
	info: 'blue',
	interrupted: 'yellow',
};

export const streamColor: Record<StreamStatus, string> = {
	connecting: 'cyan',
	live: 'green',
	silent: 'magenta',
	reconnecting: 'yellow',
	// A stream closes when the phase that opened it ends: normal, not a failure.
	closed: 'gray',
};

export const breakerColor: Record<BreakerState, string> = {
	closed: 'green',
	'half-open': 'yellow',
	open: 'red',
};

const utf8 = /utf-?8/i;

/** `--ascii`, or automatically when the locale (LC_ALL, then LC_CTYPE, then LANG) isn't UTF-8. */
export function shouldUseAscii(env: NodeJS.ProcessEnv, flag?: boolean): boolean {
	if (flag === true) return true;
	const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
	return !utf8.test(locale);
}
