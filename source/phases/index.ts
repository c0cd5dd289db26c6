/**
 * The twelve integration phases, in DESIGN.md order, and the services they run with. The composition
 * root (source/runtime) builds the services with createPhaseServices and hands `phases` to the engine.
 */
import type {PhaseDefinition} from '../engine/phase-definition.js';
import type {Profile} from '../profiles/schema.js';
import {concurrencyPhase} from './concurrency.js';
import {configPhase} from './config.js';
import {connectivityPhase} from './connectivity.js';
import {marketDataPhase} from './market-data.js';
import {ordersPhase} from './orders.js';
import {pipelinePhase} from './pipeline.js';
import {portfolioPhase} from './portfolio.js';
import {rateLimitPhase} from './rate-limit.js';
import {resiliencePhase} from './resilience.js';
import {securityPhase} from './security.js';
import type {PhaseServices} from './services.js';
import {soakPhase} from './soak.js';
import {streamsPhase} from './streams.js';

export {createPhaseServices} from './services.js';
export type {PhaseServices, PhaseServicesInput} from './services.js';
export type {FaultInjector} from '../faults/injector.js';
export type {FaultRequest} from '../faults/spec/fault-spec.js';
export type {FaultKind} from '../faults/spec/kinds.js';
export type {Strategy, StrategySignal, StrategyCandle, StrategyTrade} from './trading/strategy.js';
export {RiskManager} from './trading/risk.js';
export {flattenPositions} from './trading/flatten-positions.js';
export type {FlattenReport, FlattenedSymbol} from './trading/flatten-positions.js';
export type {RiskLimits, RiskDecision} from './trading/risk.js';

export const phases: readonly PhaseDefinition<PhaseServices, Profile>[] = [
	configPhase,
	connectivityPhase,
	securityPhase,
	rateLimitPhase,
	marketDataPhase,
	streamsPhase,
	ordersPhase,
	portfolioPhase,
	pipelinePhase,
	resiliencePhase,
	concurrencyPhase,
	soakPhase,
];
