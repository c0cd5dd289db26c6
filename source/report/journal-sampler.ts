/**
 * Keeps events.ndjson bounded on long, fast soaks: each second, the first `perSecond` successful
 * operations of a phase are journalled one line each; the rest of that second are summed into one
 * `operation-batch` line (exact count, exact avg/min/max, HDR histogram) written when the second ends.
 * Failed operations are always written whole (their errors are the record). Order and position events
 * (counters) are summed per second, phase and kind into one line each. Counts and histograms
 * replayed from the journal (`report --recover`) stay exact; only per-operation detail is sampled.
 */
import type {EngineEvent} from '../engine/events.js';
import type {PhaseId} from '../engine/phase-ids.js';
import {LatencyRecorder} from '../engine/latency.js';

/** Successful operations journalled one by one per second and phase; 24 h at 150/s then stays ≈ 0.3 GB. */
export const DEFAULT_SAMPLED_PER_SECOND = 10;

interface Pending {
	second: number;
	phase: PhaseId | null;
	lastAt: number;
	latency: LatencyRecorder;
}

export class JournalSampler {
	private second = -1;
	private written = new Map<PhaseId | null, number>();
	private pending = new Map<PhaseId | null, Pending>();
	/** Order/position counters of this second, by type, phase and kind. */
	private counters = new Map<string, Extract<EngineEvent, {type: 'order' | 'position'}>>();

	constructor(
		private readonly write: (event: EngineEvent) => void,
		private readonly perSecond = DEFAULT_SAMPLED_PER_SECOND,
	) {}

	/** Journals `event`, or folds it into the second's batch. */
	append(event: EngineEvent): void {
		const second = Math.floor(event.at / 1000);
		if (second !== this.second) {
			this.flush();
			this.written.clear();
			this.second = second;
		}
		if (event.type === 'order' || event.type === 'position') {
			const key = `${event.type}|${event.phase}|${event.event}`;
			const held = this.counters.get(key);
			if (held) this.counters.set(key, {...held, at: event.at, count: held.count + event.count});
			else this.counters.set(key, event);
			return;
		}
		if (event.type !== 'operation' || !event.sample.ok) {
			// Anything that is not a successful operation keeps its place in time: the batch so far goes first.
			if (event.type !== 'operation') this.flush();
			this.write(event);
			return;
		}
		const n = this.written.get(event.phase) ?? 0;
		if (n < this.perSecond) {
			this.written.set(event.phase, n + 1);
			this.write(event);
			return;
		}
		let batch = this.pending.get(event.phase);
		if (!batch)
			this.pending.set(
				event.phase,
				(batch = {second, phase: event.phase, lastAt: event.at, latency: new LatencyRecorder()}),
			);
		batch.latency.record(event.sample.latencyMs);
		batch.lastAt = event.at;
	}

	/** Writes the batches held (end of a second, another kind of event, the end of the run). */
	flush(): void {
		for (const counter of this.counters.values()) this.write(counter);
		this.counters.clear();
		for (const batch of this.pending.values()) {
			const l = batch.latency;
			this.write({
				type: 'operation-batch',
				at: batch.lastAt,
				phase: batch.phase,
				count: l.count,
				latency: {histogram: l.encode(), avgMs: l.avgMs, minMs: l.minMs, maxMs: l.maxMs},
			});
		}
		this.pending.clear();
	}
}
