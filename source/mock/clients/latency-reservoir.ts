/**
 * Exact count, mean and maximum of a latency series plus a uniform sample of it (Vitter's algorithm R)
 * for the percentiles: constant memory however long the run.
 */
export class LatencyReservoir {
	private readonly samples: number[] = [];
	private count = 0;
	private sum = 0;
	private max = 0;

	constructor(private readonly size = 2048) {}

	record(ms: number): void {
		this.count++;
		this.sum += ms;
		if (ms > this.max) this.max = ms;
		if (this.samples.length < this.size) {
			this.samples.push(ms);
			return;
		}
		const slot = Math.floor(Math.random() * this.count);
		if (slot < this.size) this.samples[slot] = ms;
	}

	summary(): {count: number; avg: number; p50: number; p99: number; max: number} {
		if (this.count === 0) return {count: 0, avg: 0, p50: 0, p99: 0, max: 0};
		const sorted = [...this.samples].sort((a, b) => a - b);
		const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
		const round = (n: number) => Math.round(n * 1000) / 1000;
		return {
			count: this.count,
			avg: round(this.sum / this.count),
			p50: round(at(0.5)),
			p99: round(at(0.99)),
			max: round(this.max),
		};
	}
}
