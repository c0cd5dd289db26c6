/** Status line (stop dialog, stopping, finished) and the key hints, generated from the Load screen's key map. */
import {memo} from 'react';
import type {LoadStatus} from '../../load/snapshot.js';
import {useUiEnvironment} from '../environment.js';
import type {SegmentInput} from '../components/Line.js';
import {FooterBar, confirmQuitSegments, type KeyHint} from '../components/FooterBar.js';
import {bindingLabel} from '../key-bindings.js';
import {loadScreenCommands, loadScreenKeyMap} from './load-screen-keymap.js';
import type {LoadScreenState} from './load-screen-controller.js';

interface LoadFooterProps {
	width: number;
	ui: LoadScreenState;
	status: LoadStatus;
}

function statusSegments(ui: LoadScreenState, status: LoadStatus): SegmentInput[] {
	if (ui.overlay === 'confirm-quit') return confirmQuitSegments('Stop the load test?', 'stop + write results');
	if (status === 'stopping')
		return [
			{text: 'stopping: in-flight requests finish, then CSV and report are written', color: 'yellow', bold: true},
			{text: '  Ctrl-C forces', dim: true},
		];
	if (status === 'finished') return [{text: 'finished: writing results', color: 'green', bold: true}];
	if (ui.quitRequested)
		return [
			{text: 'stopping the run', color: 'yellow', bold: true},
			{text: '  Ctrl-C again forces', dim: true},
		];
	return [];
}

function LoadFooterView({width, ui, status}: LoadFooterProps) {
	const {g} = useUiEnvironment();
	const hints: KeyHint[] = [];
	for (const name of loadScreenCommands) {
		const info = loadScreenKeyMap[name];
		if (!info.hint) continue;
		// The first binding only: the help overlay lists the alternatives.
		const first = info.bindings[0];
		const key =
			name === 'move-up' ? (g.ascii ? 'Up/Down' : `${g.up}${g.down}`) : first ? bindingLabel(first, g.ascii) : '';
		hints.push({key, hint: info.hint});
	}
	return <FooterBar width={width} status={statusSegments(ui, status)} hints={hints} />;
}

export const LoadFooter = memo(LoadFooterView);
