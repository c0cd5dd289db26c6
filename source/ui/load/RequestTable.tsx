/**
 * The live per-name table (Locust's columns), the aggregate pinned under it, and the selected name
 * in full with more percentiles on the last line. Columns that don't fit are dropped by priority
 * (Min, then Max, then Avg) before the name gets too narrow to read.
 */
import {memo} from 'react';
import {Box} from 'ink';
import type {EntrySummary} from '../../load/stats.js';
import {useUiEnvironment} from '../environment.js';
import {Table, type Column, type TableRow, type Cell} from '../components/Table.js';
import {Line} from '../components/Line.js';
import {clampIndex, scrollStart} from '../list-window.js';
import {formatMs} from '../format.js';
import {shortCount, shortMs, shortRps} from './short-figures.js';

type ColumnId = 'type' | 'name' | 'reqs' | 'fails' | 'avg' | 'min' | 'max' | 'med' | 'p95' | 'p99' | 'rps';

const allColumns: readonly {id: ColumnId; column: Column}[] = [
	{id: 'type', column: {header: 'Type', width: 6}},
	{id: 'name', column: {header: 'Name'}},
	{id: 'reqs', column: {header: '# reqs', width: 7, align: 'right'}},
	{id: 'fails', column: {header: '# fails', width: 7, align: 'right'}},
	{id: 'avg', column: {header: 'Avg', width: 5, align: 'right'}},
	{id: 'min', column: {header: 'Min', width: 5, align: 'right'}},
	{id: 'max', column: {header: 'Max', width: 5, align: 'right'}},
	{id: 'med', column: {header: 'Med', width: 5, align: 'right'}},
	{id: 'p95', column: {header: 'p95', width: 5, align: 'right'}},
	{id: 'p99', column: {header: 'p99', width: 5, align: 'right'}},
	{id: 'rps', column: {header: 'RPS', width: 6, align: 'right'}},
];

/** Dropped in this order when the name column would be narrower than `minNameWidth`. */
const dropOrder: readonly ColumnId[] = ['min', 'max', 'avg', 'type', 'p95'];
const minNameWidth = 22;

/** The columns shown in `width` cells (one is the selection marker). */
export function requestColumns(width: number): {ids: ColumnId[]; columns: Column[]; hidden: ColumnId[]} {
	let shown = allColumns.slice();
	const hidden: ColumnId[] = [];
	const nameWidth = () => width - 1 - (shown.length - 1) - shown.reduce((sum, c) => sum + (c.column.width ?? 0), 0);
	for (const id of dropOrder) {
		if (nameWidth() >= minNameWidth) break;
		shown = shown.filter(c => c.id !== id);
		hidden.push(id);
	}
	return {ids: shown.map(c => c.id), columns: shown.map(c => c.column), hidden};
}

function cellFor(id: ColumnId, entry: EntrySummary, aggregate: boolean): Cell | string {
	const measured = entry.requests > 0;
	const pct = (label: string) => shortMs(entry.percentiles[label] ?? 0, measured);
	switch (id) {
		case 'type':
			return aggregate ? '' : entry.method;
		case 'name':
			return aggregate ? {text: 'Aggregated', bold: true} : entry.name;
		case 'reqs':
			return {text: shortCount(entry.requests), bold: aggregate};
		case 'fails':
			return {
				text: shortCount(entry.failures),
				color: entry.failures > 0 ? 'red' : 'gray',
				bold: aggregate && entry.failures > 0,
			};
		case 'avg':
			return shortMs(entry.avgMs, measured);
		case 'min':
			return shortMs(entry.minMs, measured);
		case 'max':
			return shortMs(entry.maxMs, measured);
		case 'med':
			return shortMs(entry.medianMs, measured);
		case 'p95':
			return pct('95%');
		case 'p99':
			return pct('99%');
		case 'rps':
			return {text: shortRps(entry.currentRps), color: 'cyan', bold: aggregate};
	}
}

interface RequestTableProps {
	entries: readonly EntrySummary[];
	total: EntrySummary;
	selected: number;
	width: number;
	height: number;
}

/** Rows of entries the table shows in a panel body of `height` lines. */
export function requestRowsRoom(height: number): number {
	// Header + aggregate, and the detail line when there is room for it.
	return Math.max(1, height - 2 - (hasDetailLine(height) ? 1 : 0));
}

function hasDetailLine(height: number): boolean {
	return height >= 5;
}

function RequestTableView({entries, total, selected, width, height}: RequestTableProps) {
	const {g} = useUiEnvironment();
	const {ids, columns} = requestColumns(width);
	if (entries.length === 0) {
		return (
			<Box flexDirection="column" width={width}>
				<Table width={width} marker={g.pointer} columns={columns} rows={[]} />
				<Line width={width} segments={[{text: 'no requests yet: users are starting', dim: true}]} />
			</Box>
		);
	}
	const index = clampIndex(selected, entries.length);
	const room = requestRowsRoom(height);
	const start = scrollStart(index, entries.length, room);
	const rows: TableRow[] = entries.slice(start, start + room).map((entry, i) => ({
		key: `${entry.method} ${entry.name}`,
		selected: start + i === index,
		cells: ids.map(id => cellFor(id, entry, false)),
	}));
	rows.push({key: '(aggregated)', cells: ids.map(id => cellFor(id, total, true))});
	const current = entries[index];
	const showDetail = hasDetailLine(height) && current !== undefined;
	const scroll = entries.length > room ? `${index + 1}/${entries.length}` : null;
	const p = current?.percentiles ?? {};
	return (
		<Box flexDirection="column" width={width}>
			<Table width={width} marker={g.pointer} columns={columns} rows={rows} />
			{showDetail ? (
				<Line
					width={width}
					mode="cut"
					separator="  "
					segments={[
						scroll ? {text: scroll, dim: true} : null,
						{text: `${current.method} ${current.name}`, color: 'cyan'},
						{text: `fails ${(current.failRatio * 100).toFixed(2)}%`, color: current.failures > 0 ? 'red' : undefined},
						{
							text: `p50 ${formatMs(p['50%'])} p90 ${formatMs(p['90%'])} p99.9 ${formatMs(p['99.9%'])} max ${formatMs(current.maxMs)}`,
							dim: true,
						},
						{text: `avg size ${Math.round(current.avgContentSize)} B`, dim: true},
					]}
				/>
			) : null}
		</Box>
	);
}

export const RequestTable = memo(RequestTableView);
