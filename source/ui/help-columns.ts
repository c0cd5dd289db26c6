import {cellWidth, fit} from './text.js';

export interface BindingEntry {
	keys: string;
	description: string;
}

/**
 * Lays key bindings out in as many columns as the height needs (one line kept free for a hint),
 * filled top to bottom, every line fitted to `width`. Shared by the console's and the Load screen's help.
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
