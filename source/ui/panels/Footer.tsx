/** Status line (dialog, filter prompt, quitting, latest notice) and the main key hints from the key map. */
import {memo} from 'react';
import {Box} from 'ink';
import type {EngineSnapshot} from '../../engine/snapshot.js';
import {useUi} from '../context.js';
import {commands, commandKeysLabel, defaultKeyMap} from '../keymap.js';
import {Line, type SegmentInput} from '../components/Line.js';
import {formatClock} from '../format.js';
import {cellWidth} from '../text.js';
import type {UiState} from '../controller.js';

interface FooterProps {
	width: number;
	ui: Pick<UiState, 'overlay' | 'quitRequested' | 'filter' | 'filterEditing' | 'focus' | 'pausedStreams'>;
	notices: EngineSnapshot['notices'];
}

const noticeColor = {info: 'cyan', warn: 'yellow', error: 'red'} as const;

function statusSegments({ui, notices}: Pick<FooterProps, 'ui' | 'notices'>): SegmentInput[] {
	if (ui.overlay === 'confirm-quit') {
		return [
			{text: ' A run is active. Quit? ', color: 'black', inverse: true, bold: true},
			{text: ' y', bold: true},
			{text: ' stop + write report'},
			{text: '  n/Esc', bold: true},
			{text: ' keep running'},
			{text: '  Ctrl-C', bold: true},
			{text: ' force'},
		];
	}
	if (ui.quitRequested) return [{text: 'quitting: stopping the run and writing the report', color: 'yellow', bold: true}, {text: '  Ctrl-C again forces', dim: true}];
	if (ui.filterEditing) return [{text: `/${ui.filter}`, color: 'yellow', bold: true}, {text: '▏', color: 'yellow'}, {text: '  Enter keeps  Esc clears', dim: true}];
	const notice = notices[notices.length - 1];
	const segments: SegmentInput[] = [];
	if (ui.pausedStreams) segments.push({text: '[streams paused] ', color: 'yellow', bold: true});
	if (notice) segments.push({text: `${formatClock(notice.at)} ${notice.text}`, color: noticeColor[notice.level]});
	return segments;
}

function FooterView({width, ui, notices}: FooterProps) {
	const {g} = useUi();
	const units: {key: string; hint: string}[] = [];
	for (const name of commands) {
		const info = defaultKeyMap[name];
		if (!info.hint) continue;
		if (name === 'run-selected' && ui.focus !== 'phases') continue;
		if (name === 'filter' && ui.focus !== 'errors') continue;
		units.push({key: commandKeysLabel(name, g.ascii), hint: info.hint});
	}
	if (ui.focus === 'streams') units.splice(2, 0, {key: 'Space', hint: 'pause'});
	// Whole hints only: a key without its meaning is worse than no hint.
	const hints: SegmentInput[] = [];
	let used = 0;
	for (const unit of units) {
		const w = cellWidth(unit.key) + 1 + cellWidth(unit.hint) + (used > 0 ? 2 : 0);
		if (used + w > width) continue;
		hints.push(used > 0 ? '  ' : null, {text: unit.key, bold: true, color: 'cyan'}, ` ${unit.hint}`);
		used += w;
	}
	return (
		<Box flexDirection="column" width={width} height={2} flexShrink={0}>
			<Line width={width} segments={statusSegments({ui, notices})} />
			<Line width={width} segments={hints} mode="cut" />
		</Box>
	);
}

export const Footer = memo(FooterView);
