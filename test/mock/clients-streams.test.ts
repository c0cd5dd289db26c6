/** A client's stream connections and subscriptions, drops and resubscriptions, over real WebSockets. */
import {generateKeyPairSync, sign} from 'node:crypto';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {MockExchange} from '../../source/mock/index.js';
import {signaturePayload} from '../../source/mock/ws/ws-api-auth.js';
import {activity, adminCall, createClient, startMock, waitFor, type Activity, type ClientReply} from './helpers.js';
import {TestClient} from './helpers.js';

const sockets: TestClient[] = [];

async function open(url: string): Promise<TestClient> {
	const socket = await TestClient.open(url);
	sockets.push(socket);
	return socket;
}

/**
 * A WebSocket API session logged on for the client's account and (unless told otherwise) subscribed to user
 * data. session.logon takes Ed25519 keys only (as Binance), so one is registered for the client's account.
 */
async function wsApiSession(mock: MockExchange, client: ClientReply, subscribe = true): Promise<TestClient> {
	const socket = await open(client.wsApi);
	const pair = generateKeyPairSync('ed25519');
	const apiKey = `${client.apiKey.slice(0, 100)}Ed25519`;
	mock.registerApiKey({
		apiKey,
		publicKey: pair.publicKey.export({type: 'spki', format: 'pem'}).toString(),
		account: client.apiKey,
	});
	const params = {apiKey, timestamp: Date.now()};
	const signature = sign(null, Buffer.from(signaturePayload(params)), pair.privateKey).toString('base64');
	expect(await socket.request({id: 'logon', method: 'session.logon', params: {...params, signature}})).toMatchObject({
		status: 200,
	});
	if (subscribe)
		expect(await socket.request({id: 'sub', method: 'userDataStream.subscribe'})).toMatchObject({
			status: 200,
			result: {subscriptionId: 0},
		});
	return socket;
}

const events = (seen: Activity, type: string) => seen.events.filter(e => e.type === type);

describe('client streams, drops and resubscriptions', () => {
	let mock: MockExchange;
	let bot: ClientReply;
	let lazy: ClientReply;
	beforeAll(async () => {
		// legacyUserData: the lazy client's listenKey stream is the withdrawn flow kept for migrating bots.
		mock = await startMock({seed: 4, legacyUserData: true});
		bot = await createClient(mock, {label: 'resubscriber'});
		lazy = await createClient(mock, {label: 'never-resubscribes'});
	});
	afterAll(async () => {
		for (const socket of sockets) socket.close();
		await mock.close();
	});

	it('holds market streams by name and the WebSocket API session and user-data subscription in the set', async () => {
		await open(`${bot.ws}/ws/btcusdt@trade`);
		await open(`${bot.ws}/stream?streams=ethusdt@depth`);
		await wsApiSession(mock, bot);
		// drydock's own connections are not the client's.
		await open(`${mock.ws}/ws/ethusdt@trade`);
		const seen = await waitFor('the set', async () => {
			const a = await activity(mock, bot.id);
			return a.streams.subscriptions.length === 4 ? a : undefined;
		});
		expect(seen.streams).toEqual({
			connectionsOpen: 3,
			connectionsTotal: 3,
			subscriptions: ['btcusdt@trade', 'ethusdt@depth', 'ws-api:session', 'ws-api:userData'],
		});
		expect(events(seen, 'connect').map(e => e['kind'])).toEqual(['market', 'market', 'wsApi']);

		// The legacy listenKey stream counts as a user-data subscription too.
		const created = await fetch(`${lazy.rest}/api/v3/userDataStream`, {
			method: 'POST',
			headers: {'X-MBX-APIKEY': lazy.apiKey},
		});
		const {listenKey} = (await created.json()) as {listenKey: string};
		await open(`${lazy.ws}/ws/${listenKey}`);
		await open(`${lazy.ws}/ws/btcusdt@bookTicker`);
		await waitFor('the lazy client’s set', async () =>
			(await activity(mock, lazy.id)).streams.subscriptions.length === 2 ? true : undefined,
		);
		expect((await activity(mock, lazy.id)).streams.subscriptions).toEqual(['btcusdt@bookTicker', 'listenKey:userData']);
	});

	it('records a drop with the set each client had; resubscribed only once the whole set is back, WS API included', async () => {
		const before = await activity(mock, bot.id);
		const open0 = sockets.length;
		expect((await adminCall(mock, 'POST', '/faults', {fault: 'drop-websockets'})).status).toBe(200);
		await Promise.all(sockets.slice(0, open0).map(s => s.closed));
		await waitFor('connections gone', async () =>
			(await activity(mock, bot.id)).streams.connectionsOpen === 0 ? true : undefined,
		);
		const dropped = await activity(mock, bot.id, before.seq);
		const [drop] = events(dropped, 'drop');
		expect(drop).toMatchObject({
			dropId: expect.any(String),
			kind: 'drop-websockets',
			at: expect.any(Number),
			streams: ['btcusdt@trade', 'ethusdt@depth', 'ws-api:session', 'ws-api:userData'],
		});
		expect(dropped.streams.subscriptions).toEqual([]);

		// Market streams back, in one combined connection: not yet the set it had.
		await open(`${bot.ws}/stream?streams=btcusdt@trade/ethusdt@depth`);
		await waitFor('market streams back', async () =>
			(await activity(mock, bot.id)).streams.subscriptions.length === 2 ? true : undefined,
		);
		// Logged on again but without the user-data subscription: still not.
		const session = await wsApiSession(mock, bot, false);
		expect(events(await activity(mock, bot.id, before.seq), 'resubscribed')).toEqual([]);
		expect(await session.request({id: 'sub', method: 'userDataStream.subscribe'})).toMatchObject({status: 200});
		const back = await waitFor('resubscribed', async () => {
			const a = await activity(mock, bot.id, before.seq);
			return events(a, 'resubscribed').length > 0 ? a : undefined;
		});
		const [resubscribed] = events(back, 'resubscribed');
		expect(resubscribed).toMatchObject({dropId: drop!['dropId'], afterMs: expect.any(Number)});
		expect(resubscribed!['afterMs']).toBeGreaterThanOrEqual(0);
		expect(resubscribed!['afterMs']).toBe(resubscribed!['at'] - drop!['at']);

		// The client that never comes back leaves its drop pending.
		const lazySeen = await activity(mock, lazy.id);
		expect(events(lazySeen, 'drop')).toMatchObject([
			{kind: 'drop-websockets', streams: ['btcusdt@bookTicker', 'listenKey:userData']},
		]);
		expect(events(lazySeen, 'resubscribed')).toEqual([]);
		expect(lazySeen.streams.connectionsOpen).toBe(0);
	});

	it('the operator’s drop of one client cuts only its connections, recorded as a drop of kind operator', async () => {
		const own = await open(`${mock.ws}/ws/btcusdt@trade`);
		const before = await activity(mock, bot.id);
		expect(before.streams.connectionsOpen).toBe(2);
		expect((await adminCall(mock, 'POST', `/clients/${bot.id}/drop`)).body).toEqual({dropped: bot.id});
		await waitFor('connections gone', async () =>
			(await activity(mock, bot.id)).streams.connectionsOpen === 0 ? true : undefined,
		);
		expect(events(await activity(mock, bot.id, before.seq), 'drop')).toMatchObject([
			{kind: 'operator', streams: ['btcusdt@trade', 'ethusdt@depth', 'ws-api:session', 'ws-api:userData']},
		]);
		expect(own.ws.readyState).toBe(own.ws.OPEN);
	});
});
