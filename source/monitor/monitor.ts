/**
 * Resource sampling: pidusage of drydock itself and of an optional watched process (the system under
 * test), plus drydock's event-loop lag, once a second into the engine as `resource` events. An
 * `anomaly` event fires when a limit is crossed (once per crossing, not every second it stays over).
 */
import {monitorEventLoopDelay} from 'node:perf_hooks';
import pidusage from 'pidusage';
import type {EngineEvent, ResourceSample} from '../engine/events.js';
import type {ResourceLimits} from '../engine/snapshot.js';

export interface MonitorOptions {
	emit: (event: EngineEvent) => void;
	limits: ResourceLimits;
	watchPid?: number;
	intervalMs?: number;
	now?: () => number;
	/** Anomalies are only raised while this says so (e.g. while a run is active); default always. */
	armed?: () => boolean;
}

export interface Monitor {
	start(): void;
	stop(): Promise<void>;
	/** Takes one sample now (also used by tests). */
	sample(): Promise<void>;
}

const MB = 1024 * 1024;

export function createMonitor(options: MonitorOptions): Monitor {
	const now = options.now ?? Date.now;
	const intervalMs = options.intervalMs ?? 1000;
	const lag = monitorEventLoopDelay({resolution: 20});
	let timer: NodeJS.Timeout | null = null;
	let sampling: Promise<void> | null = null;
	const over = new Set<string>();
	let watchedGone = false;
	// The first sample covers start-up (module loading blocks the loop for a second): not an anomaly.
	let samples = 0;
	let warm = false;

	const check = (metric: string, value: number | null, limit: number, label: string, unit: string) => {
		if (value === null || !warm || (options.armed && !options.armed())) return;
		const key = `${label}:${metric}`;
		if (value > limit) {
			if (!over.has(key)) {
				over.add(key);
				options.emit({
					type: 'anomaly',
					at: now(),
					metric: key,
					value,
					limit,
					detail: `${label} ${metric} ${value.toFixed(1)}${unit} over the limit ${limit}${unit}`,
				});
			}
		} else over.delete(key);
	};

	const sampleOnce = async (): Promise<void> => {
		const at = now();
		const lagMs = lag.count > 0 ? lag.percentile(99) / 1e6 : null;
		lag.reset();
		let self: ResourceSample;
		try {
			const stats = await pidusage(process.pid);
			self = {
				which: 'self',
				pid: process.pid,
				label: 'drydock',
				at,
				cpuPercent: stats.cpu,
				rssMb: stats.memory / MB,
				heapMb: process.memoryUsage().heapUsed / MB,
				eventLoopLagMs: lagMs,
				alive: true,
			};
		} catch {
			const usage = process.memoryUsage();
			self = {
				which: 'self',
				pid: process.pid,
				label: 'drydock',
				at,
				cpuPercent: null,
				rssMb: usage.rss / MB,
				heapMb: usage.heapUsed / MB,
				eventLoopLagMs: lagMs,
				alive: true,
			};
		}
		options.emit({type: 'resource', at, sample: self});
		warm = samples++ > 0;
		check('cpu', self.cpuPercent, options.limits.cpuPercent, 'drydock', '%');
		check('rss', self.rssMb, options.limits.rssMb, 'drydock', ' MB');
		check('event-loop-lag', self.eventLoopLagMs, options.limits.eventLoopLagMs, 'drydock', ' ms');
		if (options.watchPid !== undefined) {
			const pid = options.watchPid;
			try {
				const stats = await pidusage(pid);
				watchedGone = false;
				const sample: ResourceSample = {
					which: 'watched',
					pid,
					label: `pid ${pid}`,
					at,
					cpuPercent: stats.cpu,
					rssMb: stats.memory / MB,
					heapMb: null,
					eventLoopLagMs: null,
					alive: true,
				};
				options.emit({type: 'resource', at, sample});
				check('cpu', sample.cpuPercent, options.limits.cpuPercent, `pid ${pid}`, '%');
				check('rss', sample.rssMb, options.limits.rssMb, `pid ${pid}`, ' MB');
			} catch {
				options.emit({
					type: 'resource',
					at,
					sample: {
						which: 'watched',
						pid,
						label: `pid ${pid}`,
						at,
						cpuPercent: null,
						rssMb: null,
						heapMb: null,
						eventLoopLagMs: null,
						alive: false,
					},
				});
				if (!watchedGone) {
					watchedGone = true;
					options.emit({
						type: 'anomaly',
						at,
						metric: `pid ${pid}:alive`,
						value: 0,
						limit: 1,
						detail: `watched process ${pid} is not running`,
					});
				}
			}
		}
	};

	return {
		start() {
			if (timer) return;
			lag.enable();
			timer = setInterval(() => {
				if (sampling) return; // a slow sample never piles up
				sampling = sampleOnce().finally(() => (sampling = null));
			}, intervalMs);
			timer.unref();
		},
		async stop() {
			if (timer) clearInterval(timer);
			timer = null;
			lag.disable();
			await sampling;
			pidusage.clear();
		},
		sample: async () => {
			lag.enable();
			await sampleOnce();
		},
	};
}
