/**
 * A local HTTP forward proxy that puts client-side faults between drydock and a venue: added latency,
 * stalled or dropped streams, connection resets and silent (blackholed) connections, each set and
 * cleared at run time. It serves `CONNECT host:port` as an opaque tunnel (https:// and wss:// go
 * through it with TLS end to end: the proxy never sees inside), and absolute-form plain HTTP requests
 * and WebSocket upgrades for http:// and ws:// targets (the embedded mock). It binds to loopback only.
 *
 * Stream connections (the ones stall-streams and drop-websockets act on) are known by their target
 * host (`setStreamHosts`, e.g. stream.binance.com:9443) or, on a plaintext connection, by a WebSocket
 * upgrade in its first request.
 *
 * This module assembles the proxy; each job is a module of source/net/proxy: listener (accept and
 * dispatch), tunnel (CONNECT), forward (plain requests), upgrade, raw-link and dial (reaching the
 * target), links (open connections), fault-table and fault-effects (the faults and what they do),
 * accounting (counters), pipe (one direction of a connection). The faults' vocabulary is
 * source/faults/spec/proxy-spec.ts.
 */
import type {ProxyFault, ProxyFaultKind} from '../faults/spec/proxy-spec.js';
import {copyStats, emptyStats, type ProxyStats} from './proxy/accounting.js';
import {FaultEffects} from './proxy/fault-effects.js';
import {FaultTable, viewFault, type ActiveProxyFault} from './proxy/fault-table.js';
import {LinkTable} from './proxy/links.js';
import {isLoopbackHost, listen} from './proxy/listener.js';
import type {ProxyState} from './proxy/proxy-state.js';

export {isLoopbackHost};
export type {ActiveProxyFault, ProxyStats};

export interface FaultProxyOptions {
	/** Bind address: a loopback address only (default 127.0.0.1); anything else is refused. */
	host?: string;
	/** Default 0: any free port. */
	port?: number;
	/** Targets (`host` or `host:port`) whose connections are streams. */
	streamHosts?: readonly string[];
	/** Refuses other targets with 403 (default: any; a runtime passes the venue's own, see targetAllowlist). */
	allowTarget?: (host: string, port: number) => boolean;
	/** Bytes queued per direction of a connection before its source is paused (default 256 KiB). */
	highWaterBytes?: number;
	/** Dialing the target gives up after this long (default 10 s). */
	connectTimeoutMs?: number;
	/** For tests: the random source of probabilities (default Math.random). */
	random?: () => number;
}

export interface FaultProxy {
	/** `http://127.0.0.1:PORT`, for ccxt's httpProxy / the tunnel agent. */
	readonly url: string;
	readonly port: number;
	/** Applies a fault (until cleared, or for `durationMs`); returns its id. */
	inject(fault: ProxyFault, durationMs?: number): string;
	/** Ends one fault by id, or every fault of a kind, or all; returns how many ended. */
	clear(which?: {id: string} | {kind: ProxyFaultKind}): number;
	active(): ActiveProxyFault[];
	/** A fault by id, active or among the last 256 ended (with what it did); null when unknown. */
	fault(id: string): ActiveProxyFault | null;
	stats(): ProxyStats;
	/** Replaces the set of stream targets (`host` or `host:port`). */
	setStreamHosts(hosts: readonly string[]): void;
	/** Closes the listener and every connection. */
	close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<FaultProxy> {
	const host = options.host ?? '127.0.0.1';
	// It forwards to whatever it is asked: reachable beyond this machine it would be a relay for anyone.
	if (!isLoopbackHost(host))
		throw new RangeError(`fault proxy: host "${host}" is not a loopback address (use 127.0.0.1 or ::1)`);
	let streamHosts = new Set((options.streamHosts ?? []).map(h => h.toLowerCase()));
	let closing = false;
	const stats = emptyStats();
	const links = new LinkTable(stats);
	const faults = new FaultTable(stats, entry => {
		links.release(entry.id);
		// Released after the current tick so a caller's clear() returns before data flows again.
		setImmediate(() => links.kickAll());
	});
	const effects = new FaultEffects(faults, links, stats, options.random ?? Math.random);
	const state: ProxyState = {
		stats,
		links,
		faults,
		effects,
		highWater: options.highWaterBytes ?? 256 * 1024,
		connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
		allow: options.allowTarget ?? (() => true),
		isStreamHost: (h, p) => streamHosts.has(h.toLowerCase()) || streamHosts.has(`${h.toLowerCase()}:${p}`),
		closing: () => closing,
	};
	const listening = await listen(state, host, options.port ?? 0);

	return {
		url: listening.url,
		port: listening.port,
		inject(fault, durationMs) {
			if (durationMs !== undefined && (!Number.isFinite(durationMs) || durationMs <= 0))
				throw new RangeError('durationMs must be a positive number of milliseconds');
			// A one-shot drop has nothing to keep doing afterwards.
			const entry = faults.add(fault, durationMs, fault.kind !== 'drop-websockets' || durationMs !== undefined);
			for (const link of links.all()) effects.judge(link, entry);
			faults.settle(entry);
			return entry.id;
		},
		clear: which => faults.clear(which),
		active: () => faults.active().map(viewFault),
		fault(id) {
			const entry = faults.find(id);
			return entry ? viewFault(entry) : null;
		},
		stats: () => copyStats(stats),
		setStreamHosts(hosts) {
			streamHosts = new Set(hosts.map(h => h.toLowerCase()));
		},
		async close() {
			if (closing) return;
			closing = true;
			faults.dropAll();
			for (const link of links.all()) links.destroy(link, false);
			await new Promise<void>(resolve => {
				listening.server.close(() => resolve());
				listening.server.closeAllConnections();
			});
		},
	};
}
