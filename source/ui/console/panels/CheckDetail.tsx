/**
 * The selected phase's checks: measured value against threshold and, when not a pass, the reason.
 * Problems first. Focused (Tab), the list has a cursor and scrolls to it; Enter opens the check's
 * full-screen description (CheckDescribe).
 */
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {CheckResult} from '../../../engine/checks.js';
import type {PhaseView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {statusColor} from '../../glyphs.js';
import {formatMeasured, formatShortDuration} from '../../format.js';
import {Line, type SegmentInput} from '../../components/Line.js';
import {phaseDuration} from './PhaseTable.js';
import {cellWidth, sanitize, wrapCells} from '../../text.js';
import {clampIndex} from '../../list-window.js';
import {checkCounts, sortedChecks} from '../snapshot-selectors.js';

interface CheckDetailProps {
	phase: PhaseView | undefined;
	width: number;
	height: number;
	at: number;
	/** Cursor in the sorted checks, shown while the panel has focus. */
	selected?: number;
	focused?: boolean;
	/** The finished run's report.json, shown on top so it can be opened without hunting for the run id. */
	report?: string | null;
}

/** One line per check when it fits; otherwise the measured value and threshold go on their own line. */
function checkLines(check: CheckResult, width: number, statusText: string, marker: string): SegmentInput[][] {
	const measured = formatMeasured(check.measured, check.unit);
	const title = check.title || check.id;
	const value: SegmentInput[] = [
		{text: measured, color: statusColor[check.verdict]},
		check.threshold ? {text: ` vs ${check.threshold}`, dim: true} : null,
	];
	const valueText = `${measured}${check.threshold ? ` vs ${check.threshold}` : ''}`;
	const head: SegmentInput = {text: `${marker}${statusText} `, color: statusColor[check.verdict]};
	const name: SegmentInput = {
		text: title,
		bold: check.verdict === 'fail' || marker.trim() !== '',
		inverse: marker.trim() !== '',
	};
	const room = width - cellWidth(marker);
	const lines: SegmentInput[][] =
		cellWidth(`${statusText} ${title}  ${valueText}`) <= room
			? [[head, name, '  ', ...value]]
			: [
					[head, name],
					['   ', ...value],
				];
	if (check.reason && check.verdict !== 'pass') {
		// Reasons are the point of this panel: up to two lines rather than a cut-off one (Enter shows it whole).
		for (const part of wrapCells(sanitize(check.reason), Math.max(1, width - 3), 2)) {
			lines.push([
				{text: `   ${part}`, color: check.verdict === 'fail' ? 'red' : check.verdict === 'info' ? 'blue' : 'yellow'},
			]);
		}
	}
	return lines;
}

function CheckDetailView({phase, width, height, at, selected = 0, focused = false, report = null}: CheckDetailProps) {
	const {g} = useUiEnvironment();
	if (phase === undefined) return <Text dimColor>select a phase</Text>;
	const counts = checkCounts(phase);
	const header: SegmentInput[] = [
		{text: `${g.status[phase.status]} ${phase.title || phase.id}`, color: statusColor[phase.status], bold: true},
		{text: `  ${counts.passed}/${counts.total} passed`},
		{text: `  ${formatShortDuration(phaseDuration(phase, at))}`, dim: true},
	];
	const lines: SegmentInput[][] = report
		? [
				[
					{text: 'report ', dim: true},
					{text: report, color: 'cyan'},
				],
				header,
			]
		: [header];
	if (phase.reason && phase.status !== 'pass') lines.push([{text: phase.reason, color: 'red'}]);
	if (phase.checks.length === 0) {
		lines.push([
			{text: phase.status === 'pending' ? 'not run yet — Enter runs it' : 'no checks reported yet', dim: true},
		]);
	}
	const sorted = sortedChecks(phase);
	const cursor = focused ? clampIndex(selected, sorted.length) : -1;
	const body: SegmentInput[][] = [];
	let cursorLine = 0;
	let cursorEnd = 0;
	sorted.forEach((check, i) => {
		if (i === cursor) cursorLine = body.length;
		body.push(
			...checkLines(check, width, g.status[check.verdict], focused ? (i === cursor ? `${g.pointer} ` : '  ') : ''),
		);
		if (i === cursor) cursorEnd = body.length;
	});
	const room = Math.max(0, height - lines.length - (focused ? 1 : 0));
	let shown = body;
	if (body.length > room) {
		// Scrolled so the cursor's whole check is in view; what is hidden is counted on the last line.
		const window = Math.max(1, room - 1);
		const start =
			cursor < 0
				? 0
				: Math.min(Math.max(0, cursorEnd - window, cursorLine - Math.floor(window / 3)), Math.max(0, cursorLine));
		shown = body.slice(start, start + window);
		const above = start;
		const below = body.length - start - shown.length;
		shown.push([
			{
				text: `${g.ellipsis} ${[above > 0 ? `${above} lines above` : '', below > 0 ? `${below} more lines` : ''].filter(Boolean).join(', ')}`,
				dim: true,
			},
		]);
	}
	if (focused && sorted.length > 0)
		shown = [...shown, [{text: `${g.up}${g.down} select  ${g.enter} describe  Tab next panel`, dim: true}]];
	return (
		<Box flexDirection="column" width={width}>
			{[...lines, ...shown].slice(0, height).map((segments, i) => (
				<Line key={i} segments={segments} width={width} />
			))}
		</Box>
	);
}

export const CheckDetail = memo(CheckDetailView);
