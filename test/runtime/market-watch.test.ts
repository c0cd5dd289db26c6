/**
 * The runtime's market watch against a real mock over HTTP: it reports the market once, stays quiet
 * while nothing the console shows changes (prices move, regimes held), and reports a change of regime,
 * a halt and a shock within a poll. An unreachable admin API yields nothing and throws nothing.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {EngineEvent} from '../../source/engine/events.js';
import type {MockExchange} from '../../source/mock/index.js';
import {watchMarket} from '../../source/runtime/market-watch.js';
import {adminCall, startMock} from '../mock/helpers.js';

type MarketEvent = Extract<EngineEvent, {type: 'market'}>;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

let mock: MockExchange;
beforeAll(async () => {
	mock = await startMock({seed: 31, stepMs: 20, market: {regime: 'ranging'}});
});
afterAll(async () => {
	await mock.close();
});

describe('market watch', () => {
	it('reports the market, then only its changes', async () => {
		const events: MarketEvent[] = [];
		const stop = watchMarket({
			adminUrl: mock.admin,
			intervalMs: 50,
			emit: event => void (event.type === 'market' && events.push(event)),
		});
		try {
			await sleep(400);
			expect(events).toHaveLength(1);
			expect(events[0]!.view.symbols.map(s => [s.symbol, s.regime, s.regimeSetting, s.status])).toEqual([
				['BTCUSDT', 'ranging', 'ranging', 'TRADING'],
				['ETHUSDT', 'ranging', 'ranging', 'TRADING'],
			]);
			await adminCall(mock, 'POST', '/market', {symbol: 'ETHUSDT', regime: 'volatile'});
			await sleep(200);
			expect(events.at(-1)!.view.symbols[1]).toMatchObject({regime: 'volatile', regimeSetting: 'volatile'});
			await adminCall(mock, 'POST', '/market/halt', {symbol: 'BTCUSDT', durationMs: 60_000});
			await adminCall(mock, 'POST', '/market/shock', {symbol: 'ETHUSDT', percent: -5, durationMs: 10_000});
			await sleep(200);
			const last = events.at(-1)!.view.symbols;
			expect(last[0]).toMatchObject({status: 'BREAK', resumeAt: expect.any(Number)});
			expect(last[1]!.shock).toMatchObject({percent: -5, phase: 'moving'});
			const count = events.length;
			await sleep(300);
			expect(events).toHaveLength(count);
		} finally {
			stop();
			await adminCall(mock, 'POST', '/market/resume', {symbol: 'BTCUSDT'});
		}
	});

	it('an unreachable admin API: no event, no throw', async () => {
		const events: EngineEvent[] = [];
		const stop = watchMarket({adminUrl: 'http://127.0.0.1:9/__drydock', intervalMs: 50, emit: e => events.push(e)});
		await sleep(300);
		stop();
		expect(events).toEqual([]);
	});
});
