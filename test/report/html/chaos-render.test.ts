/**
 * report.html for the fields added by chaos timelines, resumed runs and hostnames: the Chaos section
 * (one row per fault with its verdict and figures, unknown-fate orders, breaker transitions), the
 * faults' marks on the time charts, the "resumed from" note and the host. Reports are built by the
 * engine's store and report builder (test/report/html/helpers.ts); older reports without these fields
 * must still render.
 */
import {describe, expect, it} from 'vitest';
import {renderHtmlReport, type HtmlReportInput} from '../../../source/report/html/index.js';
import {buildFixtureReport, chaosRecords} from './helpers.js';

/** The text of an element's cells, tags stripped and entities of the page's escaping decoded. */
function cells(rowHtml: string): string[] {
	const decode = (s: string) =>
		s
			.replace(/&lt;/g, '<')
			.replace(/&gt;/g, '>')
			.replace(/&quot;/g, '"')
			.replace(/&#39;/g, "'")
			.replace(/&amp;/g, '&');
	return [...rowHtml.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(m =>
		decode(m[1]!.replace(/<div class="sub">/g, ' | ').replace(/<[^>]+>/g, ''))
			.replace(/\s+/g, ' ')
			.trim(),
	);
}

function row(html: string, index: number): string[] {
	const match = new RegExp(`<tr class="chaos" data-chaos="${index}" data-verdict="[^"]*">([\\s\\S]*?)</tr>`).exec(html);
	expect(match, `chaos row ${index}`).not.toBeNull();
	return cells(match![1]!);
}

function chart(html: string, id: string): string {
	return new RegExp(`data-chart="${id}"><figcaption>[^<]*</figcaption>(<svg[\\s\\S]*?</svg>)`).exec(html)?.[1] ?? '';
}

const withChaos = () => buildFixtureReport({chaos: chaosRecords});

describe('report.html: chaos', () => {
	it('has a Chaos section with one row per fault: verdict and the figures of report.json chaos[]', () => {
		const report = withChaos();
		expect(report.chaos).toHaveLength(2);
		const html = renderHtmlReport(report);
		expect(html).toContain('<section id="chaos"><h2>Chaos <span class="sub">2 faults: 1 pass, 1 fail</span></h2>');
		// The fixture's soak starts at 08:00:00Z and injects a third of the way through its operations.
		expect(report.start_time).toBe('2026-11-22T08:00:00.000Z');
		expect(report.chaos!.map(c => c.injected_at)).toEqual(['2026-11-22T08:00:37.500Z', '2026-11-22T08:00:42.500Z']);
		expect(row(html, 0)).toEqual([
			'0',
			'drop-websockets at 5s',
			'pass',
			'+37.5s | 08:00:37.500Z',
			'27 ms | stream btcusdt@depth@100ms dropped',
			'1,265 ms | resubscribed 1,501 ms',
			'1,501 ms / 5,000 ms | healthy at +1,501 ms',
			'2 | 2 book resyncs',
			'0',
			'0',
			'0',
			'',
		]);
		expect(row(html, 1)).toEqual([
			'1',
			'error-rate 10s–15s {"probability":0.3,"status":503} | lasts 5,000 ms',
			'fail',
			'+42.5s | 08:00:42.500Z',
			'476 ms | failed call (unavailable)',
			'—',
			'12,250 ms / 10,000 ms | healthy at +17,250 ms',
			'0 | 0 book resyncs',
			'9',
			'2 | 1 unresolved, 1 placed twice',
			'3',
			'recovered 12250 ms after the fault, budget 10000 ms <b>&',
		]);
		expect(html).toMatch(
			/<tr class="chaos" data-chaos="1" data-verdict="fail">.*<span class="badge s-fail">fail<\/span>/,
		);
		// Over budget is flagged; the hostile reason is escaped.
		expect(html).toContain('<span class="over">12,250 ms</span>');
		expect(html).toContain('budget 10000 ms &lt;b&gt;&amp;');
		expect(html).not.toContain('<b>&');
	});

	it("lists each fault's unknown-fate orders with how they were resolved, and its breaker transitions", () => {
		const html = renderHtmlReport(withChaos());
		// Only the fault that has any gets a detail block; a failed fault's is open.
		expect(html).not.toContain('<details class="checks chaos-detail" data-chaos="0"');
		const detail =
			/<details class="checks chaos-detail" data-chaos="1" open>([\s\S]*?)<\/details>/.exec(html)?.[1] ?? '';
		expect(detail).toContain('2 unknown-fate orders, 3 breaker transitions');
		expect(cells(/<tr data-order="dd-soak-41">([\s\S]*?)<\/tr>/.exec(detail)?.[1] ?? '')).toEqual([
			'dd-soak-41',
			'+812 ms',
			'unavailable: 503 Service Unavailable',
			'found closed',
			'fetchOrder by clientOrderId',
			'1',
		]);
		expect(cells(/<tr data-order="dd-soak-42" class="critical">([\s\S]*?)<\/tr>/.exec(detail)?.[1] ?? '')).toEqual([
			'dd-soak-42',
			'+1,900 ms',
			'timeout',
			'unresolved',
			'—',
			'2 (placed twice)',
		]);
		expect(detail).toContain(
			'Circuit breaker: <span data-breaker="open">open at +900 ms</span> → <span data-breaker="half-open">half-open at +6,000 ms</span> → <span data-breaker="closed">closed at +6,100 ms</span>',
		);
	});

	it('marks each chaos fault on the time charts once, by index, with failing verdicts named', () => {
		const html = renderHtmlReport(withChaos());
		for (const id of ['cpu', 'memory']) {
			const svg = chart(html, id);
			expect(svg, id).toContain('#0 drop-websockets');
			expect(svg, id).toContain('#1 error-rate FAIL');
			// The chaos runner's plain fault marks for the same faults are not drawn a second time.
			expect(svg.match(/>drop-websockets</g) ?? [], id).toEqual([]);
			expect(svg.match(/>error-rate</g) ?? [], id).toEqual([]);
			// Other faults keep their marks.
			expect(svg, id).toContain('drop-streams');
		}
	});

	it('a report without chaos has no Chaos section; a damaged chaos entry is skipped, not fatal', () => {
		const plain = buildFixtureReport();
		expect(plain.chaos).toBeUndefined();
		expect(renderHtmlReport(plain)).not.toContain('id="chaos"');
		const report = withChaos();
		const pending = {
			...report.chaos![0]!,
			index: 2,
			label: 'stall-streams at 100s',
			fault: 'stall-streams',
			scheduled_ms: 100_000,
			injected_at: null,
			detected_after_ms: null,
			detected_by: null,
			reconnected_after_ms: null,
			resubscribed_after_ms: null,
			recovered_after_ms: null,
			recovery_ms: null,
			verdict: 'pending',
		};
		const partial = {index: 3, fault: 'latency', verdict: 'warn', unknown_orders: 'nope', messages_missed: '5'};
		const damaged = {
			...report,
			chaos: [null, {index: 7}, ...report.chaos!, pending, partial],
		} as unknown as HtmlReportInput;
		const html = renderHtmlReport(damaged);
		expect(html).toContain('4 faults: 1 pass, 1 fail, 1 pending, 1 warn');
		expect(row(html, 3)).toEqual([
			'3',
			'latency',
			'warn',
			'not injected | planned at 0.0s into the soak',
			'—',
			'—',
			'— / 0 ms',
			'0 | 0 book resyncs',
			'0',
			'0',
			'0',
			'',
		]);
		expect(html).not.toContain('data-chaos="7"');
		// A fault the run never reached: planned time, no figures, no mark.
		expect(row(html, 2).slice(2, 7)).toEqual([
			'pending',
			'not injected | planned at 1m40s into the soak',
			'—',
			'—',
			'— / 5,000 ms',
		]);
		expect(chart(html, 'cpu')).not.toContain('#2 stall-streams');
	});
});

describe('report.html: resumed runs and hosts', () => {
	const resumed = {
		dir: '/runs/20261122-100000-soak-aa11',
		run_id: '20261122-100000-soak-aa11',
		soak_elapsed_ms: 754_000,
		resumed_at: '2026-11-22T10:20:00.000Z',
		orders_cancelled: 2,
	};

	it('shows a note near the header naming the run and segment it continues, and that the report covers both segments', () => {
		const html = renderHtmlReport({...buildFixtureReport(), resumed_from: resumed});
		const header = /<header>([\s\S]*?)<\/header>/.exec(html)?.[1] ?? '';
		// The whole paragraph: counters and histograms carry over, so the final report is not the continuation alone.
		expect(header).toContain(
			'<p class="resumed" data-field="resumed-from">Resumed from run <strong data-field="resumed-run-id">20261122-100000-soak-aa11</strong> (<code>/runs/20261122-100000-soak-aa11</code>): 12m34s of soak done there; resumed 2026-11-22T10:20:00.000Z; 2 open orders cancelled on resume. This report covers both segments: finished phases, counters, latency histograms, errors and chaos records carry over from the interrupted run.</p>',
		);
		expect(header).not.toContain('continuation');
	});

	it('shows the host in the header when the report has one, and nothing when it has none', () => {
		const report = buildFixtureReport();
		const withHost = renderHtmlReport({...report, hostname: 'soak-<box>-7'});
		expect(withHost).toContain('<dt>Host</dt><dd data-field="hostname">soak-&lt;box&gt;-7</dd>');
		const {hostname: _dropped, ...old} = report as HtmlReportInput;
		const html = renderHtmlReport(old);
		expect(html).not.toContain('<dt>Host</dt>');
		expect(html).toContain(`<dt>Run</dt><dd>${report.run_id}</dd>`);
	});

	it('renders a report from before these fields (no chaos, resumed_from, hostname) as before', () => {
		const {hostname: _h, ...old} = buildFixtureReport() as HtmlReportInput;
		expect('chaos' in old || 'resumed_from' in old || 'hostname' in old).toBe(false);
		const html = renderHtmlReport(old);
		expect(html).not.toContain('class="resumed"');
		expect(html).not.toContain('id="chaos"');
		expect(html).toContain('<section id="events"><h2>Faults, anomalies and operator actions</h2>');
		expect(chart(html, 'cpu')).toContain('drop-streams');
		// `resumed_from: null` (a run that was not resumed, as some writers put it) is no note either.
		expect(renderHtmlReport({...old, resumed_from: null})).not.toContain('class="resumed"');
	});
});
