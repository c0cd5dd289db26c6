import {randomBytes} from 'node:crypto';
import type {ListenKeyRegistry} from '../contracts.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 60 random alphanumeric characters, like Binance's listen keys. */
function newListenKey(): string {
	const bytes = randomBytes(60);
	let key = '';
	for (const byte of bytes) key += ALPHABET[byte % ALPHABET.length];
	return key;
}

interface ListenKeyRecord {
	apiKey: string;
	expiresAt: number;
}

export interface ListenKeyEvents {
	/** The key was closed (DELETE) or expired; its connections must go. */
	ended(listenKey: string, reason: 'closed' | 'expired'): void;
}

/**
 * The legacy user-data listen keys: one active key per API key (creating again returns it and extends it,
 * as Binance does), valid for `ttlMs` after the last create or keep-alive.
 */
export class ListenKeyStore implements ListenKeyRegistry {
	private readonly keys = new Map<string, ListenKeyRecord>();
	private sweeper: NodeJS.Timeout | undefined;

	constructor(
		private readonly ttlMs: number,
		private readonly events: ListenKeyEvents,
	) {}

	create(apiKey: string): string {
		this.sweep();
		for (const [key, record] of this.keys) {
			if (record.apiKey === apiKey) {
				record.expiresAt = Date.now() + this.ttlMs;
				return key;
			}
		}
		const key = newListenKey();
		this.keys.set(key, {apiKey, expiresAt: Date.now() + this.ttlMs});
		return key;
	}

	keepAlive(listenKey: string): boolean {
		this.sweep();
		const record = this.keys.get(listenKey);
		if (!record) return false;
		record.expiresAt = Date.now() + this.ttlMs;
		return true;
	}

	close(listenKey: string): boolean {
		if (!this.keys.delete(listenKey)) return false;
		this.events.ended(listenKey, 'closed');
		return true;
	}

	/** The API key a live listen key belongs to, else undefined. */
	apiKeyFor(listenKey: string): string | undefined {
		this.sweep();
		return this.keys.get(listenKey)?.apiKey;
	}

	start(): void {
		this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(60_000, Math.floor(this.ttlMs / 4))));
		this.sweeper.unref();
	}

	stop(): void {
		if (this.sweeper) clearInterval(this.sweeper);
		this.sweeper = undefined;
	}

	private sweep(): void {
		const now = Date.now();
		for (const [key, record] of this.keys) {
			if (record.expiresAt <= now) {
				this.keys.delete(key);
				this.events.ended(key, 'expired');
			}
		}
	}
}
