/**
 * The System-under-test section of report.html in headless Chromium (Debian's `chromium`, driven by
 * playwright-core, as browser.test.ts): the section, its checks and charts render offline, fit the page,
 * and the console stays clean. Skipped with a message when Chromium is absent outside CI.
 */
import {mkdir} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Browser} from 'playwright-core';
import {writeHtmlReport} from '../../../source/report/html/index.js';
import {buildSutFixtureReport, chromiumPath, haveChromium, launchChromium} from './helpers.js';

const executablePath = chromiumPath;
const inCi = Boolean(process.env.CI);
if (!haveChromium && !inCi)
	console.warn(
		`report-html SUT browser test skipped: no Chromium at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
	);

describe.skipIf(!haveChromium && !inCi)('report.html SUT section in headless Chromium', () => {
	let browser: Browser;
	const outDir = path.join(process.env.DRYDOCK_TEST_OUTPUT ?? os.tmpdir(), 'drydock-report-html');

	beforeAll(async () => {
		browser = await launchChromium();
	}, 30_000);

	afterAll(async () => {
		await browser?.close();
	});

	it("renders the checks, the process, the charts beside drydock's and the tables, offline, without console errors", async () => {
		await mkdir(outDir, {recursive: true});
		const file = path.join(outDir, 'report-sut.html');
		await writeHtmlReport(file, buildSutFixtureReport());
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

		const section = page.locator('#sut');
		expect(await section.isVisible()).toBe(true);
		expect(await section.locator('h2 .badge').innerText()).toBe('fail');
		expect(await section.locator('tr.check').count()).toBe(8);
		expect(await section.locator('tr.check[data-verdict="fail"]').count()).toBe(3);
		expect(await section.locator('tr.check[data-check="sut-orphans"]').innerText()).toContain(
			'3 open orders left on the venue',
		);
		for (const id of ['sut-cpu', 'sut-memory']) {
			const box = await page.locator(`figure.chart[data-chart="${id}"] svg`).boundingBox();
			expect(box, id).not.toBeNull();
			expect(box!.width).toBeGreaterThan(200);
			expect(box!.height).toBeGreaterThan(100);
		}
		expect(await section.locator('tr[data-drop="d2"]').innerText()).toContain('never (pending)');
		// No script ran from the log line, and the section fits the page.
		expect(await section.locator('pre.sut-log .error').innerText()).toContain('<script>alert(1)</script>');
		expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);

		const screenshot = path.join(outDir, 'report-sut.png');
		await section.screenshot({path: screenshot});
		console.log(`report-html: SUT page ${file}, screenshot ${screenshot}`);
		await page.close();
		expect(problems).toEqual([]);
		expect(requests.filter(r => r !== url)).toEqual([]);
	}, 60_000);
});
