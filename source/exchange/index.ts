/**
 * source/exchange: drydock's only door to ccxt. Importing this module does not load ccxt (0.3–1 s
 * for its binance module, more on a busy machine); createExchange does, on first use.
 */
import {ExchangeError} from './errors.js';
import type {ExchangeClient, ExchangeTarget} from './exchange-client.js';

export type * from './exchange-client.js';
export {
	ExchangeError,
	exchangeErrorKinds,
	isTransientError,
	isTransientKind,
	redactSecrets,
	toExchangeError,
} from './errors.js';
export type {ExchangeErrorInit, ExchangeErrorKind} from './errors.js';
export {fetchCandleHistory, timeframeMs} from './history.js';
export type {CandlePage} from './history.js';
export {FIRST_FRAME_TIMEOUT_MS, StreamWatcher, parseStreamId} from './stream-watcher.js';
export type {
	StreamEvent,
	StreamKind,
	StreamSpec,
	StreamStats,
	StreamStatus,
	StreamWatcherOptions,
	TradeGap,
} from './stream-watcher.js';

/** A client for the target: ccxt.pro.binance configured for the mock, testnet or mainnet. */
export async function createExchange(target: ExchangeTarget): Promise<ExchangeClient> {
	if (target.environment === 'mock' && (!target.restUrl || !target.wsUrl)) {
		throw new ExchangeError({
			kind: 'bad-request',
			message: 'the mock environment needs restUrl and wsUrl (the mock prints them when it starts)',
		});
	}
	for (const [field, value] of [
		['restUrl', target.restUrl],
		['wsUrl', target.wsUrl],
	] as const) {
		if (value !== undefined && target.environment === 'mock' && !URL.canParse(value)) {
			throw new ExchangeError({kind: 'bad-request', message: `${field}: "${value}" is not a URL`});
		}
	}
	const {createCcxtExchange} = await import('./ccxt-client.js');
	return createCcxtExchange(target);
}
export {createPaperBroker} from './paper-broker.js';
export type {PaperBrokerOptions} from './paper-broker.js';
