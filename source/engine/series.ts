/**
 * A fixed-capacity time series that downsamples as it grows: when full, neighbouring points are merged
 * (averaged) and the interval doubles. Memory stays bounded however long the run; resolution degrades
 * gracefully instead of dropping the start of the run.
 */
export interface SeriesPoint {
	at: number;
	value: number;
}

export class DownsampledSeries {
	private points: SeriesPoint[] = [];
	private pending: {at: number; sum: number; n: number} | null = null;

	constructor(
		readonly capacity: number,
		/** Current bucket width in ms. */
		private intervalMs: number,
	) {
		if (capacity < 4) throw new RangeError('series capacity must be ≥ 4');
	}

	get interval(): number {
		return this.intervalMs;
	}

	add(at: number, value: number): void {
		if (!Number.isFinite(value)) return;
		if (this.pending && at - this.pending.at < this.intervalMs) {
			this.pending.sum += value;
			this.pending.n++;
			return;
		}
		this.flushPending();
		this.pending = {at, sum: value, n: 1};
	}

	private flushPending(): void {
		if (!this.pending) return;
		this.points.push({at: this.pending.at, value: this.pending.sum / this.pending.n});
		this.pending = null;
		if (this.points.length >= this.capacity) {
			const merged: SeriesPoint[] = [];
			for (let i = 0; i + 1 < this.points.length; i += 2) {
				const a = this.points[i]!;
				const b = this.points[i + 1]!;
				merged.push({at: a.at, value: (a.value + b.value) / 2});
			}
			if (this.points.length % 2 === 1) merged.push(this.points[this.points.length - 1]!);
			this.points = merged;
			this.intervalMs *= 2;
		}
	}

	/** Oldest first, including the bucket being filled. */
	toArray(): SeriesPoint[] {
		const out = this.points.slice();
		if (this.pending) out.push({at: this.pending.at, value: this.pending.sum / this.pending.n});
		return out;
	}
}
