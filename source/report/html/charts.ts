/**
 * Static SVG charts rendered at report time with Apache ECharts' server-side renderer (no DOM, no
 * script in the page). Every time chart shares one look and marks faults and anomalies on its axis.
 */
import * as echartsCore from 'echarts/core';
import * as echartsCharts from 'echarts/charts';
import * as echartsComponents from 'echarts/components';
import * as echartsRenderers from 'echarts/renderers';
import {escapeHtml} from './escape.js';

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

/** Where a mark's label went: its box on the chart (SVG px), or only the legend when no row had room. */
export interface PlacedLabel {
	/** 1-based, as listed in the legend under the chart. */
	key: number;
	text: string;
	full: string;
	x: number;
	y: number;
	width: number;
	height: number;
	anchor: 'start' | 'end';
}

const GRID = {left: 56, right: 16, top: 36, bottom: 28};
const LABEL_FONT_PX = 9;
/** Monospace keeps the width predictable without a DOM: 0.6 em per character, plus a margin. */
const LABEL_CHAR_PX = LABEL_FONT_PX * 0.62;
const LABEL_ROW_PX = 12;
const LABEL_ROWS = 4;
const LABEL_GAP_PX = 4;

/**
 * Lays the marks' labels out in rows at the top of the plot, so none overlaps another: each label takes
 * the first row where it fits beside its line (on its right, else its left); with no room it
 * is shortened to its legend key [n], and with no room even for that it is left to the legend (every
 * label has the full text as a tooltip and in the legend under the chart when shortened).
 */
export function layoutMarkLabels(
	marks: readonly TimeMark[],
	range: readonly [number, number],
	width = WIDTH,
): {placed: PlacedLabel[]; legend: {key: number; full: string; at: number; shown: 'full' | 'key' | 'none'}[]} {
	const plotLeft = GRID.left;
	const plotRight = width - GRID.right;
	const span = Math.max(1, range[1] - range[0]);
	const rows: {from: number; to: number}[][] = Array.from({length: LABEL_ROWS}, () => []);
	const placed: PlacedLabel[] = [];
	const legend: {key: number; full: string; at: number; shown: 'full' | 'key' | 'none'}[] = [];
	const sorted = marks.map((m, i) => ({m, i})).sort((a, b) => a.m.at - b.m.at || a.i - b.i);
	sorted.forEach(({m}, index) => {
		const key = index + 1;
		const x = plotLeft + (Math.min(Math.max(m.at, range[0]), range[1]) - range[0]) * ((plotRight - plotLeft) / span);
		const tryPlace = (text: string): PlacedLabel | null => {
			const w = Math.ceil(text.length * LABEL_CHAR_PX) + 2;
			// Beside the line on its right, else on its left (within the chart either way).
			const sides = (['start', 'end'] as const).filter(a => (a === 'start' ? x + 2 + w <= width - 2 : x - 2 - w >= 2));
			for (let row = 0; row < LABEL_ROWS; row++) {
				const taken = rows[row]!;
				for (const anchor of sides) {
					const from = anchor === 'start' ? x + 2 : x - 2 - w;
					const to = from + w;
					if (taken.some(b => from < b.to + LABEL_GAP_PX && to + LABEL_GAP_PX > b.from)) continue;
					taken.push({from, to});
					return {
						key,
						text,
						full: m.label,
						x: anchor === 'start' ? from : to,
						y: GRID.top + 2 + row * LABEL_ROW_PX,
						width: w,
						height: LABEL_ROW_PX - 1,
						anchor,
					};
				}
			}
			return null;
		};
		const full = tryPlace(m.label);
		const label = full ?? tryPlace(`[${key}]`);
		if (label) placed.push(label);
		legend.push({key, full: m.label, at: m.at, shown: full ? 'full' : label ? 'key' : 'none'});
	});
	return {placed, legend};
}

/** The labels as SVG text (each with its full text and time as a tooltip), drawn over the chart. */
function labelsSvg(placed: readonly PlacedLabel[], legend: readonly {key: number; at: number}[]): string {
	const when = new Map(legend.map(l => [l.key, new Date(l.at).toISOString().slice(11, 19)]));
	return `<g class="mark-labels" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="${LABEL_FONT_PX}" fill="#c43a3a">${placed
		.map(
			p =>
				`<g data-mark-label="${p.key}" data-box="${p.x - (p.anchor === 'end' ? p.width : 0)},${p.y},${p.width},${p.height}"><title>${escapeHtml(`${p.full} at ${when.get(p.key) ?? ''} UTC`)}</title><rect x="${p.anchor === 'end' ? p.x - p.width : p.x}" y="${p.y}" width="${p.width}" height="${p.height}" fill="#fff" fill-opacity="0.8"/><text x="${p.x}" y="${p.y + LABEL_FONT_PX}" text-anchor="${p.anchor}">${escapeHtml(p.text)}</text></g>`,
		)
		.join('')}</g>`;
}

/** The run's span from the data when none is given (so label positions and the axis agree). */
function extentOf(series: readonly TimeSeries[], marks: readonly TimeMark[]): [number, number] | undefined {
	let min = Infinity;
	let max = -Infinity;
	for (const s of series)
		for (const [t] of s.points) {
			min = Math.min(min, t);
			max = Math.max(max, t);
		}
	for (const m of marks) {
		min = Math.min(min, m.at);
		max = Math.max(max, m.until ?? m.at);
	}
	return Number.isFinite(min) && max > min ? [min, max] : undefined;
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
	// With marks the axis must be pinned, so the labels laid out here sit on their lines.
	const range = input.range ?? (marks.length > 0 ? extentOf(input.series, marks) : undefined);
	const markLine = {
		symbol: 'none',
		silent: true,
		label: {show: false},
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
	const svg = render({
		grid: GRID,
		legend: {top: 4, right: 8, type: 'plain', textStyle: {fontSize: 11}},
		xAxis: {
			type: 'time',
			axisLabel: {fontSize: 10, hideOverlap: true},
			...(range ? {min: range[0], max: range[1]} : {}),
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
	if (marks.length === 0 || range === undefined || input.series.length === 0) return svg;
	const {placed, legend} = layoutMarkLabels(marks, range);
	const end = svg.lastIndexOf('</svg>');
	const withLabels = end < 0 ? svg : svg.slice(0, end) + labelsSvg(placed, legend) + svg.slice(end);
	// Labels shortened to their key (or with no room at all) are spelled out under the chart.
	const shortened = legend.filter(l => l.shown !== 'full');
	if (shortened.length === 0) return withLabels;
	return `${withLabels}<ol class="mark-legend">${shortened
		.map(
			l =>
				`<li data-mark-key="${l.key}"><b>[${l.key}]</b> ${escapeHtml(l.full)} <span class="sub">${new Date(l.at).toISOString().slice(11, 19)}${l.shown === 'none' ? ' (no room on the chart)' : ''}</span></li>`,
		)
		.join('')}</ol>`;
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
