/** Every binding of the load key map, generated from it, in as many columns as fit. */
import {memo} from 'react';
import {useUi} from '../context.js';
import {Line} from '../components/Line.js';
import {Panel, panelInner} from '../components/Panel.js';
import {cellWidth, fit} from '../text.js';
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
	const keyWidth = Math.max(...entries.map(e => cellWidth(e.keys)));
	const rowsRoom = Math.max(1, inner.height - 1);
	const columnCount = Math.max(1, Math.ceil(entries.length / rowsRoom));
	const columnWidth = Math.floor((inner.width - (columnCount - 1) * 2) / columnCount);
	const rows = Math.ceil(entries.length / columnCount);
	const lines: string[] = [];
	for (let r = 0; r < rows; r++) {
		const cells: string[] = [];
		for (let c = 0; c < columnCount; c++) {
			const entry = entries[c * rows + r];
			if (entry) cells.push(fit(`${fit(entry.keys, keyWidth)}  ${entry.description}`, columnWidth));
		}
		lines.push(cells.join('  '));
	}
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
