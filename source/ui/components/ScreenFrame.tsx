/**
 * The frame both screens draw in: the UI environment for every panel below (glyphs, size, colour),
 * a header and a footer of two lines each behind their own error boundaries, and the body between
 * them. A terminal under the screen's minimum gets one line saying so instead of a body.
 */
import {useMemo, type ReactNode} from 'react';
import {Box} from 'ink';
import {UiEnvironmentContext, type UiEnvironment} from '../environment.js';
import {glyphs} from '../glyphs.js';
import {colorEnabled} from '../ansi.js';
import type {TerminalSize} from '../hooks/use-terminal-size.js';
import {PanelBoundary} from './PanelBoundary.js';
import {Line} from './Line.js';

interface ScreenFrameProps {
	ascii: boolean;
	size: TerminalSize;
	width: number;
	height: number;
	/** Header and footer that choked on one odd snapshot retry when this changes. */
	resetKey: number;
	header: ReactNode;
	footer: ReactNode;
	children: ReactNode;
}

export function ScreenFrame({ascii, size, width, height, resetKey, header, footer, children}: ScreenFrameProps) {
	const environment = useMemo<UiEnvironment>(
		() => ({g: glyphs(ascii), size, color: colorEnabled(process.env)}),
		[ascii, size],
	);
	return (
		<UiEnvironmentContext.Provider value={environment}>
			<Box flexDirection="column" width={width} height={height} overflowY="hidden">
				{height >= 4 ? (
					<PanelBoundary name="header" width={width} height={2} resetKey={resetKey}>
						{header}
					</PanelBoundary>
				) : null}
				{children}
				{height >= 4 ? (
					<PanelBoundary name="footer" width={width} height={2} resetKey={resetKey}>
						{footer}
					</PanelBoundary>
				) : null}
			</Box>
		</UiEnvironmentContext.Provider>
	);
}

interface TooSmallProps {
	width: number;
	height: number;
	size: TerminalSize;
	/** Who needs the room: `drydock`, `the Load screen`. */
	who: string;
	minColumns: number;
	minRows: number;
}

/** The body of a screen on a terminal below its minimum. */
export function TooSmall({width, height, size, who, minColumns, minRows}: TooSmallProps) {
	return (
		<Box width={width} height={Math.max(0, height)} flexDirection="column">
			<Line
				width={width}
				segments={[
					{
						text: `terminal ${size.columns}×${size.rows} is too small: ${who} needs ${minColumns}×${minRows}`,
						color: 'yellow',
					},
				]}
			/>
		</Box>
	);
}
