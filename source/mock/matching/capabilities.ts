import {DEFAULT_STP_MODE, ORDER_TYPES, STP_MODES, TRAILING_DELTA_MAX, TRAILING_DELTA_MIN} from './order-model.js';

/**
 * What the mock's trading side supports, in exchangeInfo's per-symbol vocabulary, so exchangeInfo can
 * tell the truth from one place (spread into each symbol's entry by the market routes).
 */
export const TRADING_CAPABILITIES = {
	orderTypes: [...ORDER_TYPES],
	icebergAllowed: true,
	ocoAllowed: true,
	otoAllowed: true,
	opoAllowed: false,
	quoteOrderQtyMarketAllowed: true,
	allowTrailingStop: true,
	cancelReplaceAllowed: true,
	amendAllowed: true,
	pegInstructionsAllowed: false,
	defaultSelfTradePreventionMode: DEFAULT_STP_MODE,
	allowedSelfTradePreventionModes: [...STP_MODES],
} as const;

/** exchangeInfo's TRAILING_DELTA filter for the bounds the engine enforces. */
export const TRAILING_DELTA_FILTER = {
	filterType: 'TRAILING_DELTA',
	minTrailingAboveDelta: TRAILING_DELTA_MIN,
	maxTrailingAboveDelta: TRAILING_DELTA_MAX,
	minTrailingBelowDelta: TRAILING_DELTA_MIN,
	maxTrailingBelowDelta: TRAILING_DELTA_MAX,
} as const;
