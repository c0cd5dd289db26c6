/**
 * The venue a system under test gets on testnet and mainnet: the local gateway (mock/gateway) on
 * 127.0.0.1 in front of the profile's venue, so drydock counts, times and judges the SUT's traffic as it
 * does on the mock, and the chaos timeline can forge 5xx/429 and cut connections in front of a real venue.
 * drydock stores no key of the SUT's: the SUT's own key comes from the environment (DRYDOCK_SUT_API_KEY /
 * DRYDOCK_SUT_API_SECRET, or the names in the profile's `sut.apiKeyEnv` / `sut.apiSecretEnv`) and goes
 * into the SUT's environment only. Mainnet keeps `--allow-live` and the notional caps, enforced in the gateway.
 */
import type {Profile} from '../profiles/schema.js';
import type {SutSpec} from '../sut/spec.js';
import {UsageError} from '../util/usage-error.js';
import type {SutGatewayAccess} from './sut-session.js';
import {venueBasesFor} from './target.js';

export interface SutKey {
	apiKey: string;
	apiSecret: string;
}

/** Refuses a SUT on mainnet without --allow-live: it places real orders whatever drydock's own execution is. */
export function guardSutLive(profile: Profile, allowLive: boolean): void {
	if (profile.environment === 'mainnet' && !allowLive)
		throw new UsageError(
			`--sut on mainnet (profile ${profile.name}): the system under test places real orders — refused without --allow-live (caps, enforced in the gateway: ${profile.live.perOrderNotionalCap} per order, ${profile.live.perRunNotionalCap} per run)`,
		);
}

/** The SUT's own key from the environment; a usage error naming the variables when either is missing. */
export function sutKeyFromEnv(spec: SutSpec, profile: Profile, env: NodeJS.ProcessEnv = process.env): SutKey {
	const {apiKey: keyName, apiSecret: secretName} = spec.keyEnv;
	const apiKey = env[keyName]?.trim();
	const apiSecret = env[secretName]?.trim();
	if (!apiKey || !apiSecret) {
		const missing = [!apiKey ? keyName : null, !apiSecret ? secretName : null].filter(Boolean).join(' and ');
		throw new UsageError(
			`--sut on ${profile.environment} (profile ${profile.name}): the system under test needs its own API key — set ${missing} (drydock stores none of the SUT's keys; other names: the profile's sut.apiKeyEnv / sut.apiSecretEnv)`,
		);
	}
	return {apiKey, apiSecret};
}

export interface SutGatewayHandle {
	access: SutGatewayAccess;
	admin: string;
	close(): Promise<void>;
}

/** Starts the gateway on 127.0.0.1 in front of the profile's venue (Binance's, or the profile's `urls`). */
export async function startSutGateway(profile: Profile, key: SutKey): Promise<SutGatewayHandle> {
	if (profile.environment === 'mock') throw new Error('startSutGateway: the mock needs no gateway');
	const {startGateway} = await import('../mock/gateway/index.js');
	const upstream = venueBasesFor({...profile, environment: profile.environment});
	const live = profile.environment === 'mainnet';
	const gateway = await startGateway({
		upstream,
		host: '127.0.0.1',
		port: 0,
		// The venue's certificate is checked against Node's store (NODE_EXTRA_CA_CERTS adds a test venue's).
		...(live
			? {caps: {maxOrderNotional: profile.live.perOrderNotionalCap, maxRunNotional: profile.live.perRunNotionalCap}}
			: {}),
	});
	return {
		access: {
			clientId: gateway.clientId,
			port: gateway.port,
			rest: gateway.rest,
			ws: gateway.ws,
			wsApi: gateway.wsApi,
			apiKey: key.apiKey,
			apiSecret: key.apiSecret,
		},
		admin: gateway.admin,
		close: () => gateway.close(),
	};
}
