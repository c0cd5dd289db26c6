/**
 * A small table from fixed cell widths (ink-table cannot load under Ink ≥ 4: it is CommonJS and
 * requires Ink's ESM with top-level await). Cells are truncated, never wrapped; one column may flex.
 */
import {memo} from 'react';
import {Box} from 'ink';
import {asciiPhrase, fit, sanitize} from '../text.js';
import {useUiEnvironment} from '../environment.js';
import {SegmentsLine, type Segment} from './Line.js';

export interface Column {
	header: string;
	/** Fixed width in cells; omit on (at most) one column to let it take the rest. */
	width?: number;
	align?: 'left' | 'right';
}

export interface Cell {
	text: string;
	color?: string;
	bold?: boolean;
	dim?: boolean;
}

export interface TableRow {
	key: string;
	cells: readonly (Cell | string)[];
	selected?: boolean;
}

/** Widths for `columns` inside `total` cells with one space between columns. */
export function columnWidths(columns: readonly Column[], total: number): number[] {
	const gaps = Math.max(0, columns.length - 1);
	const fixed = columns.reduce((sum, c) => sum + (c.width ?? 0), 0);
	const flex = Math.max(1, total - gaps - fixed);
	return columns.map(c => c.width ?? flex);
}

interface TableProps {
	columns: readonly Column[];
	rows: readonly TableRow[];
	width: number;
	showHeader?: boolean;
	/** Highlight for the selected row: inverse when the table has focus, bold otherwise. */
	focused?: boolean;
	/**
	 * Prefix every row with a one-cell selection marker (this string on the selected row), so the
	 * selection reads without colour too.
	 */
	marker?: string;
}

function rowSegments(
	columns: readonly Column[],
	widths: readonly number[],
	cells: readonly (Cell | string)[],
	header: boolean,
	emphasis: boolean,
	ascii: boolean,
): Segment[] {
	return columns.map((column, i) => {
		const raw = cells[i] ?? '';
		const cell: Cell = typeof raw === 'string' ? {text: raw} : raw;
		const clean = ascii ? asciiPhrase(sanitize(cell.text)) : sanitize(cell.text);
		const text = fit(clean, widths[i] ?? 0, column.align, ascii ? '~' : '…') + (i < columns.length - 1 ? ' ' : '');
		return {text, color: header ? 'gray' : cell.color, bold: header || emphasis || cell.bold, dim: cell.dim};
	});
}

function TableView({columns, rows, width, showHeader = true, focused = false, marker}: TableProps) {
	const {g} = useUiEnvironment();
	const markerWidth = marker === undefined ? 0 : 1;
	const widths = columnWidths(columns, width - markerWidth);
	const line = (cells: readonly (Cell | string)[], selected: boolean, header: boolean, key: string) => {
		const segments = rowSegments(columns, widths, cells, header, selected && !focused, g.ascii);
		if (marker !== undefined) segments.unshift({text: selected ? fit(marker, 1) : ' ', color: 'cyan'});
		return <SegmentsLine key={key} segments={segments} inverse={selected && focused} />;
	};
	return (
		<Box flexDirection="column" width={width} flexShrink={0}>
			{showHeader
				? line(
						columns.map(c => c.header),
						false,
						true,
						'header',
					)
				: null}
			{rows.map(row => line(row.cells, row.selected ?? false, false, row.key))}
		</Box>
	);
}

export const Table = memo(TableView);
