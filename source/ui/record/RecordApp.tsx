/**
 * The live screen of `drydock record --console`: the progress figures in the header, a stream
 * inspector (frames, rate, last frame age, the last frame on one line) and the gap list. It polls the
 * recording's view model (source/recording/record-view.ts) a few times a second; q or Ctrl-C stops the
 * recording (the command writes the end record), a second Ctrl-C forces.
 */
import {useEffect, useRef, useState} from 'react';
import {Box, Text, useInput, useStdin, useStdout} from 'ink';
import type {RecordView} from '../../recording/record-view.js';
import {useTerminalSize} from '../hooks/use-terminal-size.js';
import {HeaderBar} from '../components/HeaderBar.js';
import {FooterBar} from '../components/FooterBar.js';
import {Panel, panelInner} from '../components/Panel.js';
import {PanelBoundary} from '../components/PanelBoundary.js';
import {ScreenFrame, TooSmall} from '../components/ScreenFrame.js';
import {Table, columnWidths, type TableRow} from '../components/Table.js';
import {Line, type SegmentInput} from '../components/Line.js';
import {formatAge, formatRate, formatShortDuration} from '../format.js';

export interface RecordViewSource {
	/** The view with each stream's last frame cut to `textWidth`. */
	view(textWidth: number): RecordView;
}

export interface RecordAppProps {
	source: RecordViewSource;
	/** What is recorded, in the order of importance (`→ btc.rec`, `BTCUSDT,ETHUSDT`, …): parts that don't fit are dropped whole. */
	description: readonly string[];
	onQuit(force: boolean): void;
	ascii: boolean;
	/** How often the view is read. */
	refreshMs?: number;
}

export const recordScreenMinColumns = 60;
export const recordScreenMinRows = 12;

const streamColumns = [
	{header: 'stream', width: 24},
	{header: 'frames', width: 8, align: 'right' as const},
	{header: 'rate', width: 7, align: 'right' as const},
	{header: 'age', width: 6, align: 'right' as const},
	{header: 'last frame'},
];

/** Width of the last-frame column inside a panel of `inner` cells. */
export function lastFrameWidth(inner: number): number {
	return columnWidths(streamColumns, inner).at(-1) ?? 0;
}

function progressSegments(view: RecordView): SegmentInput[] {
	return [
		{text: `${view.events} events`, bold: true},
		{text: formatRate(view.ratePerSecond), color: 'cyan', bold: true},
		{text: view.bytes},
		{text: `${view.ratio.toFixed(1)}× compressed`},
		{text: `${view.gaps} gap${view.gaps === 1 ? '' : 's'}`, color: view.gaps > 0 ? 'red' : 'green'},
		{text: `${view.snapshots} snapshots`},
		{text: view.remaining === undefined ? `${view.elapsed} elapsed` : `${view.elapsed} (${view.remaining} left)`},
	];
}

export function RecordApp({source, description, onQuit, ascii, refreshMs = 500}: RecordAppProps) {
	const {stdout} = useStdout();
	const {isRawModeSupported} = useStdin();
	const size = useTerminalSize(stdout);
	const width = size.columns;
	const height = Math.max(1, size.rows - 1);
	const bodyHeight = Math.max(0, height - 4);
	const gapsHeight = bodyHeight >= 12 ? 5 : 0;
	const streamsHeight = bodyHeight - gapsHeight;
	const streamsInner = panelInner(width, streamsHeight);
	const textWidth = lastFrameWidth(streamsInner.width);
	const widthRef = useRef(textWidth);
	widthRef.current = textWidth;
	const [view, setView] = useState(() => source.view(textWidth));
	const [version, setVersion] = useState(0);
	const [stopping, setStopping] = useState(false);
	useEffect(() => {
		const timer = setInterval(() => {
			setView(source.view(widthRef.current));
			setVersion(v => v + 1);
		}, refreshMs);
		return () => clearInterval(timer);
	}, [source, refreshMs]);
	const stoppingRef = useRef(false);
	useInput(
		(input, key) => {
			const interrupt = key.ctrl && input === 'c';
			if (!interrupt && input !== 'q' && input !== 'Q') return;
			if (stoppingRef.current) {
				if (interrupt) onQuit(true);
				return;
			}
			stoppingRef.current = true;
			setStopping(true);
			onQuit(false);
		},
		{isActive: isRawModeSupported === true},
	);
	const resetKey = Math.floor(version / 20);
	const now = Date.now();

	let body;
	if (width < recordScreenMinColumns || height < recordScreenMinRows) {
		body = (
			<TooSmall
				width={width}
				height={bodyHeight}
				size={size}
				who="drydock record"
				minColumns={recordScreenMinColumns}
				minRows={recordScreenMinRows}
			/>
		);
	} else {
		const tableRoom = Math.max(0, streamsInner.height - 1);
		const rows: TableRow[] = view.streams.slice(0, tableRoom).map(s => ({
			key: s.stream,
			cells: [
				s.stream,
				String(s.frames),
				formatRate(s.ratePerSecond),
				{
					// Frames counted before the screen was watching have no age: '—' rather than 'never'.
					text: s.ageMs !== null ? formatAge(now - s.ageMs, now) : s.frames > 0 ? '—' : 'never',
					color: (s.ageMs === null && s.frames === 0) || (s.ageMs ?? 0) > 5000 ? 'yellow' : undefined,
				},
				{text: s.text, dim: true},
			],
		}));
		const gapsInner = panelInner(width, gapsHeight);
		body = (
			<Box flexDirection="column" width={width} height={bodyHeight}>
				<Panel
					title={`streams · ${view.streams.length}`}
					badge={view.streams.length > tableRoom ? `${view.streams.length - tableRoom} more` : undefined}
					width={width}
					height={streamsHeight}
					focused
				>
					<PanelBoundary name="streams" width={streamsInner.width} height={streamsInner.height} resetKey={resetKey}>
						<Table width={streamsInner.width} columns={streamColumns} rows={rows} />
					</PanelBoundary>
				</Panel>
				{gapsHeight > 0 ? (
					<Panel
						title="gaps"
						badge={view.gaps > 0 ? String(view.gaps) : undefined}
						width={width}
						height={gapsHeight}
						focused={false}
					>
						{view.gapList.length === 0 ? (
							<Text dimColor>no gaps: the feed has been continuous</Text>
						) : (
							view.gapList
								.slice(0, gapsInner.height)
								.map((gap, i) => (
									<Line
										key={i}
										width={gapsInner.width}
										segments={[
											{text: new Date(gap.from).toISOString().slice(11, 19), color: 'red'},
											` ${formatShortDuration(gap.lengthMs)} `,
											{text: gap.reason, dim: true},
										]}
									/>
								))
						)}
					</Panel>
				) : null}
			</Box>
		);
	}

	const status: SegmentInput[] = stopping
		? [{text: 'stopping: writing the end record', color: 'yellow', bold: true}]
		: view.connected
			? [{text: '● recording', color: 'green', bold: true}]
			: [{text: 'RECONNECTING (written as a gap)', color: 'yellow', bold: true}];
	if (view.snapshotErrors > 0)
		status.push({
			text: `  ${view.snapshotErrors} depth snapshot error${view.snapshotErrors === 1 ? '' : 's'}, last: ${view.lastSnapshotError ?? '?'}`,
			color: 'yellow',
		});
	return (
		<ScreenFrame
			ascii={ascii}
			size={size}
			width={width}
			height={height}
			resetKey={resetKey}
			header={
				<HeaderBar
					width={width}
					lines={[
						[{text: 'drydock record', bold: true}, ...description.map((text, i) => ({text, bold: i === 0}))],
						progressSegments(view),
					]}
				/>
			}
			footer={
				<FooterBar
					width={width}
					status={status}
					hints={[
						{key: 'q', hint: 'stop and close the file'},
						{key: 'Ctrl-C', hint: 'stop (twice: force)'},
					]}
				/>
			}
		>
			{body}
		</ScreenFrame>
	);
}
