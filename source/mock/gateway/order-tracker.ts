/** Orders remembered at most; the oldest finished ones go first. */
const MAX_ORDERS = 200_000;

const FINISHED = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED', 'EXPIRED_IN_MATCH']);

/**
 * The SUT's orders as the gateway sees them pass — placement acks, cancel and query answers, user-data
 * execution reports — each status change counted once whichever of those shows it first.
 */
export class OrderTracker {
	filled = 0;
	partiallyFilled = 0;
	canceled = 0;
	/** "SYMBOL:orderId" → last status seen. */
	private readonly orders = new Map<string, string>();
	private openCount = 0;

	get open(): number {
		return this.openCount;
	}

	/** An order object from a REST or WS API answer, or an executionReport (s, i, X). */
	see(symbol: unknown, orderId: unknown, status: unknown): void {
		if (
			typeof symbol !== 'string' ||
			(typeof orderId !== 'number' && typeof orderId !== 'string') ||
			typeof status !== 'string'
		)
			return;
		const key = `${symbol}:${orderId}`;
		const before = this.orders.get(key);
		if (before === status || (before !== undefined && FINISHED.has(before))) return;
		const wasOpen = before !== undefined;
		this.orders.delete(key);
		this.orders.set(key, status);
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
		if (o['e'] === 'executionReport') return this.see(o['s'], o['i'], o['X']);
		if ('orderId' in o && 'status' in o) this.see(o['symbol'], o['orderId'], o['status']);
		for (const inner of ['newOrderResponse', 'cancelResponse', 'orderReports', 'result', 'event'])
			if (inner in o) this.seeAnswer(o[inner]);
	}

	private forgetOldest(): void {
		for (const [key, status] of this.orders) {
			if (this.orders.size <= MAX_ORDERS) return;
			if (!FINISHED.has(status)) this.openCount--;
			this.orders.delete(key);
		}
	}
}
