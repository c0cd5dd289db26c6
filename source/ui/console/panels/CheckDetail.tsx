/** The selected phase's checks: measured value against threshold and, when not a pass, the reason. Problems first. */
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {CheckResult, Verdict} from '../../../engine/checks.js';
import type {PhaseView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {statusColor} from '../../glyphs.js';
import {formatElapsed, formatMeasured} from '../../format.js';
import {Line, type SegmentInput} from '../../components/Line.js';
import {phaseDuration} from './PhaseTable.js';
import {cellWidth, sanitize, wrapCells} from '../../text.js';

const severity: Record<Verdict, number> = {fail: 0, 'no-data': 1, warn: 2, skipped: 3, pass: 4, info: 5};

interface CheckDetailProps {
	phase: PhaseView | undefined;
	width: number;
	height: number;
	at: number;
}

/** One line per check when it fits; otherwise the measured value and threshold go on their own line. */
function checkLines(check: CheckResult, width: number, statusText: string): SegmentInput[][] {
	const measured = formatMeasured(check.measured, check.unit);
	const title = check.title || check.id;
	const value: SegmentInput[] = [
		{text: measured, color: statusColor[check.verdict]},
		check.threshold ? {text: ` vs ${check.threshold}`, dim: true} : null,
	];
	const valueText = `${measured}${check.threshold ? ` vs ${check.threshold}` : ''}`;
	const head: SegmentInput = {text: `${statusText} `, color: statusColor[check.verdict]};
	const name: SegmentInput = {text: title, bold: check.verdict === 'fail'};
	const lines: SegmentInput[][] =
		cellWidth(`${statusText} ${title}  ${valueText}`) <= width
			? [[head, name, '  ', ...value]]
			: [[head, name], ['   ', ...value]];
	if (check.reason && check.verdict !== 'pass') {
		// Reasons are the point of this panel: up to two lines rather than a cut-off one.
		for (const part of wrapCells(sanitize(check.reason), Math.max(1, width - 3), 2)) {
			lines.push([{text: `   ${part}`, color: check.verdict === 'fail' ? 'red' : 'yellow'}]);
		}
	}
	return lines;
}

function CheckDetailView({phase, width, height, at}: CheckDetailProps) {
	const {g} = useUiEnvironment();
	if (phase === undefined) return <Text dimColor>select a phase</Text>;
	const header: SegmentInput[] = [
		{text: `${g.status[phase.status]} ${phase.title || phase.id}`, color: statusColor[phase.status], bold: true},
		{text: `  ${phase.passed}/${phase.total} passed`},
		{text: `  ${formatElapsed(phaseDuration(phase, at))}`, dim: true},
	];
	const lines: SegmentInput[][] = [header];
	if (phase.reason && phase.status !== 'pass') lines.push([{text: phase.reason, color: 'red'}]);
	if (phase.checks.length === 0) {
		lines.push([{text: phase.status === 'pending' ? 'not run yet — Enter runs it' : 'no checks reported yet', dim: true}]);
	}
	const sorted = [...phase.checks].sort((a, b) => severity[a.verdict] - severity[b.verdict]);
	const body: SegmentInput[][] = [];
	for (const check of sorted) body.push(...checkLines(check, width, g.status[check.verdict]));
	const room = Math.max(0, height - lines.length);
	let shown = body;
	if (body.length > room) {
		shown = body.slice(0, Math.max(0, room - 1));
		shown.push([{text: `${g.ellipsis} ${body.length - shown.length} more lines`, dim: true}]);
	}
	return (
		<Box flexDirection="column" width={width}>
			{[...lines, ...shown].slice(0, height).map((segments, i) => (
				<Line key={i} segments={segments} width={width} />
			))}
		</Box>
	);
}

export const CheckDetail = memo(CheckDetailView);
