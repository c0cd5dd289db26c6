import type {KeyObject} from 'node:crypto';
import {parsePublicKey, type ApiKeyType, type SigningCredential} from './signing.js';

const API_KEY_FORMAT = /^[A-Za-z0-9]{1,128}$/;

/** A registered RSA or Ed25519 key: who it signs for. */
interface PublicKeyEntry {
	type: 'RSA' | 'ED25519';
	publicKey: KeyObject;
	/** The account's primary (HMAC) API key: the engine and the user-data streams know accounts by it. */
	account: string;
}

/** An API key as a request presents it: how to verify its signatures, and whose account it acts on. */
export interface ResolvedKey {
	type: ApiKeyType;
	credential: SigningCredential;
	account: string;
}

/** What the mock accepts when registering a public key. */
export interface PublicKeyRegistration {
	apiKey: string;
	/** PEM (SPKI) of an Ed25519 or RSA public key; the private key stays with the client. */
	publicKey: string;
	/** The account's primary API key (default: drydock's own account). */
	account?: string;
}

/**
 * Every API key the mock knows: the HMAC keys (API key → secret, the map the accounts were created
 * with) plus RSA and Ed25519 public keys registered for an existing account, as Binance lets an
 * account hold keys of several types.
 */
export class ApiKeyBook {
	private readonly publicKeys = new Map<string, PublicKeyEntry>();

	constructor(private readonly secrets: Map<string, string>) {}

	/** Registers (or replaces) a public key; throws a one-line message naming what is wrong. */
	register(
		registration: PublicKeyRegistration,
		defaultAccount: string,
	): {apiKey: string; type: 'RSA' | 'ED25519'; account: string} {
		const {apiKey} = registration;
		if (typeof apiKey !== 'string' || !API_KEY_FORMAT.test(apiKey))
			throw new TypeError('apiKey must be 1–128 letters and digits');
		if (this.secrets.has(apiKey)) throw new TypeError(`apiKey ${apiKey} is already an HMAC key`);
		if (typeof registration.publicKey !== 'string') throw new TypeError('publicKey must be a PEM string');
		const account = registration.account ?? defaultAccount;
		if (!this.secrets.has(account)) throw new TypeError(`account ${account} is not a known account's API key`);
		const {type, publicKey} = parsePublicKey(registration.publicKey);
		this.publicKeys.set(apiKey, {type, publicKey, account});
		return {apiKey, type, account};
	}

	remove(apiKey: string): boolean {
		return this.publicKeys.delete(apiKey);
	}

	resolve(apiKey: string): ResolvedKey | undefined {
		const entry = this.publicKeys.get(apiKey);
		if (entry)
			return {type: entry.type, credential: {type: entry.type, publicKey: entry.publicKey}, account: entry.account};
		const secret = this.secrets.get(apiKey);
		return secret === undefined ? undefined : {type: 'HMAC', credential: {type: 'HMAC', secret}, account: apiKey};
	}

	/** The registered public keys, for the admin API (no key material). */
	list(): Array<{apiKey: string; type: 'RSA' | 'ED25519'; account: string}> {
		return [...this.publicKeys].map(([apiKey, e]) => ({apiKey, type: e.type, account: e.account}));
	}
}

/** Resolves an API key against the book when there is one, else against the HMAC secrets alone. */
export function resolveApiKey(
	secrets: Map<string, string>,
	book: ApiKeyBook | undefined,
	apiKey: string,
): ResolvedKey | undefined {
	if (book) return book.resolve(apiKey);
	const secret = secrets.get(apiKey);
	return secret === undefined ? undefined : {type: 'HMAC', credential: {type: 'HMAC', secret}, account: apiKey};
}
