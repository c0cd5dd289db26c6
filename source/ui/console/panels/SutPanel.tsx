/**
 * The system under test: process state, pid, uptime, restarts, CPU/RSS gauges against the SUT's own
 * limits, the venue's counters for its key, its StatsD figures and its last log lines (error lines
 * marked). Everything is fitted to the width; lower-priority rows give way to the log when short.
 */
import {memo, type ReactNode} from 'react';
import {Box, Text} from 'ink';
import type {ResourceView} from '../../../engine/snapshot.js';
import type {SutState, SutView} from '../../../engine/sut-view.js';
import {useUiEnvironment} from '../../environment.js';
import {formatCount, formatElapsed, formatMb, formatMs, formatPercent} from '../../format.js';
import {Line, type SegmentInput} from '../../components/Line.js';
import {GaugeLine} from '../../components/GaugeLine.js';
import type {Glyphs} from '../../glyphs.js';

export interface SutLimits {
	rssMb: number;
	cpuPercent: number;
}

/** The profile defaults (limits.sutRssMb, limits.sutCpuPercent), used when the view carries none. */
export const defaultSutLimits: SutLimits = {rssMb: 500, cpuPercent: 50};

const unicodeState: Record<SutState, string> = {
	idle: '○',
	starting: '◌',
	running: '●',
	restarting: '↻',
	stopping: '◐',
	stopped: '■',
	exited: '○',
	failed: '✘',
};

const asciiState: Record<SutState, string> = {
	idle: '[ ]',
	starting: '[..]',
	running: '[ok]',
	restarting: '[re]',
	stopping: '[..]',
	stopped: '[--]',
	exited: '[--]',
	failed: '[FAIL]',
};

export const sutStateColor: Record<SutState, string> = {
	idle: 'gray',
	starting: 'cyan',
	running: 'green',
	restarting: 'yellow',
	stopping: 'yellow',
	stopped: 'gray',
	exited: 'red',
	failed: 'red',
};

export function sutStateGlyph(state: SutState, ascii: boolean): string {
	return (ascii ? asciiState : unicodeState)[state];
}

interface SutPanelProps {
	sut: SutView | null | undefined;
	limits: SutLimits;
	/** drydock's own process, shown beside the SUT's figures. */
	self?: ResourceView | null;
	width: number;
	height: number;
	/** Snapshot time, for the ban countdown. */
	now: number;
}

function stateSegments(sut: SutView, g: Glyphs): SegmentInput[] {
	return [
		{text: `${sutStateGlyph(sut.state, g.ascii)} ${sut.state}`, color: sutStateColor[sut.state], bold: true},
		{text: `pid ${sut.pid ?? '—'}`},
		{text: `up ${formatElapsed(sut.uptimeMs)}`},
		{text: `restarts ${sut.restarts}`, color: sut.restarts > 0 ? 'yellow' : undefined},
		sut.unexpectedExits > 0 ? {text: `exits ${sut.unexpectedExits}`, color: 'red', bold: true} : null,
		sut.processes > 1 ? {text: `procs ${sut.processes}`, dim: true} : null,
	];
}

function venueRows(sut: SutView, now: number, width: number): ReactNode[] {
	const v = sut.venue;
	if (v === null) {
		return [
			<Line
				key="venue"
				width={width}
				segments={[
					sut.venueError
						? {text: `venue: ${sut.venueError}`, color: 'yellow'}
						: {text: 'venue: no activity yet', dim: true},
				]}
			/>,
		];
	}
	const weightOver = v.weightLimit > 0 && v.weightUsed > v.weightLimit * 0.8;
	const banned = v.bannedUntil !== null && v.bannedUntil > now;
	return [
		<Line
			key="rest"
			width={width}
			mode="drop"
			separator="  "
			segments={[
				{text: `req ${formatCount(v.requestsPerMinute)}/min`},
				banned
					? {text: `BANNED ${formatElapsed(v.bannedUntil! - now)}`, color: 'red', bold: true, inverse: true}
					: null,
				{text: `418 ${v.status418}`, color: v.status418 > 0 ? 'red' : 'gray', bold: v.status418 > 0},
				{text: `429 ${v.status429}`, color: v.status429 > 0 ? 'yellow' : 'gray'},
				{
					text: `weight ${formatCount(v.weightUsed)}/${formatCount(v.weightLimit)}`,
					color: weightOver ? 'yellow' : undefined,
				},
			]}
		/>,
		<Line
			key="orders"
			width={width}
			mode="drop"
			separator="  "
			segments={[
				{text: `orders ${formatCount(v.ordersPlaced)}`},
				{text: `filled ${formatCount(v.ordersFilled)}`},
				{text: `rejected ${formatCount(v.ordersRejected)}`, color: v.ordersRejected > 0 ? 'yellow' : undefined},
				{text: `open ${formatCount(v.ordersOpen)}`},
			]}
		/>,
		<Line
			key="streams"
			width={width}
			mode="drop"
			separator="  "
			segments={[
				{text: `conns ${v.connectionsOpen}`},
				{text: `subs ${v.subscriptions}`},
				{text: `drops ${v.drops}`},
				{text: `pending ${v.dropsPending}`, color: v.dropsPending > 0 ? 'yellow' : undefined, bold: v.dropsPending > 0},
				sut.venueError ? {text: `stale: ${sut.venueError}`, color: 'yellow'} : null,
			]}
		/>,
	];
}

function SutPanelView({sut, limits, self = null, width, height, now}: SutPanelProps) {
	const {g} = useUiEnvironment();
	if (!sut) {
		return (
			<Box flexDirection="column" width={width}>
				<Text dimColor>no system under test</Text>
				<Text dimColor>{g.ascii ? 'start with --sut "CMD"' : 'start with --sut "CMD" or a profile sut section'}</Text>
			</Box>
		);
	}
	// Rows in priority order; the log takes whatever height is left.
	const rows: ReactNode[] = [
		<Line key="state" width={width} mode="drop" separator="  " segments={stateSegments(sut, g)} />,
		<GaugeLine
			key="cpu"
			label="CPU"
			value={sut.cpuPercent}
			limit={limits.cpuPercent}
			valueText={sut.cpuPercent === null ? '—' : `${sut.cpuPercent.toFixed(1)}%`}
			history={sut.cpuHistory}
			width={width}
			g={g}
		/>,
		<GaugeLine
			key="rss"
			label="RSS"
			value={sut.rssMb}
			limit={limits.rssMb}
			valueText={formatMb(sut.rssMb)}
			history={sut.rssHistory}
			width={width}
			g={g}
			trend
		/>,
		...venueRows(sut, now, width),
	];
	if (self) {
		rows.push(
			<Line
				key="self"
				width={width}
				mode="drop"
				separator="  "
				segments={[
					{text: 'drydock', dim: true},
					{text: `CPU ${self.cpuPercent === null ? '—' : `${self.cpuPercent.toFixed(1)}%`}`, dim: true},
					{text: `RSS ${formatMb(self.rssMb)}`, dim: true},
					{text: `limits SUT CPU ${limits.cpuPercent}%  RSS ${limits.rssMb}MB`, dim: true},
				]}
			/>,
		);
	}
	if (sut.statsd) {
		const s = sut.statsd;
		rows.push(
			<Line
				key="statsd"
				width={width}
				mode="drop"
				separator="  "
				segments={[
					{text: `statsd ops ${formatCount(s.operations)}`},
					{text: `failed ${formatCount(s.failed)}`, color: s.failed > 0 ? 'yellow' : undefined},
					{text: `ok ${formatPercent(s.successRate)}`},
					{text: `avg ${formatMs(s.avgLatencyMs)}`},
					s.malformed > 0 ? {text: `malformed ${s.malformed}`, color: 'yellow'} : null,
				]}
			/>,
		);
	}
	const logRoom = height - rows.length - 1;
	const errorsLine = (
		<Line
			key="log-head"
			width={width}
			mode="drop"
			separator="  "
			segments={[
				{
					text: `log errors ${formatCount(sut.errors.total)}`,
					color: sut.errors.total - sut.errors.expected > 0 ? 'red' : 'gray',
				},
				sut.errors.expected > 0 ? {text: `(${formatCount(sut.errors.expected)} expected)`, dim: true} : null,
				{text: sut.command, dim: true},
			]}
		/>
	);
	const shownRows = height >= rows.length + 1 ? rows : rows.slice(0, Math.max(1, height - 1));
	const lines = logRoom > 0 ? sut.lastLines.slice(-logRoom) : [];
	return (
		<Box flexDirection="column" width={width} height={height} overflowY="hidden">
			{shownRows}
			{height > shownRows.length ? errorsLine : null}
			{lines.map((l, i) => (
				<Line
					key={`${l.at}-${i}`}
					width={width}
					segments={[
						// Error lines carry a mark as well as a colour, so they read without colour too.
						{text: l.error ? (g.ascii ? 'E ' : '✘ ') : '  ', color: 'red', bold: true},
						{text: l.line, color: l.error ? 'red' : undefined, dim: !l.error && l.stream === 'stdout'},
					]}
				/>
			))}
		</Box>
	);
}

export const SutPanel = memo(SutPanelView);
