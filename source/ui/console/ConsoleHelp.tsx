/** The console's help: every binding of its key map, in as many columns as fit. */
import {memo} from 'react';
import {useUiEnvironment} from '../environment.js';
import {HelpOverlay} from '../components/HelpOverlay.js';
import {consoleCommands, consoleKeyMap, consoleKeysLabel, type ConsoleKeyMap} from './console-keymap.js';

interface ConsoleHelpProps {
	width: number;
	height: number;
	keyMap?: ConsoleKeyMap;
}

function ConsoleHelpView({width, height, keyMap = consoleKeyMap}: ConsoleHelpProps) {
	const {g} = useUiEnvironment();
	const entries = consoleCommands.map(name => ({
		keys: consoleKeysLabel(name, g.ascii, keyMap),
		description: keyMap[name].description,
	}));
	return (
		<HelpOverlay
			width={width}
			height={height}
			title="keys — any key closes"
			entries={entries}
			note="Tab cycles panels: phases, checks (Enter describes one), metrics, errors, streams, resources"
		/>
	);
}

export const ConsoleHelp = memo(ConsoleHelpView);
