/** A screen's two footer lines: a status line, and the key hints that fit whole (a key without its meaning is worse than no hint). */
import {memo} from 'react';
import {Box} from 'ink';
import {Line, type SegmentInput} from './Line.js';
import {cellWidth} from '../text.js';

export interface KeyHint {
	key: string;
	hint: string;
}

/** The status line of a quit dialog: the question, then y / n / Ctrl-C and what each does. */
export function confirmQuitSegments(question: string, yes: string): SegmentInput[] {
	return [
		{text: ` ${question} `, color: 'black', inverse: true, bold: true},
		{text: ' y', bold: true},
		{text: ` ${yes}`},
		{text: '  n/Esc', bold: true},
		{text: ' keep running'},
		{text: '  Ctrl-C', bold: true},
		{text: ' force'},
	];
}

interface FooterBarProps {
	width: number;
	status: readonly SegmentInput[];
	hints: readonly KeyHint[];
}

function FooterBarView({width, status, hints}: FooterBarProps) {
	const shown: SegmentInput[] = [];
	let used = 0;
	for (const unit of hints) {
		const w = cellWidth(unit.key) + 1 + cellWidth(unit.hint) + (used > 0 ? 2 : 0);
		if (used + w > width) continue;
		shown.push(used > 0 ? '  ' : null, {text: unit.key, bold: true, color: 'cyan'}, ` ${unit.hint}`);
		used += w;
	}
	return (
		<Box flexDirection="column" width={width} height={2} flexShrink={0}>
			<Line width={width} segments={status} />
			<Line width={width} segments={shown} mode="cut" />
		</Box>
	);
}

export const FooterBar = memo(FooterBarView);
