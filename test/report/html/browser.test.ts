/**
 * Loads report.html in headless Chromium (Debian's `chromium`, driven by playwright-core; no browser
 * download): checks the rendered DOM, that nothing was fetched, that the console stayed clean, and keeps
 * a screenshot. Skipped with a message when Chromium is absent outside CI; in CI its absence fails.
 */
import {mkdir, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Browser} from 'playwright-core';
import {writeHtmlReport} from '../../../source/report/html/index.js';
import {Journal} from '../../../source/report/journal.js';
import {buildFixtureReport, chaosRecords, chromiumPath, haveChromium, launchChromium} from './helpers.js';
import {mergeReports} from '../../../source/report/merge/index.js';
import {loadReport} from '../merge/helpers.js';

const executablePath = chromiumPath;
const inCi = Boolean(process.env.CI);
if (!haveChromium && !inCi)
	console.warn(
		`report-html browser test skipped: no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
	);

describe.skipIf(!haveChromium && !inCi)('report.html in headless Chromium', () => {
	let browser: Browser;
	const outDir = path.join(process.env.DRYDOCK_TEST_OUTPUT ?? os.tmpdir(), 'drydock-report-html');

	beforeAll(async () => {
		browser = await launchChromium();
	}, 30_000);

	afterAll(async () => {
		await browser?.close();
	});

	it('renders phases, grade and charts offline with no console errors', async () => {
		await mkdir(outDir, {recursive: true});
		// A run folder as the engine leaves it: report.json's data plus its events.ndjson journal.
		await rm(path.join(outDir, 'events.ndjson'), {force: true});
		const journal = new Journal(path.join(outDir, 'events.ndjson'));
		const report = buildFixtureReport({
			verdicts: {orders: ['pass', 'fail'], connectivity: ['pass', 'warn']},
			failEvery: 40,
			onEvent: event => journal.append(event),
		});
		await journal.close();
		const file = path.join(outDir, 'report.html');
		await writeHtmlReport(file, report, {journal: path.join(outDir, 'events.ndjson')});
		const page = await browser.newPage({viewport: {width: 1280, height: 900}});
		const consoleErrors: string[] = [];
		const requests: string[] = [];
		page.on('console', message => {
			if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(message.text());
		});
		page.on('pageerror', error => consoleErrors.push(error.message));
		page.on('request', request => requests.push(request.url()));
		const url = pathToFileURL(file).href;
		await page.goto(url, {waitUntil: 'load'});

		expect(await page.title()).toBe(`drydock ${report.run_id}`);
		expect(await page.locator('tr.phase').count()).toBe(report.phases.length);
		expect(await page.locator('tr.phase[data-phase="orders"]').getAttribute('data-status')).toBe('fail');
		expect(await page.locator('details.checks[data-phase="orders"]').getAttribute('open')).not.toBeNull();
		expect(
			await page.locator('details.checks[data-phase="orders"] tr.check[data-verdict="fail"]').innerText(),
		).toContain('orders check 1 was fail');
		expect((await page.locator('[data-field="grade"]').innerText()).trim()).toBe(report.performance_grade);
		const charts = page.locator('figure.chart svg');
		expect(await charts.count()).toBeGreaterThanOrEqual(8);
		for (const id of [
			'latency-over-time',
			'ops-per-second',
			'errors-over-time',
			'cpu',
			'memory',
			'latency-distribution',
			'errors-by-kind',
			'stream-gaps',
		]) {
			const box = await page.locator(`figure.chart[data-chart="${id}"] svg`).boundingBox();
			expect(box, id).not.toBeNull();
			expect(box!.width).toBeGreaterThan(200);
			expect(box!.height).toBeGreaterThan(100);
		}
		// The fault is drawn on the CPU chart's time axis.
		expect(
			await page.locator('figure.chart[data-chart="cpu"] svg text', {hasText: 'drop-streams'}).count(),
		).toBeGreaterThan(0);

		const screenshot = path.join(outDir, 'report.png');
		await page.screenshot({path: screenshot, fullPage: true});
		console.log(`report-html: page ${file}, screenshot ${screenshot}`);
		await page.close();

		expect(consoleErrors).toEqual([]);
		expect(requests.filter(r => r !== url)).toEqual([]);
	}, 60_000);

	it('renders the chaos section, fault marks, the resumed note and the host, offline, without console errors', async () => {
		await mkdir(outDir, {recursive: true});
		const report = {
			...buildFixtureReport({chaos: chaosRecords}),
			hostname: 'soak-box-1',
			resumed_from: {
				dir: '/runs/20261122-070000-soak-0f0f',
				run_id: '20261122-070000-soak-0f0f',
				soak_elapsed_ms: 3_600_000,
				resumed_at: '2026-11-22T08:00:00.000Z',
				orders_cancelled: 0,
			},
		};
		const file = path.join(outDir, 'report-chaos.html');
		await writeHtmlReport(file, report);
		const page = await browser.newPage({viewport: {width: 1280, height: 900}});
		const problems: string[] = [];
		const requests: string[] = [];
		page.on('console', message => {
			if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
		});
		page.on('pageerror', error => problems.push(error.message));
		page.on('request', request => requests.push(request.url()));
		const url = pathToFileURL(file).href;
		await page.goto(url, {waitUntil: 'load'});

		expect(await page.locator('header [data-field="hostname"]').innerText()).toBe('soak-box-1');
		expect(await page.locator('header [data-field="resumed-run-id"]').innerText()).toBe('20261122-070000-soak-0f0f');
		expect(await page.locator('header [data-field="resumed-from"]').innerText()).toContain('1h00m of soak done there');
		const rows = page.locator('#chaos tr.chaos');
		expect(await rows.count()).toBe(2);
		expect(await rows.nth(0).getAttribute('data-verdict')).toBe('pass');
		expect(await rows.nth(1).getAttribute('data-verdict')).toBe('fail');
		expect(await rows.nth(1).locator('.badge').innerText()).toBe('fail');
		expect((await rows.nth(0).locator('[data-field="recovery"]').innerText()).replace(/\s+/g, ' ')).toContain(
			'1,501 ms / 5,000 ms',
		);
		expect((await rows.nth(1).locator('[data-field="unknown-orders"]').innerText()).replace(/\s+/g, ' ')).toBe(
			'2 1 unresolved, 1 placed twice',
		);
		// The failed fault's details are open: its unknown-fate orders are visible.
		expect(await page.locator('details.chaos-detail[data-chaos="1"] tr[data-order="dd-soak-42"]').isVisible()).toBe(
			true,
		);
		// The section fits the page: its table scrolls inside its box rather than widening the page.
		const width = await page.evaluate('document.documentElement.scrollWidth');
		expect(width).toBeLessThanOrEqual(1280);
		for (const id of ['cpu', 'memory']) {
			expect(
				await page.locator(`figure.chart[data-chart="${id}"] svg text`, {hasText: '#0 drop-websockets'}).count(),
				id,
			).toBe(1);
			expect(
				await page.locator(`figure.chart[data-chart="${id}"] svg text`, {hasText: '#1 error-rate FAIL'}).count(),
				id,
			).toBe(1);
		}
		const screenshot = path.join(outDir, 'report-chaos.png');
		await page.locator('#chaos').screenshot({path: screenshot});
		console.log(`report-html: chaos page ${file}, screenshot ${screenshot}`);
		await page.close();
		expect(problems).toEqual([]);
		expect(requests.filter(r => r !== url)).toEqual([]);
	}, 60_000);

	it('renders a merged load report with its tables and charts, offline, without console errors', async () => {
		const samples = Array.from({length: 600}, (_, i) => 0.5 + (i % 40) / 4);
		const merged = mergeReports([
			loadReport(samples.slice(0, 300), 25, ['p95<20']),
			loadReport(samples.slice(300), 25),
		]);
		await mkdir(outDir, {recursive: true});
		const file = path.join(outDir, 'load-report.html');
		await writeHtmlReport(file, merged);
		const page = await browser.newPage({viewport: {width: 1280, height: 900}});
		const problems: string[] = [];
		const requests: string[] = [];
		page.on('console', message => {
			if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
		});
		page.on('pageerror', error => problems.push(error.message));
		page.on('request', request => requests.push(request.url()));
		const url = pathToFileURL(file).href;
		await page.goto(url, {waitUntil: 'load'});
		expect(await page.locator('#requests tr[data-entry]').count()).toBe(3);
		expect(await page.locator('tr[data-machine]').count()).toBe(2);
		expect(await page.locator('tr[data-threshold] .badge').innerText()).toBe('pass');
		expect(await page.locator('figure.chart svg').count()).toBe(2);
		const screenshot = path.join(outDir, 'load-report.png');
		await page.screenshot({path: screenshot, fullPage: true});
		console.log(`report-html: load page ${file}, screenshot ${screenshot}`);
		await page.close();
		expect(problems).toEqual([]);
		expect(requests.filter(r => r !== url)).toEqual([]);
	}, 60_000);
});
