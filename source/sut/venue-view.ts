/**
 * The venue-side view of the SUT: a typed client of the mock's admin API for per-client accounts
 * (see the contract in issue 12). drydock creates the SUT's account and listener, polls what the SUT
 * did there, reads its open orders and account after it stopped, and cancels its orders for the kill
 * switch — always through the admin side, never rate-limited, so a SUT that earned a 418 ban does not
 * blind drydock. A mock that is down or answers nonsense gives a typed error value, never a throw.
 */
import {z} from 'zod';

export type VenueError =
	| {kind: 'unreachable'; message: string}
	| {kind: 'timeout'; message: string}
	| {kind: 'http'; status: number; message: string}
	| {kind: 'invalid-response'; message: string};

export type VenueResult<T> = {ok: true; value: T} | {ok: false; error: VenueError};

const id = z.union([z.string().min(1), z.number()]).transform(String);
const count = z.number().nonnegative();
const countMap = z.record(z.string(), z.number());

const clientSchema = z.object({
	id,
	label: z.string().optional(),
	apiKey: z.string().min(1),
	apiSecret: z.string().min(1),
	port: z.number().int().positive(),
	rest: z.string().min(1),
	ws: z.string().min(1),
	wsApi: z.string().min(1),
});

/** The SUT's account on the venue and its dedicated listener. */
export type VenueClient = z.output<typeof clientSchema>;

const latencySchema = z.object({
	count,
	avg: z.number().nullable().optional(),
	p50: z.number().nullable().optional(),
	p99: z.number().nullable().optional(),
	max: z.number().nullable().optional(),
});

const activityTotalsSchema = z.object({
	seq: z.number(),
	at: z.number(),
	rest: z.object({
		requests: count,
		weightUsed: count,
		weightLimit: count,
		requestsPerMinute: count,
		status429: count,
		status418: count,
		bannedUntil: z.number().nullable(),
		requestsInsideRetryAfter: count,
		errorsByCode: countMap,
	}),
	orders: z.object({
		placed: count,
		filled: count,
		partiallyFilled: count,
		canceled: count,
		rejected: count,
		rejectedByCode: countMap,
		duplicateClientOrderIds: count,
		maxOrdersPer10s: count,
		ordersPer10sLimit: count,
		open: count,
		ackLatencyMs: latencySchema,
	}),
	streams: z.object({connectionsOpen: count, connectionsTotal: count, subscriptions: z.array(z.string())}),
	/** Only the gateway's: the orders it believes are open (it holds no key to ask the venue). */
	gateway: z
		.object({
			openOrders: z.array(z.object({symbol: z.string(), orderId: z.string(), clientOrderId: z.string().nullable()})),
		})
		.optional(),
	events: z.array(z.looseObject({seq: z.number(), at: z.number(), type: z.string()})),
});

export type VenueOrderEvent = {
	seq: number;
	at: number;
	type: 'order';
	/** Binance order status as acknowledged (NEW, FILLED, PARTIALLY_FILLED, CANCELED, REJECTED, EXPIRED…). */
	status: string;
	side: string | null;
	orderType: string | null;
	/** Binance error code of a rejection. */
	code: number | null;
	clientOrderId: string | null;
	/** Ack latency as served, ms. */
	latencyMs: number | null;
	/** `place` / `cancel` when the venue says which request this was. */
	action: string | null;
};

export interface VenueDropEvent {
	seq: number;
	at: number;
	type: 'drop';
	dropId: string;
	kind: string;
	/** The subscriptions the SUT held when it was cut. */
	streams: string[];
}

export interface VenueResubscribedEvent {
	seq: number;
	at: number;
	type: 'resubscribed';
	dropId: string;
	afterMs: number;
}

/** request-error, rate-limited, banned, retry-after-violation, connect, disconnect — and anything newer. */
export interface VenueOtherEvent {
	seq: number;
	at: number;
	type: 'other';
	name: string;
	fields: Record<string, unknown>;
}

export type VenueEvent = VenueOrderEvent | VenueDropEvent | VenueResubscribedEvent | VenueOtherEvent;

export type VenueActivity = Omit<z.output<typeof activityTotalsSchema>, 'events'> & {events: VenueEvent[]};

const orderSchema = z.looseObject({
	symbol: z.string(),
	orderId: z.union([z.number(), z.string()]),
	clientOrderId: z.string().optional(),
	status: z.string().optional(),
	side: z.string().optional(),
});
export type VenueOrder = z.output<typeof orderSchema>;

const numeric = z.union([z.number(), z.string()]).transform(Number).pipe(z.number());
const accountSchema = z.object({
	balances: z.array(z.object({asset: z.string(), free: numeric, locked: numeric})),
	fills: z.array(
		z.object({
			symbol: z.string(),
			side: z.string(),
			price: numeric,
			qty: numeric,
			quoteQty: numeric,
			commission: numeric,
			commissionAsset: z.string(),
			time: z.number(),
			orderId: z.union([z.number(), z.string()]),
		}),
	),
});
export type VenueAccount = z.output<typeof accountSchema>;
export type VenueFill = VenueAccount['fills'][number];

export interface VenueViewOptions {
	/** The mock's admin base, e.g. `http://127.0.0.1:PORT/__drydock`. */
	adminBase: string;
	/** Per request (default 5 s). */
	timeoutMs?: number;
}

export class VenueView {
	private readonly base: string;
	private readonly timeoutMs: number;

	constructor(options: VenueViewOptions) {
		this.base = options.adminBase.replace(/\/+$/, '');
		this.timeoutMs = options.timeoutMs ?? 5_000;
	}

	/** Creates the SUT's account and listener. */
	createClient(input: {label?: string; balances?: Record<string, number>} = {}): Promise<VenueResult<VenueClient>> {
		return this.request('POST', '/clients', clientSchema, input);
	}

	listClients(): Promise<VenueResult<{id: string; label?: string | undefined; port: number}[]>> {
		return this.request(
			'GET',
			'/clients',
			z
				.object({clients: z.array(z.object({id, label: z.string().optional(), port: z.number()}))})
				.transform(v => v.clients),
		);
	}

	deleteClient(clientId: string): Promise<VenueResult<null>> {
		return this.request(
			'DELETE',
			`/clients/${encodeURIComponent(clientId)}`,
			z.unknown().transform(() => null),
		);
	}

	/** What the SUT did since event `since` (totals are always current; events only newer than `since`). */
	async activity(clientId: string, since?: number): Promise<VenueResult<VenueActivity>> {
		const query = since === undefined ? '' : `?since=${since}`;
		const result = await this.request(
			'GET',
			`/clients/${encodeURIComponent(clientId)}/activity${query}`,
			activityTotalsSchema,
		);
		if (!result.ok) return result;
		return {ok: true, value: {...result.value, events: result.value.events.map(toEvent)}};
	}

	openOrders(clientId: string): Promise<VenueResult<VenueOrder[]>> {
		return this.request(
			'GET',
			`/clients/${encodeURIComponent(clientId)}/open-orders`,
			z.object({orders: z.array(orderSchema)}).transform(v => v.orders),
		);
	}

	account(clientId: string): Promise<VenueResult<VenueAccount>> {
		return this.request('GET', `/clients/${encodeURIComponent(clientId)}/account`, accountSchema);
	}

	/** The kill switch: cancels every open order of the SUT's account. */
	cancelAll(clientId: string): Promise<VenueResult<{canceled: number}>> {
		return this.request(
			'POST',
			`/clients/${encodeURIComponent(clientId)}/cancel-all`,
			z.object({canceled: count}).transform(v => ({canceled: v.canceled})),
		);
	}

	/** Cuts the SUT's WebSocket connections (the operator's force reconnect), so its resubscription is judged. */
	drop(clientId: string): Promise<VenueResult<null>> {
		return this.request(
			'POST',
			`/clients/${encodeURIComponent(clientId)}/drop`,
			z.unknown().transform(() => null),
		);
	}

	private async request<T>(
		method: string,
		path: string,
		schema: z.ZodType<T>,
		body?: unknown,
	): Promise<VenueResult<T>> {
		const url = `${this.base}${path}`;
		let response: Response;
		try {
			response = await fetch(url, {
				method,
				headers: body === undefined ? {} : {'content-type': 'application/json'},
				...(body === undefined ? {} : {body: JSON.stringify(body)}),
				signal: AbortSignal.timeout(this.timeoutMs),
			});
		} catch (error) {
			const err = error as Error;
			if (err.name === 'TimeoutError' || err.name === 'AbortError')
				return {
					ok: false,
					error: {kind: 'timeout', message: `${method} ${url}: no answer within ${this.timeoutMs} ms`},
				};
			const cause = (err as {cause?: {code?: string; message?: string}}).cause;
			return {
				ok: false,
				error: {kind: 'unreachable', message: `${method} ${url}: ${cause?.code ?? cause?.message ?? err.message}`},
			};
		}
		let text: string;
		try {
			text = await response.text();
		} catch (error) {
			return {ok: false, error: {kind: 'unreachable', message: `${method} ${url}: ${(error as Error).message}`}};
		}
		if (!response.ok) {
			return {
				ok: false,
				error: {
					kind: 'http',
					status: response.status,
					message: `${method} ${url}: HTTP ${response.status}${text ? ` ${text.slice(0, 200)}` : ''}`,
				},
			};
		}
		let json: unknown = null;
		if (text !== '') {
			try {
				json = JSON.parse(text);
			} catch {
				return {
					ok: false,
					error: {kind: 'invalid-response', message: `${method} ${url}: not JSON: ${text.slice(0, 100)}`},
				};
			}
		}
		const parsed = schema.safeParse(json);
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			return {
				ok: false,
				error: {
					kind: 'invalid-response',
					message: `${method} ${url}: ${issue.path.join('.') || 'body'}: ${issue.message}`,
				},
			};
		}
		return {ok: true, value: parsed.data};
	}
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null =>
	typeof v === 'number' && Number.isFinite(v)
		? v
		: typeof v === 'string' && v !== '' && Number.isFinite(Number(v))
			? Number(v)
			: null;

/** Narrows one raw event; a known type with fields missing degrades to `other`, never to a throw. */
export function toEvent(raw: {seq: number; at: number; type: string} & Record<string, unknown>): VenueEvent {
	const {seq, at, type} = raw;
	if (type === 'order' && typeof raw.status === 'string') {
		// The contract names the order's type `type`, which the event's own `type` overwrites: accept `orderType` too.
		return {
			seq,
			at,
			type: 'order',
			status: raw.status,
			side: str(raw.side),
			orderType: str(raw.orderType),
			code: num(raw.code),
			clientOrderId: str(raw.clientOrderId),
			latencyMs: num(raw.latencyMs),
			action: str(raw.action),
		};
	}
	if (type === 'drop' && str(raw.dropId) !== null) {
		return {
			seq,
			at,
			type: 'drop',
			dropId: str(raw.dropId)!,
			kind: str(raw.kind) ?? 'drop',
			streams: Array.isArray(raw.streams) ? raw.streams.filter((s): s is string => typeof s === 'string') : [],
		};
	}
	if (type === 'resubscribed' && str(raw.dropId) !== null && num(raw.afterMs) !== null) {
		return {seq, at, type: 'resubscribed', dropId: str(raw.dropId)!, afterMs: num(raw.afterMs)!};
	}
	const {seq: _seq, at: _at, type: _type, ...fields} = raw;
	return {seq, at, type: 'other', name: type, fields};
}
