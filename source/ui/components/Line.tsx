/**
 * One terminal line made of coloured segments, never wider than `width`: segments that don't fit
 * are dropped whole (greedy, in priority order) or, with `cut`, the line is truncated.
 */
import {memo} from 'react';
import {Text, Transform} from 'ink';
import {styled, type Style} from '../ansi.js';
import {asciiPhrase, cellWidth, sanitize, toAscii, truncate} from '../text.js';
import {useUiEnvironment} from '../environment.js';

export interface Segment {
	text: string;
	color?: string;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
}

export type SegmentInput = Segment | string | null | undefined | false;

function normalise(segments: readonly SegmentInput[], ascii: boolean): Segment[] {
	const out: Segment[] = [];
	for (const s of segments) {
		if (!s) continue;
		const seg = typeof s === 'string' ? {text: s} : s;
		const text = ascii ? asciiPhrase(sanitize(seg.text)) : sanitize(seg.text);
		if (text !== '') out.push({...seg, text});
	}
	return out;
}

/** Segments that fit `width`, dropping whole segments (`drop`) or cutting the last one (`cut`). */
export function fitSegments(
	segments: readonly SegmentInput[],
	width: number,
	mode: 'drop' | 'cut',
	separator: string,
	ascii = false,
): Segment[] {
	const list = normalise(segments, ascii);
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
export function flowSegments(
	segments: readonly SegmentInput[],
	width: number,
	separator = '  ',
	ascii = false,
): Segment[][] {
	const lines: Segment[][] = [];
	let line: Segment[] = [];
	let used = 0;
	for (const seg of normalise(segments, ascii)) {
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
	const {g} = useUiEnvironment();
	const fitted = fitSegments(segments, width, mode, separator, g.ascii);
	return <SegmentsLine segments={fitted} />;
}

export const Line = memo(LineView);

/**
 * Renders already-fitted segments as one line. Ink measures and lays out a constant placeholder of
 * the same width; the styled text replaces it at output time (Transform), so changing figures never
 * reach Ink's unbounded measure cache and never dirty the layout.
 */
export function SegmentsLine({segments, inverse = false}: {segments: readonly Segment[]; inverse?: boolean}) {
	const {g, color} = useUiEnvironment();
	let width = 0;
	let line = '';
	// Adjacent segments with one style share one SGR pair: fewer bytes per frame over SSH.
	let run = '';
	let runStyle: Style | null = null;
	const same = (a: Style, b: Style) =>
		a.color === b.color && !a.bold === !b.bold && !a.dim === !b.dim && !a.inverse === !b.inverse;
	for (const s of segments) {
		const text = g.ascii ? toAscii(s.text) : s.text;
		width += cellWidth(text);
		const style: Style = {color: s.color, bold: s.bold, dim: s.dim, inverse: inverse || s.inverse};
		if (runStyle && same(runStyle, style)) {
			run += text;
			continue;
		}
		if (runStyle) line += styled(run, runStyle, color);
		run = text;
		runStyle = style;
	}
	if (runStyle) line += styled(run, runStyle, color);
	if (width === 0) return <Text> </Text>;
	return <Transform transform={() => line}>{' '.repeat(width)}</Transform>;
}
