import type {StreamSpec} from './stream-names.js';

/** A connection as the hub sees it: whether it wants `{stream,data}` wrapping, and where frames go. */
export interface StreamSubscriber {
	readonly combined: boolean;
	/** Sends one prepared text frame (the same Buffer goes to every subscriber of a stream). */
	deliver(frame: Buffer): void;
	/**
	 * Sends one text frame given as `head + body + tail` without building it first: the hub uses this when
	 * a stream has one subscriber, so the text is encoded once, straight into that connection's write.
	 */
	deliverText?(body: string, head?: string, tail?: string): void;
	/** Bytes queued and not yet written to the socket. */
	backlog?(): number;
}

export interface StreamEntry {
	readonly spec: StreamSpec;
	readonly subscribers: Set<StreamSubscriber>;
	/** `{"stream":"<name>","data":` — the combined wrapper's head, built once per stream. */
	readonly combinedPrefix: string;
}

export interface StreamHubHooks {
	/** True while pushes must be dropped (stall-streams fault). */
	stalled(): boolean;
	streamAdded?(entry: StreamEntry): void;
	streamRemoved?(entry: StreamEntry): void;
}

/**
 * Who listens to which stream, and the fan-out: each event is serialized once per stream (and wrapped
 * once for combined subscribers) and the same Buffer is written to every subscriber.
 */
export class StreamHub {
	private readonly streams = new Map<string, StreamEntry>();

	constructor(private readonly hooks: StreamHubHooks) {}

	has(name: string): boolean {
		return this.streams.has(name);
	}

	entries(): IterableIterator<StreamEntry> {
		return this.streams.values();
	}

	get size(): number {
		return this.streams.size;
	}

	add(spec: StreamSpec, subscriber: StreamSubscriber): void {
		let entry = this.streams.get(spec.name);
		if (!entry) {
			entry = {spec, subscribers: new Set(), combinedPrefix: `{"stream":${JSON.stringify(spec.name)},"data":`};
			this.streams.set(spec.name, entry);
			entry.subscribers.add(subscriber);
			this.hooks.streamAdded?.(entry);
			return;
		}
		entry.subscribers.add(subscriber);
	}

	remove(name: string, subscriber: StreamSubscriber): void {
		const entry = this.streams.get(name);
		if (!entry) return;
		entry.subscribers.delete(subscriber);
		if (entry.subscribers.size === 0) {
			this.streams.delete(name);
			this.hooks.streamRemoved?.(entry);
		}
	}

	/** Pushes one event to every subscriber of `name`; a no-op when nobody listens or streams are stalled. */
	publish(name: string, payload: unknown): void {
		const entry = this.streams.get(name);
		if (!entry) return;
		this.publishTo(entry, payload);
	}

	publishTo(entry: StreamEntry, payload: unknown): void {
		if (entry.subscribers.size === 0 || this.hooks.stalled()) return;
		this.deliverJson(entry, JSON.stringify(payload));
	}

	/** Pushes an event that is already JSON text (a replayed frame), so it is not parsed and re-serialized. */
	publishRaw(name: string, json: string): void {
		const entry = this.streams.get(name);
		if (!entry || entry.subscribers.size === 0 || this.hooks.stalled()) return;
		this.deliverJson(entry, json);
	}

	/** The largest backlog of any subscriber. */
	backlog(): number {
		let most = 0;
		for (const entry of this.streams.values())
			for (const subscriber of entry.subscribers) most = Math.max(most, subscriber.backlog?.() ?? 0);
		return most;
	}

	private deliverJson(entry: StreamEntry, json: string): void {
		if (entry.subscribers.size === 1) {
			const [only] = entry.subscribers;
			if (only!.deliverText) {
				if (only!.combined) only!.deliverText(json, entry.combinedPrefix, '}');
				else only!.deliverText(json);
				return;
			}
		}
		let raw: Buffer | undefined;
		let combined: Buffer | undefined;
		for (const subscriber of entry.subscribers) {
			if (subscriber.combined) {
				combined ??= Buffer.from(`${entry.combinedPrefix}${json}}`);
				subscriber.deliver(combined);
			} else {
				raw ??= Buffer.from(json);
				subscriber.deliver(raw);
			}
		}
	}
}
