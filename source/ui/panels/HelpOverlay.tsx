/** Every binding of the key map, generated from it (never a hand-written list), in as many columns as fit. */
import {memo} from 'react';
import {Box} from 'ink';
import {useUi} from '../context.js';
import {commands, commandKeysLabel, defaultKeyMap, type KeyMap} from '../keymap.js';
import {Line} from '../components/Line.js';
import {cellWidth, fit} from '../text.js';
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
			if (!entry) continue;
			cells.push(fit(`${fit(entry.keys, keyWidth)}  ${entry.description}`, columnWidth));
		}
		lines.push(cells.join('  '));
	}
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
