import type {GatewayActivity} from './gateway-activity.js';
import {parseGatewayFault, type GatewayFaults} from './gateway-faults.js';

export interface AdminReply {
	status: number;
	value: unknown;
}

export interface GatewayAdminDeps {
	faults: GatewayFaults;
	activity: GatewayActivity;
	/** The one client the gateway serves: the SUT. */
	client: {id: string; label: string; port: number};
	/** Cuts the SUT's relayed WebSockets (recorded as an `operator` drop); returns how many. */
	drop(): number;
}

const NO_KEY =
	"the gateway forwards to a real venue and holds no key of the SUT's: it cannot read or cancel the account's orders (the SUT's own key, or the venue's web interface, can)";

const bad = (msg: string, status = 400): AdminReply => ({status, value: {code: -1102, msg}});

/**
 * The gateway's /__drydock side door, in the mock's admin shapes: faults (GET/POST/DELETE /faults,
 * DELETE /faults/<id>) and the SUT's client entry (GET /clients, /clients/<id>/activity?since=SEQ, POST
 * /clients/<id>/drop: the operator's reconnect).
 * Account reads and cancel-all answer 501: they would need the SUT's key.
 */
export async function gatewayAdmin(
	deps: GatewayAdminDeps,
	method: string,
	path: string,
	query: string,
	body: () => Promise<unknown>,
): Promise<AdminReply> {
	if (path === '/faults' || path === '/faults/') {
		if (method === 'GET') return {status: 200, value: {faults: deps.faults.list()}};
		if (method === 'DELETE') return {status: 200, value: {cleared: deps.faults.clear()}};
		if (method !== 'POST') return bad(`method ${method} not allowed on /faults`, 405);
		const parsed = parseGatewayFault(await body());
		if (!parsed.ok) return bad(parsed.message);
		return {status: 200, value: {fault: deps.faults.inject(parsed.spec)}};
	}
	if (path.startsWith('/faults/') && method === 'DELETE') {
		const id = decodeURIComponent(path.slice('/faults/'.length));
		return deps.faults.remove(id)
			? {status: 200, value: {removed: id}}
			: bad(`no active fault with id "${id.slice(0, 40)}"`, 404);
	}
	if (path === '/clients' || path === '/clients/') {
		if (method === 'GET') return {status: 200, value: {clients: [deps.client]}};
		return {
			status: 501,
			value: {
				code: -1000,
				msg: "the gateway serves one SUT and creates no clients: a real venue's accounts are made on the venue",
			},
		};
	}
	const match = /^\/clients\/([^/]+)(?:\/([^/]+))?$/.exec(path);
	if (match) {
		const id = decodeURIComponent(match[1]!);
		if (id !== deps.client.id)
			return {status: 404, value: {code: -1000, msg: `no client with id "${id.slice(0, 40)}"`}};
		const route = `${method} ${match[2] ?? ''}`;
		if (route === 'GET activity') {
			const since = new URLSearchParams(query).get('since');
			if (since !== null && !/^\d{1,15}$/.test(since))
				return bad('"since" must be a sequence number (a non-negative integer)');
			return {status: 200, value: deps.activity.snapshot(since === null ? 0 : Number(since))};
		}
		if (route === 'POST drop') return {status: 200, value: {dropped: id, connections: deps.drop()}};
		if (route === 'GET open-orders' || route === 'GET account' || route === 'POST cancel-all')
			return {status: 501, value: {code: -1000, msg: `${match[2]}: ${NO_KEY}`}};
		return {status: 404, value: {code: -1000, msg: `unknown client endpoint ${method} ${path.slice(0, 100)}`}};
	}
	return {
		status: 404,
		value: {
			code: -1000,
			msg: `unknown admin endpoint ${method} ${path.slice(0, 100)}; the gateway serves /faults and /clients/<id>/activity`,
		},
	};
}
