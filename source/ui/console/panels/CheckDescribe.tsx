/**
 * One check, full screen (as k9s "describe" does): the whole reason however long, the measured value,
 * the threshold it was held to, its verdict, phase and id. Esc returns.
 */
import {memo} from 'react';
import {Box} from 'ink';
import type {CheckResult} from '../../../engine/checks.js';
import type {PhaseView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {statusColor} from '../../glyphs.js';
import {formatMeasured} from '../../format.js';
import {Panel, panelInner} from '../../components/Panel.js';
import {Line, type SegmentInput} from '../../components/Line.js';
import {sanitize, wrapCells} from '../../text.js';

interface CheckDescribeProps {
	phase: PhaseView;
	check: CheckResult;
	width: number;
	height: number;
}

function field(label: string, value: string, width: number, color?: string): SegmentInput[][] {
	const pad = 11;
	const parts = wrapCells(sanitize(value), Math.max(1, width - pad), 1000);
	return parts.map((part, i) => [
		{text: (i === 0 ? label : '').padEnd(pad), dim: true},
		{text: part, ...(color ? {color} : {})},
	]);
}

function CheckDescribeView({phase, check, width, height}: CheckDescribeProps) {
	const {g} = useUiEnvironment();
	const inner = panelInner(width, height);
	const lines: SegmentInput[][] = [
		...field('verdict', `${g.status[check.verdict]} ${check.verdict}`, inner.width, statusColor[check.verdict]),
		...field('check', `${check.title || check.id} (${check.id})`, inner.width),
		...field('phase', `${phase.title || phase.id} (${phase.id})`, inner.width),
		...field('measured', formatMeasured(check.measured, check.unit), inner.width),
		...field('threshold', check.threshold ?? '—', inner.width),
		[],
		...field(
			'reason',
			check.reason ?? (check.verdict === 'pass' ? 'passed: the measured value met the threshold' : '—'),
			inner.width,
			check.verdict === 'fail' ? 'red' : check.verdict === 'warn' ? 'yellow' : undefined,
		),
	];
	const room = Math.max(1, inner.height - 1);
	const shown =
		lines.length > room
			? [...lines.slice(0, room - 1), [{text: `${g.ellipsis} ${lines.length - room + 1} more lines`, dim: true}]]
			: lines;
	return (
		<Panel title={`describe · ${phase.id} · ${check.id}`} width={width} height={height} focused>
			<Box flexDirection="column" width={inner.width}>
				{shown.map((segments, i) => (
					<Line key={i} segments={segments.length === 0 ? [' '] : segments} width={inner.width} />
				))}
				<Line width={inner.width} segments={[{text: 'Esc returns', dim: true}]} />
			</Box>
		</Panel>
	);
}

export const CheckDescribe = memo(CheckDescribeView);
