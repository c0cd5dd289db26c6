/**
 * Static SVG charts rendered at report time with Apache ECharts' server-side renderer (no DOM, no
 * script in the page). Every time chart shares one look and marks faults and anomalies on its axis.
 */
import * as echartsCore from 'echarts/core';
import * as echartsCharts from 'echarts/charts';
import * as echartsComponents from 'echarts/components';
import * as echartsRenderers from 'echarts/renderers';

/**
 * The slice of ECharts' API used here. Its subpath .d.ts files re-export with extensionless paths that
 * NodeNext resolution cannot follow, so the modules are typed locally (checked at runtime below).
 */
type ChartOption = Record<string, unknown>;
interface SsrChart {
	setOption(option: ChartOption): void;
	renderToSVGString(): string;
	dispose(): void;
}
interface EchartsCore {
	use(extensions: unknown[]): void;
	init(dom: null, theme: null, options: {renderer: 'svg'; ssr: true; width: number; height: number}): SsrChart;
}

const echarts = echartsCore as unknown as EchartsCore;
const modules = {...echartsCharts, ...echartsComponents, ...echartsRenderers} as unknown as Record<string, unknown>;
const needed = [
	'LineChart',
	'BarChart',
	'GridComponent',
	'LegendComponent',
	'MarkAreaComponent',
	'MarkLineComponent',
	'TitleComponent',
	'SVGRenderer',
];
for (const name of needed)
	if (modules[name] === undefined) throw new Error(`echarts: ${name} is missing (unsupported echarts version?)`);
echarts.use(needed.map(name => modules[name]));

export interface TimeSeries {
	name: string;
	/** [epoch ms, value]; null values leave a gap. */
	points: readonly (readonly [number, number | null])[];
	/** Draw as steps (counts per interval) instead of a smooth line. */
	step?: boolean;
	area?: boolean;
}

/** Something that happened at a moment (a fault, an anomaly), optionally lasting until `until`. */
export interface TimeMark {
	at: number;
	until?: number;
	label: string;
}

const WIDTH = 560;
const HEIGHT = 260;
const palette = ['#2f6fde', '#e0762f', '#2a9d5b', '#b4398f', '#8a6d00', '#5b5b5b', '#1b9fb5', '#c43a3a'];

function render(option: ChartOption, width = WIDTH, height = HEIGHT): string {
	const chart = echarts.init(null, null, {renderer: 'svg', ssr: true, width, height});
	try {
		chart.setOption({
			animation: false,
			color: palette,
			useUTC: true,
			textStyle: {fontFamily: 'system-ui, sans-serif'},
			...option,
		});
		return chart.renderToSVGString();
	} finally {
		chart.dispose();
	}
}

/** A line chart over time with fault/anomaly marks (vertical lines, shaded while unrecovered). */
export function timeChart(input: {
	series: readonly TimeSeries[];
	yName: string;
	marks?: readonly TimeMark[];
	yMax?: number;
	/** The run's span, so every time chart shares one axis. */ range?: readonly [number, number];
}): string {
	const marks = input.marks ?? [];
	const markLine = {
		symbol: 'none',
		silent: true,
		label: {show: true, formatter: '{b}', position: 'insideEndTop', fontSize: 9, color: '#c43a3a'},
		lineStyle: {color: '#c43a3a', type: 'dashed', width: 1},
		data: marks.map(m => ({xAxis: m.at, name: m.label})),
	};
	const markArea = {
		silent: true,
		itemStyle: {color: 'rgba(196, 58, 58, 0.08)'},
		data: marks.filter(m => m.until !== undefined && m.until > m.at).map(m => [{xAxis: m.at}, {xAxis: m.until}]),
	};
	const series = input.series.map((s, i) => ({
		name: s.name,
		type: 'line',
		showSymbol: s.points.length < 40,
		// Long runs: draw a shape-preserving subset (largest-triangle-three-buckets) of thousands of points.
		sampling: 'lttb',
		symbolSize: 4,
		connectNulls: false,
		step: s.step ? 'end' : false,
		areaStyle: s.area ? {opacity: 0.15} : undefined,
		data: s.points.map(p => [p[0], p[1]]),
		// Marks ride on the first series only, so they are drawn once.
		...(i === 0 && marks.length > 0 ? {markLine, markArea} : {}),
	}));
	return render({
		grid: {left: 56, right: 16, top: 36, bottom: 28},
		legend: {top: 4, right: 8, type: 'plain', textStyle: {fontSize: 11}},
		xAxis: {
			type: 'time',
			axisLabel: {fontSize: 10, hideOverlap: true},
			...(input.range ? {min: input.range[0], max: input.range[1]} : {}),
		},
		yAxis: {
			type: 'value',
			name: input.yName,
			nameTextStyle: {fontSize: 10, align: 'left'},
			axisLabel: {fontSize: 10},
			...(input.yMax !== undefined ? {max: input.yMax} : {}),
		},
		series,
	});
}

/** Horizontal-category bar chart (one or more series of values per label). */
export function barChart(input: {
	labels: readonly string[];
	series: readonly {name: string; values: readonly number[]}[];
	yName: string;
	logScale?: boolean;
}): string {
	const height = Math.max(HEIGHT, 60 + input.labels.length * 22);
	return render(
		{
			grid: {left: 150, right: 24, top: 36, bottom: 28},
			legend: {top: 4, textStyle: {fontSize: 11}},
			yAxis: {type: 'category', data: [...input.labels], axisLabel: {fontSize: 10, width: 140, overflow: 'truncate'}},
			xAxis: {type: 'value', name: input.yName, minInterval: 1, axisLabel: {fontSize: 10}},
			series: input.series.map(s => ({name: s.name, type: 'bar', data: [...s.values]})),
		},
		WIDTH,
		height,
	);
}

/** Latency by percentile (a distribution curve): x = percentile labels, y = ms. */
export function percentileChart(input: {
	series: readonly {name: string; points: readonly {label: string; ms: number}[]}[];
}): string {
	const labels = input.series[0]?.points.map(p => p.label) ?? [];
	return render({
		grid: {left: 56, right: 16, top: 36, bottom: 28},
		legend: {top: 4, textStyle: {fontSize: 11}},
		xAxis: {
			type: 'category',
			data: labels,
			name: 'percentile',
			nameLocation: 'middle',
			nameGap: 22,
			axisLabel: {fontSize: 10},
		},
		yAxis: {type: 'log', name: 'ms', logBase: 10, axisLabel: {fontSize: 10}},
		series: input.series.map(s => ({
			name: s.name,
			type: 'line',
			showSymbol: true,
			symbolSize: 5,
			data: s.points.map(p => Math.max(p.ms, 0.001)),
		})),
	});
}
