/**
 * A framed panel of fixed size whose title sits in the top border (saves a line at 80×24). The
 * focused panel shows a pointer before its title as well as a colour, so focus reads without colour.
 */
import type {ReactNode} from 'react';
import {Box} from 'ink';
import {SegmentsLine} from './Line.js';
import {useUiEnvironment} from '../environment.js';
import {cellWidth, truncate} from '../text.js';

interface PanelProps {
	title: string;
	/** Short text at the right end of the top border (counts, PAUSED, filter). */
	badge?: string;
	width: number;
	height: number;
	focused: boolean;
	children: ReactNode;
}

export function panelInner(width: number, height: number): {width: number; height: number} {
	return {width: Math.max(0, width - 2), height: Math.max(0, height - 2)};
}

export function Panel({title, badge, width, height, focused, children}: PanelProps) {
	const {g} = useUiEnvironment();
	const color = focused ? 'cyan' : 'gray';
	const label = `${focused ? g.pointer : g.frame.horizontal} ${title} `;
	const badgeText = badge ? ` ${badge} ` : '';
	const room = Math.max(0, width - 2);
	const titleText = truncate(label, Math.max(0, room - cellWidth(badgeText) - 1));
	const fill = Math.max(0, room - cellWidth(titleText) - cellWidth(badgeText));
	const badgeShown = cellWidth(titleText) + cellWidth(badgeText) <= room ? badgeText : '';
	const fillWidth = badgeShown ? fill : room - cellWidth(titleText);
	return (
		<Box flexDirection="column" width={width} height={height} flexShrink={0}>
			<SegmentsLine
				segments={[
					{text: g.frame.topLeft, color},
					{text: titleText, color: focused ? 'cyan' : undefined, bold: focused},
					{text: g.frame.horizontal.repeat(Math.max(0, fillWidth)), color},
					{text: badgeShown, color: 'yellow'},
					{text: g.frame.topRight, color},
				]}
			/>
			<Box
				flexDirection="column"
				width={width}
				height={Math.max(0, height - 1)}
				borderStyle={g.border}
				borderTop={false}
				borderColor={color}
				overflowY="hidden"
			>
				{children}
			</Box>
		</Box>
	);
}
