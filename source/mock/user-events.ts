import type {Unsubscribe, UserDataFeed, WireUserEvent} from './contracts.js';
import type {EngineEvent, MatchingEngine} from './matching/index.js';
import {DEFAULT_STP_MODE} from './matching/order-model.js';

const f8 = (n: number) => n.toFixed(8);

/** Turns the matching engine's events into Binance user-data payloads, per API key. */
export class UserEvents implements UserDataFeed {
	private readonly listeners = new Set<(apiKey: string, event: WireUserEvent) => void>();

	constructor(engine: MatchingEngine) {
		engine.onEvent(event => {
			if (this.listeners.size === 0) return;
			const wire = toWire(event, engine);
			for (const listener of this.listeners) listener(event.account, wire);
		});
	}

	onUserEvent(listener: (apiKey: string, event: WireUserEvent) => void): Unsubscribe {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}

function toWire(event: EngineEvent, engine: MatchingEngine): WireUserEvent {
	if (event.kind === 'balances') {
		return {
			e: 'outboundAccountPosition',
			E: event.time,
			u: engine.account(event.account)?.updateTime ?? event.time,
			B: event.assets.map(b => ({a: b.asset, f: f8(b.free), l: f8(b.locked)})),
		};
	}
	if (event.kind === 'balanceDelta')
		return {e: 'balanceUpdate', E: event.time, a: event.asset, d: f8(event.delta), T: event.time};
	if (event.kind === 'listStatus') {
		const list = event.list;
		return {
			e: 'listStatus',
			E: event.time,
			s: list.symbol,
			g: list.orderListId,
			c: list.contingencyType,
			l: list.listStatusType,
			L: list.listOrderStatus,
			r: 'NONE',
			C: list.listClientOrderId,
			T: event.time,
			O: list.orders.map(o => ({s: o.symbol, i: o.orderId, c: o.clientOrderId})),
		};
	}
	const o = event.order;
	const fill = event.fill;
	return {
		e: 'executionReport',
		E: event.time,
		s: o.symbol,
		c: o.clientOrderId,
		S: o.side,
		o: o.type,
		f: o.timeInForce,
		q: f8(o.origQty),
		p: f8(o.price),
		P: f8(o.stopPrice),
		// Conditional fields as user-data-stream.md lists them: d and D only for trailing stops (D once it tracks).
		...(o.trailingDelta !== undefined ? {d: o.trailingDelta} : {}),
		...(o.trailingDelta !== undefined && o.trailingTime !== undefined && o.trailingTime > 0 ? {D: o.trailingTime} : {}),
		F: f8(o.icebergQty ?? 0),
		g: o.orderListId ?? -1,
		C: event.origClientOrderId ?? '',
		x: event.execution,
		X: o.status,
		r: 'NONE',
		i: o.orderId,
		l: f8(fill?.qty ?? 0),
		z: f8(o.executedQty),
		L: f8(fill?.price ?? 0),
		n: f8(fill?.commission ?? 0),
		N: fill ? fill.commissionAsset : null,
		T: event.time,
		t: fill ? fill.tradeId : -1,
		I: o.orderId * 2 + (fill ? 1 : 0),
		w: o.isWorking && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'),
		m: fill ? fill.isMaker : false,
		M: false,
		O: o.time,
		Z: f8(o.cummulativeQuoteQty),
		Y: f8(fill?.quoteQty ?? 0),
		Q: f8(o.origQuoteOrderQty),
		// W only once the order is on the book.
		...(o.isWorking && o.workingTime > 0 ? {W: o.workingTime} : {}),
		V: o.selfTradePreventionMode ?? DEFAULT_STP_MODE,
	};
}
