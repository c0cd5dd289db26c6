/**
 * report.html's "Market" section, from report.json's `market` (engine/market-view.ts): the simulated
 * market's regime spans per symbol, the price shocks and the halts. report.json is read from disk, so
 * every field is checked; none of it (off the mock) renders nothing.
 */
import type {Report} from '../model.js';
import {escapeHtml as e} from './escape.js';

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '—');
const time = (v: unknown): string => (typeof v === 'string' ? v.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'still on');
const list = (v: unknown): Record<string, unknown>[] =>
	Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];

function table(field: string, head: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
	if (rows.length === 0) return `<p class="empty" data-field="${field}">${e(empty)}</p>`;
	return `<table data-field="${field}"><thead><tr>${head.map(h => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
		.map(r => `<tr>${r.map(c => `<td>${e(c)}</td>`).join('')}</tr>`)
		.join('')}</tbody></table>`;
}

export function marketSection(report: Report): string {
	const market = report.market as unknown;
	if (typeof market !== 'object' || market === null) return '';
	const m = market as Record<string, unknown>;
	const regimes = list(m.regimes).map(r => [
		text(r.symbol),
		`${text(r.regime)}${r.setting !== 'auto' && typeof r.setting === 'string' ? ' (set)' : ''}`,
		time(r.from),
		time(r.to),
	]);
	const shocks = list(m.shocks).map(s => [
		text(s.symbol),
		typeof s.percent === 'number' ? `${s.percent > 0 ? '+' : ''}${s.percent} %` : '—',
		time(s.at),
		text(s.phase),
	]);
	const halts = list(m.halts).map(h => [text(h.symbol), time(h.from), time(h.to)]);
	const dropped =
		typeof m.dropped === 'number' && m.dropped > 0 ? `<p class="note">${m.dropped} older spans not kept</p>` : '';
	return `<section id="market"><h2>Market</h2>
<h3>Regimes</h3>${table('market-regimes', ['symbol', 'regime', 'from', 'to'], regimes, 'no regime seen')}
<h3>Price shocks</h3>${table('market-shocks', ['symbol', 'change', 'at', 'last phase'], shocks, 'no price shock')}
<h3>Halts</h3>${table('market-halts', ['symbol', 'from', 'to'], halts, 'no halt')}
${dropped}</section>`;
}
