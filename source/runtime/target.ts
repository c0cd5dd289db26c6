/**
 * Where the exchange is: an embedded mock we start, a running mock named by the profile or
 * --exchange-url, or the venue the profile names. Mainnet real orders are refused without --allow-live.
 */
import type {Profile} from '../profiles/schema.js';
import {PROXY_ONLY_KINDS, type FaultKind} from '../faults/spec/kinds.js';
import {UsageError} from '../util/usage-error.js';
import {VENUES, type VenueBases} from '../exchange/venues.js';

/** Where this run reaches the exchange (the client's own URLs are `ExchangeClient.endpoints`). */
export interface RunEndpoints {
	rest: string;
	ws: string;
	/** The mock's admin API (faults, stats); null on a real venue. */
	admin: string | null;
	/** True when drydock started the mock itself. */
	embedded: boolean;
	/** The local fault proxy every exchange connection goes through (`http://127.0.0.1:PORT`), when on. */
	faultProxy?: string;
}

/** DRYDOCK_FAULT_PROXY (or BuildOptions.faultProxy): auto, the default, decides by venue and chaos timeline. */
export type FaultProxySetting = 'auto' | 'on' | 'off';

/**
 * Whether this run puts the local fault proxy in front of the venue. `auto`: on for testnet and mainnet,
 * where it is the only way to inject latency, stalls, resets and timeouts (a one-hop loopback relay of
 * opaque bytes, cheap beside a WAN round trip, and idle unless a fault is set); on the mock only when
 * the chaos timeline asks for connection-reset or timeout, which the mock's own controls lack (its
 * sub-millisecond budgets are better measured without a relay). `on` forces it, `off` removes it.
 */
export function faultProxyWanted(
	environment: Profile['environment'],
	setting: FaultProxySetting | undefined,
	env: NodeJS.ProcessEnv = process.env,
	chaosKinds: readonly string[] = [],
): boolean {
	let chosen = setting;
	if (chosen === undefined) {
		const raw = env.DRYDOCK_FAULT_PROXY?.trim().toLowerCase();
		if (raw !== undefined && raw !== '') {
			if (raw !== 'auto' && raw !== 'on' && raw !== 'off')
				throw new UsageError(`DRYDOCK_FAULT_PROXY: "${env.DRYDOCK_FAULT_PROXY}" must be on, off or auto`);
			chosen = raw;
		}
	}
	if (chosen === 'on' || chosen === 'off') return chosen === 'on';
	return environment !== 'mock' || chaosKinds.some(kind => PROXY_ONLY_KINDS.has(kind as FaultKind));
}

/** `http://127.0.0.1:9000` → rest, ws (same host and port) and the mock's admin API (`…/__drydock`). */
export function endpointsFromUrl(url: string, what = '--exchange-url', wsUrl?: string): RunEndpoints {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new UsageError(`${what}: "${url}" is not a URL (expected e.g. http://127.0.0.1:9000)`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
		throw new UsageError(`${what}: "${url}" must be an http:// URL (the mock's REST base)`);
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
		throw new UsageError(
			`profile ${profile.name}: mainnet with execution "exchange" places real orders — refused without --allow-live (caps: ${profile.live.perOrderNotionalCap} per order, ${profile.live.perRunNotionalCap} per run)`,
		);
	}
	if (exchangeUrl !== undefined && profile.environment !== 'mock') {
		throw new UsageError(
			`--exchange-url: only for the mock environment (profile ${profile.name} is ${profile.environment})`,
		);
	}
}

/** A real venue's endpoints for this run: its REST and market-stream bases, no admin API. */
export function venueEndpoints(
	environment: 'testnet' | 'mainnet',
	bases: VenueBases = VENUES[environment],
): RunEndpoints {
	return {rest: bases.rest, ws: bases.ws, admin: null, embedded: false};
}

/**
 * A real venue's bases for a profile: Binance's for its environment, or the profile's `urls` (rest and ws
 * both; wsApi defaults to {ws}/ws-api/v3) — how a test puts a local TLS venue in Binance's place.
 */
export function venueBasesFor(profile: Profile & {environment: 'testnet' | 'mainnet'}): VenueBases {
	const urls = profile.urls;
	if (urls?.rest === undefined) return VENUES[profile.environment];
	if (urls.ws === undefined)
		throw new UsageError(`profile ${profile.name}: urls.ws is required with urls.rest on ${profile.environment}`);
	const ws = urls.ws.replace(/\/+$/, '');
	return {rest: urls.rest.replace(/\/+$/, ''), ws, wsApi: urls.wsApi ?? `${ws}/ws-api/v3`};
}
