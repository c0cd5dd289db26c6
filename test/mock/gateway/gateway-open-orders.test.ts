/**
 * The open orders the gateway believes the SUT left, over the wire against a local TLS venue: ACK answers,
 * -2011 on a cancel of an order the venue already closed, the SUT's own openOrders answers; and the
 * operator's drop route. The venue's own word (the mock's admin) is the reference.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Gateway} from '../../../source/mock/gateway/index.js';
import {adminCall, signed, TestClient, type Reply, type Venue} from '../helpers.js';
import {startTlsVenue, type TlsVenue} from './helpers.js';

let venue: TlsVenue;

beforeAll(async () => {
	venue = await startTlsVenue({seed: 41});
});

afterAll(async () => {
	await venue?.close();
});

const sut = (gateway: Gateway): Venue => ({
	rest: gateway.rest,
	apiKey: venue.mock.apiKey,
	apiSecret: venue.mock.apiSecret,
});

function restingBuy(target: Venue, clientOrderId: string): Promise<Reply> {
	return signed(target, 'POST', '/api/v3/order', {
		symbol: 'BTCUSDT',
		side: 'BUY',
		type: 'LIMIT',
		timeInForce: 'GTC',
		quantity: 0.001,
		price: 20_000,
		newClientOrderId: clientOrderId,
		newOrderRespType: 'ACK',
	});
}

describe('open orders observed through the gateway', () => {
	it('ACK placements count as open; a -2011 cancel and the SUT’s openOrders answer close what the venue closed unseen', async () => {
		const gateway = await venue.gateway();
		for (const id of ['oo-1', 'oo-2', 'oo-3']) expect((await restingBuy(sut(gateway), id)).status).toBe(200);
		let seen = gateway.activity();
		expect(seen.orders.open).toBe(3);
		expect(seen.gateway.openOrders.map(o => o.clientOrderId)).toEqual(['oo-1', 'oo-2', 'oo-3']);
		// Closed on the venue behind the gateway's back: the SUT's cancel gets -2011.
		expect(
			(await signed(venue.mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'oo-1'})).status,
		).toBe(200);
		const refused = await signed(sut(gateway), 'DELETE', '/api/v3/order', {
			symbol: 'BTCUSDT',
			origClientOrderId: 'oo-1',
		});
		expect((refused.body as {code: number}).code).toBe(-2011);
		expect(gateway.activity().orders.open).toBe(2);
		// Another closed unseen; the SUT asks for its open orders: the answer is the venue's word.
		await signed(venue.mock, 'DELETE', '/api/v3/order', {symbol: 'BTCUSDT', origClientOrderId: 'oo-2'});
		expect((await signed(sut(gateway), 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).status).toBe(200);
		seen = gateway.activity();
		expect(seen.orders.open).toBe(1);
		expect(seen.gateway.openOrders.map(o => o.clientOrderId)).toEqual(['oo-3']);
		// Left open: the venue agrees.
		const onVenue = (await signed(venue.mock, 'GET', '/api/v3/openOrders', {symbol: 'BTCUSDT'})).body as unknown[];
		expect(onVenue).toHaveLength(1);
		await signed(sut(gateway), 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
		expect(gateway.activity().orders.open).toBe(0);
		// Nothing left: DELETE openOrders is -2011 on the venue, and stays 0 here.
		await signed(sut(gateway), 'DELETE', '/api/v3/openOrders', {symbol: 'BTCUSDT'});
		expect(gateway.activity().orders.open).toBe(0);
	});

	it('POST /__drydock/clients/sut/drop cuts the SUT’s relayed WebSockets, recorded as an operator drop', async () => {
		const gateway = await venue.gateway();
		const socket = await TestClient.open(`${gateway.ws}/ws/btcusdt@trade`);
		try {
			const reply = await fetch(`${gateway.admin}/clients/${gateway.clientId}/drop`, {method: 'POST'});
			expect(reply.status).toBe(200);
			expect(await reply.json()).toEqual({dropped: gateway.clientId, connections: 1});
			await socket.closed;
			expect(gateway.activity().events.filter(e => e.type === 'drop')).toMatchObject([
				{kind: 'operator', streams: ['btcusdt@trade']},
			]);
		} finally {
			socket.close();
		}
		expect((await adminCall(venue.mock, 'GET', '/faults')).status).toBe(200);
	});
});
