/** A screen's two header lines; segments that don't fit are dropped whole, in priority order. */
import {Box} from 'ink';
import {Line, type SegmentInput} from './Line.js';

interface HeaderBarProps {
	width: number;
	lines: readonly [readonly SegmentInput[], readonly SegmentInput[]];
}

export function HeaderBar({width, lines}: HeaderBarProps) {
	return (
		<Box flexDirection="column" width={width} height={2} flexShrink={0}>
			<Line segments={lines[0]} width={width} mode="drop" separator="  " />
			<Line segments={lines[1]} width={width} mode="drop" separator="  " />
		</Box>
	);
}
