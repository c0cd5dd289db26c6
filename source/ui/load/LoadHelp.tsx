/** Every binding of the load key map, generated from it, in as many columns as fit. */
import {memo} from 'react';
import {useUi} from '../context.js';
import {Line} from '../components/Line.js';
import {Panel, panelInner} from '../components/Panel.js';
import {bindingColumns} from '../help-columns.js';
import {loadCommands, loadKeyMap, loadKeysLabel, type LoadKeyMap} from './keymap.js';

interface LoadHelpProps {
	width: number;
	height: number;
	keyMap?: LoadKeyMap;
}

function LoadHelpView({width, height, keyMap = loadKeyMap}: LoadHelpProps) {
	const {g} = useUi();
	const inner = panelInner(width, height);
	const entries = loadCommands.map(name => ({keys: loadKeysLabel(name, g.ascii, keyMap), description: keyMap[name].description}));
	const lines = bindingColumns(entries, inner.width, inner.height);
	return (
		<Panel title="load keys — any key closes" width={width} height={height} focused>
			{lines.map((line, i) => (
				<Line key={i} width={inner.width} segments={[{text: line}]} />
			))}
			<Line width={inner.width} segments={[{text: 'User changes apply at once, whatever the spawn rate.', dim: true}]} />
		</Panel>
	);
}

export const LoadHelp = memo(LoadHelpView);
