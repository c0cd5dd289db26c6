/**
 * Fault application: what the active faults do to a connection and to each chunk it carries — latency
 * per chunk, streams held (stall) or cut (drop), connections reset (per request on REST, once on a
 * stream) or silenced (blackhole). Also where a plaintext tunnel is told to be a stream or REST, by its
 * first request.
 */
import {inScope} from '../../faults/spec/proxy-spec.js';
import {noteQueued, type ProxyStats} from './accounting.js';
import type {FaultEntry, FaultTable} from './fault-table.js';
import {requestLine, wsUpgrade} from './http-forms.js';
import type {Link, LinkTable} from './links.js';
import type {PipeHooks} from './pipe.js';

export class FaultEffects {
	constructor(
		private readonly faults: FaultTable,
		private readonly links: LinkTable,
		private readonly stats: ProxyStats,
		private readonly random: () => number,
	) {}

	/** True while nothing may be forwarded on this link. */
	held(link: Link): boolean {
		if (link.closed) return true;
		if (link.silencedBy.size > 0) return true;
		if (link.stream !== true || this.faults.empty) return false;
		return this.faults.active().some(e => e.fault.kind === 'stall-streams');
	}

	/** The added delay for a chunk arriving now. */
	delayMs(): number {
		if (this.faults.empty) return 0;
		let ms = 0;
		for (const e of this.faults.active()) {
			if (e.fault.kind !== 'latency') continue;
			ms += e.fault.ms + this.random() * (e.fault.jitterMs ?? 0);
			this.faults.effect(e);
		}
		return ms;
	}

	/** Connection-level faults for a link that just became known (or for every link when a fault starts). */
	judge(link: Link, only?: FaultEntry): void {
		if (link.closed || link.stream === null) return;
		for (const e of only ? [only] : [...this.faults.active()]) {
			if (link.closed) return;
			if (link.judged.has(e.id)) continue;
			const {fault} = e;
			switch (fault.kind) {
				case 'drop-websockets':
					if (!link.stream) continue;
					link.judged.add(e.id);
					this.faults.effect(e);
					this.links.destroy(link, false);
					return;
				case 'stall-streams':
					if (!link.stream) continue;
					link.judged.add(e.id);
					this.faults.effect(e);
					continue;
				case 'reset':
					// REST is judged per request (in `acceptUp`); a stream once, as it starts or is found.
					if (!link.stream || !inScope(fault.scope, link.stream)) continue;
					link.judged.add(e.id);
					if (this.random() < fault.probability) {
						this.faults.effect(e);
						this.links.destroy(link, true);
						return;
					}
					continue;
				case 'blackhole':
					if (!inScope(fault.scope, link.stream)) continue;
					link.judged.add(e.id);
					if (this.random() < (fault.probability ?? 1)) {
						link.silencedBy.add(e.id);
						this.faults.effect(e);
					}
					continue;
				case 'latency':
					continue;
			}
		}
	}

	/** A link whose kind is known from the start: classified and judged; false when a fault cut it. */
	admit(link: Link, stream: boolean): boolean {
		this.links.classify(link, stream);
		this.judge(link);
		return !link.closed;
	}

	/** A REST request going out: reset it (and its connection) with the reset fault's probability. */
	resetRequest(link: Link): boolean {
		if (this.faults.empty) return false;
		for (const e of this.faults.active()) {
			if (e.fault.kind !== 'reset' || !inScope(e.fault.scope, false)) continue;
			if (this.random() < e.fault.probability) {
				this.faults.effect(e);
				this.links.destroy(link, true);
				return true;
			}
		}
		return false;
	}

	/** The hooks of one direction of a link's pipe: byte counts, classification, and every fault above. */
	hooks(link: Link, direction: 'up' | 'down', onEnd: () => void): PipeHooks {
		return {
			accept: (chunk: Buffer) => {
				if (link.closed) return false;
				if (direction === 'up') return this.acceptUp(link, chunk);
				this.stats.bytes.down += chunk.length;
				if (link.stream !== true) link.bursts.down(chunk);
				return true;
			},
			delayMs: () => this.delayMs(),
			held: () => this.held(link),
			ended: onEnd,
			queued: (bytes: number) => noteQueued(this.stats, bytes),
		};
	}

	/** Per chunk from the client: classify a plaintext tunnel, and reset REST requests (once per request). */
	private acceptUp(link: Link, chunk: Buffer): boolean {
		this.stats.bytes.up += chunk.length;
		if (link.stream === null) {
			const text = chunk.subarray(0, 4096).toString('latin1');
			const headEnd = text.indexOf('\r\n\r\n');
			this.links.classify(link, requestLine.test(text) && wsUpgrade.test(headEnd < 0 ? text : text.slice(0, headEnd)));
			this.judge(link);
			if (link.closed) return false;
		}
		// A plain link is one request, judged as it arrived (its body chunks are not new requests).
		if (link.stream === true || link.kind === 'plain') return true;
		return !link.bursts.up(chunk) || !this.resetRequest(link);
	}
}
