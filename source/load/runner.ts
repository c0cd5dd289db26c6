/**
 * The load runner: owns the virtual users, the spawner that moves their count toward a target
 * (fixed, from a shape, or nudged by commands), the arrival-rate scheduler, the run clock, and the
 * store (subscribe/getSnapshot/dispatch) that front ends read.
 */
import {performance} from 'node:perf_hooks';
import {setImmediate as yieldToLoop} from 'node:timers/promises';
import {HttpTransport} from './http-transport.js';
import type {Histogram} from 'hdr-histogram-js';
import {newHistogram, StatsRegistry, summarize, type EntrySummary} from './stats.js';
import {RecordedRequestError, StopError, VirtualUser, type UserContext} from './user.js';
import {
	SERIES_LENGTH,
	type LoadCommand,
	type LoadMode,
	type LoadSeriesPoint,
	type LoadSnapshot,
	type LoadStatus,
	type LoadStore,
} from './snapshot.js';
import type {Scenario, ShapeFunction, Task, WaitSpec} from './scenario-api.js';

export interface RunnerOptions {
	scenario: Scenario;
	/** Shown in snapshots and reports. */
	scenarioFile?: string;
	/** Target base URL; wins over `scenario.host`. */
	host: string;
	/** Closed model: users to reach. Arrival-rate mode: the concurrency cap. */
	users: number;
	/** Users started per second (Infinity: all at once). */
	spawnRate: number;
	/** undefined: run until stopped or until the shape ends. */
	runTimeMs?: number;
	shape?: ShapeFunction;
	/** Iterations per second (constant arrival rate, open model). */
	arrivalRate?: number;
	/** How long to let in-flight requests finish when the run ends. */
	stopTimeoutMs?: number;
	/** Snapshot publication period; 250 ms = 4 Hz. */
	publishIntervalMs?: number;
}

/** Emitted once per second of the run (used for the stats-history CSV). */
export interface SecondTick {
	/** Unix time in whole seconds. */
	timestamp: number;
	users: number;
	total: EntrySummary;
}

export interface LoadResult {
	stats: StatsRegistry;
	startedAt: Date;
	endedAt: Date;
	/** The measured span (start to stop request), used for rates. */
	elapsedMs: number;
	interrupted: boolean;
	peakUsers: number;
	snapshot: LoadSnapshot;
	/** Every second of the run (the snapshot's series keeps only the last few minutes). */
	timeline?: LoadSeriesPoint[];
	/** Shape runs: one entry per span at one target user count, with its own exact histogram. */
	steps?: LoadStep[];
	/** CPU this process spent during the run (user + system), seconds: the cost of the requests. */
	cpuSeconds?: number;
}

/** A span of a stepped or staged run at one target user count. */
export interface LoadStep {
	users: number;
	/** Seconds since the start, [from, to). */
	fromSecond: number;
	toSecond: number;
	requests: number;
	failures: number;
	/** Requests of the seconds it spans, µs. */
	histogram: Histogram;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
	return value !== null && typeof value === 'object' && typeof (value as {then?: unknown}).then === 'function';
}

function sleepMs(ms: number): Promise<void> {
	return new Promise(resolve => setTimeout(resolve, ms));
}

export class LoadRunner implements LoadStore {
	readonly stats = new StatsRegistry();
	private readonly transport: HttpTransport;
	private readonly ctx: UserContext;
	private readonly tasks: Task[];
	private readonly cumulativeWeights: number[];
	private readonly totalWeight: number;
	private readonly mode: LoadMode;

	private status: LoadStatus = 'starting';
	private active: VirtualUser[] = [];
	private readonly exiting = new Set<Promise<void>>();
	private readonly freeIds: number[] = [];
	private nextId = 0;
	private target: number;
	private spawnRate: number;
	private manualOffset = 0;
	private spawnCredit = 1;
	private lastSpawnTick = 0;
	private peakUsers = 0;

	// arrival-rate state
	private readonly idle: VirtualUser[] = [];
	private busy = 0;
	private dueIndex = 0;
	private nextIndex = 0;

	private readonly sleepers = new Map<VirtualUser, () => void>();
	private readonly listeners = new Set<() => void>();
	private readonly secondListeners = new Set<(tick: SecondTick) => void>();
	private snapshot: LoadSnapshot;
	private dirty = false;
	private version = 0;
	private readonly series: LoadSeriesPoint[] = [];
	private readonly timeline: LoadSeriesPoint[] = [];
	private readonly steps: LoadStep[] = [];
	private cpuAtStart: NodeJS.CpuUsage = process.cpuUsage();
	private readonly previousTotal = newHistogram();
	private readonly intervalHistogram = newHistogram();
	private lastSecondSampled = 0;

	private timers: Array<ReturnType<typeof setInterval>> = [];
	private runTimer: ReturnType<typeof setTimeout> | undefined;
	private startedAt = new Date();
	private stoppedAtMs = 0;
	private interrupted = false;
	private finish: (() => void) | undefined;
	private readonly done: Promise<void>;

	constructor(private readonly options: RunnerOptions) {
		const url = new URL(options.host);
		this.transport = new HttpTransport();
		this.ctx = {
			transport: this.transport,
			stats: this.stats,
			origin: url.origin,
			basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
			startMs: performance.now(),
			correctForOmission: options.arrivalRate !== undefined,
			stopped: false,
		};
		this.tasks = options.scenario.tasks;
		let sum = 0;
		this.cumulativeWeights = this.tasks.map(task => (sum += task.weight ?? 1));
		this.totalWeight = sum;
		this.mode = options.arrivalRate !== undefined ? 'arrival-rate' : options.shape ? 'shape' : 'users';
		this.target = options.shape ? 0 : options.users;
		this.spawnRate = options.spawnRate;
		this.done = new Promise(resolve => (this.finish = resolve));
		this.snapshot = this.buildSnapshot();
	}

	// ---- store ----

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	/** The same object until the next publication (as useSyncExternalStore requires); built lazily. */
	getSnapshot = (): LoadSnapshot => {
		if (this.dirty) {
			this.dirty = false;
			this.snapshot = this.buildSnapshot();
		}
		return this.snapshot;
	};

	/** Called once per second with the aggregate, for history files. */
	onSecond(listener: (tick: SecondTick) => void): () => void {
		this.secondListeners.add(listener);
		return () => this.secondListeners.delete(listener);
	}

	dispatch = (command: LoadCommand): void => {
		if (this.status !== 'running' && this.status !== 'starting') return;
		switch (command.type) {
			case 'add-users':
			case 'remove-users': {
				const delta = command.type === 'add-users' ? command.count : -command.count;
				if (this.mode === 'arrival-rate') {
					this.target = Math.max(1, this.target + delta);
					this.pumpArrivals();
				} else {
					this.manualOffset += delta;
					this.target = Math.max(0, this.target + delta);
					// A manual nudge applies at once, whatever the spawn rate.
					this.spawnCredit = Math.abs(this.target - this.active.length);
					this.spawnTick();
				}
				this.publish();
				break;
			}
			case 'stop':
				this.stop(false);
				break;
		}
	};

	/** Marks the snapshot stale and tells subscribers; percentiles are only computed when read. */
	private publish(): void {
		this.dirty = true;
		for (const listener of this.listeners) listener();
	}

	private elapsedMs(): number {
		return (this.stoppedAtMs || performance.now()) - this.ctx.startMs;
	}

	private buildSnapshot(): LoadSnapshot {
		const elapsedMs = this.elapsedMs();
		const elapsedSeconds = elapsedMs / 1000;
		const nowSecond = Math.floor(elapsedSeconds);
		const entries = this.stats.sortedEntries().map(entry => summarize(entry, elapsedSeconds, nowSecond, 0));
		const failures = [...this.stats.failures.values()]
			.sort((a, b) => b.occurrences - a.occurrences)
			.slice(0, 100)
			.map(f => ({...f}));
		const arrival = this.options.arrivalRate !== undefined;
		return {
			version: ++this.version,
			status: this.status,
			mode: this.mode,
			scenario: this.options.scenarioFile ?? '',
			host: this.options.host,
			elapsedMs,
			runTimeMs: this.options.runTimeMs,
			users: {current: this.active.length, target: this.target, busy: arrival ? this.busy : this.active.length},
			arrival: arrival
				? {
						ratePerSecond: this.options.arrivalRate!,
						backlog: Math.max(0, this.dueIndex - this.nextIndex),
						dropped: this.stats.droppedIterations,
					}
				: undefined,
			entries,
			total: summarize(this.stats.total, elapsedSeconds, nowSecond, 0),
			failures,
			taskErrors: this.stats.taskErrors,
			series: this.series.slice(),
		};
	}

	// ---- run ----

	/** Starts the run and resolves when it has finished (run time, shape end, or stop()). */
	async run(): Promise<LoadResult> {
		this.startedAt = new Date();
		this.cpuAtStart = process.cpuUsage();
		this.ctx.startMs = performance.now();
		this.lastSpawnTick = this.ctx.startMs;
		this.status = 'running';
		if (this.options.runTimeMs !== undefined)
			this.runTimer = setTimeout(() => this.stop(false), this.options.runTimeMs);
		if (this.options.shape) this.applyShape(0);
		if (this.mode === 'arrival-rate') {
			const period = Math.max(1, Math.min(10, 1000 / this.options.arrivalRate!));
			this.timers.push(setInterval(() => this.pumpArrivals(), period));
			this.pumpArrivals();
		} else {
			this.timers.push(setInterval(() => this.spawnTick(), 50));
			this.spawnTick();
		}
		this.timers.push(setInterval(() => this.everySecond(), 1000));
		this.timers.push(setInterval(() => this.publish(), this.options.publishIntervalMs ?? 250));
		this.publish();
		await this.done;
		return this.shutdown();
	}

	/** Ends the run; `interrupted` marks a stop by signal or user. Safe to call more than once. */
	stop(interrupted: boolean): void {
		if (this.status === 'stopping' || this.status === 'finished') return;
		this.interrupted = interrupted;
		this.stoppedAtMs = performance.now();
		this.status = 'stopping';
		this.finish?.();
	}

	private async shutdown(): Promise<LoadResult> {
		for (const timer of this.timers) clearInterval(timer);
		this.timers = [];
		if (this.runTimer) clearTimeout(this.runTimer);
		this.sampleSecond(true);
		// Users finish the task in hand and run onStop (a logout is still sent and counted); requests
		// in flight complete and are counted, so totals match the server's. Whatever is left after the
		// grace period is refused and not recorded.
		const idleArrivalUsers = this.idle.splice(0);
		for (const user of this.active) this.retire(user);
		for (const user of idleArrivalUsers) {
			const exit = this.finishUser(user).finally(() => this.exiting.delete(exit));
			this.exiting.add(exit);
		}
		this.active = [];
		const grace = this.options.stopTimeoutMs ?? 5000;
		await Promise.race([Promise.allSettled([...this.exiting]), sleepMs(grace)]);
		this.ctx.stopped = true;
		await this.transport.close();
		this.status = 'finished';
		this.publish();
		const cpu = process.cpuUsage(this.cpuAtStart);
		return {
			timeline: this.timeline,
			steps: this.steps,
			cpuSeconds: (cpu.user + cpu.system) / 1e6,
			stats: this.stats,
			startedAt: this.startedAt,
			endedAt: new Date(this.startedAt.getTime() + Math.round(this.elapsedMs())),
			elapsedMs: this.elapsedMs(),
			interrupted: this.interrupted,
			peakUsers: this.peakUsers,
			snapshot: this.getSnapshot(),
		};
	}

	private everySecond(): void {
		if (this.status !== 'running') return;
		const elapsed = (performance.now() - this.ctx.startMs) / 1000;
		// The second that ended belongs to the step it ran under: sample before the shape moves on.
		this.sampleSecond(false);
		if (this.options.shape) this.applyShape(Math.round(elapsed));
	}

	private applyShape(elapsedSeconds: number): void {
		let next: ReturnType<ShapeFunction>;
		try {
			next = this.options.shape!(elapsedSeconds);
		} catch (error) {
			this.stats.taskErrors++;
			this.stats.addFailure('SHAPE', 'shape', error instanceof Error ? error.message : String(error));
			return;
		}
		if (next === null) {
			this.stop(false);
			return;
		}
		const users = Math.max(0, Math.round(next.users) + this.manualOffset);
		if (users !== this.target) this.spawnCredit = Math.max(this.spawnCredit, 1);
		this.target = users;
		this.spawnRate = next.spawnRate > 0 ? next.spawnRate : Infinity;
	}

	/** Closes the second(s) that ended: one series point and one history tick each. */
	private sampleSecond(final: boolean): void {
		const elapsedSeconds = this.elapsedMs() / 1000;
		const second = final ? Math.ceil(elapsedSeconds) : Math.floor(elapsedSeconds);
		if (second <= this.lastSecondSampled) return;
		const total = this.stats.total;
		const interval = this.intervalHistogram;
		interval.reset();
		interval.add(total.histogram);
		interval.subtract(this.previousTotal);
		this.previousTotal.reset();
		this.previousTotal.add(total.histogram);
		const count = interval.totalCount;
		// A late timer (a busy machine) can close several seconds at once: each gets its own point so the
		// timeline has no holes; the interval's percentiles (one histogram for them all) go to each.
		const empty = newHistogram();
		for (let closed = this.lastSecondSampled + 1; closed <= second; closed++) {
			const last = closed - 1;
			const point: LoadSeriesPoint = {
				second: last,
				rps: total.requestsInSecond(last),
				failuresPerSecond: total.failuresInSecond(last),
				p50Ms: count ? interval.getValueAtPercentile(50) / 1000 : 0,
				p95Ms: count ? interval.getValueAtPercentile(95) / 1000 : 0,
				p99Ms: count ? interval.getValueAtPercentile(99) / 1000 : 0,
				users: this.active.length,
			};
			this.series.push(point);
			if (this.series.length > SERIES_LENGTH) this.series.shift();
			this.timeline.push(point);
			// The interval's samples are added to the step once, with the last second it covers.
			if (this.mode === 'shape') this.recordStep(last, closed === second ? interval : empty, point);
		}
		this.lastSecondSampled = second;
		if (this.secondListeners.size > 0) {
			const tick: SecondTick = {
				timestamp: Math.floor(Date.now() / 1000),
				users: this.active.length,
				total: summarize(total, elapsedSeconds, Math.floor(elapsedSeconds), 0),
			};
			for (const listener of this.secondListeners) listener(tick);
		}
	}

	/** Adds one closed second to the current step, opening a new step when the target changed. */
	private recordStep(second: number, interval: Histogram, point: LoadSeriesPoint): void {
		let step = this.steps.at(-1);
		if (!step || step.users !== this.target) {
			step = {
				users: this.target,
				fromSecond: second,
				toSecond: second,
				requests: 0,
				failures: 0,
				histogram: newHistogram(),
			};
			this.steps.push(step);
		}
		step.toSecond = second + 1;
		step.requests += point.rps;
		step.failures += point.failuresPerSecond;
		step.histogram.add(interval);
	}

	// ---- users ----

	private takeId(): number {
		if (this.freeIds.length > 0) {
			this.freeIds.sort((a, b) => a - b);
			return this.freeIds.shift()!;
		}
		return this.nextId++;
	}

	private retire(user: VirtualUser): void {
		user.stopping = true;
		this.sleepers.get(user)?.();
	}

	/** Moves the user count toward the target at the spawn rate (checked every 50 ms). */
	private spawnTick(): void {
		if (this.status !== 'running') return;
		const now = performance.now();
		const dt = (now - this.lastSpawnTick) / 1000;
		this.lastSpawnTick = now;
		const diff = this.target - this.active.length;
		if (diff === 0) {
			this.spawnCredit = 1;
			return;
		}
		this.spawnCredit =
			this.spawnRate === Infinity ? Math.abs(diff) : Math.min(this.spawnCredit + this.spawnRate * dt, Math.abs(diff));
		const n = Math.floor(this.spawnCredit);
		this.spawnCredit -= n;
		for (let i = 0; i < n; i++) {
			if (diff > 0) this.startUser();
			else {
				const user = this.active.pop();
				if (user) this.retire(user);
			}
		}
	}

	private newUser(): VirtualUser {
		const user = new VirtualUser(this.takeId(), this.ctx);
		this.peakUsers = Math.max(this.peakUsers, this.active.length + 1);
		return user;
	}

	private startUser(): void {
		const user = this.newUser();
		this.active.push(user);
		const exit = this.userLoop(user).finally(() => {
			this.exiting.delete(exit);
			this.freeIds.push(user.id);
		});
		this.exiting.add(exit);
	}

	private pickTask(): Task {
		const tasks = this.tasks;
		if (tasks.length === 1) return tasks[0]!;
		const r = Math.random() * this.totalWeight;
		const weights = this.cumulativeWeights;
		for (let i = 0; i < weights.length; i++) if (r < weights[i]!) return tasks[i]!;
		return tasks[tasks.length - 1]!;
	}

	private taskFailed(user: VirtualUser, error: unknown, name: string): void {
		// A request refused because the run ended is nobody's failure; anything else still counts.
		if (error instanceof RecordedRequestError || error instanceof StopError) return;
		const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
		user.failLast(reason, 'TASK', name);
	}

	private waitMs(taskMs: number): number {
		const wait: WaitSpec | undefined = this.options.scenario.wait;
		if (wait === undefined) return 0;
		if ('constant' in wait) return wait.constant * 1000;
		if ('between' in wait) return (wait.between[0] + Math.random() * (wait.between[1] - wait.between[0])) * 1000;
		return Math.max(0, wait.pacing * 1000 - taskMs);
	}

	private sleep(user: VirtualUser, ms: number): Promise<void> {
		return new Promise(resolve => {
			const timer = setTimeout(() => {
				this.sleepers.delete(user);
				resolve();
			}, ms);
			this.sleepers.set(user, () => {
				clearTimeout(timer);
				this.sleepers.delete(user);
				resolve();
			});
		});
	}

	/** Runs onStart until it succeeds (a failed login is retried after a pause, not skipped). */
	private async startUp(user: VirtualUser): Promise<boolean> {
		const {scenario} = this.options;
		if (scenario.onStart === undefined) return true;
		while (!user.stopping) {
			user.beginTask();
			try {
				await scenario.onStart(user);
				return true;
			} catch (error) {
				this.taskFailed(user, error, 'onStart');
				await this.sleep(user, Math.max(1000, this.waitMs(0)));
			}
		}
		return false;
	}

	private async runTask(user: VirtualUser, task: Task): Promise<void> {
		user.beginTask();
		try {
			const result = task.run(user);
			// A synchronous task is not awaited: an await per task costs a microtask turn on the hot path.
			if (isThenable(result)) await result;
		} catch (error) {
			this.taskFailed(user, error, task.name);
		}
	}

	private async finishUser(user: VirtualUser): Promise<void> {
		const {scenario} = this.options;
		if (scenario.onStop === undefined) return;
		try {
			await scenario.onStop(user);
		} catch (error) {
			this.taskFailed(user, error, 'onStop');
		}
	}

	private async userLoop(user: VirtualUser): Promise<void> {
		if (!(await this.startUp(user))) return;
		const wait = this.options.scenario.wait;
		// Only pacing needs the task's duration: other users skip the two clock reads per iteration.
		const timed = wait !== undefined && 'pacing' in wait;
		while (!user.stopping) {
			const started = timed ? performance.now() : 0;
			// runTask inlined: an async call per iteration costs a promise and a microtask turn.
			const task = this.pickTask();
			user.beginTask();
			try {
				const result = task.run(user);
				if (isThenable(result)) await result;
			} catch (error) {
				this.taskFailed(user, error, task.name);
			}
			if (user.stopping) break;
			const waitMs = this.waitMs(timed ? performance.now() - started : 0);
			if (waitMs > 0) await this.sleep(user, waitMs);
			else if (user.requestsInTask === 0) await yieldToLoop(); // a task without I/O must not starve the loop
		}
		await this.finishUser(user);
	}

	// ---- arrival rate ----

	/** Starts every iteration that is due, on an idle user or a new one under the cap. */
	private pumpArrivals(): void {
		if (this.status !== 'running') return;
		const rate = this.options.arrivalRate!;
		const elapsed = performance.now() - this.ctx.startMs;
		this.dueIndex = Math.floor((elapsed * rate) / 1000) + 1;
		// A backlog longer than a minute of arrivals is dropped and counted, so memory stays bounded.
		const maxBacklog = Math.max(1000, rate * 60);
		if (this.dueIndex - this.nextIndex > maxBacklog) {
			this.stats.droppedIterations += this.dueIndex - this.nextIndex - maxBacklog;
			this.nextIndex = this.dueIndex - maxBacklog;
		}
		while (this.nextIndex < this.dueIndex) {
			let user = this.idle.pop();
			if (user === undefined) {
				if (this.active.length >= this.target) return;
				user = this.newUser();
				this.active.push(user);
			}
			const intended = this.ctx.startMs + (this.nextIndex * 1000) / rate;
			this.nextIndex++;
			this.busy++;
			const exit = this.iteration(user, intended).finally(() => this.exiting.delete(exit));
			this.exiting.add(exit);
		}
	}

	private async iteration(user: VirtualUser, intendedMs: number): Promise<void> {
		try {
			if (!user.started) {
				user.lagMs = 0;
				if (!(await this.startUp(user))) return;
				user.started = true;
			}
			user.lagMs = Math.max(0, performance.now() - intendedMs);
			await this.runTask(user, this.pickTask());
		} finally {
			this.busy--;
		}
		if (user.stopping || this.status !== 'running') return;
		if (this.active.length > this.target) {
			// The cap was lowered: this user leaves.
			const at = this.active.indexOf(user);
			if (at >= 0) this.active.splice(at, 1);
			this.freeIds.push(user.id);
			return;
		}
		this.idle.push(user);
		this.pumpArrivals();
	}
}
