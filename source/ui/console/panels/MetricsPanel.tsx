/** Live operation metrics: counts, ops/s sparkline, success rate, latency, orders, positions, soak status. */
import {memo} from 'react';
import {Box} from 'ink';
import type {FaultMark} from '../../../engine/fault-records.js';
import type {MetricsView, SoakView} from '../../../engine/snapshot.js';
import {useUiEnvironment} from '../../environment.js';
import {sparkline} from '../../charts.js';
import {formatCount, formatShortDuration, formatMs, formatPercent, formatRate} from '../../format.js';
import {flowSegments, Line, SegmentsLine, type SegmentInput} from '../../components/Line.js';

interface MetricsPanelProps {
	metrics: MetricsView;
	soak: SoakView | null;
	/** Injected faults (resilience phase, chaos timeline, breaker test), marked under the ops/s sparkline. */
	faults?: readonly FaultMark[];
	/** The snapshot's time: places fault marks on the one-point-per-second series. */
	now?: number;
	width: number;
	height: number;
}

/** A line of spaces with a mark under each sparkline cell (one per second, newest last) that saw a fault. */
export function faultMarks(faults: readonly FaultMark[], now: number, shown: number, mark: string): string {
	const cells = Array.from({length: shown}, () => ' ');
	for (const fault of faults) {
		const index = shown - 1 - Math.floor((now - fault.at) / 1000);
		if (index >= 0 && index < shown) cells[index] = mark;
	}
	return cells.join('').trimEnd();
}

function MetricsPanelView({metrics, soak, faults = [], now = Date.now(), width, height}: MetricsPanelProps) {
	const {g} = useUiEnvironment();
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
			{
				text: `rejected ${formatCount(metrics.orders.rejected)}`,
				color: metrics.orders.rejected > 0 ? 'yellow' : undefined,
			},
		],
		[
			{text: `positions open ${formatCount(metrics.positions.open)}`},
			{text: `opened ${formatCount(metrics.positions.opened)}`},
			{text: `closed ${formatCount(metrics.positions.closed)}`},
		],
		[
			{text: `risk rejections ${formatCount(metrics.riskRejections)}`},
			// Errors drydock's own injected faults caused are named, so the error log adds up, but not counted per hour.
			{
				text: `errors/h ${metrics.errorsPerHour.toFixed(1)}${metrics.expectedErrors ? ` (+${formatCount(metrics.expectedErrors)} injected)` : ''}`,
				color: metrics.errorsPerHour > 0 ? 'yellow' : undefined,
			},
		],
	];
	const lastFault = faults.at(-1);
	if (lastFault) {
		const state =
			lastFault.recoveredAt === undefined
				? 'active'
				: `recovered in ${formatShortDuration(lastFault.recoveredAt - lastFault.at)}`;
		// Right after latency: a fault explains the figures around it, so it must not be clipped first.
		groups.splice(2, 0, [
			{text: `faults ${formatCount(faults.length)}`, color: 'yellow'},
			{
				text: `last ${lastFault.kind} ${formatShortDuration(now - lastFault.at)} ago, ${state}`,
				color: lastFault.recoveredAt === undefined ? 'red' : undefined,
			},
		]);
	}
	if (soak)
		groups.push([
			{text: soak.statusLine.startsWith('soak') ? soak.statusLine : `soak ${soak.statusLine}`, color: 'cyan'},
		]);
	const lines = groups.flatMap(group => flowSegments(group, width, '  ', g.ascii));
	const shown = Math.min(series.length, sparkWidth);
	const marks = shown > 0 && faults.length > 0 ? faultMarks(faults, now, shown, g.ascii ? '^' : '▲') : '';
	const room = Math.max(0, height - 1 - (marks ? 1 : 0));
	return (
		<Box flexDirection="column" width={width}>
			<Line
				width={width}
				segments={[
					{text: label, dim: true},
					{
						text: series.length > 0 ? sparkline(series, sparkWidth, g) : 'no operations yet'.slice(0, sparkWidth),
						color: 'cyan',
					},
					series.length > 0 ? {text: suffix, dim: true} : null,
				]}
			/>
			{marks ? <Line width={width} segments={[{text: ' '.repeat(label.length) + marks, color: 'yellow'}]} /> : null}
			{lines.slice(0, room).map((segments, i) => (
				<SegmentsLine key={i} segments={segments} />
			))}
		</Box>
	);
}

export const MetricsPanel = memo(MetricsPanelView);
