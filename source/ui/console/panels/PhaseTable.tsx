/** The phase table: status symbol + colour, checks passed/total, duration; the selected row is highlighted. */
import {memo} from 'react';
import type {PhaseView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {statusColor} from '../../glyphs.js';
import {formatShortDuration} from '../../format.js';
import {Table, type TableRow} from '../../components/Table.js';
import {clampIndex, scrollStart} from '../../list-window.js';
import {Box, Text} from 'ink';
import {Line} from '../../components/Line.js';
import {checkCounts} from '../snapshot-selectors.js';

interface PhaseTableProps {
	phases: readonly PhaseView[];
	selected: number;
	focused: boolean;
	width: number;
	height: number;
	at: number;
}

export function phaseDuration(phase: PhaseView, at: number): number | null {
	if (phase.durationMs !== null) return phase.durationMs;
	if (phase.startedAt !== null) return Math.max(0, (phase.endedAt ?? at) - phase.startedAt);
	return null;
}

function PhaseTableView({phases, selected, focused, width, height, at}: PhaseTableProps) {
	const {g} = useUiEnvironment();
	if (phases.length === 0) return <Text dimColor>no phases in this plan</Text>;
	const statusWidth = Math.max(...Object.values(g.status).map(s => s.length));
	const rowsRoom = Math.max(1, height - 1);
	const index = clampIndex(selected, phases.length);
	const start = scrollStart(index, phases.length, rowsRoom);
	const rows: TableRow[] = phases.slice(start, start + rowsRoom).map((phase, i) => {
		const counts = checkCounts(phase);
		return {
			key: phase.id,
			selected: start + i === index,
			cells: [
				{text: g.status[phase.status], color: statusColor[phase.status], bold: phase.status === 'fail'},
				{text: phase.id, color: phase.status === 'fail' ? 'red' : undefined},
				{
					text: counts.total > 0 ? `${counts.passed}/${counts.total}` : '—',
					color: counts.passed < counts.total && phase.status !== 'running' ? 'yellow' : undefined,
				},
				formatShortDuration(phaseDuration(phase, at)),
			],
		};
	});
	const done = phases.filter(p => p.status !== 'pending' && p.status !== 'running').length;
	const count = (status: PhaseView['status']) => phases.filter(p => p.status === status).length;
	const summaryRoom = height - 1 - rows.length;
	return (
		<Box flexDirection="column" width={width}>
			<Table
				width={width}
				focused={focused}
				marker={g.pointer}
				columns={[
					{header: '', width: statusWidth},
					{header: 'phase'},
					{header: 'chk', width: 5, align: 'right'},
					{header: 'time', width: 7, align: 'right'},
				]}
				rows={rows}
			/>
			{summaryRoom >= 2 ? (
				<>
					<Text> </Text>
					<Line
						width={width}
						mode="drop"
						separator="  "
						segments={[
							{text: `${done}/${phases.length} done`, bold: true},
							count('fail') > 0 ? {text: `${count('fail')} ${g.status.fail}`, color: 'red', bold: true} : null,
							count('no-data') > 0 ? {text: `${count('no-data')} ${g.status['no-data']}`, color: 'magenta'} : null,
							count('warn') > 0 ? {text: `${count('warn')} ${g.status.warn}`, color: 'yellow'} : null,
							count('pass') > 0 ? {text: `${count('pass')} ${g.status.pass}`, color: 'green'} : null,
						]}
					/>
				</>
			) : null}
			{summaryRoom >= 3 ? (
				<Line
					width={width}
					segments={[{text: focused ? `${g.enter} runs the selected phase` : 'Tab focuses the phase table', dim: true}]}
				/>
			) : null}
		</Box>
	);
}

export const PhaseTable = memo(PhaseTableView);
