/**
 * Watches the user data stream (ccxt's watchOrders: on Binance spot a WebSocket API
 * `userDataStream.subscribe.signature`, the method Binance documents since the listenKey flow was
 * retired) and keeps the last update seen for each of our orders, so a phase can hold every fill and
 * cancel it made against what the stream said.
 */
import type {ExchangeClient, Order, Unsubscribe} from '../../exchange/exchange-client.js';

export interface StreamedOrder {
	status: string;
	filled: number;
	updates: number;
}

export class UserDataWatch {
	private readonly seen = new Map<string, StreamedOrder>();
	private stopped = false;
	private subscribed = false;
	private readonly off: Unsubscribe;
	/** The last failure of a watch call (the loop keeps going). */
	lastError: string | null = null;

	constructor(
		private readonly exchange: ExchangeClient,
		symbol: string,
	) {
		this.off = exchange.tap.onConnection(event => {
			if (event.type === 'subscribed' && event.streams.includes('user')) this.subscribed = true;
		});
		void this.loop(symbol);
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

	stop(): void {
		this.stopped = true;
		this.off();
	}

	private note(order: Order): void {
		if (order.clientOrderId === null) return;
		const previous = this.seen.get(order.clientOrderId);
		// ccxt hands back its whole cache on every update: keep the furthest state of each order.
		if (previous && previous.filled > order.filled) return;
		this.seen.set(order.clientOrderId, {
			status: order.status,
			filled: order.filled,
			updates: (previous?.updates ?? 0) + 1,
		});
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
