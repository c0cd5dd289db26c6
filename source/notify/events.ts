/**
 * What is worth a notification, found by comparing successive engine snapshots: a phase that turned
 * `fail`, an anomaly (a new critical error group, a resource limit crossed) and the end of a run.
 * Pure apart from its own memory of what it has already reported.
 */
import type {PhaseId} from '../engine/phase-ids.js';
import type {EngineSnapshot} from '../engine/snapshot.js';

export interface RunRef {
	runId: string;
	profile: string;
	environment: string;
}

export type NotifyEvent =
	| (RunRef & {
			type: 'phase-failed';
			at: number;
			phase: PhaseId;
			title: string;
			reason: string | null;
			failedChecks: {id: string; title: string; measured: string; threshold: string | null; reason: string | null}[];
	  })
	| (RunRef & {
			type: 'anomaly';
			at: number;
			kind: 'critical-error' | 'resource-limit';
			metric: string;
			detail: string;
			value: number | null;
			limit: number | null;
	  })
	| (RunRef & {
			type: 'run-end';
			at: number;
			state: 'finished' | 'interrupted';
			exitCode: number | null;
			grade: string | null;
			elapsedMs: number;
			phases: {passed: number; failed: number; total: number};
			failedPhases: PhaseId[];
			operations: number;
			successRate: number | null;
			reportDir: string | null;
	  });

export type NotifyEventType = NotifyEvent['type'];

interface LimitState {
	over: boolean;
	lastSentAt: number;
}

export interface WatcherOptions {
	/** A resource back under this fraction of its limit re-arms its alert (default 0.9). */
	rearmRatio?: number;
	/** At most one alert per resource metric in this window (default 5 min). */
	limitCooldownMs?: number;
}

export class SnapshotWatcher {
	private runId: string | null = null;
	private phaseStatus = new Map<PhaseId, string>();
	private criticalKeys = new Set<string>();
	private ended = false;
	private limits = new Map<string, LimitState>();
	private seenResources = new Set<string>();
	private alive = new Map<string, boolean>();
	private readonly rearmRatio: number;
	private readonly cooldownMs: number;

	constructor(options: WatcherOptions = {}) {
		this.rearmRatio = options.rearmRatio ?? 0.9;
		this.cooldownMs = options.limitCooldownMs ?? 300_000;
	}

	/** Records the current state without reporting it (what happened before the notifier existed). */
	baseline(snapshot: EngineSnapshot): void {
		this.diff(snapshot);
	}

	/** Events since the previous snapshot. */
	next(snapshot: EngineSnapshot): NotifyEvent[] {
		return this.diff(snapshot);
	}

	private diff(s: EngineSnapshot): NotifyEvent[] {
		const run = s.run;
		if (!run) return [];
		const events: NotifyEvent[] = [];
		const ref: RunRef = {runId: run.id, profile: s.profile.name, environment: s.profile.environment};
		if (run.id !== this.runId) {
			this.runId = run.id;
			this.phaseStatus.clear();
			this.criticalKeys.clear();
			this.ended = false;
		}
		for (const phase of s.phases) {
			const before = this.phaseStatus.get(phase.id);
			this.phaseStatus.set(phase.id, phase.status);
			if (phase.status === 'fail' && before !== 'fail' && run.plan.phases.includes(phase.id)) {
				events.push({
					...ref,
					type: 'phase-failed',
					at: phase.endedAt ?? s.at,
					phase: phase.id,
					title: phase.title,
					reason: phase.reason ?? null,
					failedChecks: phase.checks
						.filter(c => c.verdict === 'fail')
						.slice(0, 10)
						.map(c => ({
							id: c.id,
							title: c.title,
							measured: c.measured === null ? '—' : `${String(c.measured)}${c.unit ? ` ${c.unit}` : ''}`,
							threshold: c.threshold,
							reason: c.reason ?? null,
						})),
				});
			}
		}
		for (const group of s.errors) {
			if (!group.critical || this.criticalKeys.has(group.key)) continue;
			this.criticalKeys.add(group.key);
			events.push({
				...ref,
				type: 'anomaly',
				at: group.lastSeen,
				kind: 'critical-error',
				metric: group.kind,
				detail: `critical error (${group.kind})${group.phase ? ` in ${group.phase}` : ''}: ${group.message}`,
				value: group.count,
				limit: null,
			});
		}
		// After the end, resource readings are the report being written, not the run: not anomalies.
		if (!this.ended && run.state !== 'finished' && run.state !== 'interrupted')
			events.push(...this.limitCrossings(s, ref));
		if ((run.state === 'finished' || run.state === 'interrupted') && !this.ended) {
			this.ended = true;
			const inPlan = s.phases.filter(p => run.plan.phases.includes(p.id));
			const failed = inPlan.filter(p => p.status === 'fail' || p.status === 'no-data');
			events.push({
				...ref,
				type: 'run-end',
				at: run.endedAt ?? s.at,
				state: run.state,
				exitCode: run.exitCode,
				grade: s.grade,
				elapsedMs: run.elapsedMs,
				phases: {
					passed: inPlan.filter(p => p.status === 'pass' || p.status === 'warn').length,
					failed: failed.length,
					total: inPlan.length,
				},
				failedPhases: failed.map(p => p.id),
				operations: s.metrics.operations,
				successRate: s.metrics.successRate,
				reportDir: run.reportDir,
			});
		}
		return events;
	}

	/** Edge-triggered with hysteresis and a cooldown, so a value hovering at its limit alerts once. */
	private limitCrossings(s: EngineSnapshot, ref: RunRef): NotifyEvent[] {
		const out: NotifyEvent[] = [];
		const l = s.resources.limits;
		const checks: [string, string, number | null | undefined, number][] = [];
		for (const [who, r] of [
			['drydock', s.resources.self],
			['watched process', s.resources.watched],
		] as const) {
			if (!r) continue;
			// The first sample covers start-up (module loading pegs the CPU): not an anomaly.
			if (!this.seenResources.has(who)) {
				this.seenResources.add(who);
				continue;
			}
			const wasAlive = this.alive.get(who) ?? true;
			this.alive.set(who, r.alive);
			if (wasAlive && !r.alive)
				out.push({
					...ref,
					type: 'anomaly',
					at: s.at,
					kind: 'resource-limit',
					metric: `${who} alive`,
					detail: `${who} (pid ${r.pid}) is not running`,
					value: 0,
					limit: 1,
				});
			checks.push([`${who} cpu`, `${who} (pid ${r.pid}) CPU`, r.cpuPercent, l.cpuPercent]);
			checks.push([`${who} rss`, `${who} (pid ${r.pid}) RSS`, r.rssMb, l.rssMb]);
			if (who === 'drydock')
				checks.push([`${who} event-loop-lag`, `${who} event-loop lag`, r.eventLoopLagMs, l.eventLoopLagMs]);
		}
		for (const [key, label, value, limit] of checks) {
			if (value === null || value === undefined || !Number.isFinite(limit) || limit <= 0) continue;
			const state = this.limits.get(key) ?? {over: false, lastSentAt: -Infinity};
			if (!state.over && value > limit) {
				state.over = true;
				if (s.at - state.lastSentAt >= this.cooldownMs) {
					state.lastSentAt = s.at;
					const unit = key.endsWith('cpu') ? '%' : key.endsWith('rss') ? ' MB' : ' ms';
					out.push({
						...ref,
						type: 'anomaly',
						at: s.at,
						kind: 'resource-limit',
						metric: key,
						detail: `${label} ${value.toFixed(1)}${unit} over its limit of ${limit}${unit}`,
						value,
						limit,
					});
				}
			} else if (state.over && value < limit * this.rearmRatio) {
				state.over = false;
			}
			this.limits.set(key, state);
		}
		return out;
	}
}
