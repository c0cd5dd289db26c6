/**
 * Watches the user data stream (ccxt's watchOrders: on Binance spot a WebSocket API
 * `userDataStream.subscribe.signature`, the method Binance documents since the listenKey flow was
 * retired) and keeps the last update seen for each of our orders, so a phase can hold every fill and
 * cancel it made against what the stream said.
 */
import type {Balance, ExchangeClient, Order, Unsubscribe} from '../../exchange/exchange-client.js';

export interface StreamedOrder {
	clientOrderId?: string;
	status: string;
	filled: number;
	/** Quote executed so far (the sum of the fills' price × quantity). */
	cost: number;
	updates: number;
}

/** The balances the stream's account updates (outboundAccountPosition) imply, and when the last came. */
export interface StreamedBalance {
	at: number;
	assets: Balance['assets'];
}

const MAX_KEPT = 20_000;

export class UserDataWatch {
	private readonly seen = new Map<string, StreamedOrder>();
	/** By the venue's order id: a cancel's answer carries the cancel's own clientOrderId, not the order's. */
	private readonly seenById = new Map<string, StreamedOrder>();
	private stopped = false;
	private subscribed = false;
	private readonly off: Unsubscribe;
	/** The last failure of a watch call (the loop keeps going). */
	lastError: string | null = null;
	/** Null until the stream sent an account update (only when watching balances). */
	balance: StreamedBalance | null = null;

	constructor(
		private readonly exchange: ExchangeClient,
		symbol: string,
		options: {balances?: boolean} = {},
	) {
		this.off = exchange.tap.onConnection(event => {
			if (event.type === 'subscribed' && event.streams.includes('user')) this.subscribed = true;
		});
		void this.loop(symbol);
		if (options.balances) void this.balanceLoop();
	}

	/** Resolves once the venue acknowledged the subscription (true), or after `timeoutMs` without (false). */
	async ready(timeoutMs: number): Promise<boolean> {
		const deadline = Date.now() + timeoutMs;
		while (!this.subscribed && !this.stopped && Date.now() < deadline)
			await new Promise(resolve => setTimeout(resolve, 20));
		return this.subscribed;
	}

	get(clientOrderId: string): StreamedOrder | undefined {
		return this.seen.get(clientOrderId);
	}

	getById(id: string): StreamedOrder | undefined {
		return this.seenById.get(id);
	}

	/** Drops what is kept of an order already judged, so a long soak does not keep every order it made. */
	forget(id: string): void {
		const streamed = this.seenById.get(id);
		this.seenById.delete(id);
		if (streamed?.clientOrderId) this.seen.delete(streamed.clientOrderId);
	}

	stop(): void {
		this.stopped = true;
		this.off();
	}

	private note(order: Order): void {
		const previous =
			this.seenById.get(order.id) ?? (order.clientOrderId ? this.seen.get(order.clientOrderId) : undefined);
		// ccxt hands back its whole cache on every update: keep the furthest state of each order.
		if (previous && previous.filled > order.filled) return;
		const clientOrderId = previous?.clientOrderId ?? order.clientOrderId ?? undefined;
		const streamed: StreamedOrder = {
			...(clientOrderId ? {clientOrderId} : {}),
			status: order.status,
			filled: order.filled,
			cost: order.cost,
			updates: (previous?.updates ?? 0) + 1,
		};
		this.seenById.delete(order.id);
		this.seenById.set(order.id, streamed);
		if (clientOrderId) this.seen.set(clientOrderId, streamed);
		// Bounded on a 24 h soak (orders nobody asks about, or handed back again after being judged): oldest go first.
		while (this.seenById.size > MAX_KEPT) {
			const [id, oldest] = this.seenById.entries().next().value as [string, StreamedOrder];
			this.seenById.delete(id);
			if (oldest.clientOrderId) this.seen.delete(oldest.clientOrderId);
		}
	}

	private async balanceLoop(): Promise<void> {
		while (!this.stopped) {
			try {
				const balance = await this.exchange.watchBalance();
				this.balance = {at: Date.now(), assets: balance.assets};
			} catch (error) {
				if (this.stopped) break;
				this.lastError = error instanceof Error ? error.message : String(error);
				if (this.lastError === 'exchange client is closed') break;
				await new Promise(resolve => setTimeout(resolve, 250));
			}
		}
	}

	private async loop(symbol: string): Promise<void> {
		while (!this.stopped) {
			try {
				const orders = await this.exchange.watchOrders(symbol);
				for (const order of orders) this.note(order);
			} catch (error) {
				if (this.stopped) break;
				this.lastError = error instanceof Error ? error.message : String(error);
				if (this.lastError === 'exchange client is closed') break;
				await new Promise(resolve => setTimeout(resolve, 250));
			}
		}
	}
}
