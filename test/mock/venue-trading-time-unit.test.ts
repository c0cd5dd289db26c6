/** `X-MBX-TIME-UNIT: MICROSECOND` on REST and `?timeUnit=MICROSECOND` on the WebSocket API; µs timestamps accepted. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {hmacHex} from '../../source/mock/signing.js';
import {startMock} from './helpers.js';
import {call, hmacSigner, wsSigned} from './helpers.js';
import {TestClient} from './helpers.js';

let mock: MockExchange;
beforeAll(async () => {
	mock = await startMock({seed: 31});
});
afterAll(async () => {
	await mock.close();
});

async function get(path: string, unit?: string, signedQuery?: string): Promise<{status: number; body: unknown}> {
	const headers: Record<string, string> = {'X-MBX-APIKEY': mock.apiKey};
	if (unit !== undefined) headers['X-MBX-TIME-UNIT'] = unit;
	const query = signedQuery === undefined ? '' : `?${signedQuery}&signature=${hmacHex(mock.apiSecret, signedQuery)}`;
	const response = await fetch(`${mock.rest}${path}${query}`, {headers});
	return {status: response.status, body: await response.json()};
}

const isMicros = (t: number) => Math.abs(t - Date.now() * 1000) < 60_000_000;
const isMillis = (t: number) => Math.abs(t - Date.now()) < 60_000;

describe('time unit', () => {
	it('REST: time fields in µs with the header (either case), ms without, -1100 for another unit', async () => {
		expect(isMillis(((await get('/api/v3/time')).body as {serverTime: number}).serverTime)).toBe(true);
		expect(isMicros(((await get('/api/v3/time', 'MICROSECOND')).body as {serverTime: number}).serverTime)).toBe(true);
		expect(isMicros(((await get('/api/v3/time', 'microsecond')).body as {serverTime: number}).serverTime)).toBe(true);
		expect(await get('/api/v3/time', 'NANOSECOND')).toMatchObject({status: 400, body: {code: -1100}});
		const klines = (await get('/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=2', 'MICROSECOND')).body as number[][];
		const plain = (await get('/api/v3/klines?symbol=BTCUSDT&interval=1m&limit=2')).body as number[][];
		expect(klines[0]![0]).toBe(plain[0]![0]! * 1000);
		expect(klines[0]![6]).toBe(plain[0]![6]! * 1000);
		expect(klines[0]![8]).toBe(plain[0]![8]);
	});

	it('REST: an order placed with a µs timestamp answers transactTime and workingTime in µs', async () => {
		const query = `symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=20&newOrderRespType=RESULT&timestamp=${Date.now() * 1000}`;
		const response = await fetch(`${mock.rest}/api/v3/order?${query}&signature=${hmacHex(mock.apiSecret, query)}`, {
			method: 'POST',
			headers: {'X-MBX-APIKEY': mock.apiKey, 'X-MBX-TIME-UNIT': 'MICROSECOND'},
		});
		const body = (await response.json()) as {transactTime: number; workingTime: number; orderId: number};
		expect(response.status).toBe(200);
		expect(isMicros(body.transactTime) && isMicros(body.workingTime)).toBe(true);
		const row = (
			await get('/api/v3/order', undefined, `symbol=BTCUSDT&orderId=${body.orderId}&timestamp=${Date.now()}`)
		).body as {time: number};
		expect(row.time * 1000).toBe(body.transactTime);
	});

	it('WebSocket API: ?timeUnit=MICROSECOND converts results, µs timestamps are accepted', async () => {
		const micro = await TestClient.open(`${mock.ws}/ws-api/v3?timeUnit=MICROSECOND`);
		const milli = await TestClient.open(`${mock.ws}/ws-api/v3`);
		try {
			expect(isMicros(((await call(micro, 'time')).result as {serverTime: number}).serverTime)).toBe(true);
			expect(isMillis(((await call(milli, 'time')).result as {serverTime: number}).serverTime)).toBe(true);
			const params = {apiKey: mock.apiKey, timestamp: Date.now() * 1000};
			const account = await call(micro, 'account.status', wsSigned(mock.apiKey, hmacSigner(mock.apiSecret), {}));
			expect(
				isMicros((account.result as {updateTime: number}).updateTime) ||
					(account.result as {updateTime: number}).updateTime === 0,
			).toBe(true);
			const signature = hmacSigner(mock.apiSecret)(`apiKey=${params.apiKey}&timestamp=${params.timestamp}`);
			expect(await call(milli, 'account.status', {...params, signature})).toMatchObject({status: 200});
		} finally {
			micro.close();
			milli.close();
		}
	});
});
