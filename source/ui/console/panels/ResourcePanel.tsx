/** CPU, RSS, heap and event-loop lag for drydock and the watched PID, with the profile's limits marked on the bars. */
import {memo} from 'react';
import {Box, Text} from 'ink';
import type {ResourceLimits, ResourceView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {formatMb, formatMs} from '../../format.js';
import {Line} from '../../components/Line.js';
import {GaugeLine} from '../../components/GaugeLine.js';
import type {Glyphs} from '../../glyphs.js';

interface ResourcePanelProps {
	self: ResourceView | null;
	watched: ResourceView | null;
	limits: ResourceLimits;
	width: number;
	height: number;
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
			<GaugeLine
				label="CPU"
				value={view.cpuPercent}
				limit={limits.cpuPercent}
				valueText={view.cpuPercent === null ? '—' : `${view.cpuPercent.toFixed(1)}%`}
				history={view.cpuHistory}
				width={width}
				g={g}
			/>
			<GaugeLine
				label="RSS"
				value={view.rssMb}
				limit={limits.rssMb}
				valueText={formatMb(view.rssMb)}
				history={view.rssHistory}
				width={width}
				g={g}
				trend
			/>
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
