import type {ClientHub} from './client-hub.js';

export interface AdminReply {
	status: number;
	value: unknown;
}

const notFound = (what: string): AdminReply => ({status: 404, value: {code: -1000, msg: what}});
const bad = (msg: string): AdminReply => ({status: 400, value: {code: -1102, msg}});

/**
 * The admin side of clients, under /__drydock/clients: create, list, delete, activity (paged with
 * ?since=SEQ), open orders, account (balances and fills), cancel-all, and an operator drop of one
 * client's connections. `path` is what follows /clients; `body` reads the JSON request body.
 */
export async function clientAdmin(
	hub: ClientHub,
	method: string,
	path: string,
	query: string,
	body: () => Promise<unknown>,
): Promise<AdminReply> {
	if (path === '' || path === '/') {
		if (method === 'GET') return {status: 200, value: {clients: hub.list()}};
		if (method !== 'POST') return {status: 405, value: {code: -1102, msg: `method ${method} not allowed on /clients`}};
		const raw = await body();
		if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
			return bad('body must be a JSON object {label?, balances?}');
		const {label, balances} = raw as Record<string, unknown>;
		if (label !== undefined && typeof label !== 'string') return bad('"label" must be a string');
		if (balances !== undefined && (typeof balances !== 'object' || balances === null || Array.isArray(balances)))
			return bad('"balances" must be an object {ASSET: amount}');
		try {
			const info = await hub.create({
				...(label === undefined ? {} : {label}),
				...(balances === undefined ? {} : {balances: balances as Record<string, number>}),
			});
			return {status: 201, value: info};
		} catch (error) {
			return bad(error instanceof Error ? error.message : String(error));
		}
	}
	const [, rawId = '', action = '', ...rest] = path.split('/');
	const id = decodeURIComponent(rawId);
	if (rest.length > 0 || !hub.has(id))
		return notFound(
			hub.has(id)
				? `unknown client endpoint ${method} ${path.slice(0, 100)}`
				: `no client with id "${id.slice(0, 40)}"`,
		);
	const route = `${method} ${action}`;
	switch (route) {
		case 'DELETE ':
			await hub.remove(id);
			return {status: 200, value: {removed: id}};
		case 'GET activity': {
			const since = new URLSearchParams(query).get('since');
			if (since !== null && !/^\d{1,15}$/.test(since))
				return bad('"since" must be a sequence number (a non-negative integer)');
			return {status: 200, value: hub.activity(id, since === null ? 0 : Number(since))};
		}
		case 'GET open-orders':
			return {status: 200, value: {orders: hub.openOrders(id)}};
		case 'GET account':
			return {status: 200, value: hub.account(id)};
		case 'POST cancel-all':
			return {status: 200, value: {canceled: hub.cancelAll(id)}};
		case 'POST drop':
			hub.drop(id);
			return {status: 200, value: {dropped: id}};
		default:
			return notFound(`unknown client endpoint ${method} ${path.slice(0, 100)}`);
	}
}
