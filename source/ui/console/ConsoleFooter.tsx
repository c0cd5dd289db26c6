/** Status line (dialog, filter prompt, quitting, latest notice) and the main key hints from the key map. */
import {memo} from 'react';
import type {EngineSnapshot} from '../../engine/snapshot.js';
import {useUiEnvironment} from '../environment.js';
import type {SegmentInput} from '../components/Line.js';
import {FooterBar, confirmQuitSegments, type KeyHint} from '../components/FooterBar.js';
import {formatClock} from '../format.js';
import {consoleCommands, consoleKeyMap, consoleKeysLabel} from './console-keymap.js';
import type {ConsoleState} from './console-controller.js';

interface ConsoleFooterProps {
	width: number;
	ui: Pick<ConsoleState, 'overlay' | 'quitRequested' | 'filter' | 'filterEditing' | 'focus' | 'pausedStreams'>;
	notices: EngineSnapshot['notices'];
	/** The session's runtime failed: the retry key is offered. */
	runtimeFailed?: boolean;
}

const noticeColor = {info: 'cyan', warn: 'yellow', error: 'red'} as const;

function statusSegments({ui, notices}: Pick<ConsoleFooterProps, 'ui' | 'notices'>): SegmentInput[] {
	if (ui.overlay === 'confirm-kill') {
		return [
			{text: ' Kill switch: also close open positions? ', color: 'black', inverse: true, bold: true},
			{text: ' y', bold: true},
			{text: ' cancel + block + close'},
			{text: '  n', bold: true},
			{text: ' cancel + block'},
			{text: '  Esc', bold: true},
			{text: ' back'},
		];
	}
	if (ui.overlay === 'describe-check')
		return [
			{text: 'describing a check', bold: true},
			{text: '  Esc returns', dim: true},
		];
	if (ui.overlay === 'confirm-quit') return confirmQuitSegments('A run is active. Quit?', 'stop + write report');
	if (ui.quitRequested)
		return [
			{text: 'quitting: stopping the run and writing the report', color: 'yellow', bold: true},
			{text: '  Ctrl-C again forces', dim: true},
		];
	if (ui.filterEditing)
		return [
			{text: `/${ui.filter}`, color: 'yellow', bold: true},
			{text: '▏', color: 'yellow'},
			{text: '  Enter keeps  Esc clears', dim: true},
		];
	const notice = notices[notices.length - 1];
	const segments: SegmentInput[] = [];
	if (ui.pausedStreams) segments.push({text: '[streams paused] ', color: 'yellow', bold: true});
	if (notice) segments.push({text: `${formatClock(notice.at)} ${notice.text}`, color: noticeColor[notice.level]});
	return segments;
}

function ConsoleFooterView({width, ui, notices, runtimeFailed = false}: ConsoleFooterProps) {
	const {g} = useUiEnvironment();
	const hints: KeyHint[] = [];
	for (const name of consoleCommands) {
		const info = consoleKeyMap[name];
		if (!info.hint) continue;
		if (name === 'run-selected' && ui.focus !== 'phases' && ui.focus !== 'checks') continue;
		if (name === 'filter' && ui.focus !== 'errors') continue;
		if (name === 'retry-setup' && !runtimeFailed) continue;
		hints.push({
			key: consoleKeysLabel(name, g.ascii),
			hint: name === 'run-selected' && ui.focus === 'checks' ? 'describe' : info.hint,
		});
	}
	if (ui.focus === 'streams') hints.splice(2, 0, {key: 'Space', hint: 'pause'});
	return <FooterBar width={width} status={statusSegments({ui, notices})} hints={hints} />;
}

export const ConsoleFooter = memo(ConsoleFooterView);
