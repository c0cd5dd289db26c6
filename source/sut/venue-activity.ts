/**
 * Follows the SUT's activity on the venue: polls the admin API with `since`, keeps the latest totals,
 * the drops and their resubscriptions, and feeds order events to the operations tally. Bounded: totals
 * are replaced, drops kept up to a cap, events are folded and not stored. A failed poll is remembered
 * (the console shows it) and the next poll carries on from the same `since`.
 */
import type {VenueActivity, VenueError, VenueEvent, VenueResult, VenueView} from './venue-view.js';

export interface DropRecord {
	dropId: string;
	at: number;
	kind: string;
	streams: string[];
	/** ms from the drop until the SUT held the same subscriptions again; null while pending. */
	resubscribedAfterMs: number | null;
}

export type ActivityTotals = Omit<VenueActivity, 'events'>;

export interface ActivityFollowerOptions {
	/** Every folded event (e.g. a VenueOperationsTally's add, the console's event log). */
	onEvent?: (event: VenueEvent) => void;
	/** Drops kept (default 1000; the oldest go first). */
	maxDrops?: number;
	/** True while drydock had a fault injected at `at`: a 429 then is drydock's doing, not the SUT's. */
	duringFault?: (at: number) => boolean;
}

export class ActivityFollower {
	private since: number | undefined;
	private totals: ActivityTotals | null = null;
	private readonly dropMap = new Map<string, DropRecord>();
	private missed = 0;
	private rateLimitedOutside = 0;
	private errorValue: VenueError | null = null;
	private failures = 0;
	private timer: NodeJS.Timeout | null = null;
	private polling: Promise<unknown> | null = null;

	constructor(
		private readonly view: VenueView,
		readonly clientId: string,
		private readonly options: ActivityFollowerOptions = {},
	) {}

	/** One poll; folds the new events. */
	async poll(): Promise<VenueResult<ActivityTotals>> {
		const result = await this.view.activity(this.clientId, this.since);
		if (!result.ok) {
			this.errorValue = result.error;
			this.failures++;
			return result;
		}
		this.errorValue = null;
		this.failures = 0;
		const {events, ...totals} = result.value;
		const first = events[0];
		// The venue keeps a bounded ring: a gap between our last seq and its first means events were lost.
		if (this.since !== undefined && first && first.seq > this.since + 1) this.missed += first.seq - this.since - 1;
		for (const event of events) this.fold(event);
		this.totals = totals;
		this.since = Math.max(this.since ?? 0, totals.seq, events.at(-1)?.seq ?? 0);
		return {ok: true, value: totals};
	}

	start(intervalMs = 1_000): void {
		if (this.timer) return;
		this.timer = setInterval(() => {
			if (this.polling) return;
			this.polling = this.poll().finally(() => (this.polling = null));
		}, intervalMs);
		this.timer.unref();
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		await this.polling;
	}

	/** The latest totals (null before the first successful poll). */
	get latest(): ActivityTotals | null {
		return this.totals;
	}

	/** The last poll's error while the venue is unreachable; null once a poll succeeds. */
	get error(): VenueError | null {
		return this.errorValue;
	}

	get consecutiveFailures(): number {
		return this.failures;
	}

	/** Events the venue's ring dropped before drydock read them. */
	get missedEvents(): number {
		return this.missed;
	}

	/** `rate-limited` (429) events seen outside injected faults (only those read, see missedEvents). */
	get rateLimitedOutsideFaults(): number {
		return this.rateLimitedOutside;
	}

	drops(): DropRecord[] {
		return [...this.dropMap.values()];
	}

	private fold(event: VenueEvent): void {
		if (event.type === 'drop') {
			this.dropMap.set(event.dropId, {
				dropId: event.dropId,
				at: event.at,
				kind: event.kind,
				streams: event.streams,
				resubscribedAfterMs: null,
			});
			const max = this.options.maxDrops ?? 1_000;
			while (this.dropMap.size > max) this.dropMap.delete(this.dropMap.keys().next().value!);
		} else if (event.type === 'resubscribed') {
			const drop = this.dropMap.get(event.dropId);
			if (drop) drop.resubscribedAfterMs = event.afterMs;
		} else if (event.type === 'other' && event.name === 'rate-limited' && !this.options.duringFault?.(event.at))
			this.rateLimitedOutside++;
		this.options.onEvent?.(event);
	}
}
