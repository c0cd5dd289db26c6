/**
 * The run's state and its reducer: engine events in, mutable bounded aggregates out (phases and checks,
 * operation stats and histograms, streams, resources, errors, faults, chaos records). Implements the
 * read-only RunView reports are built from; the snapshot pieces a front end reads are built elsewhere
 * (snapshot-views.ts, soak-view.ts), and publishing is the store's (store.ts).
 */
import {derivePhaseStatus} from './checks.js';
import {phaseIds} from './phase-ids.js';
import type {CheckResult, PhaseStatus} from './checks.js';
import type {ChaosRecord, FaultMark} from './fault-records.js';
import type {Grade} from './grade.js';
import type {PhaseId} from './phase-ids.js';
import type {PlanSpec} from './plans.js';
import type {
	BreakerView,
	KillSwitchView,
	ProfileView,
	ResourceLimits,
	RunState as RunLifecycleState,
	SoakView,
} from './snapshot.js';
import type {EngineEvent, OperatorAction, ResourceSample, ResumeSeed} from './events.js';
import {ErrorLog} from './errors.js';
import {LatencyRecorder} from './latency.js';
import {RingBuffer} from './ring.js';
import {OperationStats, newTrack, type ResourceTrack, type StreamState} from './run-aggregates.js';
import {defaultGradeRules, gradeFor, type GradeRules} from './grade.js';
import type {AnomalyRecord, ResumedFrom, RunView, StreamStatsView} from './run-view.js';
import {soakView} from './soak-view.js';
import type {SutView} from './sut-view.js';
import {MarketHistory, type MarketReport} from './market-view.js';
import type {ReplayView} from './replay-view.js';
import type {SutReport} from '../report/sut-report.js';

export const defaultPhaseTitles: Record<PhaseId, string> = {
	config: 'Configuration',
	connectivity: 'Connectivity',
	security: 'Security',
	'rate-limit': 'Rate limits',
	'market-data': 'Market data',
	streams: 'WebSocket streams',
	orders: 'Order lifecycle',
	portfolio: 'Portfolio',
	pipeline: 'Signal pipeline',
	resilience: 'Resilience',
	concurrency: 'Concurrency',
	soak: 'Soak',
};

const MAX_CHECKS_PER_PHASE = 200;
const MAX_STREAMS = 64;
const RECENT_RAW = 20;
const OPS_SERIES_POINTS = 120;

export interface StoreOptions {
	profile: ProfileView;
	limits: ResourceLimits;
	gradeRules?: GradeRules;
	/** A live stream with no message for this long is shown as silent. */
	streamSilenceMs?: number;
	publishIntervalMs?: number;
	now?: () => number;
	/** Masks every string that enters the store. */
	mask?: (text: string) => string;
	phaseTitles?: Partial<Record<PhaseId, string>>;
}

export interface PhaseState {
	id: PhaseId;
	title: string;
	status: PhaseStatus;
	checks: CheckResult[];
	startedAt: number | null;
	endedAt: number | null;
	reason?: string;
}

export interface RunRecord {
	id: string;
	plan: PlanSpec;
	state: RunLifecycleState;
	startedAt: number;
	endedAt: number | null;
	reportDir: string | null;
	exitCode: number | null;
	currentPhase: PhaseId | null;
}

export class RunReducer implements RunView {
	readonly options: Required<Omit<StoreOptions, 'phaseTitles' | 'gradeRules' | 'mask'>> & {
		gradeRules: GradeRules;
		mask: (text: string) => string;
	};
	run: RunRecord | null = null;
	readonly phases = new Map<PhaseId, PhaseState>();
	readonly overall = new OperationStats();
	readonly soakStats = new OperationStats();
	soakStartedAt: number | null = null;
	soakEndedAt: number | null = null;
	readonly errors = new ErrorLog();
	readonly streams = new Map<string, StreamState>();
	readonly resources: {self: ResourceTrack; watched: ResourceTrack} = {self: newTrack(), watched: newTrack()};
	breaker: BreakerView = {
		state: 'closed',
		consecutiveFailures: 0,
		transitions: 0,
		lastTransitionAt: null,
		retryAt: null,
	};
	killSwitch: KillSwitchView = {engaged: false, since: null, ordersCancelled: 0};
	/** Newest last, at most 100; a mark is replaced (never mutated) when it recovers, so snapshots stay immutable. */
	faults: {index: number; mark: FaultMark}[] = [];
	readonly notices = new RingBuffer<{at: number; level: 'info' | 'warn' | 'error'; text: string}>(20);
	readonly anomalyLog = new RingBuffer<AnomalyRecord>(100);
	readonly operatorLog = new RingBuffer<OperatorAction & {at: number}>(200);
	/** Per-second operation counts, oldest first. */
	private opsSeries = new RingBuffer<number>(OPS_SERIES_POINTS);
	private opsSecond: number | null = null;
	private opsSecondCount = 0;
	/** Chaos faults by index (report.json chaos[]). */
	readonly chaos = new Map<number, ChaosRecord>();
	/** Chaos faults injected and not yet judged (their record's verdict is `active`). */
	private activeChaos = new Set<number>();
	/**
	 * Fault marks not yet recovered (ctx.fault, the operator's tests, the chaos timeline's marks) → the
	 * phase they were opened in. A mark its phase never recovers closes with that phase: one forgotten
	 * mark must not excuse every later error of the run.
	 */
	private openMarks = new Map<number, PhaseId | null>();
	/** When the last injected fault stopped being active (null while one is, or none was yet). */
	private faultsClearedAt: number | null = null;
	/** Set by a resume: soak time the first segment already did. */
	resumedFrom: ResumedFrom | null = null;
	/** The SUT's live view and its report section (sut-sample / sut-report events). */
	sut: SutView | null = null;
	/** The simulated market's regime, status and shocks, and their history (market events). */
	readonly market = new MarketHistory();

	marketReport(): MarketReport | null {
		return this.market.view === null ? null : this.market.report();
	}
	/** A replayed market's clock and position (replay-sample events). */
	replay: ReplayView | null = null;
	sutReport: SutReport | null = null;
	/** Remaining time hints from the runner (soak remaining etc.). */
	remainingMs: number | null = null;

	constructor(options: StoreOptions) {
		this.options = {
			profile: options.profile,
			limits: options.limits,
			gradeRules: options.gradeRules ?? defaultGradeRules,
			streamSilenceMs: options.streamSilenceMs ?? 10_000,
			publishIntervalMs: options.publishIntervalMs ?? 250,
			now: options.now ?? Date.now,
			mask: options.mask ?? (text => text),
		};
		for (const id of phaseIds)
			this.phases.set(id, {
				id,
				title: options.phaseTitles?.[id] ?? defaultPhaseTitles[id],
				status: 'pending',
				checks: [],
				startedAt: null,
				endedAt: null,
			});
	}

	setPhaseTitle(id: PhaseId, title: string): void {
		const phase = this.phases.get(id);
		if (phase) phase.title = title;
	}

	// --- reducing ---------------------------------------------------------------------------------

	apply(event: EngineEvent): void {
		const faultWasActive = this.faultActive();
		this.reduce(event);
		if (faultWasActive && !this.faultActive()) this.faultsClearedAt = event.at;
	}

	private reduce(event: EngineEvent): void {
		switch (event.type) {
			case 'run-started': {
				this.run = {
					id: event.runId,
					plan: event.plan,
					state: 'running',
					startedAt: event.at,
					endedAt: null,
					reportDir: event.reportDir,
					exitCode: null,
					currentPhase: null,
				};
				for (const id of event.plan.phases) {
					const phase = this.phases.get(id)!;
					phase.status = 'pending';
					phase.checks = [];
					phase.startedAt = phase.endedAt = null;
					delete phase.reason;
				}
				this.overall.reset();
				this.soakStats.reset();
				this.soakStartedAt = this.soakEndedAt = null;
				this.errors.reset();
				this.opsSeries.clear();
				this.opsSecond = null;
				this.remainingMs = null;
				this.chaos.clear();
				this.activeChaos.clear();
				this.openMarks.clear();
				this.faultsClearedAt = null;
				this.resumedFrom = null;
				this.sut = null;
				this.sutReport = null;
				this.market.reset(event.at);
				this.operatorLog.clear();
				break;
			}
			case 'resume':
				this.applyResume(event.seed, event.at);
				break;
			case 'chaos':
				this.chaos.set(event.record.index, event.record);
				if (event.record.verdict === 'active') this.activeChaos.add(event.record.index);
				else this.activeChaos.delete(event.record.index);
				break;
			case 'run-finished':
				if (this.run) {
					this.run.state = event.state;
					this.run.endedAt = event.at;
					this.run.exitCode = event.exitCode;
					this.run.currentPhase = null;
				}
				this.remainingMs = 0;
				this.openMarks.clear();
				break;
			case 'phase-started': {
				const phase = this.phases.get(event.phase)!;
				phase.status = 'running';
				phase.startedAt = event.at;
				if (this.run) this.run.currentPhase = event.phase;
				if (event.phase === 'soak') {
					// A resumed soak carries on: its clock includes the first segment's time.
					this.soakStartedAt = event.at - (this.resumedFrom?.soakElapsedMs ?? 0);
					phase.startedAt = this.soakStartedAt;
				}
				break;
			}
			case 'phase-finished': {
				const phase = this.phases.get(event.phase)!;
				phase.status = event.status;
				phase.endedAt = event.at;
				if (event.reason) phase.reason = this.options.mask(event.reason);
				if (this.run?.currentPhase === event.phase) this.run.currentPhase = null;
				if (event.phase === 'soak') this.soakEndedAt = event.at;
				for (const [index, phase] of this.openMarks) if (phase === event.phase) this.openMarks.delete(index);
				break;
			}
			case 'check': {
				const phase = this.phases.get(event.phase)!;
				if (phase.checks.length < MAX_CHECKS_PER_PHASE) phase.checks.push(event.check);
				break;
			}
			case 'operation': {
				const {sample} = event;
				const targets = event.phase === 'soak' ? [this.overall, this.soakStats] : [this.overall];
				// Under a fault if one was active at any moment of the operation: active when it ended, or cleared
				// after it started (a cycle caught by a 5xx window may end after the window's recovery). The phases'
				// own tallies ask ctx.faultActive(latencyMs) at the same moment.
				// Latency counts whether or not a fault was active: it is what the operation really took (retries,
				// backoff, the venue's delay); it keeps the grade reproducible from the report's own latency figures
				// and histograms; and a latency fault weighs only by the operations it slowed, which are few when
				// operations run at a bounded concurrency (the soak's). The chaos records judge the recovery.
				const underFault = !sample.ok && this.faultActive(event.at - (sample.cycleLatencyMs ?? sample.latencyMs));
				for (const stats of targets) {
					stats.operations++;
					if (sample.ok) stats.succeeded++;
					else stats.failed++;
					if (underFault) stats.failedDuringFaults++;
					stats.latency.record(sample.latencyMs);
					if (sample.cycleLatencyMs !== undefined) stats.cycleLatency.record(sample.cycleLatencyMs);
				}
				this.countOperationSecond(event.at);
				if (!sample.ok && sample.error) this.recordError(event.phase, sample.error, event.at, underFault);
				break;
			}
			case 'operation-batch': {
				const targets = event.phase === 'soak' ? [this.overall, this.soakStats] : [this.overall];
				for (const stats of targets) {
					stats.operations += event.count;
					stats.succeeded += event.count;
					stats.latency.absorb(event.latency.histogram, {count: event.count, ...event.latency});
				}
				break;
			}
			case 'order':
				for (const stats of this.statsFor(event.phase)) stats.orders[event.event] += event.count;
				break;
			case 'position':
				for (const stats of this.statsFor(event.phase)) stats.positions[event.event] += event.count;
				break;
			case 'risk-rejection':
				for (const stats of this.statsFor(event.phase)) stats.riskRejections++;
				break;
			case 'error':
				this.recordError(event.phase, event.error, event.at);
				break;
			case 'stream':
				this.applyStream(event.update);
				break;
			case 'resource':
				this.applyResource(event.sample);
				break;
			case 'breaker':
				this.breaker = event.view;
				break;
			case 'kill-switch':
				this.killSwitch = event.view;
				break;
			case 'fault':
				this.faults.push({index: event.index, mark: {...event.mark, detail: this.options.mask(event.mark.detail)}});
				if (this.faults.length > 100) this.faults.shift();
				if (event.mark.recoveredAt === undefined) this.openMarks.set(event.index, this.run?.currentPhase ?? null);
				break;
			case 'fault-recovered': {
				this.openMarks.delete(event.index);
				if (event.withdrawn) {
					this.faults = this.faults.filter(f => f.index !== event.index);
					break;
				}
				const entry = this.faults.find(f => f.index === event.index);
				if (entry) entry.mark = {...entry.mark, recoveredAt: event.recoveredAt};
				break;
			}
			case 'anomaly':
				this.anomalyLog.push({
					at: event.at,
					metric: event.metric,
					value: event.value,
					limit: event.limit,
					detail: event.detail,
				});
				this.notices.push({at: event.at, level: 'warn', text: event.detail});
				break;
			case 'notice':
				this.notices.push({at: event.at, level: event.level, text: this.options.mask(event.text)});
				break;
			case 'sut-sample':
				this.sut = event.view;
				break;
			case 'replay-sample':
				this.replay = event.view;
				break;
			case 'sut-report':
				this.sutReport = event.report;
				break;
			case 'market':
				this.market.apply(event.view);
				break;
			case 'operator-action':
				this.operatorLog.push({...event.action, detail: this.options.mask(event.action.detail), at: event.at});
				break;
		}
	}

	private applyResume(seed: ResumeSeed, at: number): void {
		this.resumedFrom = {
			dir: seed.fromDir,
			runId: seed.fromRunId,
			soakElapsedMs: seed.soakElapsedMs,
			at,
			ordersCancelled: seed.ordersCancelled,
		};
		if (this.run) this.run.startedAt = seed.startedAt;
		for (const p of seed.phases) {
			const phase = this.phases.get(p.id);
			if (!phase) continue;
			phase.title = p.title;
			phase.status = p.status;
			phase.checks = p.checks.slice(0, MAX_CHECKS_PER_PHASE);
			phase.startedAt = p.startedAt;
			phase.endedAt = p.endedAt;
			if (p.reason !== null) phase.reason = p.reason;
		}
		const s = seed.soak;
		this.soakStats.operations += s.operations;
		this.soakStats.succeeded += s.succeeded;
		this.soakStats.failed += s.failed;
		this.soakStats.errors += s.errors;
		this.soakStats.failedDuringFaults += s.failedDuringFaults ?? 0;
		this.soakStats.expectedErrors += s.expectedErrors ?? 0;
		this.soakStats.latency.absorb(s.histogram, {count: s.operations, avgMs: s.avgMs, minMs: s.minMs, maxMs: s.maxMs});
		const o = seed.overall;
		this.overall.operations += o.operations;
		this.overall.failed += o.failed;
		this.overall.succeeded += o.operations - o.failed;
		this.overall.failedDuringFaults += o.failedDuringFaults ?? 0;
		this.overall.latency.absorb(o.histogram, {count: o.operations, avgMs: o.avgMs, minMs: o.minMs, maxMs: o.maxMs});
		for (const key of ['placed', 'filled', 'canceled', 'rejected'] as const)
			this.overall.orders[key] += seed.orders[key];
		this.overall.positions.opened += seed.positions.opened;
		this.overall.positions.closed += seed.positions.closed;
		this.overall.riskRejections += seed.riskRejections;
		for (const group of seed.errors) this.errors.seed(group);
		this.overall.errors += seed.errors.reduce((sum, g) => sum + g.count, 0);
		this.overall.expectedErrors += seed.expectedErrors ?? 0;
		for (const record of seed.chaos) this.chaos.set(record.index, record);
	}

	private statsFor(phase: PhaseId | null): OperationStats[] {
		return phase === 'soak' ? [this.overall, this.soakStats] : [this.overall];
	}

	private recordError(
		phase: PhaseId | null,
		error: {kind: string; message: string; critical?: boolean; expected?: boolean},
		at: number,
		underFault = this.faultActive(),
	): void {
		const expected = underFault || error.expected === true;
		this.errors.add(error, phase, at, this.options.mask, expected);
		for (const stats of this.statsFor(phase)) {
			stats.errors++;
			if (expected) stats.expectedErrors++;
		}
	}

	/**
	 * True while drydock has a fault injected on purpose: a chaos fault not yet judged, or a fault mark not
	 * yet recovered. With `since` (epoch ms), also when one was active at any moment from then until now.
	 */
	faultActive(since?: number): boolean {
		if (this.activeChaos.size > 0 || this.openMarks.size > 0) return true;
		return since !== undefined && this.faultsClearedAt !== null && this.faultsClearedAt >= since;
	}

	private countOperationSecond(at: number): void {
		const second = Math.floor(at / 1000);
		if (this.opsSecond === null) {
			this.opsSecond = second;
			this.opsSecondCount = 0;
		}
		this.rollSeconds(second);
		this.opsSecondCount++;
	}

	/** Closes every whole second before `second` into the series (zeros for quiet seconds, bounded). */
	rollSeconds(second: number): void {
		if (this.opsSecond === null || second <= this.opsSecond) return;
		const gap = Math.min(second - this.opsSecond, OPS_SERIES_POINTS + 1);
		this.opsSeries.push(this.opsSecondCount);
		for (let i = 1; i < gap; i++) this.opsSeries.push(0);
		this.opsSecond = second;
		this.opsSecondCount = 0;
	}

	private applyStream(update: EngineEvent & {type: 'stream'} extends {update: infer U} ? U : never): void {
		let stream = this.streams.get(update.stream);
		if (!stream) {
			if (this.streams.size >= MAX_STREAMS) return;
			const kind = 'kind' in update ? update.kind : 'unknown';
			const symbol = 'symbol' in update ? update.symbol : '';
			stream = {
				id: update.stream,
				kind,
				symbol,
				status: 'connecting',
				messages: 0,
				lastMessageAt: null,
				latency: new LatencyRecorder(),
				gaps: 0,
				reconnects: 0,
				backfill: {gaps: 0, missed: 0, recovered: 0, lost: 0},
				recent: new RingBuffer(RECENT_RAW),
				windowStart: this.options.now(),
				windowCount: 0,
				rate: 0,
			};
			this.streams.set(update.stream, stream);
		}
		switch (update.type) {
			case 'message':
				stream.messages++;
				stream.windowCount++;
				stream.lastMessageAt = update.receivedAt;
				if (stream.status !== 'live') stream.status = 'live';
				if (update.latencyMs !== null) stream.latency.record(update.latencyMs);
				if (update.gap > 0) stream.gaps += update.gap;
				if (update.raw !== undefined)
					stream.recent.push(update.raw.length > 2000 ? update.raw.slice(0, 2000) + '…' : update.raw);
				break;
			case 'status':
				stream.status = update.status;
				break;
			case 'reconnect':
				stream.reconnects++;
				stream.status = 'reconnecting';
				break;
			case 'backfill':
				stream.backfill.gaps++;
				stream.backfill.missed += update.missed;
				stream.backfill.recovered += update.recovered;
				stream.backfill.lost += update.lost;
				break;
		}
	}

	private applyResource(sample: ResourceSample): void {
		const track = this.resources[sample.which];
		track.latest = sample;
		if (sample.cpuPercent !== null) {
			track.cpuHistory.push(sample.cpuPercent);
			track.cpuSeries.add(sample.at, sample.cpuPercent);
			track.cpuSum += sample.cpuPercent;
			track.cpuCount++;
		}
		if (sample.rssMb !== null) {
			track.rssHistory.push(sample.rssMb);
			track.rssSeries.add(sample.at, sample.rssMb);
			track.slopeSeries.add(sample.at, sample.rssMb);
			track.rssSum += sample.rssMb;
			track.rssCount++;
			track.rssPeak = Math.max(track.rssPeak ?? 0, sample.rssMb);
		}
		if (sample.eventLoopLagMs !== null) track.lagPeak = Math.max(track.lagPeak ?? 0, sample.eventLoopLagMs);
	}

	// --- views ------------------------------------------------------------------------------------

	phaseState(id: PhaseId): Readonly<PhaseState> {
		return this.phases.get(id)!;
	}

	/** Grade so far: the soak's when it has operations, else the run's. */
	currentGrade(): Grade | null {
		const stats = this.soakStats.operations > 0 ? this.soakStats : this.overall;
		return gradeFor(stats.successRate, stats.latency.avgMs, this.options.gradeRules);
	}

	/** Errors per hour of the run, without the expected ones (recorded while an injected fault was active). */
	errorsPerHour(stats: OperationStats = this.overall): number {
		if (!this.run) return 0;
		const end = this.run.endedAt ?? this.options.now();
		const hours = Math.max((end - this.run.startedAt) / 3_600_000, 1 / 60);
		const total = stats === this.soakStats ? stats.errors : this.errors.total;
		return Math.max(0, total - stats.expectedErrors) / hours;
	}

	/** A phase's status derived from its checks (used by the runner when the phase returns). */
	deriveStatus(id: PhaseId): PhaseStatus {
		return derivePhaseStatus(this.phases.get(id)!.checks);
	}

	// --- RunView ----------------------------------------------------------------------------------

	now(): number {
		return this.options.now();
	}

	get profile(): ProfileView {
		return this.options.profile;
	}

	soakView(now: number): SoakView | null {
		return soakView(this, now);
	}

	faultMarks(): FaultMark[] {
		return this.faults.map(f => f.mark);
	}

	streamStats(): StreamStatsView[] {
		return [...this.streams.values()];
	}

	anomalies(): AnomalyRecord[] {
		return this.anomalyLog.toArray();
	}

	operatorActions(): (OperatorAction & {at: number})[] {
		return this.operatorLog.toArray();
	}

	/** Per-second operation counts, oldest first (the last whole seconds). */
	operationSeries(): number[] {
		return this.opsSeries.toArray();
	}
}
