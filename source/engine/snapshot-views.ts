/**
 * The snapshot pieces a front end reads, built from the run's state: phases, soak progress, streams
 * (with their message rates), resources, metrics. Pure apart from the rate windows of streams and the
 * rolling of the per-second operation series.
 */
import {passCount} from './checks.js';
import type {EngineSnapshot, ErrorGroup, PhaseView, ResourceView, RunStatusView, StreamView} from './snapshot.js';
import type {RunReducer} from './run-reducer.js';
import {soakView} from './soak-view.js';

function resourceView(state: RunReducer, which: 'self' | 'watched'): ResourceView | null {
	const track = state.resources[which];
	const s = track.latest;
	if (!s) return null;
	return {
		pid: s.pid,
		label: s.label,
		cpuPercent: s.cpuPercent,
		rssMb: s.rssMb,
		heapMb: s.heapMb,
		eventLoopLagMs: s.eventLoopLagMs,
		cpuHistory: track.cpuHistory.toArray(),
		rssHistory: track.rssHistory.toArray(),
		alive: s.alive,
	};
}

function streamViews(state: RunReducer, now: number): StreamView[] {
	const out: StreamView[] = [];
	for (const stream of state.streams.values()) {
		const windowMs = now - stream.windowStart;
		if (windowMs >= 1000) {
			stream.rate = stream.windowCount / (windowMs / 1000);
			stream.windowStart = now;
			stream.windowCount = 0;
		}
		let status = stream.status;
		if (
			status === 'live' &&
			stream.lastMessageAt !== null &&
			now - stream.lastMessageAt > state.options.streamSilenceMs
		)
			status = 'silent';
		out.push({
			id: stream.id,
			kind: stream.kind,
			symbol: stream.symbol,
			status,
			messages: stream.messages,
			ratePerSec: stream.rate,
			lastMessageAt: stream.lastMessageAt,
			latency: stream.latency.summary(),
			gaps: stream.gaps,
			reconnects: stream.reconnects,
			recent: stream.recent.toArray(),
		});
	}
	return out;
}

export function phaseViews(state: RunReducer): PhaseView[] {
	const out: PhaseView[] = [];
	for (const phase of state.phases.values()) {
		const checks = phase.checks.slice();
		// Informational entries are not checks, and a warning is not a pass.
		const {passed, total} = passCount(checks);
		const end = phase.endedAt ?? (phase.status === 'running' ? state.options.now() : null);
		const firstFailure = checks.find(c => c.verdict === 'fail') ?? checks.find(c => c.verdict === 'no-data');
		const reason = phase.reason ?? firstFailure?.reason;
		out.push({
			id: phase.id,
			title: phase.title,
			status: phase.status,
			checks,
			passed,
			total,
			startedAt: phase.startedAt,
			endedAt: phase.endedAt,
			durationMs: phase.startedAt !== null && end !== null ? end - phase.startedAt : null,
			...(reason !== undefined ? {reason} : {}),
		});
	}
	return out;
}

export function buildSnapshot(state: RunReducer, seq: number): EngineSnapshot {
	const now = state.options.now();
	state.rollSeconds(Math.floor(now / 1000));
	const series = state.operationSeries();
	const o = state.overall;
	const run: RunStatusView | null = state.run
		? {
				id: state.run.id,
				plan: state.run.plan,
				state: state.run.state,
				startedAt: state.run.startedAt,
				endedAt: state.run.endedAt,
				elapsedMs: (state.run.endedAt ?? now) - state.run.startedAt,
				remainingMs: state.remainingMs,
				currentPhase: state.run.currentPhase,
				reportDir: state.run.reportDir,
				exitCode: state.run.exitCode,
			}
		: null;
	const errors: ErrorGroup[] = state.errors.list(100);
	return Object.freeze({
		seq,
		at: now,
		profile: state.options.profile,
		run,
		phases: phaseViews(state),
		grade: state.currentGrade(),
		metrics: {
			operations: o.operations,
			succeeded: o.succeeded,
			failed: o.failed,
			successRate: o.successRate,
			opsPerSecond: series.length > 0 ? series[series.length - 1]! : 0,
			opsSeries: series,
			latency: o.latency.summary(),
			orders: {...o.orders},
			positions: {
				opened: o.positions.opened,
				closed: o.positions.closed,
				open: Math.max(0, o.positions.opened - o.positions.closed),
			},
			riskRejections: o.riskRejections,
			errorsPerHour: state.errorsPerHour(),
			expectedErrors: o.expectedErrors,
			failuresDuringFaults: o.failedDuringFaults,
		},
		errors,
		streams: streamViews(state, now),
		resources: {
			self: resourceView(state, 'self'),
			watched: resourceView(state, 'watched'),
			limits: state.options.limits,
		},
		breaker: state.breaker,
		killSwitch: state.killSwitch,
		faults: state.faults.map(f => f.mark),
		soak: soakView(state, now),
		sut: state.sut,
		market: state.market.view,
		replay: state.replay,
		notices: state.notices.toArray(),
	});
}
