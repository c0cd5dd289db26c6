/** Failures grouped by method, name and error, most frequent first (as the runner sorts them). */
import {memo} from 'react';
import {Box} from 'ink';
import type {FailureKind} from '../../load/stats.js';
import {Table, type Column, type TableRow} from '../components/Table.js';
import {Line} from '../components/Line.js';
import {shortCount} from './short-figures.js';

interface FailuresProps {
	failures: readonly FailureKind[];
	width: number;
	height: number;
}

function FailuresView({failures, width, height}: FailuresProps) {
	if (failures.length === 0) {
		return (
			<Box flexDirection="column" width={width}>
				<Line width={width} segments={[{text: 'no failures', color: 'green'}]} />
			</Box>
		);
	}
	const room = Math.max(1, height - 1);
	const more = failures.length > room ? failures.length - (room - 1) : 0;
	const shown = failures.slice(0, more > 0 ? room - 1 : room);
	// Narrow: method, name and error share one cell rather than three unreadable ones.
	const wide = width >= 60;
	const columns: Column[] = wide
		? [
				{header: '#', width: 6, align: 'right'},
				{header: 'Type', width: 6},
				{header: 'Name', width: Math.min(30, Math.floor(width * 0.35))},
				{header: 'Error'},
			]
		: [{header: '#', width: 6, align: 'right'}, {header: 'Type Name: error'}];
	const rows: TableRow[] = shown.map((f, i) => ({
		key: `${i}`,
		cells: wide
			? [{text: shortCount(f.occurrences), color: 'red', bold: true}, f.method, f.name, {text: f.error, color: 'red'}]
			: [
					{text: shortCount(f.occurrences), color: 'red', bold: true},
					{text: `${f.method} ${f.name}: ${f.error}`.trim(), color: 'red'},
				],
	}));
	return (
		<Box flexDirection="column" width={width}>
			<Table width={width} columns={columns} rows={rows} />
			{more > 0 ? (
				<Line width={width} segments={[{text: `+${more} more kinds (all in the end-of-run report)`, dim: true}]} />
			) : null}
		</Box>
	);
}

export const Failures = memo(FailuresView);
