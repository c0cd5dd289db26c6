/** What the proxy's request handlers share: its counters, links, faults and their effects, and its settings. */
import type {ProxyStats} from './accounting.js';
import type {FaultEffects} from './fault-effects.js';
import type {FaultTable} from './fault-table.js';
import type {LinkTable} from './links.js';

export interface ProxyState {
	readonly stats: ProxyStats;
	readonly links: LinkTable;
	readonly faults: FaultTable;
	readonly effects: FaultEffects;
	/** Bytes queued per direction of a connection before its source is paused. */
	readonly highWater: number;
	readonly connectTimeoutMs: number;
	allow(host: string, port: number): boolean;
	/** Whether a target (`host` or `host:port`) is one of the stream hosts. */
	isStreamHost(host: string, port: number): boolean;
	/** True once close() began: new requests are refused. */
	closing(): boolean;
}
