/**
 * Our own orders as we believe them to be, keyed by the clientOrderId we gave each one, and the
 * reconciliation of that belief against the venue: every local open order must be open there, and
 * every open order there carrying our prefix must be known here.
 */
import type {ExchangeClient, Order, OrderStatus, Side} from '../../exchange/exchange-client.js';

export interface TrackedOrder {
	clientOrderId: string;
	id: string | null;
	symbol: string;
	side: Side;
	type: string;
	amount: number | null;
	price: number | null;
	/** `pending` until the venue acknowledged it; `unknown` when its fate could not be learned. */
	status: OrderStatus | 'pending';
	filled: number;
	cost: number;
	/** Fees by currency. */
	fees: Record<string, number>;
	placedAt: number;
}

export interface ReconcileReport {
	checked: number;
	/** Open on the venue, with our prefix, unknown locally. */
	orphans: string[];
	/** Open locally, not open on the venue, and the venue's own record disagrees with ours. */
	mismatched: string[];
	/** Local orders the venue does not know at all. */
	missing: string[];
	/** Venue orders whose clientOrderId appears more than once. */
	duplicates: string[];
}

export function discrepancies(report: ReconcileReport): number {
	return report.orphans.length + report.mismatched.length + report.missing.length + report.duplicates.length;
}

let sessionCounter = 0;

export class OrderTracker {
	private readonly orders = new Map<string, TrackedOrder>();
	/** Base bought minus sold per symbol by every order we placed, kept past the trimming of closed orders (the kill switch's flatten). */
	private readonly nets = new Map<string, number>();
	private counter = 0;
	/** Keeps the registry bounded on long soaks: closed orders beyond this are forgotten, oldest first. */
	private readonly maxClosed: number;

	constructor(
		/** Every clientOrderId starts with it; ≤ 20 chars of [A-Za-z0-9-_]. */
		readonly prefix = `dd${Date.now().toString(36).slice(-5)}${(sessionCounter++).toString(36)}`,
		maxClosed = 2_000,
	) {
		this.maxClosed = maxClosed;
	}

	/** A fresh id: `<prefix>-<tag>-<n>`, at most 36 characters as Binance allows. */
	nextClientOrderId(tag: string): string {
		this.counter += 1;
		return `${this.prefix}-${tag.replace(/[^A-Za-z0-9]/g, '').slice(0, 6)}-${this.counter.toString(36)}`.slice(0, 36);
	}

	owns(clientOrderId: string | null): boolean {
		return clientOrderId !== null && clientOrderId.startsWith(`${this.prefix}-`);
	}

	register(input: {
		clientOrderId: string;
		symbol: string;
		side: Side;
		type: string;
		amount: number | null;
		price: number | null;
	}): TrackedOrder {
		const order: TrackedOrder = {
			...input,
			id: null,
			status: 'pending',
			filled: 0,
			cost: 0,
			fees: {},
			placedAt: Date.now(),
		};
		this.orders.set(input.clientOrderId, order);
		return order;
	}

	/** Applies the venue's view of an order; returns the tracked record (registering it if needed). */
	apply(order: Order): TrackedOrder | null {
		const key = order.clientOrderId;
		if (key === null) return null;
		const tracked = this.orders.get(key);
		if (!tracked) return null;
		tracked.id = order.id;
		tracked.status = order.status;
		const added = order.filled - tracked.filled;
		if (added > 0)
			this.nets.set(tracked.symbol, (this.nets.get(tracked.symbol) ?? 0) + (tracked.side === 'buy' ? added : -added));
		tracked.filled = Math.max(tracked.filled, order.filled);
		tracked.cost = order.cost;
		const fees: Record<string, number> = {};
		if (order.fills.length > 0) {
			for (const fill of order.fills)
				if (fill.fee) fees[fill.fee.currency] = (fees[fill.fee.currency] ?? 0) + fill.fee.cost;
		} else if (order.fee) {
			fees[order.fee.currency] = order.fee.cost;
		}
		if (Object.keys(fees).length > 0 || tracked.status !== 'open') tracked.fees = fees;
		this.trim();
		return tracked;
	}

	mark(clientOrderId: string, status: TrackedOrder['status']): void {
		const tracked = this.orders.get(clientOrderId);
		if (tracked) tracked.status = status;
	}

	/** Base bought minus sold on `symbol` by our orders since the tracker started (fees aside). */
	netPosition(symbol: string): number {
		return this.nets.get(symbol) ?? 0;
	}

	get(clientOrderId: string): TrackedOrder | undefined {
		return this.orders.get(clientOrderId);
	}

	all(): TrackedOrder[] {
		return [...this.orders.values()];
	}

	/** Orders we believe may still be open on the venue (open, pending or of unknown fate). */
	live(symbol?: string): TrackedOrder[] {
		return this.all().filter(
			order =>
				(symbol === undefined || order.symbol === symbol) &&
				(order.status === 'open' || order.status === 'pending' || order.status === 'unknown'),
		);
	}

	get size(): number {
		return this.orders.size;
	}

	/**
	 * Compares our open orders with the venue's for each symbol. A local open order missing from the
	 * venue's open list is looked up: if it has since filled or been cancelled there, we learn that (not
	 * a discrepancy, orders move); if the venue does not know it, it is missing.
	 */
	async reconcile(exchange: ExchangeClient, symbols: readonly string[]): Promise<ReconcileReport> {
		const report: ReconcileReport = {checked: 0, orphans: [], mismatched: [], missing: [], duplicates: []};
		for (const symbol of symbols) {
			const venueOpen = await exchange.fetchOpenOrders(symbol);
			const ours = venueOpen.filter(order => this.owns(order.clientOrderId));
			const seen = new Map<string, number>();
			for (const order of ours) seen.set(order.clientOrderId!, (seen.get(order.clientOrderId!) ?? 0) + 1);
			for (const [id, count] of seen) if (count > 1) report.duplicates.push(id);
			for (const order of ours) {
				report.checked += 1;
				const tracked = this.orders.get(order.clientOrderId!);
				if (!tracked) report.orphans.push(order.clientOrderId!);
				else this.apply(order);
			}
			for (const tracked of this.live(symbol)) {
				if (seen.has(tracked.clientOrderId)) continue;
				report.checked += 1;
				try {
					const venue = await exchange.fetchOrder(symbol, {clientOrderId: tracked.clientOrderId});
					this.apply(venue);
					if (venue.status === 'open') report.mismatched.push(tracked.clientOrderId);
				} catch (error) {
					if ((error as {kind?: unknown}).kind === 'order-not-found') {
						// Never acknowledged (pending, or of unknown fate after a 5xx or timeout whose lookup failed
						// too) and unknown to the venue: it was never placed, nothing to reconcile.
						if (tracked.status === 'pending' || tracked.status === 'unknown')
							this.mark(tracked.clientOrderId, 'rejected');
						else report.missing.push(tracked.clientOrderId);
					} else throw error;
				}
			}
		}
		return report;
	}

	private trim(): void {
		if (this.orders.size <= this.maxClosed * 2) return;
		let excess = this.orders.size - this.maxClosed;
		for (const [key, order] of this.orders) {
			if (excess <= 0) break;
			if (order.status === 'open' || order.status === 'pending' || order.status === 'unknown') continue;
			this.orders.delete(key);
			excess -= 1;
		}
	}
}
