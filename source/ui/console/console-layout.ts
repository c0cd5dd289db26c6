/**
 * Where the console's panels go for a terminal size: a pure function so the 80×24 promise is testable
 * without drawing. The root is `rows − 1` tall (a frame as tall as the terminal makes Ink 6 clear and
 * repaint on every update — flicker in tmux).
 */
import type {FocusId} from './console-controller.js';

export type PanelId = 'phases' | 'checks' | 'metrics' | 'errors' | 'streams' | 'resources' | 'sut';

export interface PanelSlot {
	id: PanelId;
	height: number;
	/** Shows a tab bar: the slot stands for several panels and shows the focused one. */
	tabs: readonly PanelId[] | null;
}

export interface LayoutColumn {
	width: number;
	panels: PanelSlot[];
}

export interface ConsoleLayout {
	mode: 'too-small' | 'compact' | 'medium' | 'wide';
	width: number;
	height: number;
	headerHeight: number;
	footerHeight: number;
	bodyHeight: number;
	columns: LayoutColumn[];
}

export const minColumns = 60;
export const minRows = 16;
const headerHeight = 2;
const footerHeight = 2;
/** 12 phases + a header row + the frame. */
export const phasesPanelHeight = 15;
export const metricsPanelHeight = 9;
export const resourcesPanelHeight = 10;

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** A column's panel with the SUT's panel under it: about half the height, at least 12 rows when it fits. */
function withSutBelow(upper: PanelSlot, bodyHeight: number): PanelSlot[] {
	const sutHeight = Math.max(4, Math.min(bodyHeight - 8, Math.max(12, Math.round(bodyHeight * 0.5))));
	return [
		{...upper, height: bodyHeight - sutHeight},
		{id: 'sut', height: sutHeight, tabs: null},
	];
}

function lowerPanelFor(focus: FocusId): PanelId {
	return focus === 'phases' ? 'checks' : focus;
}

/** `withSut`: a system under test is configured — its panel is a tab below 150 columns, a panel of its own from there. */
export function computeConsoleLayout(
	columns: number,
	rows: number,
	focus: FocusId,
	ascii = false,
	withSut = false,
): ConsoleLayout {
	const width = Math.max(1, columns);
	const height = Math.max(1, rows - 1);
	const bodyHeight = height - headerHeight - footerHeight;
	const base = {width, height, headerHeight, footerHeight, bodyHeight};
	if (columns < minColumns || rows < minRows) return {...base, mode: 'too-small', columns: []};
	const sut = withSut || focus === 'sut';

	// Marker, status, the longest phase id (12), checks (5), time (7) and the frame.
	const leftMin = ascii ? 37 : 32;
	if (columns >= 150 && rows >= 30) {
		const left = clamp(Math.round(columns * 0.3), leftMin, 56);
		const middle = Math.round((columns - left) / 2);
		const right = columns - left - middle;
		const phases = Math.min(phasesPanelHeight, bodyHeight - 6);
		const metrics = Math.min(metricsPanelHeight, bodyHeight - 6);
		const left0: LayoutColumn = {
			width: left,
			panels: [
				{id: 'phases', height: phases, tabs: null},
				{id: 'checks', height: bodyHeight - phases, tabs: null},
			],
		};
		const errorsInMiddle = bodyHeight - metrics - resourcesPanelHeight;
		if (errorsInMiddle >= 8) {
			return {
				...base,
				mode: 'wide',
				columns: [
					left0,
					{
						width: middle,
						panels: [
							{id: 'metrics', height: metrics, tabs: null},
							{id: 'resources', height: resourcesPanelHeight, tabs: null},
							{id: 'errors', height: errorsInMiddle, tabs: null},
						],
					},
					{
						width: right,
						panels: sut
							? withSutBelow({id: 'streams', height: bodyHeight, tabs: null}, bodyHeight)
							: [{id: 'streams', height: bodyHeight, tabs: null}],
					},
				],
			};
		}
		const streams = Math.round(bodyHeight * 0.55);
		const lowerWide: PanelId = focus === 'errors' ? 'errors' : 'streams';
		const rightPanels: PanelSlot[] = sut
			? withSutBelow({id: lowerWide, height: bodyHeight, tabs: ['streams', 'errors']}, bodyHeight)
			: [
					{id: 'streams', height: streams, tabs: null},
					{id: 'errors', height: bodyHeight - streams, tabs: null},
				];
		return {
			...base,
			mode: 'wide',
			columns: [
				left0,
				{
					width: middle,
					panels: [
						{id: 'metrics', height: metrics, tabs: null},
						{id: 'resources', height: bodyHeight - metrics, tabs: null},
					],
				},
				{width: right, panels: rightPanels},
			],
		};
	}
	if (columns >= 100 && rows >= 30) {
		const left = clamp(Math.round(columns * 0.38), leftMin, 48);
		const right = columns - left;
		const phases = Math.min(phasesPanelHeight, bodyHeight - 6);
		const stack: PanelSlot[] = [{id: 'metrics', height: metricsPanelHeight, tabs: null}];
		let rest = bodyHeight - metricsPanelHeight;
		const withResources = rest - resourcesPanelHeight >= 10;
		if (withResources) {
			stack.push({id: 'resources', height: resourcesPanelHeight, tabs: null});
			rest -= resourcesPanelHeight;
		}
		const lowerTabs: PanelId[] = withResources ? ['streams', 'errors'] : ['streams', 'errors', 'resources'];
		if (sut) lowerTabs.push('sut');
		const lower: PanelId = lowerTabs.includes(focus) ? focus : 'streams';
		stack.push({id: lower, height: rest, tabs: lowerTabs});
		return {
			...base,
			mode: 'medium',
			columns: [
				{
					width: left,
					panels: [
						{id: 'phases', height: phases, tabs: null},
						{id: 'checks', height: bodyHeight - phases, tabs: null},
					],
				},
				{width: right, panels: stack},
			],
		};
	}
	const left = clamp(Math.round(columns * 0.4), leftMin, 40);
	return {
		...base,
		mode: 'compact',
		columns: [
			{width: left, panels: [{id: 'phases', height: bodyHeight, tabs: null}]},
			{
				width: columns - left,
				panels: [
					{
						id: lowerPanelFor(focus),
						height: bodyHeight,
						tabs: sut
							? ['checks', 'metrics', 'errors', 'streams', 'resources', 'sut']
							: ['checks', 'metrics', 'errors', 'streams', 'resources'],
					},
				],
			},
		],
	};
}
