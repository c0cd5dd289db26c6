/**
 * `drydock load --watch-pid PID`: samples the target's CPU and memory once a second while the load
 * runs, so a report says what the requests cost the server as well as how fast they came back.
 */
import pidusage from 'pidusage';

export interface TargetSample {
	/** Seconds since the start of the run. */
	second: number;
	/** Percent of one core (200 = two cores busy). */
	cpuPercent: number;
	rssMb: number;
}

export interface TargetWatchSummary {
	pid: number;
	samples: TargetSample[];
	cpu_avg_percent: number | null;
	cpu_max_percent: number | null;
	rss_max_mb: number | null;
	/** The process went away during the run (sampling stopped then). */
	exited: boolean;
}

export class TargetWatch {
	private readonly samples: TargetSample[] = [];
	private timer: ReturnType<typeof setInterval> | undefined;
	private startMs = 0;
	private exited = false;
	private inFlight: Promise<void> | null = null;

	constructor(
		readonly pid: number,
		private readonly periodMs = 1000,
	) {}

	start(): void {
		this.startMs = performance.now();
		this.timer = setInterval(() => {
			this.inFlight ??= this.sample().finally(() => (this.inFlight = null));
		}, this.periodMs);
		this.timer.unref();
	}

	private async sample(): Promise<void> {
		if (this.exited) return;
		try {
			const stat = await pidusage(this.pid);
			this.samples.push({
				second: Math.round((performance.now() - this.startMs) / 100) / 10,
				cpuPercent: Math.round(stat.cpu * 10) / 10,
				rssMb: Math.round((stat.memory / 1048576) * 10) / 10,
			});
		} catch {
			this.exited = true;
		}
	}

	async stop(): Promise<TargetWatchSummary> {
		if (this.timer) clearInterval(this.timer);
		await this.inFlight;
		pidusage.clear();
		const cpu = this.samples.map(s => s.cpuPercent);
		const round = (v: number) => Math.round(v * 10) / 10;
		return {
			pid: this.pid,
			samples: this.samples,
			cpu_avg_percent: cpu.length ? round(cpu.reduce((a, b) => a + b, 0) / cpu.length) : null,
			cpu_max_percent: cpu.length ? Math.max(...cpu) : null,
			rss_max_mb: this.samples.length ? Math.max(...this.samples.map(s => s.rssMb)) : null,
			exited: this.exited,
		};
	}
}
