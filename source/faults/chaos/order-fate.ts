/**
 * Watches order placement at the client boundary: every createOrder that fails in a way that leaves the
 * order's fate unknown (a timeout, a 5xx, a dropped connection — anything but a rejection), how it was
 * resolved (the phases look it up by clientOrderId: found on the venue, or not placed), and how many
 * times each clientOrderId was sent (more than once = placed twice). The chaos runner attributes these
 * to the fault active at the time. Wraps the client; every other method passes through untouched.
 */
import type {ExchangeClient, Order, OrderRequest} from '../../exchange/exchange-client.js';
import {withTimeout} from '../../util/with-timeout.js';

export interface UnknownFate {
	clientOrderId: string;
	symbol: string;
	at: number;
	error: string;
	resolution: string;
	resolvedBy: string | null;
	placements: number;
}

/** Answers that say the order was not placed: rejections, and 429/418 (refused before the matching engine). */
const rejectionKinds = new Set([
	'invalid-order',
	'bad-symbol',
	'insufficient-funds',
	'bad-request',
	'auth',
	'rate-limit',
	'ddos',
]);

export class OrderFateObserver {
	/** clientOrderId → createOrder calls sent (bounded: forgotten oldest first). */
	private placements = new Map<string, number>();
	private unknown = new Map<string, UnknownFate>();
	private listeners = new Set<(fate: UnknownFate) => void>();
	duplicatePlacements = 0;

	constructor(
		private readonly now: () => number = Date.now,
		private readonly maxTracked = 5_000,
	) {}

	/** Told when an order's fate becomes unknown and again when it is resolved. */
	onChange(listener: (fate: UnknownFate) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private client: ExchangeClient | null = null;

	/**
	 * Asks the venue, by clientOrderId, about every order whose fate is still unknown — the phases look
	 * once, right after the failure, and that lookup can fail too while the fault lasts. Run after a fault
	 * has cleared. Never places anything.
	 */
	async resolvePending(timeoutMs = 5_000): Promise<number> {
		const client = this.client;
		if (!client) return 0;
		let resolved = 0;
		for (const fate of [...this.unknown.values()].filter(f => f.resolvedBy === null).slice(0, 50)) {
			try {
				const order = await withTimeout(client.fetchOrder(fate.symbol, {clientOrderId: fate.clientOrderId}), timeoutMs);
				this.resolve(
					fate.clientOrderId,
					`found ${order.status}${order.filled > 0 ? ` (filled ${order.filled})` : ''}`,
					'fetchOrder by clientOrderId, after the fault',
				);
				resolved++;
			} catch (error) {
				if (kindOf(error) === 'order-not-found') {
					this.resolve(
						fate.clientOrderId,
						'not placed (the venue has no such order)',
						'fetchOrder by clientOrderId, after the fault',
					);
					resolved++;
				}
			}
		}
		return resolved;
	}

	wrap(client: ExchangeClient): ExchangeClient {
		this.client = client;
		const createOrder = async (request: OrderRequest): Promise<Order> => {
			const id = request.clientOrderId;
			if (id) this.countPlacement(id);
			try {
				return await client.createOrder(request);
			} catch (error) {
				if (id && !isRejection(error)) this.markUnknown(id, request.symbol, error);
				throw error;
			}
		};
		const fetchOrder = async (symbol: string, ref: {id: string} | {clientOrderId: string}): Promise<Order> => {
			const id = 'clientOrderId' in ref ? ref.clientOrderId : null;
			try {
				const order = await client.fetchOrder(symbol, ref);
				if (id) this.resolve(id, `found ${order.status}${order.filled > 0 ? ` (filled ${order.filled})` : ''}`);
				return order;
			} catch (error) {
				if (id && kindOf(error) === 'order-not-found') this.resolve(id, 'not placed (the venue has no such order)');
				throw error;
			}
		};
		return new Proxy(client, {
			get(target, property, receiver) {
				if (property === 'createOrder') return createOrder;
				if (property === 'fetchOrder') return fetchOrder;
				const value: unknown = Reflect.get(target, property, receiver);
				return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
			},
		});
	}

	/** Unknown-fate orders seen between `from` and `to` (inclusive). */
	between(from: number, to: number): UnknownFate[] {
		return [...this.unknown.values()].filter(f => f.at >= from && f.at <= to);
	}

	private countPlacement(id: string): void {
		const n = (this.placements.get(id) ?? 0) + 1;
		this.placements.set(id, n);
		if (n > 1) this.duplicatePlacements++;
		if (this.placements.size > this.maxTracked) this.placements.delete(this.placements.keys().next().value!);
		const fate = this.unknown.get(id);
		if (fate) fate.placements = n;
	}

	private markUnknown(id: string, symbol: string, error: unknown): void {
		const fate: UnknownFate = {
			clientOrderId: id,
			symbol,
			at: this.now(),
			error: `${kindOf(error) ?? 'error'}: ${messageOf(error)}`.slice(0, 200),
			resolution: 'unresolved',
			resolvedBy: null,
			placements: this.placements.get(id) ?? 1,
		};
		this.unknown.set(id, fate);
		if (this.unknown.size > this.maxTracked) this.unknown.delete(this.unknown.keys().next().value!);
		this.tell(fate);
	}

	private resolve(id: string, resolution: string, by = 'fetchOrder by clientOrderId'): void {
		const fate = this.unknown.get(id);
		if (!fate || fate.resolvedBy !== null) return;
		fate.resolution = resolution;
		fate.resolvedBy = by;
		this.tell(fate);
	}

	private tell(fate: UnknownFate): void {
		for (const listener of this.listeners) {
			try {
				listener({...fate});
			} catch {
				// An observer's bug must not break order placement.
			}
		}
	}
}

function kindOf(error: unknown): string | null {
	const kind = (error as {kind?: unknown} | null)?.kind;
	return typeof kind === 'string' ? kind : null;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function isRejection(error: unknown): boolean {
	const kind = kindOf(error);
	return kind !== null && rejectionKinds.has(kind);
}
