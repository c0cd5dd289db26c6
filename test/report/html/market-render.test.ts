/** report.html's Market section from report.json's `market`: regimes, shocks, halts; nothing without it; a damaged one still renders. */
import {describe, expect, it} from 'vitest';
import {renderHtmlReport} from '../../../source/report/html/index.js';
import type {Report} from '../../../source/report/model.js';
import {buildFixtureReport} from './helpers.js';

function section(html: string): string {
	return /<section id="market">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
}

describe('report.html: the market', () => {
	it('lists regime spans, price shocks and halts', () => {
		const report: Report = {
			...buildFixtureReport(),
			market: {
				regimes: [
					{
						symbol: 'BTCUSDT',
						regime: 'ranging',
						setting: 'auto',
						from: '2026-03-02T10:00:00.000Z',
						to: '2026-03-02T10:05:00.000Z',
					},
					{symbol: 'BTCUSDT', regime: 'volatile', setting: 'volatile', from: '2026-03-02T10:05:00.000Z', to: null},
				],
				shocks: [{symbol: 'BTCUSDT', percent: -8, at: '2026-03-02T10:06:00.000Z', phase: 'over'}],
				halts: [{symbol: 'ETHUSDT', from: '2026-03-02T10:07:00.000Z', to: '2026-03-02T10:07:10.000Z'}],
				dropped: 0,
			},
		};
		const market = section(renderHtmlReport(report));
		expect(market).toContain('<h2>Market</h2>');
		expect(market).toMatch(
			/<td>BTCUSDT<\/td><td>ranging<\/td><td>2026-03-02 10:00:00Z<\/td><td>2026-03-02 10:05:00Z<\/td>/,
		);
		expect(market).toMatch(/<td>volatile \(set\)<\/td><td>2026-03-02 10:05:00Z<\/td><td>still on<\/td>/);
		expect(market).toMatch(/<td>BTCUSDT<\/td><td>-8 %<\/td>/);
		expect(market).toMatch(/<td>ETHUSDT<\/td><td>2026-03-02 10:07:00Z<\/td><td>2026-03-02 10:07:10Z<\/td>/);
	});

	it('renders nothing off the mock, and survives a damaged section', () => {
		expect(section(renderHtmlReport(buildFixtureReport()))).toBe('');
		const damaged = {
			...buildFixtureReport(),
			market: {regimes: 'x', shocks: [null, {symbol: '<b>'}]},
		} as unknown as Report;
		const market = section(renderHtmlReport(damaged));
		expect(market).toContain('no regime seen');
		expect(market).toContain('&lt;b&gt;');
		expect(market).toContain('no halt');
	});
});
