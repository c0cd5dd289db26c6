/** Orders remembered at most; the oldest finished ones go first. */
const MAX_ORDERS = 200_000;

/** `GONE`: the venue said the order is no longer open (-2011 on a cancel, absent from an openOrders answer) without saying how. */
const FINISHED = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH', 'GONE']);
/** Binance: "Unknown order sent." (cancel) and "Order does not exist." (query): the order is not open. */
const NOT_OPEN_CODES = new Set([-2011, -2013]);

interface Tracked {
	status: string;
	symbol: string;
	clientOrderId: string | undefined;
}

/** A placement request's parameters the tracker needs to read an ACK answer (which has no status). */
export interface PlacedRequest {
	symbol: string | undefined;
	type: string | undefined;
	timeInForce: string | undefined;
}

/** Which orders a cancel or query request named. */
export interface OrderRef {
	symbol: string | undefined;
	orderId: string | undefined;
	origClientOrderId: string | undefined;
}

/** An open order the gateway believes the SUT still has. */
export interface OpenOrder {
	symbol: string;
	orderId: string;
	clientOrderId: string | null;
}

const idText = (v: unknown): string | undefined =>
	typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/**
 * The SUT's orders as the gateway sees them pass — placement answers (ACK, RESULT, FULL), cancel and
 * query answers and their -2011/-2013 refusals, the SUT's own openOrders answers, user-data execution
 * reports — each status change counted once whichever of those shows it first. The gateway holds no key:
 * this is the only way it knows which orders the SUT left open.
 */
export class OrderTracker {
	filled = 0;
	partiallyFilled = 0;
	canceled = 0;
	/** "SYMBOL:orderId" → what is known of it; insertion order is age order. */
	private readonly orders = new Map<string, Tracked>();
	/** "SYMBOL:clientOrderId" → "SYMBOL:orderId", for cancels that name the order by its clientOrderId. */
	private readonly byClientId = new Map<string, string>();
	private openCount = 0;

	get open(): number {
		return this.openCount;
	}

	/** The orders still open, oldest first (at most `limit`). */
	openOrders(limit = 100): OpenOrder[] {
		const out: OpenOrder[] = [];
		for (const [key, order] of this.orders) {
			if (out.length >= limit) break;
			if (FINISHED.has(order.status)) continue;
			out.push({
				symbol: order.symbol,
				orderId: key.slice(order.symbol.length + 1),
				clientOrderId: order.clientOrderId ?? null,
			});
		}
		return out;
	}

	/** An order object from a REST or WS API answer, or an executionReport (s, i, X, c). */
	see(symbol: unknown, orderId: unknown, status: unknown, clientOrderId?: unknown): void {
		const id = idText(orderId);
		if (typeof symbol !== 'string' || id === undefined || typeof status !== 'string') return;
		const key = `${symbol}:${id}`;
		const before = this.orders.get(key);
		if (before !== undefined && (before.status === status || FINISHED.has(before.status))) return;
		const wasOpen = before !== undefined;
		const cid =
			before?.clientOrderId ?? (typeof clientOrderId === 'string' && clientOrderId ? clientOrderId : undefined);
		this.orders.delete(key);
		this.orders.set(key, {status, symbol, clientOrderId: cid});
		if (cid !== undefined) this.byClientId.set(`${symbol}:${cid}`, key);
		if (status === 'FILLED') this.filled++;
		else if (status === 'PARTIALLY_FILLED') this.partiallyFilled++;
		else if (status === 'CANCELED' || status === 'EXPIRED' || status === 'EXPIRED_IN_MATCH') this.canceled++;
		const isOpen = !FINISHED.has(status);
		this.openCount += (isOpen ? 1 : 0) - (wasOpen ? 1 : 0);
		if (this.orders.size > MAX_ORDERS) this.forgetOldest();
	}

	/** Any JSON answer: an order, an array of orders, or a cancelReplace/orderList wrapper holding them. */
	seeAnswer(value: unknown): void {
		if (Array.isArray(value)) {
			for (const item of value) this.seeAnswer(item);
			return;
		}
		if (typeof value !== 'object' || value === null) return;
		const o = value as Record<string, unknown>;
		// In an execution report `c` is the order's id except on a cancel, where it is the cancel's and `C` the order's.
		if (o['e'] === 'executionReport') return this.see(o['s'], o['i'], o['X'], o['C'] || o['c']);
		// A cancel answer's clientOrderId is the cancel request's own; origClientOrderId is the order's.
		if ('orderId' in o && 'status' in o)
			this.see(
				o['symbol'],
				o['orderId'],
				o['status'],
				'origClientOrderId' in o ? o['origClientOrderId'] : o['clientOrderId'],
			);
		for (const inner of ['newOrderResponse', 'cancelResponse', 'orderReports', 'result', 'event'])
			if (inner in o) this.seeAnswer(o[inner]);
	}

	/**
	 * A placement the venue accepted. RESULT and FULL answers carry the status; an ACK does not, so the
	 * order counts as open when it can rest on the book (not MARKET, not IOC/FOK) until a later answer says otherwise.
	 */
	placed(request: PlacedRequest, answer: unknown): void {
		if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return;
		const o = answer as Record<string, unknown>;
		if ('status' in o) return this.seeAnswer(o);
		const symbol = typeof o['symbol'] === 'string' ? o['symbol'] : request.symbol;
		const type = (request.type ?? '').toUpperCase();
		const tif = (request.timeInForce ?? '').toUpperCase();
		const mayRest = type !== 'MARKET' && tif !== 'IOC' && tif !== 'FOK';
		if (mayRest) this.see(symbol, o['orderId'], 'NEW', o['clientOrderId']);
	}

	/** A cancel or query of one order refused with -2011/-2013: whatever it was, it is not open. */
	refused(ref: OrderRef, code: unknown): void {
		if (typeof code !== 'number' || !NOT_OPEN_CODES.has(code) || ref.symbol === undefined) return;
		const key =
			ref.orderId !== undefined
				? `${ref.symbol}:${ref.orderId}`
				: ref.origClientOrderId !== undefined
					? this.byClientId.get(`${ref.symbol}:${ref.origClientOrderId}`)
					: undefined;
		if (key !== undefined && this.orders.has(key)) this.finish(key);
	}

	/** DELETE openOrders refused with -2011: nothing of that symbol is open. */
	noneOpen(symbol: string | undefined, code: unknown): void {
		if (typeof code !== 'number' || !NOT_OPEN_CODES.has(code) || symbol === undefined) return;
		this.openList(symbol, []);
	}

	/** The SUT's own openOrders answer is the venue's word: what is missing from it (for that symbol, or all) is not open. */
	openList(symbol: string | undefined, answer: unknown): void {
		if (!Array.isArray(answer)) return;
		const listed = new Set<string>();
		for (const item of answer) {
			if (typeof item !== 'object' || item === null) continue;
			const o = item as Record<string, unknown>;
			const id = idText(o['orderId']);
			if (typeof o['symbol'] === 'string' && id !== undefined) listed.add(`${o['symbol']}:${id}`);
		}
		for (const [key, order] of this.orders)
			if (!FINISHED.has(order.status) && (symbol === undefined || order.symbol === symbol) && !listed.has(key))
				this.finish(key);
		this.seeAnswer(answer);
	}

	private finish(key: string): void {
		const order = this.orders.get(key)!;
		if (FINISHED.has(order.status)) return;
		order.status = 'GONE';
		this.openCount--;
	}

	private forgetOldest(): void {
		for (const [key, order] of this.orders) {
			if (this.orders.size <= MAX_ORDERS) return;
			if (!FINISHED.has(order.status)) this.openCount--;
			this.orders.delete(key);
			if (order.clientOrderId !== undefined) this.byClientId.delete(`${order.symbol}:${order.clientOrderId}`);
		}
	}
}
