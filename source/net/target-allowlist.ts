/**
 * The targets a fault proxy may dial, as `host:port` authorities taken from the venue's URLs, so the
 * proxy (on loopback, but reachable by every local process) is not an open relay to any host.
 */
import {authorityOf} from '../exchange/venues.js';

export interface TargetAllowlist {
	/** For FaultProxyOptions.allowTarget. */
	allow(host: string, port: number): boolean;
	/** Adds the authorities of more URLs (ones that do not parse are skipped). */
	add(urls: readonly string[]): void;
	/** The allowed `host:port` authorities, for messages and tests. */
	list(): string[];
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
