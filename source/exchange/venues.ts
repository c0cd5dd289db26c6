/**
 * The venue's endpoints, defined once: REST, market-stream and WebSocket-API bases per environment,
 * the `Endpoints` a client reports, and which environment a host or URL belongs to (the config phase's
 * URL check, the fault proxy's target allowlist and its stream hosts). Plain data and URL parsing: no
 * ccxt here (ccxt's own URL tables configure the client in ccxt-binance.ts; these match them, see
 * shared/reference/binance-spot-wire.md).
 */

/** Where a client talks to, as it reports it (`ExchangeClient.endpoints`). */
export interface Endpoints {
	rest: string;
	sapi: string;
	ws: string;
	wsApi: string;
}

export type VenueEnvironment = 'testnet' | 'mainnet';

export interface VenueBases {
	/** REST origin (the API path, /api/v3, is added by the client). */
	rest: string;
	/** Market streams origin (`/ws`, `/stream?streams=` are added by the client). */
	ws: string;
	/** The WebSocket API. */
	wsApi: string;
}

/** Binance spot, per environment. */
export const VENUES: Readonly<Record<VenueEnvironment, VenueBases>> = {
	testnet: {
		rest: 'https://testnet.binance.vision',
		ws: 'wss://stream.testnet.binance.vision',
		wsApi: 'wss://ws-api.testnet.binance.vision/ws-api/v3',
	},
	mainnet: {
		rest: 'https://api.binance.com',
		ws: 'wss://stream.binance.com:9443',
		wsApi: 'wss://ws-api.binance.com:443/ws-api/v3',
	},
};

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Which environment a host belongs to, as far as we can tell from its name. */
export function environmentOfHost(host: string): 'mock' | 'testnet' | 'mainnet' | 'other' {
	if (loopbackHosts.has(host)) return 'mock';
	if (host.endsWith('testnet.binance.vision')) return 'testnet';
	if (
		host === 'api.binance.com' ||
		/^api\d?\.binance\.com$/.test(host) ||
		host.endsWith('stream.binance.com') ||
		host === 'ws-api.binance.com' ||
		host === 'data-api.binance.vision'
	)
		return 'mainnet';
	return 'other';
}

/** The host name of a URL; null when it is not one. */
export function hostOf(url: string): string | null {
	try {
		return new URL(url).hostname;
	} catch {
		return null;
	}
}

/** `https://api.binance.com/api/v3` → `api.binance.com:443` (default ports filled in); null when it is not a URL. */
export function authorityOf(value: string): string | null {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return null;
	}
	const secure = url.protocol === 'https:' || url.protocol === 'wss:';
	const port = url.port || (secure ? '443' : '80');
	return `${url.hostname.replace(/^\[|\]$/g, '')}:${port}`.toLowerCase();
}

/** Authorities of the stream URLs when they differ from the REST host (they do on Binance; not on the mock, where the proxy tells streams by their upgrade). */
export function streamHostsOf(restUrl: string, streamUrls: readonly string[]): string[] {
	const rest = authorityOf(restUrl);
	const hosts = new Set<string>();
	for (const value of streamUrls) {
		const host = authorityOf(value);
		if (host !== null && host !== rest) hosts.add(host);
	}
	return [...hosts];
}
