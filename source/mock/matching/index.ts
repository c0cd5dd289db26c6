/** The mock's matching engine as a pure module (no I/O, injected clock), reusable by a paper broker. */
export {
	MatchingEngine,
	INSUFFICIENT_BALANCE,
	type MatchingEngineOptions,
	type OrderRef,
	type HistoryFilter,
} from './matching-engine.js';
export {Account} from './account.js';
export {checkFilters} from './filters.js';
export {round8, roundTo, floorTo, isMultiple} from './numbers.js';
export * from './order-model.js';
export {TRADING_CAPABILITIES, TRAILING_DELTA_FILTER} from './capabilities.js';
