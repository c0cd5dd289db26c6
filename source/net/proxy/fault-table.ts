/**
 * The proxy's faults: the active ones (set, timed, cleared) and the last 256 ended, with what each did.
 * Applying them to connections is fault-effects.ts.
 */
import type {ProxyFault} from '../../faults/spec/proxy-spec.js';
import type {ProxyStats} from './accounting.js';

export interface ActiveProxyFault {
	id: string;
	fault: ProxyFault;
	startedAt: number;
	/** null: until cleared. */
	expiresAt: number | null;
	/** What it did so far (see ProxyStats.effects for the unit per kind). */
	effects: number;
}

export interface FaultEntry extends ActiveProxyFault {
	timer: NodeJS.Timeout | null;
}

export class FaultTable {
	private entries: FaultEntry[] = [];
	/** Ended faults, oldest first, for find(id) (the chaos report asks after a fault has ended). */
	private readonly ended = new Map<string, FaultEntry>();
	private nextFault = 1;

	constructor(
		private readonly stats: ProxyStats,
		/** Told when a fault ends (its links are released). */
		private readonly onEnded: (entry: FaultEntry) => void,
	) {}

	/** True when no fault is set (the cheap test before active()). */
	get empty(): boolean {
		return this.entries.length === 0;
	}

	/** The faults in force now (ones whose time ran out are ended here too: this covers a busy event loop). */
	active(): FaultEntry[] {
		const now = Date.now();
		if (this.entries.some(e => e.expiresAt !== null && e.expiresAt <= now))
			for (const e of this.entries.filter(e => e.expiresAt !== null && e.expiresAt <= now)) this.remove(e);
		return this.entries;
	}

	/** A new fault, in force until cleared or for `durationMs`; `keep` false: one-shot (recorded as ended at once by settle). */
	add(fault: ProxyFault, durationMs: number | undefined, keep: boolean): FaultEntry {
		const now = Date.now();
		const entry: FaultEntry = {
			id: `p${this.nextFault++}`,
			fault: {...fault},
			startedAt: now,
			expiresAt: durationMs === undefined ? null : now + durationMs,
			effects: 0,
			timer: null,
		};
		if (durationMs !== undefined) {
			entry.timer = setTimeout(() => this.remove(entry), durationMs);
			entry.timer.unref();
		}
		if (keep) this.entries.push(entry);
		return entry;
	}

	/** After a fault's first application: a one-shot one (or one that ended meanwhile) is kept among the ended. */
	settle(entry: FaultEntry): void {
		if (!this.entries.includes(entry)) this.remember(entry);
	}

	/** Counts what a fault did. */
	effect(entry: FaultEntry, n = 1): void {
		entry.effects += n;
		this.stats.effects[entry.fault.kind] += n;
	}

	remove(entry: FaultEntry): void {
		if (!this.entries.includes(entry)) return;
		if (entry.timer) clearTimeout(entry.timer);
		this.entries = this.entries.filter(e => e !== entry);
		this.remember(entry);
		this.onEnded(entry);
	}

	/** Ends the faults `which` picks (all when absent); returns how many ended. */
	clear(which?: {id: string} | {kind: ProxyFault['kind']}): number {
		const doomed = this.entries.filter(e =>
			which === undefined ? true : 'id' in which ? e.id === which.id : e.fault.kind === which.kind,
		);
		for (const e of doomed) this.remove(e);
		return doomed.length;
	}

	/** A fault by id, active or among the last 256 ended. */
	find(id: string): FaultEntry | undefined {
		return this.entries.find(e => e.id === id) ?? this.ended.get(id);
	}

	/** At close: every timer stopped, nothing recorded or released (every link is going anyway). */
	dropAll(): void {
		for (const e of this.entries) if (e.timer) clearTimeout(e.timer);
		this.entries = [];
	}

	private remember(entry: FaultEntry): void {
		this.ended.set(entry.id, entry);
		if (this.ended.size > 256) this.ended.delete(this.ended.keys().next().value!);
	}
}

export function viewFault({timer: _timer, ...entry}: FaultEntry): ActiveProxyFault {
	return {...entry, fault: {...entry.fault}};
}
