/**
 * One terminal line made of coloured segments, never wider than `width`: segments that don't fit
 * are dropped whole (greedy, in priority order) or, with `cut`, the line is truncated.
 */
import {memo} from 'react';
import {Text} from 'ink';
import {cellWidth, sanitize, toAscii, truncate} from '../text.js';
import {useUi} from '../context.js';

export interface Segment {
	text: string;
	color?: string;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
}

export type SegmentInput = Segment | string | null | undefined | false;

function normalise(segments: readonly SegmentInput[]): Segment[] {
	const out: Segment[] = [];
	for (const s of segments) {
		if (!s) continue;
		const seg = typeof s === 'string' ? {text: s} : s;
		const text = sanitize(seg.text);
		if (text !== '') out.push({...seg, text});
	}
	return out;
}

/** Segments that fit `width`, dropping whole segments (`drop`) or cutting the last one (`cut`). */
export function fitSegments(segments: readonly SegmentInput[], width: number, mode: 'drop' | 'cut', separator: string): Segment[] {
	const list = normalise(segments);
	const out: Segment[] = [];
	let used = 0;
	for (const seg of list) {
		const sep = out.length === 0 ? 0 : cellWidth(separator);
		const w = cellWidth(seg.text);
		if (used + sep + w <= width) {
			if (sep) out.push({text: separator});
			out.push(seg);
			used += sep + w;
			continue;
		}
		if (mode === 'cut') {
			const room = width - used - sep;
			if (room > 1) {
				if (sep) out.push({text: separator});
				out.push({...seg, text: truncate(seg.text, room)});
			}
			break;
		}
	}
	return out;
}

/** Packs segments into lines of `width` (a segment wider than a line is cut). */
export function flowSegments(segments: readonly SegmentInput[], width: number, separator = '  '): Segment[][] {
	const lines: Segment[][] = [];
	let line: Segment[] = [];
	let used = 0;
	for (const seg of normalise(segments)) {
		const w = cellWidth(seg.text);
		const sep = line.length === 0 ? 0 : cellWidth(separator);
		if (line.length > 0 && used + sep + w > width) {
			lines.push(line);
			line = [];
			used = 0;
		}
		if (line.length > 0) {
			line.push({text: separator});
			used += cellWidth(separator);
		}
		const text = w > width ? truncate(seg.text, width) : seg.text;
		line.push({...seg, text});
		used += cellWidth(text);
	}
	if (line.length > 0) lines.push(line);
	return lines;
}

interface LineProps {
	segments: readonly SegmentInput[];
	width: number;
	mode?: 'drop' | 'cut';
	separator?: string;
}

function LineView({segments, width, mode = 'cut', separator = ''}: LineProps) {
	const fitted = fitSegments(segments, width, mode, separator);
	return <SegmentsLine segments={fitted} />;
}

export const Line = memo(LineView);

/** Renders already-fitted segments as one line. */
export function SegmentsLine({segments}: {segments: readonly Segment[]}) {
	const {g} = useUi();
	if (segments.length === 0) return <Text> </Text>;
	return (
		<Text wrap="truncate">
			{segments.map((s, i) => (
				<Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
					{g.ascii ? toAscii(s.text) : s.text}
				</Text>
			))}
		</Text>
	);
}
