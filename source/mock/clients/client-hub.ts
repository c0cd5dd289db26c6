import {randomBytes} from 'node:crypto';
import type {WebSocketDeps} from '../contracts.js';
import type {FaultController} from '../faults/index.js';
import {orderRow} from '../http/order-format.js';
import {OrderCounter, WeightLimiter, type RateLimitOptions} from '../http/rate-limits.js';
import type {MockContext} from '../http/route.js';
import {startListener, type Listener} from '../listener.js';
import type {MatchingEngine} from '../matching/index.js';
import {ClientActivity, type ActivitySnapshot} from './client-activity.js';

export interface ClientOptions {
	label?: string;
	/** Starting funds; absent: the same defaults drydock's own account starts with. */
	balances?: Record<string, number>;
}

/** What POST /__drydock/clients answers: everything a system under test needs to reach the venue. */
export interface ClientInfo {
	id: string;
	label: string;
	apiKey: string;
	apiSecret: string;
	port: number;
	rest: string;
	/** Market-stream base, as `drydock mock` prints its own (append /ws/<stream> or /stream?streams=). */
	ws: string;
	wsApi: string;
}

export interface ClientFill {
	symbol: string;
	side: 'BUY' | 'SELL';
	price: number;
	qty: number;
	quoteQty: number;
	commission: number;
	commissionAsset: string;
	time: number;
	orderId: number;
}

export interface ClientAccountView {
	balances: Array<{asset: string; free: number; locked: number}>;
	/** The funds the account was created with, so balances can be explained by fills. */
	initial: Record<string, number>;
	fills: ClientFill[];
}

export interface ClientHubDeps {
	/** drydock's own port's context: market, engine, faults, credentials and clock are shared. */
	base: MockContext;
	ws: Omit<WebSocketDeps, 'observer'>;
	engine: MatchingEngine;
	faults: FaultController;
	host: string;
	limits: RateLimitOptions;
	ordersPer10s: number;
	ordersPerDay: number;
	defaultBalances: Record<string, number>;
}

interface Client {
	info: ClientInfo;
	activity: ClientActivity;
	listener: Listener;
	initial: Record<string, number>;
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAX_FILLS = 100_000;
const MAX_LABEL = 64;

function randomKey(length: number): string {
	let key = '';
	for (const byte of randomBytes(length)) key += KEY_ALPHABET[byte % KEY_ALPHABET.length];
	return key;
}

/**
 * The mock's extra clients: each an account of its own (key, secret, balances, orders, fills) and a
 * listener port of its own whose rate limits stand in for Binance's per-IP limits, with everything
 * arriving there attributed to it.
 */
export class ClientHub {
	private readonly clients = new Map<string, Client>();
	private readonly byApiKey = new Map<string, Client>();
	private nextId = 1;
	private readonly unsubscribes: Array<() => void>;

	constructor(private readonly deps: ClientHubDeps) {
		this.unsubscribes = [
			deps.engine.onEvent(event => {
				if (this.byApiKey.size === 0 || event.kind !== 'order') return;
				this.byApiKey.get(event.account)?.activity.accountEvent(event);
			}),
			// Runs while the cut sockets are still registered: their close events come later.
			deps.faults.onDropWebSockets(() => {
				for (const client of this.clients.values()) client.activity.drop('drop-websockets');
			}),
		];
	}

	async create(options: ClientOptions = {}): Promise<ClientInfo> {
		const label = options.label ?? `client-${this.nextId}`;
		if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL)
			throw new TypeError(`client label must be 1–${MAX_LABEL} characters`);
		const balances = options.balances ?? this.deps.defaultBalances;
		for (const [asset, amount] of Object.entries(balances)) {
			if (!/^[A-Z0-9]{1,20}$/.test(asset))
				throw new TypeError(`client balance asset "${asset.slice(0, 40)}" must be an asset name like USDT`);
			if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0)
				throw new TypeError(`client balance of ${asset} must be a non-negative number`);
		}
		const id = `c${this.nextId++}`;
		const apiKey = randomKey(64);
		const apiSecret = randomKey(64);
		const activity = new ClientActivity({
			weightLimit: this.deps.limits.weightPerWindow,
			weightWindowMs: this.deps.limits.windowMs,
			ordersPer10s: this.deps.ordersPer10s,
		});
		const ctx: MockContext = {
			...this.deps.base,
			limiter: new WeightLimiter(this.deps.limits),
			orders: new OrderCounter(this.deps.ordersPer10s, this.deps.ordersPerDay),
			observer: activity,
		};
		delete ctx.listenKeys;
		const listener = await startListener(ctx, {...this.deps.ws, observer: activity}, this.deps.host, 0);
		this.deps.engine.createAccount(apiKey, balances);
		this.deps.base.credentials.set(apiKey, apiSecret);
		const info: ClientInfo = {
			id,
			label,
			apiKey,
			apiSecret,
			port: listener.port,
			rest: listener.rest,
			ws: listener.ws,
			wsApi: `${listener.ws}/ws-api/v3`,
		};
		const client: Client = {info, activity, listener, initial: {...balances}};
		this.clients.set(id, client);
		this.byApiKey.set(apiKey, client);
		return {...info};
	}

	list(): Array<{id: string; label: string; port: number}> {
		return [...this.clients.values()].map(({info}) => ({id: info.id, label: info.label, port: info.port}));
	}

	has(id: string): boolean {
		return this.clients.has(id);
	}

	activity(id: string, since = 0): ActivitySnapshot | undefined {
		const client = this.clients.get(id);
		if (!client) return undefined;
		return client.activity.snapshot(since, this.deps.engine.account(client.info.apiKey)?.openOrders().length ?? 0);
	}

	/** Open orders in Binance's order JSON, as GET /api/v3/openOrders answers them. */
	openOrders(id: string): unknown[] | undefined {
		const client = this.clients.get(id);
		if (!client) return undefined;
		return this.deps.engine.openOrders(client.info.apiKey).map(orderRow);
	}

	account(id: string): ClientAccountView | undefined {
		const client = this.clients.get(id);
		const account = client && this.deps.engine.account(client.info.apiKey);
		if (!client || !account) return undefined;
		const balances = [...account.balances].map(([asset, b]) => ({asset, free: b.free, locked: b.locked}));
		const fills = account.trades.slice(-MAX_FILLS).map((t): ClientFill => ({
			symbol: t.symbol,
			side: t.isBuyer ? 'BUY' : 'SELL',
			price: t.price,
			qty: t.qty,
			quoteQty: t.quoteQty,
			commission: t.commission,
			commissionAsset: t.commissionAsset,
			time: t.time,
			orderId: t.orderId,
		}));
		return {balances, initial: {...client.initial}, fills};
	}

	/** The kill switch's way in: cancels every open order of the client's account. */
	cancelAll(id: string): number | undefined {
		const client = this.clients.get(id);
		if (!client) return undefined;
		const symbols = new Set(this.deps.engine.openOrders(client.info.apiKey).map(o => o.symbol));
		let canceled = 0;
		for (const symbol of symbols) {
			const result = this.deps.engine.cancelAll(client.info.apiKey, symbol);
			if (result.ok) canceled += result.value.length;
		}
		return canceled;
	}

	/** The operator's reconnect for one client: every connection of its listener is cut, recorded as a drop. */
	drop(id: string, kind = 'operator'): boolean {
		const client = this.clients.get(id);
		if (!client) return false;
		client.activity.drop(kind);
		client.listener.layer.dropAll();
		return true;
	}

	/** Closes the client's listener; its key stops working. Its account's history stays in the engine. */
	async remove(id: string): Promise<boolean> {
		const client = this.clients.get(id);
		if (!client) return false;
		this.clients.delete(id);
		this.byApiKey.delete(client.info.apiKey);
		this.deps.base.credentials.delete(client.info.apiKey);
		await client.listener.close();
		return true;
	}

	async close(): Promise<void> {
		for (const unsubscribe of this.unsubscribes) unsubscribe();
		await Promise.all([...this.clients.keys()].map(id => this.remove(id)));
	}
}
