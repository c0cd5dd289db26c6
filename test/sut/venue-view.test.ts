import {afterEach, describe, expect, it} from 'vitest';
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import {ActivityFollower} from '../../source/sut/venue-activity.js';
import {deriveVenueOperations, VenueOperationsTally} from '../../source/sut/venue-operations.js';
import {toEvent, VenueView, type VenueEvent} from '../../source/sut/venue-view.js';

/** A tiny stand-in for the mock's admin side, serving the contract's shapes. */
function fakeMock() {
	const events: Record<string, unknown>[] = [];
	const requests: string[] = [];
	let seq = 0;
	let canceled = 0;
	const push = (type: string, at: number, fields: Record<string, unknown>) =>
		events.push({seq: ++seq, at, type, ...fields});
	const totals = () => ({
		seq,
		at: 1_000,
		rest: {
			requests: 40,
			weightUsed: 120,
			weightLimit: 6000,
			requestsPerMinute: 38,
			status429: 1,
			status418: 0,
			bannedUntil: null,
			requestsInsideRetryAfter: 0,
			errorsByCode: {'-1013': 2},
		},
		orders: {
			placed: 5,
			filled: 3,
			partiallyFilled: 0,
			canceled: 1,
			rejected: 1,
			rejectedByCode: {'-2010': 1},
			duplicateClientOrderIds: 0,
			maxOrdersPer10s: 4,
			ordersPer10sLimit: 100,
			open: 1,
			ackLatencyMs: {count: 5, avg: 1.2, p50: 1, p99: 3, max: 3},
		},
		streams: {
			connectionsOpen: 2,
			connectionsTotal: 3,
			subscriptions: ['btcusdt@trade', 'ws-api:session', 'ws-api:userData'],
		},
	});
	const handler = (req: IncomingMessage, res: ServerResponse) => {
		let body = '';
		req.on('data', c => (body += c));
		req.on('end', () => {
			requests.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
			const url = new URL(req.url!, 'http://x');
			const send = (status: number, value: unknown) => {
				res.writeHead(status, {'content-type': 'application/json'});
				res.end(JSON.stringify(value));
			};
			if (req.method === 'POST' && url.pathname === '/__drydock/clients')
				return send(201, {
					id: 'c1',
					label: 'sut',
					apiKey: 'KEY',
					apiSecret: 'SECRET',
					port: 4242,
					rest: 'http://127.0.0.1:4242',
					ws: 'ws://127.0.0.1:4242',
					wsApi: 'ws://127.0.0.1:4242/ws-api/v3',
				});
			if (req.method === 'GET' && url.pathname === '/__drydock/clients')
				return send(200, {clients: [{id: 'c1', label: 'sut', port: 4242}]});
			if (req.method === 'GET' && url.pathname === '/__drydock/clients/c1/activity') {
				const since = Number(url.searchParams.get('since') ?? 0);
				return send(200, {...totals(), events: events.filter(e => (e.seq as number) > since)});
			}
			if (url.pathname === '/__drydock/clients/c1/open-orders')
				return send(200, {
					orders: [
						{
							symbol: 'BTCUSDT',
							orderId: 7,
							clientOrderId: 'bot-7',
							status: 'NEW',
							side: 'BUY',
							price: '100.00',
							origQty: '0.01',
						},
					],
				});
			if (url.pathname === '/__drydock/clients/c1/account')
				return send(200, {
					balances: [{asset: 'USDT', free: '990.0', locked: '0'}],
					fills: [
						{
							symbol: 'BTCUSDT',
							side: 'BUY',
							price: '100',
							qty: '0.1',
							quoteQty: '10',
							commission: '0',
							commissionAsset: 'BNB',
							time: 1,
							orderId: 1,
						},
					],
				});
			if (req.method === 'POST' && url.pathname === '/__drydock/clients/c1/cancel-all')
				return send(200, {canceled: ++canceled});
			if (url.pathname === '/__drydock/clients/broken/activity') {
				res.writeHead(200);
				return res.end('<html>');
			}
			send(404, {error: 'not found'});
		});
	};
	return {handler, push, requests};
}

const servers: Server[] = [];
afterEach(() => {
	for (const s of servers.splice(0)) s.close();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
	const server = createServer(handler);
	servers.push(server);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as {port: number}).port}/__drydock`;
}

describe('venue view (mock admin client)', () => {
	it('creates the SUT client, reads its orders and account, and cancels all', async () => {
		const mock = fakeMock();
		const view = new VenueView({adminBase: await serve(mock.handler)});
		const client = await view.createClient({label: 'sut', balances: {USDT: 1000}});
		expect(client).toEqual({
			ok: true,
			value: expect.objectContaining({
				id: 'c1',
				apiKey: 'KEY',
				apiSecret: 'SECRET',
				port: 4242,
				wsApi: 'ws://127.0.0.1:4242/ws-api/v3',
			}),
		});
		expect(mock.requests[0]).toBe('POST /__drydock/clients {"label":"sut","balances":{"USDT":1000}}');
		expect(await view.listClients()).toMatchObject({ok: true, value: [{id: 'c1', port: 4242}]});
		expect(await view.openOrders('c1')).toMatchObject({
			ok: true,
			value: [{symbol: 'BTCUSDT', orderId: 7, clientOrderId: 'bot-7'}],
		});
		const account = await view.account('c1');
		expect(account).toMatchObject({
			ok: true,
			value: {balances: [{asset: 'USDT', free: 990, locked: 0}], fills: [{qty: 0.1, quoteQty: 10, price: 100}]},
		});
		expect(await view.cancelAll('c1')).toEqual({ok: true, value: {canceled: 1}});
		expect(await view.openOrders('nope')).toMatchObject({ok: false, error: {kind: 'http', status: 404}});
		expect(await view.activity('broken')).toMatchObject({ok: false, error: {kind: 'invalid-response'}});
	});

	it('gives typed errors, not throws, when the mock is down or hangs', async () => {
		const down = await serve(() => undefined);
		servers.pop()!.close();
		await new Promise(resolve => setTimeout(resolve, 50));
		const view = new VenueView({adminBase: down});
		const result = await view.activity('c1');
		expect(result).toMatchObject({ok: false, error: {kind: 'unreachable'}});
		if (!result.ok) expect(result.error.message).toMatch(/ECONNREFUSED/);
		const hanging = new VenueView({adminBase: await serve(() => undefined), timeoutMs: 200});
		expect(await hanging.cancelAll('c1')).toMatchObject({ok: false, error: {kind: 'timeout'}});
	});

	it('follows activity with since, folds drops and resubscriptions, and counts venue-side operations', async () => {
		const mock = fakeMock();
		const view = new VenueView({adminBase: await serve(mock.handler)});
		const tally = new VenueOperationsTally(at => at >= 2_000 && at <= 3_000);
		const seen: VenueEvent[] = [];
		const follower = new ActivityFollower(view, 'c1', {
			onEvent: e => (tally.add(e), seen.push(e)),
			duringFault: at => at >= 2_000 && at <= 3_000,
		});
		mock.push('order', 1_000, {status: 'NEW', side: 'BUY', orderType: 'LIMIT', clientOrderId: 'a', latencyMs: 2});
		mock.push('order', 1_100, {status: 'REJECTED', side: 'BUY', code: -2010, clientOrderId: 'b', latencyMs: 1});
		mock.push('drop', 1_200, {dropId: 'd1', kind: 'drop-websockets', streams: ['btcusdt@trade', 'ws-api:session']});
		expect(await follower.poll()).toMatchObject({ok: true, value: {seq: 3, rest: {status429: 1}}});
		mock.push('resubscribed', 1_900, {dropId: 'd1', afterMs: 700});
		mock.push('order', 2_500, {status: 'REJECTED', code: -1013, clientOrderId: 'c', latencyMs: 4}); // under a fault
		mock.push('order', 2_600, {status: 'CANCELED', clientOrderId: 'a', latencyMs: 1}); // a cancel: not an operation
		mock.push('order', 2_700, {status: 'REJECTED', code: -2011, clientOrderId: 'x', latencyMs: 1}); // cancel of a filled order
		mock.push('drop', 4_000, {dropId: 'd2', kind: 'drop-websockets', streams: ['btcusdt@trade']});
		mock.push('rate-limited', 2_200, {retryAfterMs: 1000}); // under the fault
		mock.push('rate-limited', 4_100, {retryAfterMs: 1000});
		await follower.poll();
		expect(mock.requests.filter(r => r.includes('/activity'))).toEqual([
			'GET /__drydock/clients/c1/activity',
			'GET /__drydock/clients/c1/activity?since=3',
		]);
		expect(seen.map(e => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(follower.rateLimitedOutsideFaults).toBe(1);
		expect(follower.drops()).toEqual([
			{
				dropId: 'd1',
				at: 1_200,
				kind: 'drop-websockets',
				streams: ['btcusdt@trade', 'ws-api:session'],
				resubscribedAfterMs: 700,
			},
			{dropId: 'd2', at: 4_000, kind: 'drop-websockets', streams: ['btcusdt@trade'], resubscribedAfterMs: null},
		]);
		expect(seen.at(-1)).toMatchObject({type: 'other', name: 'rate-limited', fields: {retryAfterMs: 1000}});
		const ops = tally.snapshot();
		expect(ops).toMatchObject({
			operations: 3,
			succeeded: 1,
			failed: 2,
			failuresDuringFaults: 1,
			failuresByCode: {'-2010': 1, '-1013': 1},
		});
		expect(ops.successRate).toBeCloseTo(1 / 2);
		expect(ops.latency).toMatchObject({count: 3, peakMs: 4});
		// The same through the pure function with the window given afterwards.
		expect(deriveVenueOperations(seen, [{from: 2_000, to: 3_000}])).toEqual(ops);
		expect(deriveVenueOperations(seen).successRate).toBeCloseTo(1 / 3);
		expect(follower.missedEvents).toBe(0);
	});

	it('notices events lost to the venue’s ring, and degrades an incomplete known event to other', async () => {
		// After seq 1, the mock's ring overflowed: seq 2..4 are gone before drydock polled; only 5 is served.
		const lossy = await serve((req, res) => {
			res.writeHead(200, {'content-type': 'application/json'});
			res.end(
				JSON.stringify({
					seq: 5,
					at: 5,
					rest: {
						requests: 0,
						weightUsed: 0,
						weightLimit: 6000,
						requestsPerMinute: 0,
						status429: 0,
						status418: 0,
						bannedUntil: null,
						requestsInsideRetryAfter: 0,
						errorsByCode: {},
					},
					orders: {
						placed: 0,
						filled: 0,
						partiallyFilled: 0,
						canceled: 0,
						rejected: 0,
						rejectedByCode: {},
						duplicateClientOrderIds: 0,
						maxOrdersPer10s: 0,
						ordersPer10sLimit: 100,
						open: 0,
						ackLatencyMs: {count: 0},
					},
					streams: {connectionsOpen: 0, connectionsTotal: 0, subscriptions: []},
					events: [{seq: 5, at: 5, type: 'connect'}],
				}),
			);
		});
		let first = true;
		const lossyFollower = new ActivityFollower(
			{
				activity: async (id: string, since?: number) => {
					const real = await new VenueView({adminBase: lossy}).activity(id, since);
					if (first && real.ok) real.value.events = [{seq: 1, at: 1, type: 'other', name: 'connect', fields: {}}];
					if (first && real.ok) real.value.seq = 1;
					first = false;
					return real;
				},
			} as unknown as VenueView,
			'c1',
		);
		await lossyFollower.poll();
		await lossyFollower.poll();
		expect(lossyFollower.missedEvents).toBe(3);
		expect(toEvent({seq: 1, at: 1, type: 'drop'})).toMatchObject({type: 'other', name: 'drop'});
		expect(toEvent({seq: 1, at: 1, type: 'order', status: 'NEW', type2: 1})).toMatchObject({
			type: 'order',
			code: null,
			latencyMs: null,
		});
	});
});
