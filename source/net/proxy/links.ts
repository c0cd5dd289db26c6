/**
 * The proxy's open connections ("links": a CONNECT tunnel, a plain request, or an upgrade), each with
 * what the faults need to know of it, and their lifecycle: open, classify (stream or REST), forget,
 * destroy (optionally with a TCP reset). Connection counts are kept here.
 */
import type {Duplex} from 'node:stream';
import type {ProxyStats} from './accounting.js';
import type {Pipe} from './pipe.js';
import {RequestBursts} from './request-bursts.js';

export type LinkKind = 'tunnel' | 'plain' | 'upgrade';

export interface Link {
	id: number;
	kind: LinkKind;
	host: string;
	port: number;
	/** null until known (a plaintext tunnel before its first request). */
	stream: boolean | null;
	client: Duplex;
	upstream: {destroy(): unknown} | null;
	pipes: Pipe[];
	/** Fault ids this link was judged under (reset/blackhole per connection, stall counted once). */
	judged: Set<string>;
	/** Blackhole faults that silenced it. */
	silencedBy: Set<string>;
	/** Where its requests start (a reset rolls once per request, not per chunk or TLS handshake flight). */
	bursts: RequestBursts;
	closed: boolean;
}

export class LinkTable {
	private readonly links = new Set<Link>();
	private nextLink = 1;

	constructor(private readonly stats: ProxyStats) {}

	open(kind: LinkKind, client: Duplex, targetHost: string, targetPort: number): Link {
		const link: Link = {
			id: this.nextLink++,
			kind,
			host: targetHost,
			port: targetPort,
			stream: null,
			client,
			upstream: null,
			pipes: [],
			judged: new Set(),
			silencedBy: new Set(),
			bursts: new RequestBursts(),
			closed: false,
		};
		this.links.add(link);
		const counts = this.stats.connections;
		counts.total++;
		counts.open++;
		if (kind === 'tunnel') counts.tunnels++;
		else if (kind === 'plain') counts.plain++;
		else counts.upgrades++;
		// A plain request shares its client socket with the requests after it: its response's close ends it.
		if (kind !== 'plain') {
			client.on('error', () => this.destroy(link, false));
			client.on('close', () => this.destroy(link, false));
		}
		return link;
	}

	/** Every open link (a copy: judging one may destroy it). */
	all(): Link[] {
		return [...this.links];
	}

	classify(link: Link, stream: boolean): void {
		if (link.stream !== null) return;
		link.stream = stream;
		if (stream) this.stats.connections.streams++;
		else this.stats.connections.rest++;
	}

	/** Marks a link gone (idempotent); true the first time. */
	forget(link: Link): boolean {
		if (link.closed) return false;
		link.closed = true;
		this.links.delete(link);
		this.stats.connections.open--;
		for (const pipe of link.pipes) pipe.close();
		return true;
	}

	destroy(link: Link, reset: boolean): void {
		if (!this.forget(link)) return;
		const client = link.client as Duplex & {resetAndDestroy?: () => void};
		if (reset && typeof client.resetAndDestroy === 'function' && !client.destroyed) client.resetAndDestroy();
		else client.destroy();
		link.upstream?.destroy();
	}

	/** A fault ended: no link stays silenced or judged under it, and held data may flow again. */
	release(faultId: string): void {
		for (const link of this.links) {
			link.silencedBy.delete(faultId);
			link.judged.delete(faultId);
		}
	}

	/** Wakes every pipe (held data is written if nothing holds it any longer). */
	kickAll(): void {
		for (const link of this.links) for (const pipe of link.pipes) pipe.kick();
	}
}
