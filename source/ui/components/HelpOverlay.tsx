/** A screen's help: every binding of its key map (generated from it, never a hand-written list), in as many columns as fit. */
import {memo} from 'react';
import {Line} from './Line.js';
import {Panel, panelInner} from './Panel.js';
import {cellWidth, fit} from '../text.js';

export interface BindingEntry {
	keys: string;
	description: string;
}

/**
 * Lays key bindings out in as many columns as the height needs (one line kept free for a note),
 * filled top to bottom, every line fitted to `width`.
 */
export function bindingColumns(entries: readonly BindingEntry[], width: number, height: number): string[] {
	if (entries.length === 0) return [];
	const keyWidth = Math.max(...entries.map(e => cellWidth(e.keys)));
	const rowsRoom = Math.max(1, height - 1);
	const columnCount = Math.max(1, Math.ceil(entries.length / rowsRoom));
	const columnWidth = Math.floor((width - (columnCount - 1) * 2) / columnCount);
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
	return lines;
}

interface HelpOverlayProps {
	width: number;
	height: number;
	title: string;
	entries: readonly BindingEntry[];
	/** One dim line under the bindings. */
	note: string;
}

function HelpOverlayView({width, height, title, entries, note}: HelpOverlayProps) {
	const inner = panelInner(width, height);
	const lines = bindingColumns(entries, inner.width, inner.height);
	return (
		<Panel title={title} width={width} height={height} focused>
			{lines.map((line, i) => (
				<Line key={i} width={inner.width} segments={[{text: line}]} />
			))}
			<Line width={inner.width} segments={[{text: note, dim: true}]} />
		</Panel>
	);
}

export const HelpOverlay = memo(HelpOverlayView);
