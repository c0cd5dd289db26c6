/** Status line (stop dialog, stopping, finished) and the key hints, generated from the load key map. */
import {memo} from 'react';
import {Box} from 'ink';
import type {LoadStatus} from '../../load/snapshot.js';
import {useUi} from '../context.js';
import {Line, type SegmentInput} from '../components/Line.js';
import {cellWidth} from '../text.js';
import {bindingLabel} from '../keymap.js';
import {loadCommands, loadKeyMap} from './keymap.js';
import type {LoadUiState} from './controller.js';

interface LoadFooterProps {
	width: number;
	ui: LoadUiState;
	status: LoadStatus;
}

function statusSegments(ui: LoadUiState, status: LoadStatus): SegmentInput[] {
	if (ui.overlay === 'confirm-quit') {
		return [
			{text: ' Stop the load test? ', color: 'black', inverse: true, bold: true},
			{text: ' y', bold: true},
			{text: ' stop + write results'},
			{text: '  n/Esc', bold: true},
			{text: ' keep running'},
			{text: '  Ctrl-C', bold: true},
			{text: ' force'},
		];
	}
	if (status === 'stopping') return [{text: 'stopping: in-flight requests finish, then CSV and report are written', color: 'yellow', bold: true}, {text: '  Ctrl-C forces', dim: true}];
	if (status === 'finished') return [{text: 'finished: writing results', color: 'green', bold: true}];
	if (ui.quitRequested) return [{text: 'stopping the run', color: 'yellow', bold: true}, {text: '  Ctrl-C again forces', dim: true}];
	return [];
}

function LoadFooterView({width, ui, status}: LoadFooterProps) {
	const {g} = useUi();
	const hints: SegmentInput[] = [];
	let used = 0;
	for (const name of loadCommands) {
		const info = loadKeyMap[name];
		if (!info.hint) continue;
		// The first binding only: the help overlay lists the alternatives.
		const first = info.bindings[0];
		const key = name === 'move-up' ? (g.ascii ? 'Up/Down' : `${g.up}${g.down}`) : first ? bindingLabel(first, g.ascii) : '';
		// Whole hints only: a key without its meaning is worse than no hint.
		const w = cellWidth(key) + 1 + cellWidth(info.hint) + (used > 0 ? 2 : 0);
		if (used + w > width) continue;
		hints.push(used > 0 ? '  ' : null, {text: key, bold: true, color: 'cyan'}, ` ${info.hint}`);
		used += w;
	}
	return (
		<Box flexDirection="column" width={width} height={2} flexShrink={0}>
			<Line width={width} segments={statusSegments(ui, status)} />
			<Line width={width} segments={hints} mode="cut" />
		</Box>
	);
}

export const LoadFooter = memo(LoadFooterView);
