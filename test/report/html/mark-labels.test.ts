/**
 * Fault labels on the time charts never overlap: several chaos faults seconds apart, with long labels,
 * are laid out in rows, shortened to a legend key, or left to the legend under the chart. Checked on the
 * generated SVG's label boxes and, in headless Chromium, on the boxes the browser actually drew.
 */
import {mkdir, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Browser} from 'playwright-core';
import {renderHtmlReport} from '../../../source/report/html/render.js';
import {layoutMarkLabels} from '../../../source/report/html/charts.js';
import type {ChaosRecord} from '../../../source/engine/fault-records.js';
import {buildFixtureReport, chaosRecords, haveChromium, launchChromium} from './helpers.js';

interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** Every pair of boxes that intersect (touching edges do not). */
function intersections(boxes: readonly Box[]): [number, number][] {
	const found: [number, number][] = [];
	boxes.forEach((a, i) =>
		boxes.slice(i + 1).forEach((b, k) => {
			if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
				found.push([i, i + 1 + k]);
		}),
	);
	return found;
}

/** Eight chaos faults 700 ms apart, with long labels: drawn at their lines they would pile up. */
function closeFaults(injectedAt: number): ChaosRecord[] {
	const base = chaosRecords(injectedAt)[0]!;
	return Array.from({length: 8}, (_, i) => ({
		...base,
		index: i,
		label: `${i % 2 ? 'error-rate' : 'drop-websockets'} at ${5 + i * 0.7}s {"probability":0.3,"note":"a long label"}`,
		injected_at: new Date(injectedAt + i * 700).toISOString(),
		verdict: i === 3 ? 'fail' : 'pass',
	}));
}

const charts = (html: string) =>
	[
		...html.matchAll(
			/data-chart="([^"]+)"><figcaption>[^<]*<\/figcaption>(<svg[\s\S]*?<\/svg>)(<ol class="mark-legend">[\s\S]*?<\/ol>)?/g,
		),
	].map(m => ({id: m[1]!, svg: m[2]!, legend: m[3] ?? ''}));

const boxesOf = (svg: string): Box[] =>
	[...svg.matchAll(/data-box="([\d.-]+),([\d.-]+),([\d.-]+),([\d.-]+)"/g)].map(m => ({
		x: Number(m[1]),
		y: Number(m[2]),
		width: Number(m[3]),
		height: Number(m[4]),
	}));

describe('fault labels on the charts', () => {
	it('the overlap check catches labels drawn at their lines (the layout it replaced)', () => {
		const marks = closeFaults(Date.parse('2026-11-22T08:00:00Z')).map(r => ({
			at: Date.parse(r.injected_at!),
			label: r.label,
		}));
		const range: [number, number] = [marks[0]!.at - 60_000, marks[0]!.at + 240_000];
		// One row, each label beside its line: what ECharts' own mark labels did.
		const naive = layoutMarkLabels(marks, range).legend.map(l => ({
			x: 56 + ((l.at - range[0]) / (range[1] - range[0])) * 488 + 2,
			y: 38,
			width: l.full.length * 5.58,
			height: 11,
		}));
		expect(intersections(naive).length).toBeGreaterThan(0);
		const laid = layoutMarkLabels(marks, range);
		expect(intersections(laid.placed)).toEqual([]);
	});

	it('several close faults with long labels: no two label boxes intersect; each is on the chart or in its legend', () => {
		const report = buildFixtureReport({chaos: closeFaults});
		const html = renderHtmlReport(report);
		const withMarks = charts(html).filter(c => c.svg.includes('data-mark-label'));
		expect(withMarks.length).toBeGreaterThanOrEqual(2);
		for (const chart of withMarks) {
			const boxes = boxesOf(chart.svg);
			expect(intersections(boxes), chart.id).toEqual([]);
			for (const record of report.chaos!) {
				// Chaos faults are marked by index and kind (see chaos-render.test.ts).
				const label = `#${record.index} ${record.fault}`;
				// Spelled out on the chart, or keyed there and spelled out in the legend; always a tooltip.
				const onChart = chart.svg.includes(`>${label}<`) || chart.svg.includes(`>${label} FAIL<`);
				expect(onChart || chart.legend.includes(`</b> ${label}`), `${chart.id}: ${label}`).toBe(true);
				expect(chart.svg.includes(`<title>${label}`) || chart.legend.includes(`</b> ${label}`)).toBe(true);
			}
			expect(chart.legend, chart.id).toMatch(/<li data-mark-key="\d+"><b>\[\d+\]<\/b>/);
		}
	});
});

describe.skipIf(!haveChromium && !process.env.CI)('fault labels in headless Chromium', () => {
	let browser: Browser;
	beforeAll(async () => {
		browser = await launchChromium();
	}, 30_000);
	afterAll(async () => {
		await browser?.close();
	});

	it('the labels the browser draws do not intersect', async () => {
		const outDir = path.join(process.env.DRYDOCK_TEST_OUTPUT ?? os.tmpdir(), 'drydock-mark-labels');
		await mkdir(outDir, {recursive: true});
		const file = path.join(outDir, 'report.html');
		await writeFile(file, renderHtmlReport(buildFixtureReport({chaos: closeFaults})));
		const page = await browser.newPage({viewport: {width: 1280, height: 900}});
		await page.goto(pathToFileURL(file).href, {waitUntil: 'load'});
		const perChart = await page.$$eval('figure.chart', figures =>
			figures.map(figure => ({
				id: figure.getAttribute('data-chart') ?? '',
				boxes: [...figure.querySelectorAll('g[data-mark-label] text')].map(text => {
					const r = text.getBoundingClientRect();
					return {x: r.x, y: r.y, width: r.width, height: r.height};
				}),
			})),
		);
		const withLabels = perChart.filter(c => c.boxes.length > 1);
		expect(withLabels.length).toBeGreaterThanOrEqual(2);
		for (const chart of withLabels) {
			expect(chart.boxes.every(b => b.width > 0)).toBe(true);
			expect(intersections(chart.boxes), chart.id).toEqual([]);
		}
		await page.screenshot({path: path.join(outDir, 'report.png'), fullPage: true});
		await page.close();
	}, 60_000);
});
