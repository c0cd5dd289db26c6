/**
 * report.html's System-under-test section from report.json's `sut`: the sut-* checks with reasons,
 * the process, CPU/RSS charts beside drydock's, venue and orders tables, drops with their
 * resubscription times, orphans and consistency, StatsD and the last log lines — and nothing for a
 * report without a SUT, or a damaged section that still renders.
 */
import {describe, expect, it} from 'vitest';
import {renderHtmlReport} from '../../../source/report/html/index.js';
import type {SutReport} from '../../../source/report/sut-report.js';
import {buildFixtureReport, buildSutFixtureReport} from './helpers.js';

function section(html: string): string {
	return /<section id="sut">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
}

/** The value cell of a key/value row in the named table. */
function field(html: string, table: string, key: string): string {
	const t = new RegExp(`<table class="kv ${table}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
	const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return new RegExp(`<tr data-field="${escaped}"><th>[^<]*</th><td>([^<]*)</td></tr>`).exec(t)?.[1] ?? '(missing)';
}

function chart(html: string, id: string): string {
	return new RegExp(`data-chart="${id}"><figcaption>[^<]*</figcaption>(<svg[\\s\\S]*?</svg>)`).exec(html)?.[1] ?? '';
}

describe('report.html: the system under test', () => {
	const html = renderHtmlReport(buildSutFixtureReport());
	const sut = section(html);

	it('has a section headed by the sut-* verdicts, with every check, its figure and its reason', () => {
		expect(sut).toContain(
			'<h2>System under test <span class="badge s-fail">fail</span> <span class="sub">5/8 checks passed</span></h2>',
		);
		for (const id of [
			'sut-alive',
			'sut-orphans',
			'sut-resubscribe',
			'sut-rate-limit',
			'sut-memory',
			'sut-cpu',
			'sut-errors',
			'sut-consistency',
		])
			expect(sut).toMatch(new RegExp(`data-check="${id}" data-verdict="(pass|fail)"`));
		expect(sut).toMatch(
			/data-check="sut-orphans" data-verdict="fail">[\s\S]*?3 open orders left on the venue after it stopped: bot-1, bot-2, bot-3/,
		);
		// Report strings are escaped.
		expect(sut).toContain('USDT off by 9.5 &lt;b&gt;&amp;');
		expect(sut).not.toContain('<script>');
	});

	it('the process: command, exit, restarts, resources and logs', () => {
		expect(field(sut, 'sut-process', 'Command')).toBe('python3 -m mybot --config &lt;dry&gt;.yaml');
		expect(field(sut, 'sut-process', 'Exit')).toBe('code 0, asked to stop');
		expect(field(sut, 'sut-process', 'Restarts')).toBe('1');
		expect(field(sut, 'sut-process', 'Unexpected exits')).toBe('1');
		expect(field(sut, 'sut-process', 'CPU avg / peak')).toBe('14.2% / 41%');
		expect(field(sut, 'sut-process', 'RSS avg / peak')).toBe('88.5 / 121.3 MB');
		expect(field(sut, 'sut-process', 'RSS slope')).toBe('3.25 MB/h');
		expect(field(sut, 'sut-process', 'Log error lines (expected)')).toBe('3 (1)');
		expect(field(sut, 'sut-process', 'Operations for the grade')).toBe('its StatsD');
	});

	it("CPU and RSS charts: the SUT beside drydock, with the run's fault marks", () => {
		for (const id of ['sut-cpu', 'sut-memory']) {
			const svg = chart(sut, id);
			expect(svg, id).toContain('<svg');
			expect(svg).toContain('SUT (pid 31337)');
			expect(svg).toContain('drydock');
		}
		expect(chart(sut, 'sut-cpu')).toContain('drop-streams');
	});

	it('venue and orders tables: requests, weight, 429/418, Retry-After, errors and rejections by code, ack latency', () => {
		expect(field(sut, 'sut-venue', 'Requests')).toBe('1,234 (61.7/min)');
		expect(field(sut, 'sut-venue', 'Weight used / limit')).toBe('940 / 6,000');
		expect(field(sut, 'sut-venue', 'HTTP 429')).toBe('4');
		expect(field(sut, 'sut-venue', 'HTTP 418 (bans)')).toBe('1');
		expect(field(sut, 'sut-venue', 'Requests inside Retry-After')).toBe('7');
		expect(field(sut, 'sut-venue', 'Errors by code')).toBe('-2010 × 5, -1013 × 2');
		expect(field(sut, 'sut-orders', 'Placed')).toBe('40');
		expect(field(sut, 'sut-orders', 'Filled / partially filled')).toBe('31 / 2');
		expect(field(sut, 'sut-orders', 'Canceled')).toBe('4');
		expect(field(sut, 'sut-orders', 'Rejected')).toBe('5 (-2010 × 5)');
		expect(field(sut, 'sut-orders', 'Duplicate clientOrderIds')).toBe('1');
		expect(field(sut, 'sut-orders', 'Orders per 10 s (max / limit)')).toBe('12 / 50');
		expect(field(sut, 'sut-orders', 'Ack latency (as served)')).toBe(
			'40 acks: avg 1.8 / p50 1.2 / p99 7.5 / max 9.9 ms',
		);
		expect(field(sut, 'sut-streams', 'Subscriptions')).toBe('btcusdt@trade, btcusdt@depth@100ms');
	});

	it('drops with their time to resubscribe; a pending one is marked late', () => {
		expect(sut).toMatch(
			/<tr data-drop="d1" data-late="false"><td>d1<\/td>[\s\S]*?<td class="num">1,400 ms<\/td><td class="num">5,000 ms<\/td><\/tr>/,
		);
		expect(sut).toMatch(/<tr data-drop="d2" data-late="true" class="critical">[\s\S]*?never \(pending\)/);
	});

	it('orphans, consistency, StatsD and the last log lines (error lines marked)', () => {
		expect(field(sut, 'sut-end', 'Orphans (open orders after it stopped)')).toBe('3 open (bot-1, bot-2, bot-3)');
		expect(field(sut, 'sut-end', 'Balances')).toBe('MISMATCH: USDT off by 9.5');
		expect(sut).toMatch(
			/<tr class="critical" data-asset="USDT"><td>USDT<\/td><td class="num">1,000<\/td><td class="num">990.5<\/td><\/tr>/,
		);
		expect(field(sut, 'sut-statsd', 'Success rate')).toBe('98.876%');
		expect(field(sut, 'sut-statsd', 'Packets (malformed, unmapped)')).toBe('180 (2, 1)');
		expect(sut).toContain(
			'<span data-stream="stderr" class="error">2026-11-22T08:01:31.000Z ✘ ERROR &lt;script&gt;alert(1)&lt;/script&gt; order rejected</span>',
		);
		expect(sut).toContain('<span data-stream="stdout">2026-11-22T08:01:30.000Z cycle 88 ok</span>');
	});

	it('a report without a SUT has no section', () => {
		expect(renderHtmlReport(buildFixtureReport())).not.toContain('id="sut"');
	});

	it('a SUT that never started and whose venue could not be read: says so, draws no empty chart', () => {
		const broken: Partial<SutReport> = {
			state: 'failed',
			pid: null,
			exit: {code: 2, signal: null, requested: false},
			start_failure: 'exited with code 2 before it was ready: ModuleNotFoundError: mybot',
			resources: {
				samples: 0,
				cpu_avg_percent: null,
				cpu_peak_percent: null,
				rss_avg_mb: null,
				rss_peak_mb: null,
				rss_slope_mb_per_hour: null,
				peak_processes: 0,
				samples_series: [],
			},
			venue: null,
			orphans: {open_orders: null, client_order_ids: [], error: 'admin API: ECONNREFUSED'},
			consistency: null,
			statsd: null,
			operations_source: 'none',
		};
		const page = section(renderHtmlReport(buildSutFixtureReport(broken)));
		expect(field(page, 'sut-process', 'Start failure')).toBe(
			'exited with code 2 before it was ready: ModuleNotFoundError: mybot',
		);
		expect(field(page, 'sut-process', 'Exit')).toBe('code 2, on its own');
		expect(field(page, 'sut-process', 'CPU avg / peak')).toBe('— / —');
		expect(page).toContain(
			'data-chart="sut-cpu"><figcaption>CPU: SUT vs drydock (% of one core)</figcaption><div class="empty">no data',
		);
		expect(page).toContain("the venue's activity for the SUT could not be read");
		expect(field(page, 'sut-end', 'Orphans (open orders after it stopped)')).toBe(
			'could not be read: admin API: ECONNREFUSED',
		);
		expect(field(page, 'sut-end', 'Balances')).toBe('not checked');
		expect(page).toContain('the SUT sent no StatsD');
	});

	it('counts skipped sut-* checks apart from passed ones', () => {
		const report = buildSutFixtureReport();
		const skipped = {
			...report,
			phases: report.phases.map(p => ({
				...p,
				checks: p.checks.map(c => (c.id === 'sut-resubscribe' ? {...c, verdict: 'skipped' as const} : c)),
			})),
		};
		expect(section(renderHtmlReport(skipped))).toContain(
			'<span class="sub">5/8 checks passed, 1 not judged (skipped or no data)</span>',
		);
	});

	it('a damaged section (fields missing) still renders with — for the unknown', () => {
		const report = buildSutFixtureReport();
		const damaged = {
			...report,
			sut: {command: 'bot', state: 'running', pid: 1, restarts: 0, unexpected_exits: 0} as unknown as SutReport,
		};
		const page = section(renderHtmlReport(damaged));
		expect(page).toContain('System under test');
		expect(field(page, 'sut-process', 'RSS slope')).toBe('—');
	});
});
