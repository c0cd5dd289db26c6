import {DEFAULT_STP_MODE, type AccountTrade, type Fill, type Order, type OrderList} from '../matching/index.js';

const f8 = (n: number) => n.toFixed(8);

/** The fields every order rendering shares, in Binance's order. */
function core(o: Order) {
	return {
		price: f8(o.price),
		origQty: f8(o.origQty),
		executedQty: f8(o.executedQty),
		origQuoteOrderQty: f8(o.origQuoteOrderQty),
		cummulativeQuoteQty: f8(o.cummulativeQuoteQty),
		status: o.pending ? 'PENDING_NEW' : o.status,
		timeInForce: o.timeInForce,
		type: o.type,
		side: o.side,
	};
}

export type RespType = 'ACK' | 'RESULT' | 'FULL';

/** Binance's conditional order fields: present only for the orders they apply to. */
function conditional(o: Order): Record<string, unknown> {
	return {
		...(o.icebergQty === undefined ? {} : {icebergQty: f8(o.icebergQty)}),
		...(o.trailingDelta === undefined ? {} : {trailingDelta: o.trailingDelta, trailingTime: o.trailingTime ?? -1}),
	};
}

const stpOf = (o: Order) => o.selfTradePreventionMode ?? DEFAULT_STP_MODE;

/** POST /api/v3/order reply in the requested shape. */
export function newOrderReply(o: Order, fills: readonly Fill[], respType: RespType): Record<string, unknown> {
	const ack = {
		symbol: o.symbol,
		orderId: o.orderId,
		orderListId: o.orderListId ?? -1,
		clientOrderId: o.clientOrderId,
		transactTime: o.time,
	};
	if (respType === 'ACK') return ack;
	const result = {
		...ack,
		...core(o),
		...(o.stopPrice > 0 ? {stopPrice: f8(o.stopPrice)} : {}),
		...conditional(o),
		workingTime: o.isWorking ? o.workingTime : -1,
		selfTradePreventionMode: stpOf(o),
	};
	if (respType === 'RESULT') return result;
	return {
		...result,
		fills: fills.map(f => ({
			price: f8(f.price),
			qty: f8(f.qty),
			commission: f8(f.commission),
			commissionAsset: f.commissionAsset,
			tradeId: f.tradeId,
		})),
	};
}

/** GET /api/v3/order, openOrders and allOrders rows. */
export function orderRow(o: Order): Record<string, unknown> {
	const c = core(o);
	return {
		symbol: o.symbol,
		orderId: o.orderId,
		orderListId: o.orderListId ?? -1,
		clientOrderId: o.clientOrderId,
		price: c.price,
		origQty: c.origQty,
		executedQty: c.executedQty,
		cummulativeQuoteQty: c.cummulativeQuoteQty,
		status: c.status,
		timeInForce: c.timeInForce,
		type: c.type,
		side: c.side,
		stopPrice: f8(o.stopPrice),
		icebergQty: f8(o.icebergQty ?? 0),
		...(o.trailingDelta === undefined ? {} : {trailingDelta: o.trailingDelta, trailingTime: o.trailingTime ?? -1}),
		time: o.time,
		updateTime: o.updateTime,
		isWorking: o.isWorking,
		workingTime: o.workingTime,
		origQuoteOrderQty: c.origQuoteOrderQty,
		selfTradePreventionMode: stpOf(o),
	};
}

/** DELETE /api/v3/order reply (and each row of DELETE openOrders). */
export function cancelReply(o: Order, cancelClientOrderId: string, transactTime: number): Record<string, unknown> {
	const c = core(o);
	return {
		symbol: o.symbol,
		origClientOrderId: o.clientOrderId,
		orderId: o.orderId,
		orderListId: o.orderListId ?? -1,
		clientOrderId: cancelClientOrderId,
		transactTime,
		price: c.price,
		origQty: c.origQty,
		executedQty: c.executedQty,
		origQuoteOrderQty: c.origQuoteOrderQty,
		cummulativeQuoteQty: c.cummulativeQuoteQty,
		status: c.status,
		timeInForce: c.timeInForce,
		type: c.type,
		side: c.side,
		...(o.stopPrice > 0 ? {stopPrice: f8(o.stopPrice)} : {}),
		...conditional(o),
		selfTradePreventionMode: stpOf(o),
	};
}

export function myTradeRow(t: AccountTrade): Record<string, unknown> {
	return {
		symbol: t.symbol,
		id: t.tradeId,
		orderId: t.orderId,
		orderListId: -1,
		price: f8(t.price),
		qty: f8(t.qty),
		quoteQty: f8(t.quoteQty),
		commission: f8(t.commission),
		commissionAsset: t.commissionAsset,
		time: t.time,
		isBuyer: t.isBuyer,
		isMaker: t.isMaker,
		isBestMatch: true,
	};
}

/** The `amendedOrder` of an Order Amend Keep Priority reply (Binance names its quantities qty/cumulativeQuoteQty here). */
export function amendedOrderRow(o: Order, origClientOrderId: string): Record<string, unknown> {
	return {
		symbol: o.symbol,
		orderId: o.orderId,
		orderListId: o.orderListId ?? -1,
		origClientOrderId,
		clientOrderId: o.clientOrderId,
		price: f8(o.price),
		qty: f8(o.origQty),
		executedQty: f8(o.executedQty),
		preventedQty: f8(0),
		quoteOrderQty: f8(o.origQuoteOrderQty),
		cumulativeQuoteQty: f8(o.cummulativeQuoteQty),
		status: o.status,
		timeInForce: o.timeInForce,
		type: o.type,
		side: o.side,
		workingTime: o.workingTime,
		selfTradePreventionMode: stpOf(o),
	};
}

/** An order list as the order-list endpoints render it; `reports` adds the placement's orderReports. */
export function orderListReply(list: OrderList, reports?: Array<Record<string, unknown>>): Record<string, unknown> {
	return {
		orderListId: list.orderListId,
		contingencyType: list.contingencyType,
		listStatusType: list.listStatusType,
		listOrderStatus: list.listOrderStatus,
		listClientOrderId: list.listClientOrderId,
		transactionTime: list.transactionTime,
		symbol: list.symbol,
		orders: list.orders.map(o => ({symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId})),
		...(reports ? {orderReports: reports} : {}),
	};
}
