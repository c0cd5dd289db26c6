/**
 * What the fault proxy counts: connections by kind, bytes each way, what each fault kind did, and the
 * most bytes held for one direction of one connection.
 */
import type {ProxyFaultKind} from '../../faults/spec/proxy-spec.js';

export interface ProxyStats {
	connections: {
		/** Every connection accepted (tunnels, plain requests, upgrades). */
		total: number;
		open: number;
		/** Known stream connections, and the others (plaintext tunnels that carried nothing yet are neither). */
		streams: number;
		rest: number;
		tunnels: number;
		plain: number;
		upgrades: number;
		/** Targets refused (not allowed, bad request line). */
		refused: number;
		/** Targets that could not be dialed. */
		failed: number;
	};
	bytes: {up: number; down: number};
	/**
	 * Totals since the proxy started: latency → chunks delayed; stall-streams → stream connections stalled;
	 * drop-websockets → stream connections cut; reset → connections reset; blackhole → connections silenced.
	 */
	effects: Record<ProxyFaultKind, number>;
	/** The most bytes held in memory for one direction of one connection (bounded by highWaterBytes + a chunk). */
	peakQueuedBytes: number;
}

export function emptyStats(): ProxyStats {
	return {
		connections: {total: 0, open: 0, streams: 0, rest: 0, tunnels: 0, plain: 0, upgrades: 0, refused: 0, failed: 0},
		bytes: {up: 0, down: 0},
		effects: {latency: 0, 'stall-streams': 0, 'drop-websockets': 0, reset: 0, blackhole: 0},
		peakQueuedBytes: 0,
	};
}

/** A copy the caller may keep (the live counters go on changing). */
export function copyStats(stats: ProxyStats): ProxyStats {
	return {...stats, connections: {...stats.connections}, bytes: {...stats.bytes}, effects: {...stats.effects}};
}

export function noteQueued(stats: ProxyStats, bytes: number): void {
	if (bytes > stats.peakQueuedBytes) stats.peakQueuedBytes = bytes;
}
