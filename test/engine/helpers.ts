import {createEngine, type EngineRuntime} from '../../source/engine/engine.js';
import type {PhaseDefinition} from '../../source/engine/phase-definition.js';

export const profileView = {
	name: 'test',
	exchange: 'binance',
	environment: 'mock' as const,
	execution: 'exchange' as const,
	symbols: ['BTC/USDT'],
};

export function testEngine<S>(
	phases: PhaseDefinition<S, {name: string}>[],
	services: S,
	extra: Partial<Parameters<typeof createEngine<S, {name: string}>>[0]> = {},
) {
	const runtime: EngineRuntime<S, {name: string}> = {phases, services, ...(extra.runtime ? {} : {})};
	return createEngine<S, {name: string}>({
		profile: {name: 'test'},
		profileView,
		limits: {cpuPercent: 50, rssMb: 300, rssSlopeMbPerHour: 5, eventLoopLagMs: 200, errorsPerHour: 1000},
		breaker: {failureThreshold: 3, openMs: 100, halfOpenProbes: 1},
		retry: {attempts: 3, baseMs: 1, maxMs: 5},
		requestTimeoutMs: 500,
		reportDir: null,
		runtime,
		...extra,
	});
}
