import {MAX_OPEN_ORDERS} from '../market/symbols.js';
import {
	STP_MODES,
	type NewOrderRequest,
	type OrderType,
	type Side,
	type StpMode,
	type TimeInForce,
} from '../matching/index.js';
import type {MockContext, Route} from './route.js';
import {ApiErrorWithData} from './api-error-data.js';
import {ApiError, errors} from './errors.js';
import {amendedOrderRow, cancelReply, myTradeRow, newOrderReply, orderRow, type RespType} from './order-format.js';
import type {Params} from './params.js';

const json = (value: unknown) => ({body: JSON.stringify(value)});
const SIDES = new Set(['BUY', 'SELL']);
const TYPES = new Set([
	'LIMIT',
	'MARKET',
	'LIMIT_MAKER',
	'STOP_LOSS',
	'STOP_LOSS_LIMIT',
	'TAKE_PROFIT',
	'TAKE_PROFIT_LIMIT',
]);
const TIFS = new Set(['GTC', 'IOC', 'FOK']);

function unwrap<T>(result: {ok: true; value: T} | {ok: false; error: {code: number; msg: string}}): T {
	if (!result.ok) throw new ApiError(result.error.code, result.error.msg);
	return result.value;
}

function knownSymbol(ctx: MockContext, params: Params): string {
	const symbol = params.requiredSymbol();
	if (!ctx.market.hasSymbol(symbol)) throw errors.badSymbol();
	return symbol;
}

/** Reads POST /api/v3/order's parameters into an engine request, with Binance's error codes. */
/** exchangeInfo publishes base/quote asset precision 8 for every symbol. */
const ASSET_PRECISION = 8;

/** Binance answers -1111 when a number has more decimals (trailing zeros aside) than its asset's precision. */
function checkPrecision(params: Params, name: string): void {
	const text = params.raw(name);
	const dot = text?.indexOf('.') ?? -1;
	if (text === undefined || dot < 0) return;
	const decimals = text.slice(dot + 1).replace(/0+$/, '').length;
	if (decimals > ASSET_PRECISION) throw errors.tooMuchPrecision(name);
}

function orderRequest(ctx: MockContext, params: Params): {request: NewOrderRequest; respType: RespType} {
	const symbol = knownSymbol(ctx, params);
	const side = params.requiredString('side');
	if (!SIDES.has(side)) throw errors.badSide();
	const type = params.requiredString('type');
	if (!TYPES.has(type)) throw errors.badType();
	const tif = params.string('timeInForce');
	if (tif !== undefined && !TIFS.has(tif)) throw errors.badTif();
	const quantity = params.decimal('quantity');
	const quoteOrderQty = params.decimal('quoteOrderQty');
	const price = params.decimal('price');
	const stopPrice = params.decimal('stopPrice');
	for (const name of ['quantity', 'quoteOrderQty', 'price', 'stopPrice']) checkPrecision(params, name);
	const clientOrderId = params.clientId('newClientOrderId');
	const respRaw = params.string('newOrderRespType');
	if (respRaw !== undefined && respRaw !== 'ACK' && respRaw !== 'RESULT' && respRaw !== 'FULL')
		throw errors.badRespType();
	const trailingDelta = params.integer('trailingDelta', 0);
	const icebergQty = params.decimal('icebergQty');
	checkPrecision(params, 'icebergQty');
	// Pegged orders are not simulated (exchangeInfo says pegInstructionsAllowed false).
	for (const name of ['pegPriceType', 'pegOffsetValue', 'pegOffsetType'])
		if (params.raw(name) !== undefined) throw errors.notRequired(name);
	params.string('strategyId');
	params.string('strategyType');
	const stp = params.string('selfTradePreventionMode');
	if (stp !== undefined && !(STP_MODES as readonly string[]).includes(stp))
		throw errors.illegal('selfTradePreventionMode', STP_MODES.join(', '));
	const request: NewOrderRequest = {symbol, side: side as Side, type: type as OrderType};
	if (trailingDelta !== undefined) request.trailingDelta = trailingDelta;
	if (icebergQty !== undefined) request.icebergQty = icebergQty;
	if (stp !== undefined) request.selfTradePreventionMode = stp as StpMode;
	if (tif !== undefined) request.timeInForce = tif as TimeInForce;
	if (quantity !== undefined) request.quantity = quantity;
	if (quoteOrderQty !== undefined) request.quoteOrderQty = quoteOrderQty;
	if (price !== undefined) request.price = price;
	if (stopPrice !== undefined) request.stopPrice = stopPrice;
	if (clientOrderId !== undefined) request.clientOrderId = clientOrderId;
	// Binance: MARKET and LIMIT answer FULL by default, everything else ACK.
	const respType = respRaw ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK');
	return {request, respType};
}

function orderRef(params: Params): {orderId?: number; origClientOrderId?: string} {
	const orderId = params.integer('orderId', 0);
	const origClientOrderId = params.clientId('origClientOrderId');
	if (orderId === undefined && origClientOrderId === undefined) throw errors.missing('orderId');
	return orderId !== undefined ? {orderId} : {origClientOrderId: origClientOrderId!};
}

function historyFilter(params: Params, idName: 'orderId' | 'fromId') {
	const id = params.integer(idName, 0);
	const startTime = params.integer('startTime', 0);
	const endTime = params.integer('endTime', 0);
	const limit = params.integer('limit', 1, 1000) ?? 500;
	if (startTime !== undefined && endTime !== undefined && endTime < startTime) throw errors.outOfRange('endTime');
	return {
		limit,
		...(id === undefined ? {} : {[idName]: id}),
		...(startTime === undefined ? {} : {startTime}),
		...(endTime === undefined ? {} : {endTime}),
	};
}

let cancelIds = 0;
const cancelClientId = (params: Params) =>
	params.clientId('newClientOrderId') ?? `ddcancel${(++cancelIds).toString(36).padStart(8, '0')}`;

let amendIds = 0;
let executionIds = 0;

function checkOpenOrderLimit(ctx: MockContext, apiKey: string, request: NewOrderRequest): void {
	if (
		(ctx.engine.account(apiKey)?.open.get(request.symbol)?.length ?? 0) >= MAX_OPEN_ORDERS &&
		request.type !== 'MARKET'
	)
		throw new ApiError(-1013, 'Filter failure: MAX_NUM_ORDERS');
}

export const tradeRoutes: Record<string, Route> = {
	'POST /api/v3/order': {
		security: 'SIGNED',
		weight: 1,
		order: true,
		handle(ctx, {params, apiKey}) {
			const {request, respType} = orderRequest(ctx, params);
			params.checkAllRead();
			checkOpenOrderLimit(ctx, apiKey, request);
			const outcome = unwrap(ctx.engine.placeOrder(apiKey, request));
			return {body: JSON.stringify(newOrderReply(outcome.order, outcome.fills, respType)), order: outcome.order};
		},
	},
	'POST /api/v3/order/test': {
		security: 'SIGNED',
		weight: params => (params.has('computeCommissionRates') ? 20 : 1),
		handle(ctx, {params, apiKey}) {
			const {request} = orderRequest(ctx, params);
			const compute = params.string('computeCommissionRates') === 'true';
			params.checkAllRead();
			unwrap(ctx.engine.placeOrder(apiKey, request, true));
			if (!compute) return {body: '{}'};
			const fees = ctx.engine.feeSchedule;
			return json({
				standardCommissionForOrder: {maker: fees.maker.toFixed(8), taker: fees.taker.toFixed(8)},
				specialCommissionForOrder: {maker: '0.00000000', taker: '0.00000000'},
				taxCommissionForOrder: {maker: '0.00000000', taker: '0.00000000'},
				discount: {enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: '0.25000000'},
			});
		},
	},
	/**
	 * Cancel an order and place a new one in one request. STOP_ON_FAILURE: a failed cancel stops there
	 * (-2022, 400); ALLOW_FAILURE: the new order is tried anyway. One side failing is -2021 (409), both -2022.
	 */
	'POST /api/v3/order/cancelReplace': {
		security: 'SIGNED',
		weight: 1,
		order: true,
		handle(ctx, {params, apiKey}) {
			const mode = params.requiredString('cancelReplaceMode');
			if (mode !== 'STOP_ON_FAILURE' && mode !== 'ALLOW_FAILURE')
				throw errors.illegal('cancelReplaceMode', 'STOP_ON_FAILURE, ALLOW_FAILURE');
			const cancelOrderId = params.integer('cancelOrderId', 0);
			const cancelOrig = params.clientId('cancelOrigClientOrderId');
			if (cancelOrderId === undefined && cancelOrig === undefined) throw errors.missing('cancelOrderId');
			const cancelNewId =
				params.clientId('cancelNewClientOrderId') ?? `ddcancel${(++cancelIds).toString(36).padStart(8, '0')}`;
			params.string('cancelRestrictions');
			const rateMode = params.string('orderRateLimitExceededMode');
			if (rateMode !== undefined && rateMode !== 'DO_NOTHING' && rateMode !== 'CANCEL_ONLY')
				throw errors.illegal('orderRateLimitExceededMode', 'DO_NOTHING, CANCEL_ONLY');
			const {request, respType} = orderRequest(ctx, params);
			params.checkAllRead();
			const cancel = ctx.engine.cancelOrder(
				apiKey,
				request.symbol,
				cancelOrderId !== undefined ? {orderId: cancelOrderId} : {origClientOrderId: cancelOrig!},
			);
			const cancelResponse = cancel.ok ? cancelReply(cancel.value, cancelNewId, ctx.now()) : cancel.error;
			if (!cancel.ok && mode === 'STOP_ON_FAILURE') {
				throw new ApiErrorWithData(-2022, 'Order cancel-replace failed.', 400, {
					cancelResult: 'FAILURE',
					newOrderResult: 'NOT_ATTEMPTED',
					cancelResponse,
					newOrderResponse: null,
				});
			}
			let placed: ReturnType<typeof ctx.engine.placeOrder>;
			try {
				checkOpenOrderLimit(ctx, apiKey, request);
				placed = ctx.engine.placeOrder(apiKey, request);
			} catch (error) {
				if (!(error instanceof ApiError)) throw error;
				placed = {ok: false, error: {code: error.code, msg: error.msg}};
			}
			const newOrderResponse = placed.ok
				? newOrderReply(placed.value.order, placed.value.fills, respType)
				: placed.error;
			const data = {
				cancelResult: cancel.ok ? 'SUCCESS' : 'FAILURE',
				newOrderResult: placed.ok ? 'SUCCESS' : 'FAILURE',
				cancelResponse,
				newOrderResponse,
			};
			if (cancel.ok && placed.ok) return {body: JSON.stringify(data), order: placed.value.order};
			if (!cancel.ok && !placed.ok) throw new ApiErrorWithData(-2022, 'Order cancel-replace failed.', 400, data);
			throw new ApiErrorWithData(-2021, 'Order cancel-replace partially failed.', 409, data);
		},
	},
	/** Reduce an open order's quantity keeping its priority (same orderId); 0 on the unfilled order count. */
	'PUT /api/v3/order/amend/keepPriority': {
		security: 'SIGNED',
		weight: 4,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const ref = orderRef(params);
			const newClientOrderId =
				params.clientId('newClientOrderId') ?? `ddamend${(++amendIds).toString(36).padStart(9, '0')}`;
			const newQty = params.decimal('newQty');
			if (newQty === undefined) throw errors.missing('newQty');
			checkPrecision(params, 'newQty');
			params.checkAllRead();
			if (!(newQty > 0)) throw new ApiError(-1013, 'Filter failure: LOT_SIZE');
			const {order, origClientOrderId} = unwrap(ctx.engine.amendOrder(apiKey, symbol, ref, newQty, newClientOrderId));
			return json({
				transactTime: order.updateTime,
				executionId: ++executionIds,
				amendedOrder: amendedOrderRow(order, origClientOrderId),
			});
		},
	},
	'GET /api/v3/order': {
		security: 'SIGNED',
		weight: 4,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const ref = orderRef(params);
			params.checkAllRead();
			return json(orderRow(unwrap(ctx.engine.getOrder(apiKey, symbol, ref))));
		},
	},
	'DELETE /api/v3/order': {
		security: 'SIGNED',
		weight: 1,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const ref = orderRef(params);
			const cancelId = cancelClientId(params);
			params.string('cancelRestrictions');
			params.checkAllRead();
			const order = unwrap(ctx.engine.cancelOrder(apiKey, symbol, ref));
			return json(cancelReply(order, cancelId, ctx.now()));
		},
	},
	'DELETE /api/v3/openOrders': {
		security: 'SIGNED',
		weight: 1,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			params.checkAllRead();
			const now = ctx.now();
			return json(unwrap(ctx.engine.cancelAll(apiKey, symbol)).map(o => cancelReply(o, cancelClientId(params), now)));
		},
	},
	'GET /api/v3/openOrders': {
		security: 'SIGNED',
		weight: params => (params.has('symbol') ? 6 : 80),
		handle(ctx, {params, apiKey}) {
			const symbol = params.symbol();
			if (symbol !== undefined && !ctx.market.hasSymbol(symbol)) throw errors.badSymbol();
			params.checkAllRead();
			return json(ctx.engine.openOrders(apiKey, symbol).map(orderRow));
		},
	},
	'GET /api/v3/allOrders': {
		security: 'SIGNED',
		weight: 20,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const filter = historyFilter(params, 'orderId');
			params.checkAllRead();
			return json(ctx.engine.allOrders(apiKey, symbol, filter).map(orderRow));
		},
	},
	'GET /api/v3/myTrades': {
		security: 'SIGNED',
		weight: 20,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const orderId = params.integer('orderId', 0);
			const filter = historyFilter(params, 'fromId');
			params.checkAllRead();
			return json(
				ctx.engine.myTrades(apiKey, symbol, orderId === undefined ? filter : {...filter, orderId}).map(myTradeRow),
			);
		},
	},
	'GET /api/v3/rateLimit/order': {
		security: 'SIGNED',
		weight: 40,
		handle(ctx, {params, apiKey}) {
			params.checkAllRead();
			const c = ctx.orders.current(apiKey, ctx.now());
			return json([
				{rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: ctx.orders.per10s, count: c.count10s},
				{rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: ctx.orders.perDay, count: c.countDay},
			]);
		},
	},
};
