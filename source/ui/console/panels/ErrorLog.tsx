/** Error groups newest first with counts and first/last seen; `/` filters, arrows scroll, the selected group's details below. */
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {ErrorGroup} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {formatAge, formatClock, formatCount} from '../../format.js';
import {Table, type TableRow} from '../../components/Table.js';
import {Line} from '../../components/Line.js';
import {clampIndex, scrollStart} from '../../list-window.js';
import {sanitize, wrapCells} from '../../text.js';

interface ErrorLogProps {
	/** Already filtered and sorted (visibleErrors). */
	errors: readonly ErrorGroup[];
	totalGroups: number;
	filter: string;
	filterEditing: boolean;
	selected: number;
	focused: boolean;
	width: number;
	height: number;
	now: number;
}

function ErrorLogView({
	errors,
	totalGroups,
	filter,
	filterEditing,
	selected,
	focused,
	width,
	height,
	now,
}: ErrorLogProps) {
	const {g} = useUiEnvironment();
	const total = errors.reduce((sum, e) => sum + e.count, 0);
	const filterText =
		filter !== '' || filterEditing ? `filter "${sanitize(filter)}"${filterEditing ? ' (typing)' : ''}` : '/ to filter';
	const summary = (
		<Line
			width={width}
			mode="drop"
			separator="  "
			segments={[
				{text: `${errors.length}${filter ? `/${totalGroups}` : ''} groups`, bold: true},
				{text: `${formatCount(total)} errors`, color: total > 0 ? 'red' : 'gray'},
				{text: filterText, color: filter !== '' ? 'yellow' : 'gray'},
			]}
		/>
	);
	if (errors.length === 0) {
		return (
			<Box flexDirection="column" width={width}>
				{summary}
				<Text color={filter ? 'yellow' : 'green'}>{filter ? 'no error matches the filter' : 'no errors'}</Text>
			</Box>
		);
	}
	const index = clampIndex(selected, errors.length);
	// The table gets up to 60% of the panel; the selected group's details (full message wrapped) the rest.
	const detailLines =
		height >= 8 ? Math.max(2, Math.min(height - 2 - Math.min(errors.length, 3), Math.floor(height * 0.4))) : 0;
	const rowsRoom = Math.max(1, height - 2 - detailLines);
	const start = scrollStart(index, errors.length, rowsRoom);
	const rows: TableRow[] = errors.slice(start, start + rowsRoom).map((e, i) => ({
		key: e.key,
		selected: start + i === index,
		cells: [
			{text: `${formatCount(e.count)}×`, color: e.critical ? 'red' : 'yellow', bold: e.critical},
			formatAge(e.lastSeen, now),
			{text: e.kind, color: e.critical ? 'red' : undefined},
			sanitize(e.message),
		],
	}));
	const current = errors[index];
	return (
		<Box flexDirection="column" width={width}>
			{summary}
			<Table
				width={width}
				focused={focused}
				marker={g.pointer}
				columns={[
					{header: 'count', width: 5, align: 'right'},
					{header: 'last', width: 6, align: 'right'},
					{header: 'kind', width: width < 60 ? 10 : 14},
					{header: 'message'},
				]}
				rows={rows}
			/>
			{detailLines > 0 && current ? (
				<>
					<Line
						width={width}
						mode="drop"
						separator="  "
						segments={[
							{text: `#${index + 1}/${errors.length}`, dim: true},
							{text: `first ${formatClock(current.firstSeen)}Z`},
							{text: `last ${formatClock(current.lastSeen)}Z`},
							current.phase ? {text: `phase ${current.phase}`} : null,
							current.critical ? {text: 'CRITICAL', color: 'red', bold: true} : null,
						]}
					/>
					{wrapCells(sanitize(current.message), width, detailLines - 1).map((line, i) => (
						<Line key={i} width={width} segments={[{text: line, color: 'red'}]} />
					))}
				</>
			) : null}
		</Box>
	);
}

export const ErrorLog = memo(ErrorLogView);
