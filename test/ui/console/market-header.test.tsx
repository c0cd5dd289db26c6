/** The console header's market segment: the regime on the mock, a halt and a shock outranking it, nothing off the mock. */
import {afterEach, describe, expect, it} from 'vitest';
import type {EngineSnapshot} from '../../../source/engine/snapshot.js';
import type {MarketSymbolView, MarketView} from '../../../source/engine/market-view.js';
import {FakeEngine, renderConsole, runningSnapshot, t0, type RenderedConsole} from '../helpers.js';

let mounted: RenderedConsole[] = [];
afterEach(() => {
	for (const m of mounted) m.unmount();
	mounted = [];
});

function symbol(overrides: Partial<MarketSymbolView> = {}): MarketSymbolView {
	return {
		symbol: 'BTCUSDT',
		regime: 'volatile',
		regimeSetting: 'auto',
		volatility: 0.38,
		status: 'TRADING',
		shock: null,
		resumeAt: null,
		...overrides,
	};
}

async function header(market: MarketView | null, columns = 120): Promise<string> {
	const snapshot: EngineSnapshot = {...runningSnapshot(), market};
	const ui = await renderConsole(new FakeEngine(snapshot), {now: t0 + 60_000, columns, rows: 30});
	mounted.push(ui);
	return ui.frame().split('\n').slice(0, 4).join('\n');
}

describe('the market in the console header', () => {
	it('shows the current regime, and says when it is held by a setting', async () => {
		expect(await header({at: t0, symbols: [symbol(), symbol({symbol: 'ETHUSDT', regime: 'ranging'})]})).toMatch(
			/market volatile/,
		);
		expect(await header({at: t0, symbols: [symbol({regime: 'trending', regimeSetting: 'trending'})]})).toMatch(
			/market trending \(set\)/,
		);
	});

	it('a halt outranks the regime; a shock under way shows beside it', async () => {
		const halted = await header({
			at: t0,
			symbols: [symbol(), symbol({symbol: 'ETHUSDT', status: 'BREAK'})],
		});
		expect(halted).toMatch(/HALT ETHUSDT/);
		expect(halted).not.toMatch(/market volatile/);
		const shocked = await header({
			at: t0,
			symbols: [symbol({shock: {percent: -8, phase: 'moving', startedAt: t0}})],
		});
		expect(shocked).toMatch(/shock BTCUSDT -8% moving/);
		expect(shocked).toMatch(/market volatile/);
	});

	it('off the mock (no market seen): no market segment', async () => {
		expect(await header(null)).not.toMatch(/market|HALT|shock/);
	});
});
