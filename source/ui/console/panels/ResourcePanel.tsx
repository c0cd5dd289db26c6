/** CPU, RSS, heap and event-loop lag for drydock and the watched PID, with the profile's limits marked on the bars. */
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {ResourceLimits, ResourceView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {gauge, sparkline} from '../../charts.js';
import {formatMb, formatMs} from '../../format.js';
import {Line} from '../../components/Line.js';
import type {Glyphs} from '../../glyphs.js';

interface ResourcePanelProps {
	self: ResourceView | null;
	watched: ResourceView | null;
	limits: ResourceLimits;
	width: number;
	height: number;
}

function gaugeLine(
	label: string,
	value: number | null,
	limit: number | null,
	valueText: string,
	history: readonly number[],
	width: number,
	g: Glyphs,
	trend = false,
) {
	const sparkWidth = width >= 40 ? Math.min(16, Math.floor(width / 4)) : 0;
	const valueWidth = 8;
	const barWidth = Math.max(4, width - 5 - valueWidth - (sparkWidth > 0 ? sparkWidth + 1 : 0));
	const {bar, over} = gauge(value, limit, barWidth, g);
	return (
		<Line
			width={width}
			segments={[
				{text: label.padEnd(5), dim: true},
				{text: bar, color: over ? 'red' : 'green'},
				{text: valueText.padStart(valueWidth), color: over ? 'red' : undefined, bold: over},
				sparkWidth > 0
					? {text: ` ${sparkline(history, sparkWidth, g, trend ? {min: 'auto'} : {})}`, color: 'cyan'}
					: null,
			]}
		/>
	);
}

function ProcessBlock({
	view,
	limits,
	width,
	g,
}: {
	view: ResourceView;
	limits: ResourceLimits;
	width: number;
	g: Glyphs;
}) {
	const lagOver = view.eventLoopLagMs !== null && view.eventLoopLagMs > limits.eventLoopLagMs;
	return (
		<Box flexDirection="column" width={width}>
			<Line
				width={width}
				mode="drop"
				separator="  "
				segments={[
					{text: `${view.label} pid ${view.pid}`, bold: true},
					view.alive ? null : {text: 'EXITED', color: 'red', bold: true},
					{text: `heap ${formatMb(view.heapMb)}`},
					{text: `lag ${formatMs(view.eventLoopLagMs)}`, color: lagOver ? 'red' : undefined},
					{text: `limit ${limits.eventLoopLagMs}ms`, dim: true},
				]}
			/>
			{gaugeLine(
				'CPU',
				view.cpuPercent,
				limits.cpuPercent,
				view.cpuPercent === null ? '—' : `${view.cpuPercent.toFixed(1)}%`,
				view.cpuHistory,
				width,
				g,
			)}
			{gaugeLine('RSS', view.rssMb, limits.rssMb, formatMb(view.rssMb), view.rssHistory, width, g, true)}
		</Box>
	);
}

function ResourcePanelView({self, watched, limits, width, height}: ResourcePanelProps) {
	const {g} = useUiEnvironment();
	return (
		<Box flexDirection="column" width={width} height={height} overflowY="hidden">
			{self ? <ProcessBlock view={self} limits={limits} width={width} g={g} /> : <Text dimColor>no samples yet</Text>}
			{height >= 7 ? (
				<Line
					width={width}
					segments={[
						{
							text: `${g.gaugeLimit} = limit: CPU ${limits.cpuPercent}%  RSS ${limits.rssMb}MB  lag ${limits.eventLoopLagMs}ms`,
							dim: true,
						},
					]}
				/>
			) : null}
			{height >= 5 ? (
				watched ? (
					<ProcessBlock view={watched} limits={limits} width={width} g={g} />
				) : (
					<Text dimColor>no watched process</Text>
				)
			) : null}
		</Box>
	);
}

export const ResourcePanel = memo(ResourcePanelView);
