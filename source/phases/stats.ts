/**
 * Small summaries over the bounded sample arrays a phase collects during its own run (a phase keeps at
 * most a few thousand samples; anything long-running reports through ctx.operation and the engine's
 * histograms instead).
 */

export interface Summary {
	count: number;
	avg: number | null;
	p50: number | null;
	p99: number | null;
	min: number | null;
	max: number | null;
}

/** Nearest-rank percentile over an already sorted array. */
function rank(sorted: readonly number[], p: number): number | null {
	if (sorted.length === 0) return null;
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index] ?? null;
}

export function percentile(values: readonly number[], p: number): number | null {
	return rank(
		[...values].sort((a, b) => a - b),
		p,
	);
}

export function summarize(values: readonly number[]): Summary {
	if (values.length === 0) return {count: 0, avg: null, p50: null, p99: null, min: null, max: null};
	const sorted = [...values].sort((a, b) => a - b);
	const sum = sorted.reduce((total, value) => total + value, 0);
	return {
		count: sorted.length,
		avg: sum / sorted.length,
		p50: rank(sorted, 50),
		p99: rank(sorted, 99),
		min: sorted[0] ?? null,
		max: sorted[sorted.length - 1] ?? null,
	};
}

/** Keeps the most recent `capacity` samples. */
export class SampleRing {
	private readonly values: number[] = [];
	private next = 0;
	constructor(private readonly capacity: number) {}

	push(value: number): void {
		if (this.values.length < this.capacity) this.values.push(value);
		else {
			this.values[this.next] = value;
			this.next = (this.next + 1) % this.capacity;
		}
	}

	get size(): number {
		return this.values.length;
	}

	snapshot(): number[] {
		return [...this.values];
	}
}

/** Rounds for display in a check's measured value. */
export function round(value: number, digits = 2): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
