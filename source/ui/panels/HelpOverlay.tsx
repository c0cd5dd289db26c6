/** Every binding of the key map, generated from it (never a hand-written list), in as many columns as fit. */
import {memo} from 'react';
import {Box} from 'ink';
import {useUi} from '../context.js';
import {commands, commandKeysLabel, defaultKeyMap, type KeyMap} from '../keymap.js';
import {Line} from '../components/Line.js';
import {bindingColumns} from '../help-columns.js';
import {Panel, panelInner} from '../components/Panel.js';

interface HelpOverlayProps {
	width: number;
	height: number;
	keyMap?: KeyMap;
}

function HelpOverlayView({width, height, keyMap = defaultKeyMap}: HelpOverlayProps) {
	const {g} = useUi();
	const inner = panelInner(width, height);
	const entries = commands.map(name => ({keys: commandKeysLabel(name, g.ascii, keyMap), description: keyMap[name].description}));
	const lines = bindingColumns(entries, inner.width, inner.height);
	return (
		<Panel title="keys — any key closes" width={width} height={height} focused>
			{lines.map((line, i) => (
				<Line key={i} width={inner.width} segments={[{text: line}]} />
			))}
			<Line width={inner.width} segments={[{text: 'Tab cycles panels: phases, metrics, errors, streams, resources', dim: true}]} />
		</Panel>
	);
}

export const HelpOverlay = memo(HelpOverlayView);
