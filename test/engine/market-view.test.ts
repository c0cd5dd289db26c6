/** The market history behind the snapshot's `market` and report.json's `market`: spans open and close on change, a new run restarts from the current state, and it stays bounded. */
import {describe, expect, it} from 'vitest';
import {MarketHistory, type MarketSymbolView} from '../../source/engine/market-view.js';

const t0 = Date.UTC(2026, 2, 2, 10);
const sym = (overrides: Partial<MarketSymbolView> = {}): MarketSymbolView => ({
	symbol: 'BTCUSDT',
	regime: 'ranging',
	regimeSetting: 'auto',
	volatility: 0.4,
	status: 'TRADING',
	shock: null,
	resumeAt: null,
	...overrides,
});

describe('MarketHistory', () => {
	it('records regime spans, shocks and halts as they change', () => {
		const h = new MarketHistory();
		h.apply({at: t0, symbols: [sym()]});
		h.apply({at: t0 + 1_000, symbols: [sym({regime: 'volatile'})]});
		h.apply({
			at: t0 + 2_000,
			symbols: [sym({regime: 'volatile', shock: {percent: -8, phase: 'moving', startedAt: t0 + 1_900}})],
		});
		h.apply({at: t0 + 3_000, symbols: [sym({regime: 'volatile', status: 'BREAK'})]});
		h.apply({at: t0 + 4_000, symbols: [sym({regime: 'volatile'})]});
		const r = h.report();
		expect(r.regimes.map(s => [s.regime, s.from, s.to])).toEqual([
			['ranging', new Date(t0).toISOString(), new Date(t0 + 1_000).toISOString()],
			['volatile', new Date(t0 + 1_000).toISOString(), null],
		]);
		expect(r.shocks).toEqual([{symbol: 'BTCUSDT', percent: -8, at: new Date(t0 + 1_900).toISOString(), phase: 'over'}]);
		expect(r.halts).toEqual([
			{symbol: 'BTCUSDT', from: new Date(t0 + 3_000).toISOString(), to: new Date(t0 + 4_000).toISOString()},
		]);
		expect(h.view?.symbols[0]?.regime).toBe('volatile');
	});

	it('a new run starts its history from what the market does now; bounded over a long run', () => {
		const h = new MarketHistory();
		for (let i = 0; i < 1_200; i++)
			h.apply({at: t0 + i, symbols: [sym({regime: i % 2 === 0 ? 'ranging' : 'trending'})]});
		expect(h.report().regimes).toHaveLength(500);
		expect(h.report().dropped).toBe(700);
		h.reset(t0 + 5_000);
		expect(h.report().regimes).toEqual([
			{symbol: 'BTCUSDT', regime: 'trending', setting: 'auto', from: new Date(t0 + 5_000).toISOString(), to: null},
		]);
	});
});
