import type {StreamKind, StreamObserver} from '../contracts.js';
import type {OrderAck, RestObserver} from '../http/route.js';
import type {EngineEvent} from '../matching/index.js';
import {ActivityRing, type ActivityEvent} from './activity-ring.js';
import {LatencyReservoir} from './latency-reservoir.js';

/** A clientOrderId counts as reused when it was sent within this long (Binance keeps them unique per day). */
const CLIENT_ID_MEMORY_MS = 86_400_000;
/** Hard cap on remembered clientOrderIds, above the default 200 000 orders per day. */
const MAX_CLIENT_IDS = 250_000;

export interface ActivityLimits {
	weightLimit: number;
	weightWindowMs: number;
	ordersPer10s: number;
}

export interface ActivitySnapshot {
	seq: number;
	at: number;
	rest: {
		requests: number;
		weightUsed: number;
		weightLimit: number;
		requestsPerMinute: number;
		status429: number;
		status418: number;
		bannedUntil: number | null;
		requestsInsideRetryAfter: number;
		errorsByCode: Record<string, number>;
	};
	orders: {
		placed: number;
		filled: number;
		partiallyFilled: number;
		canceled: number;
		rejected: number;
		rejectedByCode: Record<string, number>;
		duplicateClientOrderIds: number;
		maxOrdersPer10s: number;
		ordersPer10sLimit: number;
		open: number;
		ackLatencyMs: {count: number; avg: number; p50: number; p99: number; max: number};
	};
	streams: {connectionsOpen: number; connectionsTotal: number; subscriptions: string[]};
	events: ActivityEvent[];
}

interface PendingDrop {
	dropId: string;
	at: number;
	streams: string[];
	/** Set by the first connection opened after the drop: old sockets still closing never resolve it. */
	reconnected: boolean;
}

const CODE_IN_BODY = /"code":(-?\d+)/;

/**
 * Everything one client did on its listener and to its account, as counters plus a bounded ring of
 * noteworthy events. Plain counters on the hot path; allocation only for events.
 */
export class ClientActivity implements RestObserver, StreamObserver {
	readonly ring = new ActivityRing();
	private requests = 0;
	private minute = 0;
	private minuteCount = 0;
	private lastMinuteCount = 0;
	private weightUsed = 0;
	private weightWindow = -1;
	private status429 = 0;
	private status418 = 0;
	private bannedUntil = 0;
	private retryAfterUntil = 0;
	private insideRetryAfter = 0;
	private readonly errorsByCode: Record<string, number> = {};
	private placed = 0;
	private filled = 0;
	private partiallyFilled = 0;
	private canceled = 0;
	private rejected = 0;
	private readonly rejectedByCode: Record<string, number> = {};
	private duplicates = 0;
	private maxOrdersPer10s = 0;
	private readonly ackLatency = new LatencyReservoir();
	/** clientOrderId → when last sent; insertion order is age order (re-sent ids move to the end). */
	private readonly clientIds = new Map<string, number>();
	private connectionsOpen = 0;
	private connectionsTotal = 0;
	/** Subscription name → how many connections hold it. */
	private readonly subscriptions = new Map<string, number>();
	private pendingDrops: PendingDrop[] = [];
	private nextDropId = 1;

	constructor(private readonly limits: ActivityLimits) {}

	// ---- REST (RestObserver) ----

	request(path: string, now: number): void {
		this.requests++;
		const minute = Math.floor(now / 60_000);
		if (minute !== this.minute) {
			this.lastMinuteCount = minute === this.minute + 1 ? this.minuteCount : 0;
			this.minute = minute;
			this.minuteCount = 0;
		}
		this.minuteCount++;
		if (now < this.retryAfterUntil) {
			this.insideRetryAfter++;
			this.ring.push(now, 'retry-after-violation', {path, retryAfterUntil: this.retryAfterUntil});
		}
	}

	charged(used: number, now: number): void {
		this.weightUsed = used;
		this.weightWindow = Math.floor(now / this.limits.weightWindowMs);
	}

	throttled(
		kind: 'limited' | 'banned',
		retryAfterSec: number,
		until: number | undefined,
		path: string,
		now: number,
	): void {
		const end = now + retryAfterSec * 1000;
		if (end > this.retryAfterUntil) this.retryAfterUntil = end;
		if (kind === 'banned' && until !== undefined && until !== this.bannedUntil) {
			this.bannedUntil = until;
			this.ring.push(now, 'banned', {path, until, retryAfterSec});
		} else if (kind === 'limited') {
			this.ring.push(now, 'rate-limited', {path, retryAfterSec});
		}
	}

	answered(status: number, body: string, path: string, now: number): void {
		if (status === 429) this.status429++;
		else if (status === 418) this.status418++;
		const match = CODE_IN_BODY.exec(body);
		const code = match ? match[1]! : `http-${status}`;
		this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
		if (status !== 429 && status !== 418)
			this.ring.push(now, 'request-error', {status, code: match ? Number(match[1]) : null, path});
	}

	/** The order event names the order's type `orderType`: `type` is the event's own ('order'). */
	order(ack: OrderAck, now: number): void {
		if (ack.sentClientOrderId !== undefined) this.rememberClientId(ack.sentClientOrderId, now);
		if (ack.count10s > this.maxOrdersPer10s) this.maxOrdersPer10s = ack.count10s;
		this.ackLatency.record(ack.latencyMs);
		const fields: Record<string, unknown> = {
			status: ack.status,
			side: ack.side,
			orderType: ack.type,
			clientOrderId: ack.clientOrderId,
			latencyMs: Math.round(ack.latencyMs * 1000) / 1000,
		};
		if (ack.code === undefined) {
			this.placed++;
		} else {
			this.rejected++;
			const code = String(ack.code);
			this.rejectedByCode[code] = (this.rejectedByCode[code] ?? 0) + 1;
			fields['code'] = ack.code;
		}
		this.ring.push(now, 'order', fields);
	}

	/** Order changes of the client's account after placement (fills, cancels), from the matching engine. */
	accountEvent(event: EngineEvent): void {
		if (event.kind !== 'order') return;
		if (event.execution === 'CANCELED') this.canceled++;
		else if (event.execution === 'TRADE') {
			if (event.order.status === 'FILLED') this.filled++;
			// The first partial fill of an order: its whole executed quantity is this fill.
			else if (
				event.order.status === 'PARTIALLY_FILLED' &&
				event.fill &&
				event.order.executedQty <= event.fill.qty + 1e-12
			)
				this.partiallyFilled++;
		}
	}

	private rememberClientId(id: string, now: number): void {
		const last = this.clientIds.get(id);
		if (last !== undefined && now - last < CLIENT_ID_MEMORY_MS) this.duplicates++;
		this.clientIds.delete(id);
		this.clientIds.set(id, now);
		for (const [oldId, at] of this.clientIds) {
			if (now - at < CLIENT_ID_MEMORY_MS && this.clientIds.size <= MAX_CLIENT_IDS) break;
			this.clientIds.delete(oldId);
		}
	}

	// ---- streams (StreamObserver) ----

	connected(kind: StreamKind): void {
		this.connectionsOpen++;
		this.connectionsTotal++;
		const now = Date.now();
		this.ring.push(now, 'connect', {kind});
		for (const drop of this.pendingDrops) drop.reconnected = true;
		this.checkResubscribed(now);
	}

	disconnected(kind: StreamKind): void {
		this.connectionsOpen--;
		this.ring.push(Date.now(), 'disconnect', {kind});
	}

	subscribed(name: string): void {
		this.subscriptions.set(name, (this.subscriptions.get(name) ?? 0) + 1);
		this.checkResubscribed(Date.now());
	}

	unsubscribed(name: string): void {
		const n = (this.subscriptions.get(name) ?? 0) - 1;
		if (n > 0) this.subscriptions.set(name, n);
		else this.subscriptions.delete(name);
	}

	/** The venue is about to cut every connection of this client: remember what it held. */
	drop(kind: string): void {
		if (this.connectionsOpen === 0) return;
		const at = Date.now();
		const drop: PendingDrop = {
			dropId: `drop-${this.nextDropId++}`,
			at,
			streams: [...this.subscriptions.keys()].sort(),
			reconnected: false,
		};
		this.pendingDrops.push(drop);
		this.ring.push(at, 'drop', {dropId: drop.dropId, kind, streams: drop.streams});
	}

	private checkResubscribed(now: number): void {
		if (this.pendingDrops.length === 0) return;
		this.pendingDrops = this.pendingDrops.filter(drop => {
			if (!drop.reconnected || !drop.streams.every(name => this.subscriptions.has(name))) return true;
			this.ring.push(now, 'resubscribed', {dropId: drop.dropId, afterMs: now - drop.at});
			return false;
		});
	}

	// ---- reading ----

	snapshot(since: number, open: number): ActivitySnapshot {
		const now = Date.now();
		const minute = Math.floor(now / 60_000);
		const requestsPerMinute =
			minute === this.minute ? this.lastMinuteCount : minute === this.minute + 1 ? this.minuteCount : 0;
		return {
			seq: this.ring.seq,
			at: now,
			rest: {
				requests: this.requests,
				weightUsed: this.weightWindow === Math.floor(now / this.limits.weightWindowMs) ? this.weightUsed : 0,
				weightLimit: this.limits.weightLimit,
				requestsPerMinute,
				status429: this.status429,
				status418: this.status418,
				bannedUntil: this.bannedUntil > now ? this.bannedUntil : null,
				requestsInsideRetryAfter: this.insideRetryAfter,
				errorsByCode: {...this.errorsByCode},
			},
			orders: {
				placed: this.placed,
				filled: this.filled,
				partiallyFilled: this.partiallyFilled,
				canceled: this.canceled,
				rejected: this.rejected,
				rejectedByCode: {...this.rejectedByCode},
				duplicateClientOrderIds: this.duplicates,
				maxOrdersPer10s: this.maxOrdersPer10s,
				ordersPer10sLimit: this.limits.ordersPer10s,
				open,
				ackLatencyMs: this.ackLatency.summary(),
			},
			streams: {
				connectionsOpen: this.connectionsOpen,
				connectionsTotal: this.connectionsTotal,
				subscriptions: [...this.subscriptions.keys()].sort(),
			},
			events: this.ring.since(since),
		};
	}
}
