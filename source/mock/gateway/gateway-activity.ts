import {ClientActivity, type ActivitySnapshot} from '../clients/client-activity.js';
import type {StreamKind, StreamObserver} from '../contracts.js';
import {OrderTracker, type OpenOrder} from './order-tracker.js';

export interface GatewayActivityLimits {
	/** The venue's request weight per minute (Binance spot: 6000); its answers only say what was used. */
	weightLimit: number;
	ordersPer10s: number;
}

/** The contract's activity JSON plus what only a gateway knows. */
export interface GatewayActivitySnapshot extends ActivitySnapshot {
	gateway: {
		venue: string;
		capRefusals: number;
		runNotional: number;
		forgedResponses: number;
		resets: number;
		silenced: number;
		/** The orders the gateway believes are still open (oldest first, at most 100): it holds no key to ask the venue. */
		openOrders: OpenOrder[];
	};
}

/** What an order placement answer said, read from the venue's (or the gateway's own) response. */
export interface ObservedAck {
	status: number;
	body: unknown;
	side: string;
	type: string;
	sentClientOrderId: string | undefined;
	latencyMs: number;
	count10s: number;
	/** The request's symbol and timeInForce: an ACK answer says neither whether the order rests. */
	symbol?: string | undefined;
	timeInForce?: string | undefined;
}

/** What a cancel, query or openOrders request was about: one order, the whole open list, or cancelling it. */
export type OrderQuery = 'one' | 'open-list' | 'cancel-all' | 'other';

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
	const v = headers[name];
	return Array.isArray(v) ? v[0] : v;
};

/**
 * Attribution of everything the SUT sends through the gateway, in the same counters and event ring the
 * mock keeps for a client (ClientActivity), fed from what passes instead of from the venue's insides:
 * weight from X-MBX-USED-WEIGHT-1M, throttling from 429/418 and Retry-After, orders from acks and
 * execution reports.
 */
export class GatewayActivity implements StreamObserver {
	readonly client: ClientActivity;
	readonly orders = new OrderTracker();
	forged = 0;
	resets = 0;
	/** REST requests held unanswered by a timeout fault. */
	silenced = 0;

	constructor(
		limits: GatewayActivityLimits,
		private readonly extras: () => {venue: string; capRefusals: number; runNotional: number},
	) {
		this.client = new ClientActivity({
			weightLimit: limits.weightLimit,
			weightWindowMs: 60_000,
			ordersPer10s: limits.ordersPer10s,
		});
	}

	request(path: string, now: number): void {
		this.client.request(path, now);
	}

	/** Any answer the SUT gets, the venue's or a forged one. */
	response(
		status: number,
		headers: Record<string, string | string[] | undefined>,
		text: string,
		path: string,
		now: number,
	): void {
		const used = Number(header(headers, 'x-mbx-used-weight-1m'));
		if (header(headers, 'x-mbx-used-weight-1m') !== undefined && Number.isFinite(used)) this.client.charged(used, now);
		if (status === 429 || status === 418) {
			const retry = Number(header(headers, 'retry-after') ?? '0');
			const sec = Number.isFinite(retry) && retry > 0 ? retry : 0;
			this.client.throttled(
				status === 418 ? 'banned' : 'limited',
				sec,
				status === 418 ? now + sec * 1000 : undefined,
				path,
				now,
			);
		}
		if (status >= 400) this.client.answered(status, text, path, now);
	}

	/** An order placement's answer: an accepted ack or a rejection with its Binance code. */
	orderAck(ack: ObservedAck, now: number): void {
		const body = typeof ack.body === 'object' && ack.body !== null ? (ack.body as Record<string, unknown>) : {};
		const accepted = ack.status < 400;
		const code = accepted ? undefined : typeof body['code'] === 'number' ? body['code'] : -ack.status;
		this.client.order(
			{
				status: typeof body['status'] === 'string' ? body['status'] : accepted ? 'UNKNOWN' : 'REJECTED',
				side: typeof body['side'] === 'string' ? body['side'] : ack.side,
				type: typeof body['type'] === 'string' ? body['type'] : ack.type,
				...(code === undefined ? {} : {code}),
				clientOrderId:
					typeof body['clientOrderId'] === 'string' ? body['clientOrderId'] : (ack.sentClientOrderId ?? ''),
				...(ack.sentClientOrderId === undefined ? {} : {sentClientOrderId: ack.sentClientOrderId}),
				latencyMs: ack.latencyMs,
				count10s: ack.count10s,
			},
			now,
		);
		if (accepted) this.orders.placed({symbol: ack.symbol, type: ack.type, timeInForce: ack.timeInForce}, ack.body);
	}

	/** A cancel, query or openOrders answer (REST or WS API), for the open orders the gateway believes the SUT has. */
	orderAnswer(what: OrderQuery, param: (name: string) => string | undefined, status: number, value: unknown): void {
		if (status < 400) {
			if (what === 'open-list') this.orders.openList(param('symbol'), value);
			else this.orders.seeAnswer(value);
			return;
		}
		const code = typeof value === 'object' && value !== null ? (value as {code?: unknown}).code : undefined;
		if (what === 'one')
			this.orders.refused(
				{symbol: param('symbol'), orderId: param('orderId'), origClientOrderId: param('origClientOrderId')},
				code,
			);
		else if (what === 'cancel-all') this.orders.noneOpen(param('symbol'), code);
	}

	connected(kind: StreamKind): void {
		this.client.connected(kind);
	}

	disconnected(kind: StreamKind): void {
		this.client.disconnected(kind);
	}

	subscribed(name: string): void {
		this.client.subscribed(name);
	}

	unsubscribed(name: string): void {
		this.client.unsubscribed(name);
	}

	/** The gateway is about to cut the SUT's WebSockets: remember what it held. */
	drop(kind: string): void {
		this.client.drop(kind);
	}

	snapshot(since: number): GatewayActivitySnapshot {
		const base = this.client.snapshot(since, this.orders.open);
		return {
			...base,
			orders: {
				...base.orders,
				filled: this.orders.filled,
				partiallyFilled: this.orders.partiallyFilled,
				canceled: this.orders.canceled,
			},
			gateway: {
				...this.extras(),
				forgedResponses: this.forged,
				resets: this.resets,
				silenced: this.silenced,
				openOrders: this.orders.openOrders(),
			},
		};
	}
}
