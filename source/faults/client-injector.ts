/** Faults on a real venue without the fault proxy: only dropping our own WebSocket connections. */
import type {ExchangeClient} from '../exchange/exchange-client.js';
import {FaultError, type FaultInjector} from './injector.js';
import {CLIENT_REASONS as clientReasons, injectableAt} from './spec/kinds.js';

/** Real venues: only our own connections can be dropped. */
export function createClientFaultInjector(exchange: ExchangeClient): FaultInjector {
	return {
		mode: 'client',
		supports: kind => injectableAt(kind, 'client'),
		unsupportedReason: kind => clientReasons[kind],
		async inject(request) {
			if (request.fault !== 'drop-websockets')
				throw new FaultError(`${request.fault}: ${clientReasons[request.fault]}`);
			await exchange.dropConnections();
		},
		async clear() {},
		stats() {
			return Promise.resolve(null);
		},
	};
}
