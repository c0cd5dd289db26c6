import type {AccountTrade, Balance, Order} from './order-model.js';
import {round8} from './numbers.js';

/**
 * One account's balances, orders and trades. Balances move only through these methods so that
 * free + locked always equals what was deposited plus what was traded, minus fees.
 */
export class Account {
	readonly balances = new Map<string, Balance>();
	readonly orders = new Map<number, Order>();
	/** The newest order per symbol + clientOrderId: lookups by client id stay O(1) with 100 000 orders of history. */
	private readonly byClientId = new Map<string, Order>();
	/** Open orders by symbol, oldest first. */
	readonly open = new Map<string, Order[]>();
	readonly trades: AccountTrade[] = [];
	updateTime = 0;

	constructor(
		readonly apiKey: string,
		initial: Record<string, number>,
	) {
		for (const [asset, amount] of Object.entries(initial)) this.balances.set(asset, {free: round8(amount), locked: 0});
	}

	balance(asset: string): Balance {
		let b = this.balances.get(asset);
		if (!b) {
			b = {free: 0, locked: 0};
			this.balances.set(asset, b);
		}
		return b;
	}

	free(asset: string): number {
		return this.balances.get(asset)?.free ?? 0;
	}

	lock(asset: string, amount: number): void {
		const b = this.balance(asset);
		b.free = round8(b.free - amount);
		b.locked = round8(b.locked + amount);
	}

	unlock(asset: string, amount: number): void {
		const b = this.balance(asset);
		b.locked = round8(b.locked - amount);
		b.free = round8(b.free + amount);
	}

	/** Adds (or, negative, removes) free funds. */
	credit(asset: string, amount: number): void {
		const b = this.balance(asset);
		b.free = round8(b.free + amount);
	}

	addOrder(order: Order): void {
		this.orders.set(order.orderId, order);
		this.byClientId.set(`${order.symbol} ${order.clientOrderId}`, order);
	}

	forgetOrder(order: Order): void {
		this.orders.delete(order.orderId);
		const key = `${order.symbol} ${order.clientOrderId}`;
		if (this.byClientId.get(key) === order) this.byClientId.delete(key);
	}

	/** An amend may give an order a new client id: it is found by the new one from then on. */
	renameOrder(order: Order, clientOrderId: string): void {
		const key = `${order.symbol} ${order.clientOrderId}`;
		if (this.byClientId.get(key) === order) this.byClientId.delete(key);
		order.clientOrderId = clientOrderId;
		this.byClientId.set(`${order.symbol} ${clientOrderId}`, order);
	}

	orderByClientId(symbol: string, clientOrderId: string): Order | undefined {
		return this.byClientId.get(`${symbol} ${clientOrderId}`);
	}

	openOrders(symbol?: string): Order[] {
		if (symbol !== undefined) return [...(this.open.get(symbol) ?? [])];
		return [...this.open.values()].flat();
	}

	addOpen(order: Order): void {
		let list = this.open.get(order.symbol);
		if (!list) {
			list = [];
			this.open.set(order.symbol, list);
		}
		list.push(order);
	}

	removeOpen(order: Order): void {
		const list = this.open.get(order.symbol);
		if (!list) return;
		const i = list.indexOf(order);
		if (i >= 0) list.splice(i, 1);
	}
}
