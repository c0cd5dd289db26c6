/**
 * Per-stream rate, age of the last message, latency, gaps, reconnects and status; the selected
 * stream's last raw messages pretty-printed below. Space freezes the view (the App keeps the copy).
 */
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {StreamView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {streamColor} from '../../glyphs.js';
import {formatAge, formatMs, formatRate} from '../../format.js';
import {Table, type TableRow} from '../../components/Table.js';
import {Line} from '../../components/Line.js';
import {clampIndex, scrollStart} from '../../list-window.js';
import {sanitize} from '../../text.js';
import {depthFrame, depthLadder} from '../depth-ladder.js';

interface StreamInspectorProps {
	streams: readonly StreamView[];
	paused: boolean;
	selected: number;
	focused: boolean;
	width: number;
	height: number;
	now: number;
}

/** Lines of the newest messages first, JSON pretty-printed (2-space indent) or, for depth frames, a bids/asks ladder; up to `limit` lines. */
export function prettyMessages(recent: readonly string[], limit: number): string[] {
	const lines: string[] = [];
	for (let i = recent.length - 1; i >= 0 && lines.length < limit; i--) {
		const raw = recent[i] ?? '';
		let pretty: string[];
		try {
			const parsed: unknown = JSON.parse(raw);
			const depth = depthFrame(parsed);
			pretty = depth ? depthLadder(depth, 10) : JSON.stringify(parsed, null, 2).split('\n');
		} catch {
			pretty = [raw];
		}
		if (lines.length > 0) lines.push('');
		for (const line of pretty) {
			if (lines.length >= limit) break;
			lines.push(sanitize(line));
		}
	}
	return lines;
}

function StreamInspectorView({streams, paused, selected, focused, width, height, now}: StreamInspectorProps) {
	const {g} = useUiEnvironment();
	if (streams.length === 0) return <Text dimColor>no streams yet (they open with the streams phase)</Text>;
	const statusWidth = Math.max(...Object.values(g.stream).map(s => s.length));
	const index = clampIndex(selected, streams.length);
	const tableRows = Math.max(1, Math.min(streams.length, Math.floor((height - 1) / 2)));
	const start = scrollStart(index, streams.length, tableRows);
	const rows: TableRow[] = streams.slice(start, start + tableRows).map((s, i) => {
		const age = s.lastMessageAt === null ? null : now - s.lastMessageAt;
		return {
			key: s.id,
			selected: start + i === index,
			cells: [
				{text: g.stream[s.status], color: streamColor[s.status]},
				{text: s.id, color: s.status === 'silent' ? 'magenta' : undefined},
				formatRate(s.ratePerSec),
				{
					text: s.lastMessageAt === null ? 'never' : formatAge(s.lastMessageAt, now),
					color: age === null || age > 5000 ? 'yellow' : undefined,
				},
				formatMs(s.latency.p50Ms),
				{text: String(s.gaps), color: s.gaps > 0 ? 'red' : undefined},
				{text: String(s.reconnects), color: s.reconnects > 0 ? 'yellow' : undefined},
			],
		};
	});
	const current = streams[index];
	const columns = [
		{header: '', width: statusWidth},
		{header: 'stream'},
		{header: 'rate', width: 7, align: 'right' as const},
		{header: 'age', width: 6, align: 'right' as const},
		{header: 'p50', width: 7, align: 'right' as const},
		{header: 'gaps', width: 4, align: 'right' as const},
		{header: 'rc', width: 3, align: 'right' as const},
	];
	// Narrow panel: the latency column goes (it stays in the detail line) so stream names stay readable.
	const narrow = width < 58;
	const shownColumns = narrow ? columns.filter(c => c.header !== 'p50') : columns;
	const shownRows = narrow ? rows.map(r => ({...r, cells: r.cells.filter((_, i) => i !== 4)})) : rows;
	const messageRoom = Math.max(0, height - 1 - rows.length - 1);
	const messages = current && messageRoom > 0 ? prettyMessages(current.recent, messageRoom) : [];
	return (
		<Box flexDirection="column" width={width}>
			<Table width={width} focused={focused} marker={g.pointer} columns={shownColumns} rows={shownRows} />
			{current && messageRoom > 0 ? (
				<>
					<Line
						width={width}
						mode="drop"
						separator="  "
						segments={[
							{text: `${current.id} ${current.status}`, bold: true, color: streamColor[current.status]},
							{text: `${current.messages} msgs`},
							{text: `p50 ${formatMs(current.latency.p50Ms)} p99 ${formatMs(current.latency.p99Ms)}`},
							paused
								? {text: 'PAUSED (space resumes)', color: 'yellow', bold: true}
								: {text: `last ${Math.min(current.recent.length, 99)} raw, newest first`, dim: true},
						]}
					/>
					{messages.length === 0 ? (
						<Text dimColor>{current.status === 'silent' ? 'connected, no data received' : 'no messages yet'}</Text>
					) : null}
					{messages.map((line, i) => (
						<Line key={i} width={width} segments={[{text: line, dim: line.startsWith(' ') === false && line !== ''}]} />
					))}
				</>
			) : null}
		</Box>
	);
}

export const StreamInspector = memo(StreamInspectorView);
