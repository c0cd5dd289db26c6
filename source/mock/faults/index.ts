/**
 * How the mock obeys faults. What a fault is (its kinds, parameters and their validation) is the shared
 * fault vocabulary's leaf, source/faults/spec/mock-spec.ts, re-exported here for the mock's admin API.
 */
import type {StreamFaults, Unsubscribe} from '../contracts.js';
import type {FaultName, FaultSpec} from '../../faults/spec/mock-spec.js';

export {
	FAULT_NAMES,
	parseMockFaultSpec as parseFaultSpec,
	type FaultName,
	type FaultParams,
	type FaultSpec,
	type ParseResult,
} from '../../faults/spec/mock-spec.js';

export interface ActiveFault {
	id: string;
	fault: FaultName;
	params: Record<string, unknown>;
	startedAt: number;
	/** null: until cleared. */
	expiresAt: number | null;
}

interface Entry extends ActiveFault {
	spec: FaultSpec;
	timer?: NodeJS.Timeout;
}

/**
 * The mock's fault switchboard. The REST path asks it per request (cheap when nothing is active),
 * the market and the WebSocket layer obey it. Faults end when cleared, removed or their duration
 * runs out.
 */
export class FaultController implements StreamFaults {
	private entries: Entry[] = [];
	private nextId = 1;
	private readonly dropListeners = new Set<() => void>();
	private readonly changeListeners = new Set<() => void>();

	/** Adds a fault; returns it as listed by GET {admin}/faults. */
	inject(spec: FaultSpec): ActiveFault {
		const now = Date.now();
		const entry: Entry = {
			id: `f${this.nextId++}`,
			fault: spec.fault,
			params: {...(spec.params ?? {})},
			startedAt: now,
			expiresAt: spec.durationMs === undefined ? null : now + spec.durationMs,
			spec,
		};
		if (spec.fault === 'drop-websockets') {
			this.fireDrop();
			// One-shot unless it has a duration: then new connections keep being dropped until it ends.
			if (spec.durationMs === undefined) return this.view(entry);
			entry.timer = setInterval(() => this.fireDrop(), 200);
			entry.timer.unref();
			setTimeout(() => this.remove(entry.id), spec.durationMs).unref();
		} else if (spec.durationMs !== undefined) {
			entry.timer = setTimeout(() => this.remove(entry.id), spec.durationMs);
			entry.timer.unref();
		}
		this.entries.push(entry);
		this.changed();
		return this.view(entry);
	}

	remove(id: string): boolean {
		const entry = this.entries.find(e => e.id === id);
		if (!entry) return false;
		if (entry.timer) clearTimeout(entry.timer);
		this.entries = this.entries.filter(e => e !== entry);
		this.changed();
		return true;
	}

	clear(): number {
		const n = this.entries.length;
		for (const e of this.entries) if (e.timer) clearTimeout(e.timer);
		this.entries = [];
		if (n > 0) this.changed();
		return n;
	}

	list(): ActiveFault[] {
		return this.active().map(e => this.view(e));
	}

	/** Added delay for a request, in ms (0 when no latency fault matches). */
	latencyFor(method: string, path: string): number {
		if (this.entries.length === 0) return 0;
		let ms = 0;
		for (const e of this.active()) {
			if (e.spec.fault !== 'latency' || !routeMatches(e.spec.params.route, method, path)) continue;
			ms += e.spec.params.ms + Math.random() * (e.spec.params.jitterMs ?? 0);
		}
		return ms;
	}

	/** The 5xx status to answer with, if an error-rate fault fires for this request. */
	errorFor(method: string, path: string): number | undefined {
		if (this.entries.length === 0) return undefined;
		for (const e of this.active()) {
			if (e.spec.fault !== 'error-rate' || !routeMatches(e.spec.params.route, method, path)) continue;
			if (Math.random() < e.spec.params.probability) return e.spec.params.status ?? 503;
		}
		return undefined;
	}

	/** Retry-After seconds when a rate-limit storm forces this request to 429. */
	stormRetryAfter(): number | undefined {
		if (this.entries.length === 0) return undefined;
		for (const e of this.active()) {
			if (e.spec.fault !== 'rate-limit-storm') continue;
			if (Math.random() < (e.spec.params.probability ?? 1)) return e.spec.params.retryAfterSec ?? 1;
		}
		return undefined;
	}

	clockSkewMs(): number {
		if (this.entries.length === 0) return 0;
		let ms = 0;
		for (const e of this.active()) if (e.spec.fault === 'clock-skew') ms += e.spec.params.ms;
		return ms;
	}

	marketPaused(): boolean {
		return this.has('pause-market');
	}

	streamsStalled(): boolean {
		return this.has('stall-streams');
	}

	onDropWebSockets(listener: () => void): Unsubscribe {
		this.dropListeners.add(listener);
		return () => this.dropListeners.delete(listener);
	}

	/** Called whenever the set of active faults changes (the market watches pause-market through it). */
	onChange(listener: () => void): Unsubscribe {
		this.changeListeners.add(listener);
		return () => this.changeListeners.delete(listener);
	}

	private has(name: FaultName): boolean {
		if (this.entries.length === 0) return false;
		return this.active().some(e => e.fault === name);
	}

	/** Entries whose time has not run out (timers remove them too; this covers a busy event loop). */
	private active(): Entry[] {
		const now = Date.now();
		if (this.entries.some(e => e.expiresAt !== null && e.expiresAt <= now)) {
			for (const e of this.entries) if (e.expiresAt !== null && e.expiresAt <= now && e.timer) clearTimeout(e.timer);
			this.entries = this.entries.filter(e => e.expiresAt === null || e.expiresAt > now);
			this.changed();
		}
		return this.entries;
	}

	private view(e: Entry): ActiveFault {
		return {id: e.id, fault: e.fault, params: e.params, startedAt: e.startedAt, expiresAt: e.expiresAt};
	}

	private fireDrop(): void {
		for (const listener of this.dropListeners) {
			try {
				listener();
			} catch {
				// One broken listener must not keep the others from dropping their sockets.
			}
		}
	}

	private changed(): void {
		for (const listener of this.changeListeners) listener();
	}
}

function routeMatches(route: string | undefined, method: string, path: string): boolean {
	if (route === undefined) return true;
	const space = route.indexOf(' ');
	let target = route;
	if (space > 0) {
		if (route.slice(0, space).toUpperCase() !== method) return false;
		target = route.slice(space + 1);
	}
	return target.endsWith('*') ? path.startsWith(target.slice(0, -1)) : path === target;
}
