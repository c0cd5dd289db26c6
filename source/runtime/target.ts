/**
 * Where the exchange is: an embedded mock we start, a running mock named by the profile or
 * --exchange-url, or the venue the profile names. Mainnet real orders are refused without --allow-live.
 */
import type {Profile} from '../profiles/schema.js';
import {UsageError} from '../util/usage-error.js';

export interface Endpoints {
	rest: string;
	ws: string;
	/** The mock's admin API (faults, stats); null on a real venue. */
	admin: string | null;
	/** True when drydock started the mock itself. */
	embedded: boolean;
}

/** `http://127.0.0.1:9000` → rest, ws (same host and port) and the mock's admin API (`…/__drydock`). */
export function endpointsFromUrl(url: string, what = '--exchange-url', wsUrl?: string): Endpoints {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new UsageError(`${what}: "${url}" is not a URL (expected e.g. http://127.0.0.1:9000)`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`${what}: "${url}" must be an http:// URL (the mock's REST base)`);
	const base = `${parsed.protocol}//${parsed.host}`;
	const ws = wsUrl ?? `${parsed.protocol === 'https:' ? 'wss' : 'ws'}://${parsed.host}`;
	return {rest: base, ws, admin: `${base}/__drydock`, embedded: false};
}

export interface LiveGuardInput {
	profile: Profile;
	allowLive: boolean;
	exchangeUrl?: string;
}

/** Refuses what must never happen by accident; returns normally when the setup is allowed. */
export function guardLive({profile, allowLive, exchangeUrl}: LiveGuardInput): void {
	if (profile.environment === 'mainnet' && profile.execution === 'exchange' && !allowLive) {
		throw new UsageError(`profile ${profile.name}: mainnet with execution "exchange" places real orders — refused without --allow-live (caps: ${profile.live.perOrderNotionalCap} per order, ${profile.live.perRunNotionalCap} per run)`);
	}
	if (exchangeUrl !== undefined && profile.environment !== 'mock') {
		throw new UsageError(`--exchange-url: only for the mock environment (profile ${profile.name} is ${profile.environment})`);
	}
}
