/**
 * Crash recovery: after a `kill -9` (or a power cut) a run folder holds the last checkpoint of
 * report.json and the journal, events.ndjson. Replaying the journal into a fresh run state rebuilds
 * phases, checks, operations (latencies exactly), orders and errors up to the last event written; what
 * the journal doesn't carry (resource samples, stream stats, call latencies) comes from the checkpoint.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {createRunReplay} from '../engine/replay.js';
import {LatencyRecorder} from '../engine/latency.js';
import type {EngineEvent} from '../engine/events.js';
import {isPhaseId, type PhaseId} from '../engine/phase-ids.js';
import {UsageError} from '../util/usage-error.js';
import {buildReport} from './build.js';
import {REPORT_SCHEMA, type Report} from './model.js';

export interface RecoveredRun {
	report: Report;
	/** Journal lines replayed, and lines that could not be read (e.g. the one cut by the crash). */
	replayed: number;
	skipped: number;
	/** Whether a checkpoint was found to take resources and streams from. */
	fromCheckpoint: boolean;
}

const journalled = new Set<EngineEvent['type']>([
	'run-started',
	'run-finished',
	'phase-started',
	'phase-finished',
	'check',
	'operation',
	'operation-batch',
	'operator-action',
	'order',
	'position',
	'risk-rejection',
	'error',
	'breaker',
	'kill-switch',
	'fault',
	'fault-recovered',
	'anomaly',
	'notice',
	'chaos',
	'resume',
]);

export async function recoverRun(
	dir: string,
	options: {version: string; mask?: (text: string) => string},
): Promise<RecoveredRun> {
	const journalFile = path.join(dir, 'events.ndjson');
	let text: string;
	try {
		text = await readFile(journalFile, 'utf8');
	} catch {
		throw new UsageError(`report --recover ${dir}: no events.ndjson there (is it a run folder?)`);
	}
	let checkpoint: Partial<Report> | null = null;
	try {
		const parsed = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as Partial<Report>;
		if (parsed.schema === REPORT_SCHEMA) checkpoint = parsed;
	} catch {
		// No checkpoint yet (killed in its first half-minute): the journal alone will do.
	}
	const events: EngineEvent[] = [];
	let skipped = 0;
	for (const line of text.split('\n')) {
		if (line.trim() === '') continue;
		try {
			const event = JSON.parse(line) as EngineEvent;
			if (journalled.has(event.type) && typeof event.at === 'number') events.push(event);
			else skipped++;
		} catch {
			skipped++;
		}
	}
	const started = events.find((e): e is Extract<EngineEvent, {type: 'run-started'}> => e.type === 'run-started');
	if (!started) throw new UsageError(`report --recover ${dir}: the journal has no run-started event`);
	const lastAt = events.reduce((max, e) => Math.max(max, e.at), started.at);
	const profile = checkpoint?.profile ?? {
		name: 'unknown',
		exchange: 'binance',
		environment: 'mock',
		execution: 'exchange',
		symbols: [],
	};
	const phaseTitles: Partial<Record<PhaseId, string>> = {};
	for (const phase of checkpoint?.phases ?? []) if (isPhaseId(phase.id)) phaseTitles[phase.id] = phase.title;
	const replay = createRunReplay({
		profile: {
			name: profile.name,
			exchange: profile.exchange,
			environment: profile.environment as 'mock',
			execution: profile.execution as 'exchange',
			symbols: profile.symbols,
		},
		now: () => lastAt,
		phaseTitles,
		...(options.mask ? {mask: options.mask} : {}),
	});
	let finished = false;
	for (const event of events) {
		replay.apply(event);
		if (event.type === 'run-finished') finished = true;
	}
	const crashed = !finished;
	if (crashed) {
		// Phases cut short by the crash: whatever they had proved so far, they did not finish.
		for (const id of started.plan.phases) {
			const state = replay.view.phaseState(id);
			if (state.status === 'running' || state.status === 'pending') {
				replay.apply({
					type: 'check',
					at: lastAt,
					phase: id,
					check: {
						id: 'not-finished',
						title: 'Phase finished',
						verdict: 'skipped',
						measured: null,
						threshold: null,
						reason: 'the run was killed before this phase finished (recovered from the journal)',
						at: lastAt,
					},
				});
				// The phase the kill cut short is interrupted, like any stopped phase; those never reached are skipped.
				replay.apply({
					type: 'phase-finished',
					at: lastAt,
					phase: id,
					status: state.status === 'running' ? 'interrupted' : 'skipped',
					reason: 'killed: not finished',
				});
			}
		}
		replay.apply({type: 'run-finished', at: lastAt, state: 'interrupted', exitCode: 1});
	}
	const exitCode = replay.view.run?.exitCode ?? 1;
	const report = buildReport(replay.view, {
		version: options.version,
		interruptedBy: crashed ? 'killed' : (checkpoint?.interrupted_by ?? null),
		checkpoint: false,
		exitCode,
		callLatency: new LatencyRecorder(),
		ordersCancelledOnExit: checkpoint?.orders_cancelled_on_exit ?? null,
		rssSlopeMbPerHour: checkpoint?.metrics?.rss_slope_mb_per_hour ?? null,
		mask: options.mask ?? (t => t),
		profilePath: checkpoint?.profile_path ?? null,
	});
	if (checkpoint) {
		// What only the checkpoint knows.
		if (checkpoint.resources) report.resources = checkpoint.resources;
		if (checkpoint.streams) report.streams = checkpoint.streams;
		if (checkpoint.calls) report.calls = checkpoint.calls;
		if (checkpoint.histograms?.calls) report.histograms.calls = checkpoint.histograms.calls;
		const self = checkpoint.resources?.self;
		if (self)
			Object.assign(report.metrics, {
				average_memory_mb: self.average_memory_mb,
				peak_memory_mb: self.peak_memory_mb,
				average_cpu_percent: self.average_cpu_percent,
			});
		report.drydock_version = checkpoint.drydock_version ?? report.drydock_version;
	}
	return {report, replayed: events.length, skipped, fromCheckpoint: checkpoint !== null};
}
