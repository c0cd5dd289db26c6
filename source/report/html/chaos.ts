/**
 * report.html's chaos parts: the Chaos section (one row per scheduled fault with its verdict and the
 * figures of detection, reconnect, resubscribe and recovery; unknown-fate orders and breaker transitions
 * per fault) and the marks those faults leave on every time chart.
 */
import type {ChaosRecord} from '../../engine/fault-records.js';
import type {Report} from '../model.js';
import type {TimeMark} from './charts.js';
import {escapeHtml as e} from './escape.js';

const ms = (value: number | null | undefined): string =>
	value === null || value === undefined || !Number.isFinite(value)
		? '—'
		: `${Math.round(value).toLocaleString('en-US')} ms`;

/** A moment in the run: `37.5s`, `12m34s`, `2h05m` (the figures after injection stay in ms). */
function offset(value: number): string {
	const s = Math.round(value / 1000);
	if (s < 60) return `${(value / 1000).toFixed(1)}s`;
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(s % 60).padStart(2, '0')}s`;
}

function time(iso: string | null): number | null {
	if (!iso) return null;
	const t = Date.parse(iso);
	return Number.isFinite(t) ? t : null;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const orNull = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const textOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/**
 * The report's chaos records, each with its fields checked: an entry without a fault and a verdict is
 * left out, a missing or damaged figure reads as unknown (—) or 0, never as a failure to render.
 */
export function chaosRecords(report: Pick<Report, 'chaos'>): ChaosRecord[] {
	const list = (report as {chaos?: unknown}).chaos;
	if (!Array.isArray(list)) return [];
	const records: ChaosRecord[] = [];
	for (const [i, raw] of list.entries()) {
		if (typeof raw !== 'object' || raw === null) continue;
		const c = raw as Partial<Record<keyof ChaosRecord, unknown>>;
		if (typeof c.fault !== 'string' || typeof c.verdict !== 'string') continue;
		const orders = Array.isArray(c.unknown_orders) ? (c.unknown_orders as unknown[]) : [];
		const transitions = Array.isArray(c.breaker_transitions) ? (c.breaker_transitions as unknown[]) : [];
		records.push({
			index: typeof c.index === 'number' ? c.index : i,
			fault: c.fault,
			label: typeof c.label === 'string' ? c.label : c.fault,
			params: typeof c.params === 'object' && c.params !== null ? (c.params as Record<string, unknown>) : {},
			scheduled_ms: count(c.scheduled_ms),
			duration_ms: count(c.duration_ms),
			recovery_budget_ms: count(c.recovery_budget_ms),
			injected_at: textOrNull(c.injected_at),
			detected_after_ms: orNull(c.detected_after_ms),
			detected_by: textOrNull(c.detected_by),
			reconnected_after_ms: orNull(c.reconnected_after_ms),
			resubscribed_after_ms: orNull(c.resubscribed_after_ms),
			recovered_after_ms: orNull(c.recovered_after_ms),
			recovery_ms: orNull(c.recovery_ms),
			messages_missed: count(c.messages_missed),
			book_resyncs: count(c.book_resyncs),
			failed_calls: count(c.failed_calls),
			unknown_orders: orders
				.filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null)
				.map(o => ({
					client_order_id: textOrNull(o['client_order_id']) ?? '?',
					at_ms: count(o['at_ms']),
					error: textOrNull(o['error']) ?? '',
					resolution: textOrNull(o['resolution']) ?? 'unresolved',
					resolved_by: textOrNull(o['resolved_by']),
					placements: count(o['placements']),
				})),
			breaker_transitions: transitions
				.filter((t): t is Record<string, unknown> => typeof t === 'object' && t !== null)
				.map(t => ({
					after_ms: count(t['after_ms']),
					state: String(t['state']) as ChaosRecord['breaker_transitions'][number]['state'],
				})),
			verdict: c.verdict as ChaosRecord['verdict'],
			reason: textOrNull(c.reason),
		});
	}
	return records;
}

/** How far a fault's shading reaches: to recovery, else to the end of its planned duration. */
function chaosEnd(c: ChaosRecord, at: number): number | undefined {
	if (c.recovered_after_ms !== null && c.recovered_after_ms > 0) return at + c.recovered_after_ms;
	if (c.duration_ms > 0) return at + c.duration_ms;
	return undefined;
}

/** `11:46:42.145Z` of an ISO time (the date is in the page's header). */
const timeOfDay = (iso: string) => (/^\d{4}-\d{2}-\d{2}T/.test(iso) ? iso.slice(11) : iso);

const failing = (verdict: string) => verdict === 'fail' || verdict === 'no-data';

/**
 * One mark per injected chaos fault, labelled `#index fault` (and the verdict when it failed), shaded
 * until recovery. The chaos runner also leaves a plain fault mark in `faults[]`: `covers` says which
 * of those a chaos mark already draws, so the chart does not show the same fault twice.
 */
export function chaosMarks(report: Pick<Report, 'chaos'>): {
	marks: TimeMark[];
	covers: (fault: {at: number; kind: string}) => boolean;
} {
	const marks: TimeMark[] = [];
	const injected: {at: number; fault: string}[] = [];
	for (const c of chaosRecords(report)) {
		const at = time(c.injected_at);
		if (at === null) continue;
		const until = chaosEnd(c, at);
		marks.push({
			at,
			...(until !== undefined ? {until} : {}),
			label: `#${c.index} ${c.fault}${failing(c.verdict) ? ` ${c.verdict.toUpperCase()}` : ''}`,
		});
		injected.push({at, fault: c.fault});
	}
	return {marks, covers: f => injected.some(x => x.fault === f.kind && Math.abs(x.at - f.at) <= 1000)};
}

const verdictBadge = (verdict: string) =>
	`<span class="badge s-${e(verdict.replace(/[^a-z-]/gi, ''))}">${e(verdict)}</span>`;

function detectedCell(c: ChaosRecord): string {
	if (c.detected_after_ms === null) return '—';
	return `${e(ms(c.detected_after_ms))}${c.detected_by ? `<div class="sub">${e(c.detected_by)}</div>` : ''}`;
}

function recoveryCell(c: ChaosRecord): string {
	if (c.recovery_ms === null) return `— <span class="sub">/ ${e(ms(c.recovery_budget_ms))}</span>`;
	const over = c.recovery_ms > c.recovery_budget_ms;
	return `<span${over ? ' class="over"' : ''}>${e(ms(c.recovery_ms))}</span> <span class="sub">/ ${e(ms(c.recovery_budget_ms))}</span>`;
}

function detailsFor(c: ChaosRecord): string {
	const parts: string[] = [];
	if (c.unknown_orders.length > 0) {
		parts.push(
			`<table class="unknown-orders"><thead><tr><th>Client order id</th><th>At</th><th>Error</th><th>Resolution</th><th>Resolved by</th><th>Placements</th></tr></thead><tbody>${c.unknown_orders
				.map(
					o =>
						`<tr data-order="${e(o.client_order_id)}"${o.placements > 1 || o.resolution === 'unresolved' ? ' class="critical"' : ''}><td>${e(o.client_order_id)}</td><td class="num">+${e(ms(o.at_ms))}</td><td>${e(o.error)}</td><td>${e(o.resolution)}</td><td>${e(o.resolved_by ?? '—')}</td><td class="num">${e(o.placements)}${o.placements > 1 ? ' (placed twice)' : ''}</td></tr>`,
				)
				.join('')}</tbody></table>`,
		);
	}
	if (c.breaker_transitions.length > 0) {
		parts.push(
			`<p class="breaker-transitions">Circuit breaker: ${c.breaker_transitions.map(t => `<span data-breaker="${e(t.state)}">${e(t.state)} at +${e(ms(t.after_ms))}</span>`).join(' → ')}</p>`,
		);
	}
	if (parts.length === 0) return '';
	const summary = [
		c.unknown_orders.length > 0
			? `${c.unknown_orders.length} unknown-fate order${c.unknown_orders.length === 1 ? '' : 's'}`
			: null,
		c.breaker_transitions.length > 0
			? `${c.breaker_transitions.length} breaker transition${c.breaker_transitions.length === 1 ? '' : 's'}`
			: null,
	]
		.filter(Boolean)
		.join(', ');
	const open = failing(c.verdict) ? ' open' : '';
	return `<details class="checks chaos-detail" data-chaos="${e(c.index)}"${open}><summary>#${e(c.index)} ${e(c.label)} — ${e(summary)}</summary>${parts.join('')}</details>`;
}

/** The Chaos section, or '' when the run had no chaos timeline. */
export function chaosSection(report: Pick<Report, 'chaos' | 'start_time'>): string {
	const records = chaosRecords(report);
	if (records.length === 0) return '';
	const counts = new Map<string, number>();
	for (const c of records) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
	const tally = [...counts.entries()].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
	const start = time(report.start_time);
	const rows = records
		.map(c => {
			const at = time(c.injected_at);
			const when =
				at === null
					? `not injected<div class="sub">planned at ${e(offset(c.scheduled_ms))} into the soak</div>`
					: `${start !== null ? `+${e(offset(at - start))}` : ''}<div class="sub">${e(timeOfDay(c.injected_at!))}</div>`;
			const unresolved = c.unknown_orders.filter(o => o.resolution === 'unresolved').length;
			const twice = c.unknown_orders.filter(o => o.placements > 1).length;
			const unknownNotes = [
				unresolved > 0 ? `${unresolved} unresolved` : null,
				twice > 0 ? `${twice} placed twice` : null,
			]
				.filter(Boolean)
				.join(', ');
			const unknown = `${c.unknown_orders.length}${unknownNotes ? `<div class="sub">${e(unknownNotes)}</div>` : ''}`;
			const streams =
				c.reconnected_after_ms === null && c.resubscribed_after_ms === null
					? '—'
					: `${e(ms(c.reconnected_after_ms))}<div class="sub">resubscribed ${e(ms(c.resubscribed_after_ms))}</div>`;
			return `<tr class="chaos" data-chaos="${e(c.index)}" data-verdict="${e(c.verdict)}"><td class="num">${e(c.index)}</td><td>${e(c.label)}${c.duration_ms > 0 ? `<div class="sub">lasts ${e(ms(c.duration_ms))}</div>` : ''}</td><td>${verdictBadge(c.verdict)}</td><td class="num" data-field="injected">${when}</td><td class="num" data-field="detected">${detectedCell(c)}</td><td class="num" data-field="reconnected">${streams}</td><td class="num" data-field="recovery">${recoveryCell(c)}${c.recovered_after_ms !== null ? `<div class="sub">healthy at +${e(ms(c.recovered_after_ms))}</div>` : ''}</td><td class="num" data-field="missed">${e(c.messages_missed)}<div class="sub">${e(c.book_resyncs)} book resync${c.book_resyncs === 1 ? '' : 's'}</div></td><td class="num" data-field="failed-calls">${e(c.failed_calls)}</td><td class="num" data-field="unknown-orders">${unknown}</td><td class="num" data-field="breaker">${e(c.breaker_transitions.length)}</td><td>${e(c.reason ?? '')}</td></tr>`;
		})
		.join('\n');
	return `<section id="chaos"><h2>Chaos <span class="sub">${records.length} fault${records.length === 1 ? '' : 's'}: ${e(tally)}</span></h2>
<p class="legend-note">Times are after each fault was injected; recovery is held to its budget from the end of the fault. Each fault is marked on the charts above as <em>#index fault</em>.</p>
<div class="table-scroll"><table class="chaos"><thead><tr><th>#</th><th>Fault</th><th>Verdict</th><th>Injected</th><th>Detected</th><th>Reconnected</th><th>Recovery / budget</th><th>Msgs missed</th><th>Failed calls</th><th>Unknown-fate orders</th><th>Breaker transitions</th><th>Reason</th></tr></thead><tbody>
${rows}
</tbody></table></div>
${records.map(detailsFor).join('')}</section>`;
}
