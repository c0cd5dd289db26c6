/** The Load screen's help: every binding of its key map, in as many columns as fit. */
import {memo} from 'react';
import {useUiEnvironment} from '../environment.js';
import {HelpOverlay} from '../components/HelpOverlay.js';
import {
	loadScreenCommands,
	loadScreenKeyMap,
	loadScreenKeysLabel,
	type LoadScreenKeyMap,
} from './load-screen-keymap.js';

interface LoadHelpProps {
	width: number;
	height: number;
	keyMap?: LoadScreenKeyMap;
}

function LoadHelpView({width, height, keyMap = loadScreenKeyMap}: LoadHelpProps) {
	const {g} = useUiEnvironment();
	const entries = loadScreenCommands.map(name => ({
		keys: loadScreenKeysLabel(name, g.ascii, keyMap),
		description: keyMap[name].description,
	}));
	return (
		<HelpOverlay
			width={width}
			height={height}
			title="load keys — any key closes"
			entries={entries}
			note="User changes apply at once, whatever the spawn rate."
		/>
	);
}

export const LoadHelp = memo(LoadHelpView);
