/**
 * Per-second sparklines from the snapshot's series: requests/s (failures marked), and p50/p95/p99
 * on one shared scale so the lines read against each other; users when there is a fifth line.
 */
import {memo} from 'react';
import {Box} from 'ink';
import type {LoadSeriesPoint} from '../../load/snapshot.js';
import {useUiEnvironment} from '../environment.js';
import {sparkline} from '../charts.js';
import {Line, type SegmentInput} from '../components/Line.js';
import {formatMs, formatRate} from '../format.js';

interface ChartsProps {
	series: readonly LoadSeriesPoint[];
	width: number;
	height: number;
}

const labelWidth = 4;
const valueWidth = 8;

function ChartsView({series, width, height}: ChartsProps) {
	const {g} = useUiEnvironment();
	const sparkWidth = Math.max(0, width - labelWidth - valueWidth);
	if (series.length === 0) {
		return (
			<Box flexDirection="column" width={width}>
				<Line width={width} segments={[{text: 'charts start after 1 s', dim: true}]} />
			</Box>
		);
	}
	const shown = series.slice(-sparkWidth);
	const last = shown[shown.length - 1]!;
	const latencyTop = Math.max(0, ...shown.map(p => p.p99Ms));
	const failed = shown.some(p => p.failuresPerSecond > 0);
	const line = (
		label: string,
		values: readonly number[],
		value: string,
		color: string,
		scale: {max?: number} = {},
		extra?: SegmentInput,
	): SegmentInput[] => [
		{text: label.padEnd(labelWidth), dim: true},
		{text: sparkline(values, sparkWidth, g, scale), color},
		{text: ` ${value}`.padStart(valueWidth), bold: true},
		extra,
	];
	const lines: SegmentInput[][] = [
		line(
			'RPS',
			shown.map(p => p.rps),
			formatRate(last.rps),
			failed ? 'yellow' : 'cyan',
		),
		line(
			'p50',
			shown.map(p => p.p50Ms),
			formatMs(last.p50Ms),
			'green',
			{max: latencyTop},
		),
		line(
			'p95',
			shown.map(p => p.p95Ms),
			formatMs(last.p95Ms),
			'yellow',
			{max: latencyTop},
		),
		line(
			'p99',
			shown.map(p => p.p99Ms),
			formatMs(last.p99Ms),
			'red',
			{max: latencyTop},
		),
		line(
			'usr',
			shown.map(p => p.users),
			String(last.users),
			'magenta',
		),
		line(
			'err',
			shown.map(p => p.failuresPerSecond),
			formatRate(last.failuresPerSecond),
			'red',
		),
	];
	return (
		<Box flexDirection="column" width={width}>
			{lines.slice(0, Math.max(1, height)).map((segments, i) => (
				<Line key={i} width={width} segments={segments} />
			))}
		</Box>
	);
}

export const Charts = memo(ChartsView);
