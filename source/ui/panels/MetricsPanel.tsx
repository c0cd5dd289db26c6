/** Live operation metrics: counts, ops/s sparkline, success rate, latency, orders, positions, soak status. */
import {memo} from 'react';
import {Box} from 'ink';
import type {MetricsView, SoakView} from '../../engine/types.js';
import {useUi} from '../context.js';
import {sparkline} from '../charts.js';
import {formatCount, formatMs, formatPercent, formatRate} from '../format.js';
import {flowSegments, Line, SegmentsLine, type SegmentInput} from '../components/Line.js';

interface MetricsPanelProps {
	metrics: MetricsView;
	soak: SoakView | null;
	width: number;
	height: number;
}

function MetricsPanelView({metrics, soak, width, height}: MetricsPanelProps) {
	const {g} = useUi();
	const rate = metrics.successRate;
	const rateColor = rate === null ? 'gray' : rate >= 0.999 ? 'green' : rate >= 0.99 ? 'yellow' : 'red';
	const series = metrics.opsSeries;
	const peak = series.length > 0 ? Math.max(...series.slice(-width)) : 0;
	const label = 'ops/s ';
	const suffix = ` ${formatRate(peak)} max`;
	const sparkWidth = Math.max(0, width - label.length - suffix.length);
	const lat = metrics.latency;
	const groups: SegmentInput[][] = [
		[
			{text: `ops ${formatCount(metrics.operations)}`, bold: true},
			{text: `ok ${formatPercent(rate)}`, color: rateColor, bold: true},
			{text: `now ${formatRate(metrics.opsPerSecond)}`},
			{text: `failed ${formatCount(metrics.failed)}`, color: metrics.failed > 0 ? 'red' : 'gray'},
		],
		[
			{text: `latency avg ${formatMs(lat.avgMs)}`},
			{text: `p50 ${formatMs(lat.p50Ms)}`},
			{text: `p99 ${formatMs(lat.p99Ms)}`, color: lat.p99Ms !== null && lat.p99Ms > 200 ? 'yellow' : undefined},
			{text: `peak ${formatMs(lat.peakMs)}`},
		],
		[
			{text: `orders placed ${formatCount(metrics.orders.placed)}`},
			{text: `filled ${formatCount(metrics.orders.filled)}`},
			{text: `canceled ${formatCount(metrics.orders.canceled)}`},
			{text: `rejected ${formatCount(metrics.orders.rejected)}`, color: metrics.orders.rejected > 0 ? 'yellow' : undefined},
		],
		[
			{text: `positions open ${formatCount(metrics.positions.open)}`},
			{text: `opened ${formatCount(metrics.positions.opened)}`},
			{text: `closed ${formatCount(metrics.positions.closed)}`},
		],
		[
			{text: `risk rejections ${formatCount(metrics.riskRejections)}`},
			{text: `errors/h ${metrics.errorsPerHour.toFixed(1)}`, color: metrics.errorsPerHour > 0 ? 'yellow' : undefined},
		],
	];
	if (soak) groups.push([{text: soak.statusLine.startsWith('soak') ? soak.statusLine : `soak ${soak.statusLine}`, color: 'cyan'}]);
	const lines = groups.flatMap(group => flowSegments(group, width, '  ', g.ascii));
	const room = Math.max(0, height - 1);
	return (
		<Box flexDirection="column" width={width}>
			<Line
				width={width}
				segments={[
					{text: label, dim: true},
					{text: series.length > 0 ? sparkline(series, sparkWidth, g) : 'no operations yet'.slice(0, sparkWidth), color: 'cyan'},
					series.length > 0 ? {text: suffix, dim: true} : null,
				]}
			/>
			{lines.slice(0, room).map((segments, i) => (
				<SegmentsLine key={i} segments={segments} />
			))}
		</Box>
	);
}

export const MetricsPanel = memo(MetricsPanelView);
