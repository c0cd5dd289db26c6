/**
 * The SUT's resources: every second, the pids of its whole process tree (descendants of the group
 * leader by parent pid, plus anything still in its process group — a worker re-parented after its
 * parent died is still the SUT's), pidusage over them, summed CPU % and RSS MB. Series are bounded
 * (downsampled) and the leak detector of source/monitor/slope.ts runs over the SUT's RSS.
 */
import pidusage from 'pidusage';
import {DownsampledSeries, type SeriesPoint} from '../engine/series.js';
import {detectLeak, type LeakVerdict} from '../monitor/slope.js';
import {readProcTable, treePids} from './proc.js';

export interface TreeSample {
	at: number;
	pids: number[];
	/** Summed over the tree, % of one core. */
	cpuPercent: number;
	rssMb: number;
}

export interface TreeStats {
	samples: number;
	avgCpuPercent: number | null;
	peakCpuPercent: number | null;
	avgRssMb: number | null;
	peakRssMb: number | null;
	last: TreeSample | null;
	/** Most processes seen at once. */
	peakProcesses: number;
}

const MB = 1024 * 1024;

export interface ProcessTreeMonitorOptions {
	/** Sampling interval (default 1 s). */
	intervalMs?: number;
	now?: () => number;
	/** Points kept per series before downsampling (default 2000). */
	capacity?: number;
	/** Called with each sample (e.g. to feed the console). */
	onSample?: (sample: TreeSample) => void;
	procDir?: string;
}

/**
 * Samples one SUT's process tree. `setRoot` follows restarts (a new leader pid); between a crash and the
 * restart there is nothing to sample and nothing is recorded.
 */
export class ProcessTreeMonitor {
	private root: number | null = null;
	private timer: NodeJS.Timeout | null = null;
	private sampling: Promise<TreeSample | null> | null = null;
	private readonly now: () => number;
	readonly cpuSeries: DownsampledSeries;
	readonly rssSeries: DownsampledSeries;
	/** Finer RSS series for the leak slope (as the engine keeps for drydock's own). */
	readonly slopeSeries: DownsampledSeries;
	private count = 0;
	private cpuSum = 0;
	private rssSum = 0;
	private peakCpu: number | null = null;
	private peakRss: number | null = null;
	private peakProcesses = 0;
	private lastSample: TreeSample | null = null;

	constructor(private readonly options: ProcessTreeMonitorOptions = {}) {
		this.now = options.now ?? Date.now;
		const interval = options.intervalMs ?? 1_000;
		this.cpuSeries = new DownsampledSeries(options.capacity ?? 2_000, interval);
		this.rssSeries = new DownsampledSeries(options.capacity ?? 2_000, interval);
		this.slopeSeries = new DownsampledSeries(options.capacity ?? 2_000, 5 * interval);
	}

	/** The group leader's pid (also the group id); null while the SUT is down. */
	setRoot(pid: number | null): void {
		this.root = pid;
	}

	start(): void {
		if (this.timer) return;
		this.timer = setInterval(() => {
			if (this.sampling) return; // a slow sample never piles up
			this.sampling = this.sample().finally(() => (this.sampling = null));
		}, this.options.intervalMs ?? 1_000);
		this.timer.unref();
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
		await this.sampling;
	}

	/** One sample now; null when the SUT is not running. */
	async sample(): Promise<TreeSample | null> {
		const root = this.root;
		if (root === null) return null;
		const at = this.now();
		const table = readProcTable(this.options.procDir);
		// Without /proc (not Linux), the leader alone.
		const pids = table.length > 0 ? treePids(table, root) : [root];
		if (pids.length === 0) return null;
		const settled = await Promise.allSettled(pids.map(pid => pidusage(pid)));
		let cpu = 0;
		let rss = 0;
		const alive: number[] = [];
		settled.forEach((result, i) => {
			if (result.status !== 'fulfilled') return;
			alive.push(pids[i]!);
			cpu += result.value.cpu;
			rss += result.value.memory / MB;
		});
		if (alive.length === 0) return null;
		const sample: TreeSample = {at, pids: alive, cpuPercent: cpu, rssMb: rss};
		this.record(sample);
		this.options.onSample?.(sample);
		return sample;
	}

	/** Records a sample taken elsewhere (and by tests). */
	record(sample: TreeSample): void {
		this.count++;
		this.cpuSum += sample.cpuPercent;
		this.rssSum += sample.rssMb;
		this.peakCpu = this.peakCpu === null ? sample.cpuPercent : Math.max(this.peakCpu, sample.cpuPercent);
		this.peakRss = this.peakRss === null ? sample.rssMb : Math.max(this.peakRss, sample.rssMb);
		this.peakProcesses = Math.max(this.peakProcesses, sample.pids.length);
		this.lastSample = sample;
		this.cpuSeries.add(sample.at, sample.cpuPercent);
		this.rssSeries.add(sample.at, sample.rssMb);
		this.slopeSeries.add(sample.at, sample.rssMb);
	}

	stats(): TreeStats {
		return {
			samples: this.count,
			avgCpuPercent: this.count === 0 ? null : this.cpuSum / this.count,
			peakCpuPercent: this.peakCpu,
			avgRssMb: this.count === 0 ? null : this.rssSum / this.count,
			peakRssMb: this.peakRss,
			last: this.lastSample,
			peakProcesses: this.peakProcesses,
		};
	}

	cpuHistory(): SeriesPoint[] {
		return this.cpuSeries.toArray();
	}

	rssHistory(): SeriesPoint[] {
		return this.rssSeries.toArray();
	}

	/** The leak detector over the SUT's RSS after `warmupUntil` (epoch ms). */
	leak(options: {warmupUntil: number; limitMbPerHour: number; minSpanMs?: number}): LeakVerdict {
		return detectLeak(this.slopeSeries.toArray(), options);
	}
}
