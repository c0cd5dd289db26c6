/** The chaos timeline's market faults: the shorthand a user writes, its defaults, and refusals naming the field. */
import {describe, expect, it} from 'vitest';
import {normalizeTimeline} from '../../../source/faults/chaos/schema.js';
import {parseTimeline} from '../../../source/faults/chaos/timeline-file.js';

describe('price-shock and halt on the chaos timeline', () => {
	it('folds the shorthand into params: the move is the window, the way back sits in the budget', () => {
		const [shock, halt] = normalizeTimeline(
			parseTimeline(
				[
					{at: '30s', kind: 'price-shock', symbol: 'BTCUSDT', change: '-8%', over: '3s', recover: '20s'},
					{at: '1m', kind: 'halt', symbol: 'ETHUSDT', duration: '10s'},
				],
				'test',
			),
		);
		expect(shock).toMatchObject({
			fault: 'price-shock',
			startMs: 30_000,
			durationMs: 3_000,
			recoveryBudgetMs: 25_000,
			params: {symbol: 'BTCUSDT', percent: -8, durationMs: 3_000, recoveryMs: 20_000},
		});
		expect(halt).toMatchObject({fault: 'halt', startMs: 60_000, durationMs: 10_000, params: {symbol: 'ETHUSDT'}});
		// No `recover`: the mock's default way back (ten times the move) plus 5 s.
		const [plain] = normalizeTimeline(parseTimeline([{at: 1, fault: 'price-shock', change: 5, over: '2s'}], 'test'));
		expect(plain!.recoveryBudgetMs).toBe(25_000);
	});

	it('refuses a bad market fault with the entry and the field', () => {
		const cases: Array<[unknown, RegExp]> = [
			[{at: 1, kind: 'price-shock', over: '3s'}, /entry 0, field "change": required/],
			[{at: 1, kind: 'price-shock', change: '-120%'}, /entry 0, field "params.percent"/],
			[{at: 1, kind: 'price-shock', change: 'lots'}, /entry 0, field "change": expected a percentage/],
			[{at: 1, kind: 'price-shock', change: -8, over: 'soon'}, /entry 0, field "over": expected a duration/],
			[{at: 1, kind: 'price-shock', change: -8, duration: '3s'}, /field "duration": a price-shock is timed by/],
			[{at: 1, kind: 'halt', change: -8}, /field "change": a halt takes "symbol" and "duration" only/],
			[{at: 1, kind: 'halt', symbol: 'btc'}, /field "symbol": expected an exchange symbol/],
			[{at: 1, kind: 'latency', symbol: 'BTCUSDT', params: {ms: 1}}, /field "symbol": only for price-shock and halt/],
			[{at: 1, kind: 'price-shock', change: -8, tolerance: '90%'}, /field "params.tolerancePercent"/],
		];
		for (const [entry, pattern] of cases) expect(() => parseTimeline([entry], 'test')).toThrow(pattern);
	});
});
