/**
 * RSA and Ed25519 API keys: registered for an account (option, admin API, in process), verified on REST
 * (signature parameter) and the WebSocket API; session.logon takes Ed25519 keys only, as Binance.
 */
import {generateKeyPairSync, type KeyObject} from 'node:crypto';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startMockExchange, type MockExchange} from '../../source/mock/index.js';
import {adminCall, publicGet, startMock} from './helpers.js';
import {call, ed25519Signer, hmacSigner, rsaSigner, wsSigned, type Signer} from './helpers.js';
import {TestClient} from './helpers.js';

const pem = (key: KeyObject) => key.export({type: 'spki', format: 'pem'}).toString();
const ed = generateKeyPairSync('ed25519');
const otherEd = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', {modulusLength: 2048});
const ED_KEY = 'venueEd25519Key0001';
const RSA_KEY = 'venueRsaKey0001';

/** A REST SIGNED request with any key type: the signature (base64 for RSA/Ed25519) percent-encoded. */
async function restSigned(
	mock: MockExchange,
	method: string,
	path: string,
	apiKey: string,
	signer: Signer,
	params: Record<string, string> = {},
): Promise<{status: number; body: Record<string, unknown>}> {
	const query = new URLSearchParams({...params, timestamp: String(Date.now())}).toString();
	const response = await fetch(`${mock.rest}${path}?${query}&signature=${encodeURIComponent(signer(query))}`, {
		method,
		headers: {'X-MBX-APIKEY': apiKey},
	});
	return {status: response.status, body: (await response.json()) as Record<string, unknown>};
}

let mock: MockExchange;
/** A resting buy price: 70 % of the last trade, inside PERCENT_PRICE and above MIN_NOTIONAL at the sizes used. */
async function restingPrice(symbol: string): Promise<string> {
	return String(
		Math.round(
			Number(((await publicGet(mock, `/api/v3/ticker/price?symbol=${symbol}`)).body as {price: string}).price) * 0.7,
		),
	);
}
const sockets: TestClient[] = [];
async function open(): Promise<TestClient> {
	const socket = await TestClient.open(`${mock.ws}/ws-api/v3`);
	sockets.push(socket);
	return socket;
}

beforeAll(async () => {
	mock = await startMock({
		seed: 5,
		balances: {USDT: 7777, BTC: 1},
		publicKeys: [{apiKey: ED_KEY, publicKey: pem(ed.publicKey)}],
	});
});
afterAll(async () => {
	for (const s of sockets) s.close();
	await mock.close();
});

describe('registering keys', () => {
	it('registers an RSA key through the admin API and lists both without key material', async () => {
		const reply = await adminCall(mock, 'POST', '/api-keys', {apiKey: RSA_KEY, publicKey: pem(rsa.publicKey)});
		expect(reply).toMatchObject({status: 200, body: {apiKey: RSA_KEY, type: 'RSA', account: mock.apiKey}});
		expect((await adminCall(mock, 'GET', '/api-keys')).body).toEqual({
			apiKeys: [
				{apiKey: ED_KEY, type: 'ED25519', account: mock.apiKey},
				{apiKey: RSA_KEY, type: 'RSA', account: mock.apiKey},
			],
		});
	});

	it('refuses unusable registrations with a message naming the problem', async () => {
		expect(await adminCall(mock, 'POST', '/api-keys', {apiKey: 'x1', publicKey: 'not a pem'})).toMatchObject({
			status: 400,
			body: {msg: expect.stringContaining('not a PEM public key')},
		});
		const ec = generateKeyPairSync('ec', {namedCurve: 'prime256v1'});
		expect(await adminCall(mock, 'POST', '/api-keys', {apiKey: 'x2', publicKey: pem(ec.publicKey)})).toMatchObject({
			status: 400,
			body: {msg: expect.stringContaining('ec is not supported')},
		});
		expect(
			await adminCall(mock, 'POST', '/api-keys', {apiKey: mock.apiKey, publicKey: pem(ed.publicKey)}),
		).toMatchObject({status: 400, body: {msg: expect.stringContaining('already an HMAC key')}});
		expect(
			await adminCall(mock, 'POST', '/api-keys', {apiKey: 'x3', publicKey: pem(ed.publicKey), account: 'nobody'}),
		).toMatchObject({status: 400, body: {msg: expect.stringContaining('not a known account')}});
		await expect(
			startMockExchange({port: 0, publicKeys: [{apiKey: 'bad key', publicKey: pem(ed.publicKey)}]}),
		).rejects.toThrow(/publicKeys\[bad key\]: apiKey must be/);
	});
});

describe('REST with RSA and Ed25519 signatures', () => {
	it('acts on the account the key belongs to', async () => {
		for (const [apiKey, signer] of [
			[ED_KEY, ed25519Signer(ed.privateKey)],
			[RSA_KEY, rsaSigner(rsa.privateKey)],
		] as const) {
			const account = await restSigned(mock, 'GET', '/api/v3/account', apiKey, signer, {omitZeroBalances: 'true'});
			expect(account.status, apiKey).toBe(200);
			expect(
				(account.body['balances'] as Array<{asset: string; free: string}>).find(b => b.asset === 'USDT')?.free,
			).toBe('7777.00000000');
		}
		const order = await restSigned(mock, 'POST', '/api/v3/order', ED_KEY, ed25519Signer(ed.privateKey), {
			symbol: 'BTCUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: '0.001',
			price: await restingPrice('BTCUSDT'),
		});
		expect(order).toMatchObject({status: 200, body: {status: 'NEW'}});
		// The same order seen through the HMAC key: one account.
		const hmac = await restSigned(mock, 'GET', '/api/v3/openOrders', mock.apiKey, hmacSigner(mock.apiSecret), {
			symbol: 'BTCUSDT',
		});
		expect((hmac.body as unknown as Array<{orderId: number}>).map(o => o.orderId)).toContain(order.body['orderId']);
	});

	it('refuses a signature made with another key, or with the wrong algorithm, with -1022', async () => {
		expect(await restSigned(mock, 'GET', '/api/v3/account', ED_KEY, ed25519Signer(otherEd.privateKey))).toMatchObject({
			status: 400,
			body: {code: -1022},
		});
		expect(await restSigned(mock, 'GET', '/api/v3/account', RSA_KEY, ed25519Signer(ed.privateKey))).toMatchObject({
			status: 400,
			body: {code: -1022},
		});
		expect(await restSigned(mock, 'GET', '/api/v3/account', ED_KEY, hmacSigner(mock.apiSecret))).toMatchObject({
			status: 400,
			body: {code: -1022},
		});
	});
});

describe('WebSocket API with RSA and Ed25519 keys', () => {
	it('signs requests with either key type', async () => {
		const socket = await open();
		expect(await call(socket, 'account.status', wsSigned(RSA_KEY, rsaSigner(rsa.privateKey)))).toMatchObject({
			status: 200,
			result: {accountType: 'SPOT'},
		});
		expect(
			await call(socket, 'openOrders.status', wsSigned(ED_KEY, ed25519Signer(ed.privateKey), {symbol: 'BTCUSDT'})),
		).toMatchObject({status: 200});
		expect(await call(socket, 'account.status', wsSigned(ED_KEY, ed25519Signer(otherEd.privateKey)))).toMatchObject({
			status: 400,
			error: {code: -1022},
		});
	});

	it('session.logon takes Ed25519 only; then requests need a timestamp but no signature', async () => {
		const socket = await open();
		expect(await call(socket, 'session.logon', wsSigned(RSA_KEY, rsaSigner(rsa.privateKey)))).toMatchObject({
			status: 401,
			error: {code: -2015},
		});
		expect(await call(socket, 'session.logon', wsSigned(mock.apiKey, hmacSigner(mock.apiSecret)))).toMatchObject({
			status: 401,
			error: {code: -2015},
		});
		expect(await call(socket, 'account.status', {timestamp: Date.now()})).toMatchObject({
			status: 400,
			error: {code: -1102},
		});
		expect(await call(socket, 'session.logon', wsSigned(ED_KEY, ed25519Signer(ed.privateKey)))).toMatchObject({
			status: 200,
			result: {apiKey: ED_KEY},
		});
		expect(await call(socket, 'account.status', {timestamp: Date.now()})).toMatchObject({
			status: 200,
			result: {accountType: 'SPOT'},
		});
		expect(await call(socket, 'account.status', {})).toMatchObject({
			status: 400,
			error: {code: -1102, msg: expect.stringContaining("'timestamp'")},
		});
		expect(await call(socket, 'account.status', {timestamp: Date.now() - 30_000})).toMatchObject({
			status: 400,
			error: {code: -1021},
		});
		const placed = await call(socket, 'order.place', {
			symbol: 'ETHUSDT',
			side: 'BUY',
			type: 'LIMIT',
			timeInForce: 'GTC',
			quantity: '0.01',
			price: await restingPrice('ETHUSDT'),
			timestamp: Date.now(),
		});
		expect(placed).toMatchObject({status: 200, result: {symbol: 'ETHUSDT', status: 'NEW'}});
		// userDataStream.subscribe after an Ed25519 logon streams the account's events.
		expect(await call(socket, 'userDataStream.subscribe')).toMatchObject({status: 200, result: {subscriptionId: 0}});
		expect(
			await call(socket, 'order.cancel', {
				symbol: 'ETHUSDT',
				orderId: (placed.result as {orderId: number}).orderId,
				timestamp: Date.now(),
			}),
		).toMatchObject({status: 200});
		await socket.next(m => (m['event'] as {X?: string} | undefined)?.X === 'CANCELED');
		expect(await call(socket, 'session.logout')).toMatchObject({status: 200, result: {apiKey: null}});
		expect(await call(socket, 'account.status', {timestamp: Date.now()})).toMatchObject({
			status: 400,
			error: {code: -1102},
		});
	});
});
