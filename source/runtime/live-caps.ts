/**
 * Live-trading caps: wraps an ExchangeClient so no single order exceeds the per-order notional cap and
 * the run's total stays under the per-run cap, whatever a phase or strategy asks for.
 */
import type {ExchangeClient, OrderRequest} from '../exchange/exchange-client.js';
import {ExchangeError} from '../exchange/errors.js';

export function capOrders(
	client: ExchangeClient,
	caps: {perOrderNotionalCap: number; perRunNotionalCap: number},
): ExchangeClient {
	let spent = 0;
	const createOrder = async (request: OrderRequest) => {
		let notional: number;
		if (request.cost !== undefined) notional = request.cost;
		else {
			const price = request.price ?? (await client.fetchTicker(request.symbol)).last;
			notional = price === null || request.amount === undefined ? Infinity : price * request.amount;
		}
		if (notional > caps.perOrderNotionalCap)
			throw new ExchangeError({
				kind: 'invalid-order',
				message: `live cap: order notional ${notional.toFixed(2)} over the per-order cap ${caps.perOrderNotionalCap}`,
			});
		if (spent + notional > caps.perRunNotionalCap)
			throw new ExchangeError({
				kind: 'invalid-order',
				message: `live cap: run notional would reach ${(spent + notional).toFixed(2)}, over the per-run cap ${caps.perRunNotionalCap}`,
			});
		spent += notional;
		return client.createOrder(request);
	};
	return new Proxy(client, {
		get(target, property, receiver) {
			if (property === 'createOrder') return createOrder;
			const value = Reflect.get(target, property, receiver) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}
