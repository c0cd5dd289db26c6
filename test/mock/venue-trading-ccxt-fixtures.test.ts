/**
 * ccxt's recorded Binance spot requests (ccxt/ccxt ts/src/test/static/request/binance.json, createOrder
 * entries for /api/v3/order and /api/v3/order/test) replayed against the mock: the parameter sets and
 * encodings are ccxt's; timestamp, recvWindow and signature are made fresh, the symbol is the mock's
 * BTCUSDT and prices are moved to the mock's price level (the recorded ones are LTC/SOL prices of the day).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {hmacHex} from '../../source/mock/signing.js';
import {publicGet, startMock} from './helpers.js';

/** description → [path, recorded urlencoded body] */
const RECORDED: Array<[string, string, string]> = [
	[
		'spot +selfTradePrevention +iceberg',
		'/api/v3/order',
		'timestamp=1737635122583&symbol=SOLUSDT&side=BUY&newClientOrderId=x-R4BD3S82a715e5f92ae442d8989388&newOrderRespType=FULL&type=LIMIT&quantity=0.05&price=241&timeInForce=GTC&selfTradePreventionMode=EXPIRE_MAKER&icebergQty=0.03&recvWindow=10000&signature=5994e0b818abb5289cc35adb708b61926ba09da4f80b0ca451f6fa3eb4a48cdc',
	],
	[
		'Spot market buy order',
		'/api/v3/order',
		'timestamp=1698772556546&symbol=LTCUSDT&side=BUY&newClientOrderId=x-R4BD3S8265d26698ad954db1b3fee5&newOrderRespType=FULL&type=MARKET&quoteOrderQty=10&recvWindow=10000&signature=bb8a423f6cfa0c0aa85c1234f514ff0fdad73b41921f31d0f4b9d5a24045ea8b',
	],
	[
		'Spot limit buy order',
		'/api/v3/order',
		'timestamp=1698772601904&symbol=LTCUSDT&side=BUY&newClientOrderId=x-R4BD3S826527eb0fd34e445cba9d94&newOrderRespType=FULL&type=LIMIT&quantity=0.2&price=50&timeInForce=GTC&recvWindow=10000&signature=b1caba89e3a305463b03d9bd73e0b34a2117f3b3949cdf065d29837fa845b4b0',
	],
	[
		'Spot limit buy with postOnly',
		'/api/v3/order',
		'timestamp=1707174812474&symbol=LTCUSDT&side=BUY&newOrderRespType=FULL&newClientOrderId=x-R4BD3S8281350e594e8f4383a36f19&type=LIMIT_MAKER&quantity=0.2&price=50&recvWindow=10000&signature=4e01e6b644312f26fce0be6524ed2eda08079dec6b6f1f2670a685362e39c6f1',
	],
	[
		'Spot limit buy with triggerPrice',
		'/api/v3/order',
		'timestamp=1699113377107&symbol=LTCUSDT&side=BUY&newClientOrderId=x-R4BD3S828025d8ae9f754437aa1bde&newOrderRespType=FULL&type=STOP_LOSS_LIMIT&quantity=0.2&price=50&timeInForce=GTC&stopPrice=100&recvWindow=10000&signature=x',
	],
	[
		'Spot limit buy with test endpoint',
		'/api/v3/order/test',
		'timestamp=1699113722660&symbol=LTCUSDT&side=BUY&newClientOrderId=x-R4BD3S82dbdbef155f0b479ca03ac1&newOrderRespType=FULL&type=LIMIT&quantity=0.2&price=50&timeInForce=GTC&recvWindow=10000&signature=x',
	],
];

let mock: MockExchange;
beforeAll(async () => {
	mock = await startMock({seed: 41, balances: {USDT: 100_000, BTC: 1}, stepMs: 3_600_000});
});
afterAll(async () => {
	await mock.close();
});

/** The recorded body for the mock: BTCUSDT, quantities scaled to BTC, prices at the mock's level (buy limit 10 % under, stop 10 % over). */
function replayBody(recorded: string, last: number): string {
	const params = new URLSearchParams(recorded);
	const recordedPrice = Number(params.get('price') ?? 0);
	for (const name of ['timestamp', 'recvWindow', 'signature']) params.delete(name);
	params.set('symbol', 'BTCUSDT');
	if (params.has('price')) params.set('price', String(Math.round(last * 0.9)));
	if (params.has('stopPrice'))
		params.set('stopPrice', String(Math.round((last * 0.9 * Number(params.get('stopPrice'))) / recordedPrice)));
	for (const name of ['quantity', 'icebergQty'])
		if (params.has(name)) params.set(name, (Number(params.get(name)) / 10).toFixed(3));
	params.set('recvWindow', '10000');
	params.set('timestamp', String(Date.now()));
	return params.toString();
}

describe('ccxt recorded spot order requests', () => {
	for (const [description, path, recorded] of RECORDED) {
		it(`accepts "${description}" with ccxt's parameter set`, async () => {
			const last = Number(
				((await publicGet(mock, '/api/v3/ticker/price?symbol=BTCUSDT')).body as {price: string}).price,
			);
			const body = replayBody(recorded, last);
			// ccxt posts the signed parameters as a form body.
			const response = await fetch(`${mock.rest}${path}`, {
				method: 'POST',
				headers: {'X-MBX-APIKEY': mock.apiKey, 'content-type': 'application/x-www-form-urlencoded'},
				body: `${body}&signature=${hmacHex(mock.apiSecret, body)}`,
			});
			const reply = (await response.json()) as Record<string, unknown>;
			expect(response.status, JSON.stringify(reply)).toBe(200);
			const sent = new URLSearchParams(body);
			if (path.endsWith('/test')) {
				expect(reply).toEqual({});
				return;
			}
			expect(reply).toMatchObject({
				symbol: 'BTCUSDT',
				type: sent.get('type'),
				side: 'BUY',
				clientOrderId: sent.get('newClientOrderId') ?? expect.any(String),
				fills: expect.any(Array),
			});
			if (sent.has('icebergQty')) expect(reply['icebergQty']).toBe(Number(sent.get('icebergQty')).toFixed(8));
			if (sent.has('selfTradePreventionMode'))
				expect(reply['selfTradePreventionMode']).toBe(sent.get('selfTradePreventionMode'));
			if (sent.get('type') === 'MARKET') expect(reply['status']).toBe('FILLED');
		});
	}
});
