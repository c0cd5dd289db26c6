/** One noteworthy thing a client did or had done to it, as GET /__drydock/clients/:id/activity lists it. */
export type ActivityEventType =
	| 'request-error'
	| 'rate-limited'
	| 'banned'
	| 'retry-after-violation'
	| 'order'
	| 'drop'
	| 'resubscribed'
	| 'connect'
	| 'disconnect';

export interface ActivityEvent {
	seq: number;
	at: number;
	type: ActivityEventType;
	[field: string]: unknown;
}

/** The last `capacity` events by sequence number; a reader pages on with `since`. */
export class ActivityRing {
	private readonly slots: Array<ActivityEvent | undefined>;
	private last = 0;

	constructor(readonly capacity = 10_000) {
		this.slots = new Array<ActivityEvent | undefined>(capacity);
	}

	get seq(): number {
		return this.last;
	}

	push(at: number, type: ActivityEventType, fields: Record<string, unknown>): void {
		const seq = ++this.last;
		// The event's own fields last: a payload field can never pass for seq, at or type.
		this.slots[seq % this.capacity] = {...fields, seq, at, type};
	}

	/** Events with seq > since, oldest first (those pushed out of the ring are gone). */
	since(since: number): ActivityEvent[] {
		const from = Math.max(since + 1, this.last - this.capacity + 1, 1);
		const out: ActivityEvent[] = [];
		for (let seq = from; seq <= this.last; seq++) {
			const event = this.slots[seq % this.capacity];
			if (event) out.push(event);
		}
		return out;
	}
}
