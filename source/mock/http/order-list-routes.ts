import {MAX_OPEN_ORDERS} from '../market/symbols.js';
import {
	STP_MODES,
	type ContingencyType,
	type ListLeg,
	type NewOrderRequest,
	type OrderType,
	type Side,
	type TimeInForce,
} from '../matching/index.js';
import {ApiError, errors} from './errors.js';
import {newOrderReply, orderListReply, type RespType} from './order-format.js';
import type {Params} from './params.js';
import type {MockContext, Route} from './route.js';

const SIDES = new Set(['BUY', 'SELL']);
const TIFS = new Set(['GTC', 'IOC', 'FOK']);
const ALL_TYPES = new Set([
	'LIMIT',
	'MARKET',
	'LIMIT_MAKER',
	'STOP_LOSS',
	'STOP_LOSS_LIMIT',
	'TAKE_PROFIT',
	'TAKE_PROFIT_LIMIT',
]);
const OCO_ABOVE = new Set(['STOP_LOSS_LIMIT', 'STOP_LOSS', 'LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const OCO_BELOW = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const WORKING = new Set(['LIMIT', 'LIMIT_MAKER']);

function unwrap<T>(result: {ok: true; value: T} | {ok: false; error: {code: number; msg: string}}): T {
	if (!result.ok) throw new ApiError(result.error.code, result.error.msg);
	return result.value;
}

function knownSymbol(ctx: MockContext, params: Params): string {
	const symbol = params.requiredSymbol();
	if (!ctx.market.hasSymbol(symbol)) throw errors.badSymbol();
	return symbol;
}

function side(params: Params, name: string): Side {
	const value = params.requiredString(name);
	if (!SIDES.has(value)) throw errors.badSide();
	return value as Side;
}

/**
 * One order of a list from its prefixed parameters (`aboveType`, `workingPrice`, `pendingBelowStopPrice` …).
 * Trailing stops, icebergs and pegs are refused as on POST /api/v3/order (exchangeInfo says so).
 */
function leg(
	params: Params,
	prefix: string,
	symbol: string,
	legSide: Side,
	quantity: number,
	allowed: Set<string>,
	badTypeCode: number,
	badTypeMsg: string,
): NewOrderRequest {
	const type = params.requiredString(`${prefix}Type`);
	if (!ALL_TYPES.has(type)) throw errors.badType();
	if (!allowed.has(type)) throw new ApiError(badTypeCode, badTypeMsg);
	const request: NewOrderRequest = {symbol, side: legSide, type: type as OrderType, quantity};
	const price = params.decimal(`${prefix}Price`);
	const stopPrice = params.decimal(`${prefix}StopPrice`);
	const tif = params.string(`${prefix}TimeInForce`);
	if (tif !== undefined && !TIFS.has(tif)) throw errors.badTif();
	const clientOrderId = params.clientId(`${prefix}ClientOrderId`);
	for (const name of ['TrailingDelta', 'IcebergQty', 'PegPriceType', 'PegOffsetType', 'PegOffsetValue'])
		if (params.raw(`${prefix}${name}`) !== undefined) throw errors.notRequired(`${prefix}${name}`);
	params.string(`${prefix}StrategyId`);
	params.string(`${prefix}StrategyType`);
	if (price !== undefined) request.price = price;
	if (stopPrice !== undefined) request.stopPrice = stopPrice;
	if (tif !== undefined) request.timeInForce = tif as TimeInForce;
	if (clientOrderId !== undefined) request.clientOrderId = clientOrderId;
	return request;
}

function quantity(params: Params, name: string): number {
	const q = params.decimal(name);
	if (q === undefined) throw errors.missing(name);
	return q;
}

function common(params: Params): {listClientOrderId?: string; respType: RespType} {
	const listClientOrderId = params.clientId('listClientOrderId');
	const respRaw = params.string('newOrderRespType');
	if (respRaw !== undefined && respRaw !== 'ACK' && respRaw !== 'RESULT' && respRaw !== 'FULL')
		throw errors.badRespType();
	const stp = params.string('selfTradePreventionMode');
	if (stp !== undefined && !(STP_MODES as readonly string[]).includes(stp))
		throw errors.illegal('selfTradePreventionMode', STP_MODES.join(', '));
	return {...(listClientOrderId === undefined ? {} : {listClientOrderId}), respType: respRaw ?? 'FULL'};
}

/** Places the list and renders it with one orderReport per order (pending ones as PENDING_NEW). */
function place(
	ctx: MockContext,
	apiKey: string,
	type: ContingencyType,
	legs: ListLeg[],
	listClientOrderId: string | undefined,
	respType: RespType,
) {
	const open = ctx.engine.account(apiKey)?.open.get(legs[0]!.request.symbol)?.length ?? 0;
	if (open + legs.length > MAX_OPEN_ORDERS) throw new ApiError(-1013, 'Filter failure: MAX_NUM_ORDERS');
	const {list, fills} = unwrap(ctx.engine.placeOrderList(apiKey, type, legs, listClientOrderId));
	const reports = list.orders.map((o, i) => newOrderReply(o, fills[i] ?? [], respType));
	return {
		body: JSON.stringify(orderListReply(list, reports)),
		order: {status: list.listOrderStatus, clientOrderId: list.listClientOrderId},
	};
}

function listRef(params: Params): {orderListId?: number; listClientOrderId?: string} {
	const orderListId = params.integer('orderListId', 0);
	const listClientOrderId = params.clientId('listClientOrderId') ?? params.clientId('origClientOrderId');
	if (orderListId === undefined && listClientOrderId === undefined) throw errors.missing('orderListId');
	return orderListId !== undefined ? {orderListId} : {listClientOrderId: listClientOrderId!};
}

export const orderListRoutes: Record<string, Route> = {
	'POST /api/v3/orderList/oco': {
		security: 'SIGNED',
		weight: 1,
		order: true,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const s = side(params, 'side');
			const q = quantity(params, 'quantity');
			const {listClientOrderId, respType} = common(params);
			const notInOco = 'Order type not supported in OCO.';
			const above = leg(params, 'above', symbol, s, q, OCO_ABOVE, -1158, notInOco);
			const below = leg(params, 'below', symbol, s, q, OCO_BELOW, -1158, notInOco);
			params.checkAllRead();
			return place(
				ctx,
				apiKey,
				'OCO',
				[
					{request: above, pending: false, oco: true},
					{request: below, pending: false, oco: true},
				],
				listClientOrderId,
				respType,
			);
		},
	},
	'POST /api/v3/orderList/oto': {
		security: 'SIGNED',
		weight: 1,
		order: true,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const {listClientOrderId, respType} = common(params);
			const working = leg(
				params,
				'working',
				symbol,
				side(params, 'workingSide'),
				quantity(params, 'workingQuantity'),
				WORKING,
				-1116,
				'Invalid orderType.',
			);
			const pending = leg(
				params,
				'pending',
				symbol,
				side(params, 'pendingSide'),
				quantity(params, 'pendingQuantity'),
				ALL_TYPES,
				-1116,
				'Invalid orderType.',
			);
			params.checkAllRead();
			return place(
				ctx,
				apiKey,
				'OTO',
				[
					{request: working, pending: false, oco: false},
					{request: pending, pending: true, oco: false},
				],
				listClientOrderId,
				respType,
			);
		},
	},
	'POST /api/v3/orderList/otoco': {
		security: 'SIGNED',
		weight: 1,
		order: true,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const {listClientOrderId, respType} = common(params);
			const notInOco = 'Order type not supported in OCO.';
			const working = leg(
				params,
				'working',
				symbol,
				side(params, 'workingSide'),
				quantity(params, 'workingQuantity'),
				WORKING,
				-1116,
				'Invalid orderType.',
			);
			const pSide = side(params, 'pendingSide');
			const pQty = quantity(params, 'pendingQuantity');
			const above = leg(params, 'pendingAbove', symbol, pSide, pQty, OCO_ABOVE, -1158, notInOco);
			const below = leg(params, 'pendingBelow', symbol, pSide, pQty, OCO_BELOW, -1158, notInOco);
			params.checkAllRead();
			return place(
				ctx,
				apiKey,
				'OTOCO',
				[
					{request: working, pending: false, oco: false},
					{request: above, pending: true, oco: true},
					{request: below, pending: true, oco: true},
				],
				listClientOrderId,
				respType,
			);
		},
	},
	'GET /api/v3/orderList': {
		security: 'SIGNED',
		weight: 4,
		handle(ctx, {params, apiKey}) {
			const ref = listRef(params);
			params.checkAllRead();
			return {body: JSON.stringify(orderListReply(unwrap(ctx.engine.orderList(apiKey, ref))))};
		},
	},
	'GET /api/v3/openOrderList': {
		security: 'SIGNED',
		weight: 6,
		handle(ctx, {params, apiKey}) {
			params.checkAllRead();
			return {body: JSON.stringify(ctx.engine.openOrderLists(apiKey).map(l => orderListReply(l)))};
		},
	},
	'DELETE /api/v3/orderList': {
		security: 'SIGNED',
		weight: 1,
		handle(ctx, {params, apiKey}) {
			const symbol = knownSymbol(ctx, params);
			const ref = listRef(params);
			params.clientId('newClientOrderId');
			params.checkAllRead();
			const list = unwrap(ctx.engine.cancelOrderList(apiKey, symbol, ref));
			const reports = list.orders.map(o => newOrderReply(o, [], 'RESULT'));
			return {body: JSON.stringify({...orderListReply(list, reports), listStatusType: 'ALL_DONE'})};
		},
	},
};
