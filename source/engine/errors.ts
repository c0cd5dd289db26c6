/**
 * The error log: errors grouped by kind + normalised message (numbers, ids and hex collapsed), with
 * counts and first/last seen. Bounded: past `maxGroups` the least recently seen group is dropped.
 */
import type {ErrorInput} from './phase-definition.js';
import type {PhaseId} from './phase-ids.js';
import type {ErrorGroup} from './snapshot.js';

/** `order 12345 rejected after 230ms` → `order # rejected after #ms`; quoted values → "…". */
export function normaliseMessage(message: string): string {
	return message
		.replace(/"[^"]{0,200}"/g, '"…"')
		.replace(/\b0x[0-9a-f]+\b/gi, '#')
		.replace(/\b[0-9a-f]{16,}\b/gi, '#')
		.replace(/\d+(\.\d+)?/g, '#')
		.replace(/\s+/g, ' ')
		.trim()
		.slice(0, 300);
}

export class ErrorLog {
	private groups = new Map<string, ErrorGroup>();
	total = 0;
	critical = 0;

	constructor(private readonly maxGroups = 200) {}

	/** `injected`: recorded while drydock had a fault injected on purpose (counted apart so a report can show real errors alone). */
	add(
		input: ErrorInput,
		phase: PhaseId | null,
		at: number,
		mask: (text: string) => string = t => t,
		injected = false,
	): ErrorGroup {
		this.total++;
		if (input.critical) this.critical++;
		const message = mask(String(input.message ?? '')).slice(0, 500);
		const key = `${input.kind}|${normaliseMessage(message)}`;
		const existing = this.groups.get(key);
		let group: ErrorGroup;
		if (existing) {
			group = {
				...existing,
				count: existing.count + 1,
				lastSeen: at,
				message,
				phase: phase ?? existing.phase,
				critical: existing.critical || Boolean(input.critical),
				...(injected || existing.injected ? {injected: (existing.injected ?? 0) + (injected ? 1 : 0)} : {}),
			};
			this.groups.delete(key);
		} else {
			group = {
				key,
				kind: input.kind,
				message,
				phase,
				count: 1,
				firstSeen: at,
				lastSeen: at,
				critical: Boolean(input.critical),
				...(injected ? {injected: 1} : {}),
			};
			if (this.groups.size >= this.maxGroups) {
				const oldest = this.groups.keys().next();
				if (!oldest.done) this.groups.delete(oldest.value);
			}
		}
		// Map keeps insertion order: re-inserting keeps it ordered by last seen.
		this.groups.set(key, group);
		return group;
	}

	/** Restores a group from an earlier segment of the same run (resume). */
	seed(group: Omit<ErrorGroup, 'key'>): void {
		const key = `${group.kind}|${normaliseMessage(group.message)}`;
		const existing = this.groups.get(key);
		this.total += group.count;
		if (group.critical) this.critical += group.count;
		this.groups.set(
			key,
			existing
				? {...existing, count: existing.count + group.count, critical: existing.critical || group.critical}
				: {...group, key},
		);
	}

	/** Newest first, at most `limit`. */
	list(limit = 100): ErrorGroup[] {
		const all = [...this.groups.values()];
		const out: ErrorGroup[] = [];
		for (let i = all.length - 1; i >= 0 && out.length < limit; i--) out.push(all[i]!);
		return out;
	}

	reset(): void {
		this.groups.clear();
		this.total = 0;
		this.critical = 0;
	}
}
