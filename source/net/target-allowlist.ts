/**
 * The targets a fault proxy may dial, as `host:port` authorities taken from the venue's URLs, so the
 * proxy (on loopback, but reachable by every local process) is not an open relay to any host.
 */

export interface TargetAllowlist {
	/** For FaultProxyOptions.allowTarget. */
	allow(host: string, port: number): boolean;
	/** Adds the authorities of more URLs (ones that do not parse are skipped). */
	add(urls: readonly string[]): void;
	/** The allowed `host:port` authorities, for messages and tests. */
	list(): string[];
}

/** `https://api.binance.com/api/v3` → `api.binance.com:443`; null when it is not a URL. */
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

export function targetAllowlist(urls: readonly string[] = []): TargetAllowlist {
	const allowed = new Set<string>();
	const add = (values: readonly string[]) => {
		for (const value of values) {
			const authority = authorityOf(value);
			if (authority !== null) allowed.add(authority);
		}
	};
	add(urls);
	return {
		allow: (host, port) => allowed.has(`${host.replace(/^\[|\]$/g, '')}:${port}`.toLowerCase()),
		add,
		list: () => [...allowed],
	};
}
