import type {MockContext, Route} from './route.js';
import {ApiError, errors} from './errors.js';

const json = (value: unknown) => ({body: JSON.stringify(value)});

/**
 * Binance withdrew the listenKey flow on 2026-02-20 07:00 UTC (CHANGELOG 2026-01-21): the paths no longer
 * exist, so they answer as any unknown endpoint unless the mock runs with `legacyUserData`.
 */
function listenKeys(ctx: MockContext, method: string, path: string) {
	if (!ctx.legacyUserData) throw errors.notFound(method, path);
	if (!ctx.listenKeys) throw new ApiError(-1000, 'User data streams are not available yet.', 503);
	return ctx.listenKeys;
}

function listenKeyParam(params: {requiredString(name: string): string}): string {
	const key = params.requiredString('listenKey');
	if (key.length > 128) throw errors.outOfRange('listenKey');
	return key;
}

export const accountRoutes: Record<string, Route> = {
	'GET /api/v3/account': {
		security: 'SIGNED',
		weight: 20,
		handle(ctx, {params, apiKey}) {
			const omitZero = params.string('omitZeroBalances') === 'true';
			params.checkAllRead();
			const account = ctx.engine.account(apiKey)!;
			const fees = ctx.engine.feeSchedule;
			const balances: Array<{asset: string; free: string; locked: string}> = [];
			for (const [asset, b] of account.balances) {
				if (omitZero && b.free === 0 && b.locked === 0) continue;
				balances.push({asset, free: b.free.toFixed(8), locked: b.locked.toFixed(8)});
			}
			return json({
				makerCommission: Math.round(fees.maker * 10_000),
				takerCommission: Math.round(fees.taker * 10_000),
				buyerCommission: 0,
				sellerCommission: 0,
				commissionRates: {
					maker: fees.maker.toFixed(8),
					taker: fees.taker.toFixed(8),
					buyer: '0.00000000',
					seller: '0.00000000',
				},
				canTrade: true,
				canWithdraw: ctx.enableWithdrawals,
				canDeposit: true,
				brokered: false,
				requireSelfTradePrevention: false,
				preventSor: false,
				updateTime: account.updateTime,
				accountType: 'SPOT',
				balances,
				permissions: ['SPOT'],
				uid: ctx.uid,
			});
		},
	},
	'GET /api/v3/account/commission': {
		security: 'SIGNED',
		weight: 20,
		handle(ctx, {params}) {
			const symbol = params.requiredSymbol();
			if (!ctx.market.hasSymbol(symbol)) throw errors.badSymbol();
			params.checkAllRead();
			const fees = ctx.engine.feeSchedule;
			return json({
				symbol,
				standardCommission: {
					maker: fees.maker.toFixed(8),
					taker: fees.taker.toFixed(8),
					buyer: '0.00000000',
					seller: '0.00000000',
				},
				specialCommission: {maker: '0.00000000', taker: '0.00000000', buyer: '0.00000000', seller: '0.00000000'},
				taxCommission: {maker: '0.00000000', taker: '0.00000000', buyer: '0.00000000', seller: '0.00000000'},
				discount: {enabledForAccount: false, enabledForSymbol: false, discountAsset: 'BNB', discount: '0.25000000'},
			});
		},
	},
	'GET /sapi/v1/account/apiRestrictions': {
		security: 'SIGNED',
		weight: 1,
		handle(ctx, {params}) {
			params.checkAllRead();
			return json({
				ipRestrict: false,
				createTime: ctx.uid,
				enableReading: true,
				enableWithdrawals: ctx.enableWithdrawals,
				enableInternalTransfer: false,
				enableMargin: false,
				enableFutures: false,
				permitsUniversalTransfer: false,
				enableVanillaOptions: false,
				enableFixApiTrade: false,
				enableFixReadOnly: false,
				enableSpotAndMarginTrading: true,
				enablePortfolioMarginTrading: false,
			});
		},
	},
	'POST /api/v3/userDataStream': {
		security: 'API_KEY',
		weight: 2,
		handle(ctx, {params, apiKey, method, path}) {
			const keys = listenKeys(ctx, method, path);
			params.checkAllRead();
			return json({listenKey: keys.create(apiKey)});
		},
	},
	'PUT /api/v3/userDataStream': {
		security: 'API_KEY',
		weight: 2,
		handle(ctx, {params, method, path}) {
			const keys = listenKeys(ctx, method, path);
			const key = listenKeyParam(params);
			params.checkAllRead();
			if (!keys.keepAlive(key)) throw new ApiError(-1125, 'This listenKey does not exist.');
			return {body: '{}'};
		},
	},
	'DELETE /api/v3/userDataStream': {
		security: 'API_KEY',
		weight: 2,
		handle(ctx, {params, method, path}) {
			const keys = listenKeys(ctx, method, path);
			const key = listenKeyParam(params);
			params.checkAllRead();
			if (!keys.close(key)) throw new ApiError(-1125, 'This listenKey does not exist.');
			return {body: '{}'};
		},
	},
};
