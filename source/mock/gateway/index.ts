/**
 * The venue drydock serves to a SUT on testnet and mainnet: a local gateway (plain HTTP and WS on loopback)
 * in front of the real venue. Requests and frames pass unchanged — signatures are the SUT's own and drydock
 * holds no key of its — while the gateway attributes what passes (as the mock does for a client), applies
 * chaos faults in front of the venue and refuses orders over the mainnet notional caps.
 */
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {GatewayActivity, type GatewayActivitySnapshot} from './gateway-activity.js';
import {gatewayAdmin} from './gateway-admin.js';
import {GatewayFaults} from './gateway-faults.js';
import {NotionalCaps, type NotionalCapOptions} from './notional-caps.js';
import {createRestFront, parseJson, readBody, send} from './rest-front.js';
import {RestRelay} from './rest-relay.js';
import {attachWsRelay} from './ws-relay.js';

export {
	GatewayFaults,
	GATEWAY_FAULT_NAMES,
	parseGatewayFault,
	type GatewayFaultSpec,
	type GatewayActiveFault,
	type GatewayFaultName,
} from './gateway-faults.js';
export type {GatewayActivitySnapshot} from './gateway-activity.js';

export interface GatewayOptions {
	/** The venue: REST base, market-stream base and WebSocket API URL. */
	upstream: {rest: string; ws: string; wsApi: string};
	host?: string;
	port?: number;
	/** Mainnet caps (profile live.perOrderNotionalCap / live.perRunNotionalCap); absent: no cap. */
	caps?: NotionalCapOptions;
	/** The price to value a MARKET order at; absent or undefined: the last trade seen on the SUT's streams. */
	markPrice?: (symbol: string) => number | undefined;
	/** Extra trust for the venue's certificate (tests put a self-signed venue behind it). */
	tls?: {ca?: string | Buffer};
	/** The venue's request weight limit per minute (Binance spot: 6000) and orders per 10 s (100). */
	weightLimit?: number;
	ordersPer10s?: number;
	/** The id and label the SUT's activity is served under (default "sut"). */
	client?: {id?: string; label?: string};
}

export interface Gateway {
	rest: string;
	/** Market-stream base, as `drydock mock` prints its own: append /ws/<stream> or /stream?streams=. */
	ws: string;
	wsApi: string;
	admin: string;
	port: number;
	clientId: string;
	faults: GatewayFaults;
	activity(since?: number): GatewayActivitySnapshot;
	close(): Promise<void>;
}

const ADMIN_PREFIX = '/__drydock';

function checkOptions(o: GatewayOptions): void {
	const fail = (message: string): never => {
		throw new TypeError(`startGateway: ${message}`);
	};
	const url = (name: string, value: unknown, schemes: string[]): void => {
		let parsed: URL | undefined;
		try {
			parsed = new URL(String(value));
		} catch {
			parsed = undefined;
		}
		if (!parsed || !schemes.includes(parsed.protocol))
			fail(`upstream.${name} "${String(value)}" is not a ${schemes.map(s => s.replace(':', '://')).join(' or ')} URL`);
	};
	if (typeof o.upstream !== 'object' || o.upstream === null) fail('upstream {rest, ws, wsApi} is required');
	url('rest', o.upstream.rest, ['https:', 'http:']);
	url('ws', o.upstream.ws, ['wss:', 'ws:']);
	url('wsApi', o.upstream.wsApi, ['wss:', 'ws:']);
	if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535))
		fail(`port ${o.port} is not an integer between 0 and 65535`);
	for (const name of ['maxOrderNotional', 'maxRunNotional'] as const) {
		const v = o.caps?.[name];
		if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
			fail(`caps.${name} must be a positive number`);
	}
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
	checkOptions(options);
	const host = options.host ?? '127.0.0.1';
	const clientId = options.client?.id ?? 'sut';
	const lastTrades = new Map<string, number>();
	const caps = new NotionalCaps(options.caps ?? {}, symbol => options.markPrice?.(symbol) ?? lastTrades.get(symbol));
	const faults = new GatewayFaults();
	const venueHost = new URL(options.upstream.rest).host;
	const activity = new GatewayActivity(
		{weightLimit: options.weightLimit ?? 6000, ordersPer10s: options.ordersPer10s ?? 100},
		() => ({venue: venueHost, capRefusals: caps.refusals, runNotional: caps.total}),
	);
	const relay = new RestRelay({
		upstream: options.upstream.rest,
		...(options.tls?.ca === undefined ? {} : {ca: options.tls.ca}),
	});
	let port = 0;
	const json = {'content-type': 'application/json;charset=UTF-8'};

	async function serveAdmin(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		path: string,
		query: string,
	): Promise<void> {
		const reply = await gatewayAdmin(
			{
				faults,
				activity,
				client: {id: clientId, label: options.client?.label ?? 'sut', port},
				drop: () => wsRelay.dropAll('operator'),
			},
			req.method ?? 'GET',
			path,
			query,
			async () => {
				const body = await readBody(req);
				return typeof body === 'string' ? undefined : parseJson(body.toString('utf8'));
			},
		);
		send(res, reply.status, json, JSON.stringify(reply.value));
	}

	const serveRest = createRestFront({relay, faults, caps, activity});

	const server = http.createServer((req, res) => {
		const url = req.url ?? '/';
		const q = url.indexOf('?');
		const path = q < 0 ? url : url.slice(0, q);
		const query = q < 0 ? '' : url.slice(q + 1);
		const method = (req.method ?? 'GET').toUpperCase();
		const work =
			path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)
				? serveAdmin(req, res, path.slice(ADMIN_PREFIX.length), query)
				: serveRest(req, res, method, path, query);
		work.catch((error: unknown) =>
			send(
				res,
				500,
				json,
				JSON.stringify({
					code: -1000,
					msg: `drydock gateway: ${error instanceof Error ? error.message : String(error)}`,
				}),
			),
		);
	});
	const wsRelay = attachWsRelay(server, {
		upstream: {ws: options.upstream.ws, wsApi: options.upstream.wsApi},
		...(options.tls?.ca === undefined ? {} : {ca: options.tls.ca}),
		activity,
		faults,
		caps,
		onTrade: (symbol, price) => lastTrades.set(symbol, price),
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	port = (server.address() as AddressInfo).port;
	const hostPart = host.includes(':') ? `[${host}]` : host;

	let closing: Promise<void> | undefined;
	return {
		rest: `http://${hostPart}:${port}`,
		ws: `ws://${hostPart}:${port}`,
		wsApi: `ws://${hostPart}:${port}/ws-api/v3`,
		admin: `http://${hostPart}:${port}${ADMIN_PREFIX}`,
		port,
		clientId,
		faults,
		activity: (since = 0) => activity.snapshot(since),
		close() {
			closing ??= (async () => {
				faults.clear();
				await wsRelay.close();
				await new Promise<void>(resolve => {
					server.close(() => resolve());
					server.closeAllConnections();
				});
				relay.close();
			})();
			return closing;
		},
	};
}
