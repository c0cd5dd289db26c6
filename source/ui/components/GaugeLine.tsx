/** One resource row: label, a bar against its limit (red past it), the value, and a sparkline of its history. */
import {gauge, sparkline} from '../charts.js';
import type {Glyphs} from '../glyphs.js';
import {Line} from './Line.js';

export interface GaugeLineProps {
	label: string;
	value: number | null;
	limit: number | null;
	valueText: string;
	history: readonly number[];
	width: number;
	g: Glyphs;
	/** Scale the sparkline from its own minimum (a slow climb such as RSS stays visible). */
	trend?: boolean;
}

export function GaugeLine({label, value, limit, valueText, history, width, g, trend = false}: GaugeLineProps) {
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
