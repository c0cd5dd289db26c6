/**
 * `drydock run --resume DIR`: reads an interrupted run's report.json (or, after a kill -9, rebuilds it
 * from the last checkpoint and the journal), and turns it into what the engine needs to carry on: the
 * seed (finished phases, counters, HDR histograms, errors, chaos records), the phases still to run and
 * the soak time left. A finished run, or one without a soak, is a usage error with the reason.
 */
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import type {ResumeSeed} from '../engine/events.js';
import {decodeHistogram} from '../engine/latency.js';
import {isPhaseId, type PhaseId} from '../engine/phase-ids.js';
import type {PlanSpec} from '../engine/plans.js';
import type {Engine, RunOutcome} from '../engine/engine.js';
import type {ExchangeClient} from '../exchange/exchange-client.js';
import {recoverRun} from '../report/recover.js';
import {REPORT_SCHEMA, type Report} from '../report/model.js';
import {UsageError} from '../util/usage-error.js';

export interface ResumePlan {
	seed: ResumeSeed;
	/** The original plan (what the final report describes). */
	plan: PlanSpec;
	runPhases: PhaseId[];
	soakDurationMs: number;
	profileName: string;
	/** Whether the state came from a checkpoint + journal (the run was killed) rather than a final report. */
	recovered: boolean;
}

/** Checks that mark a phase as cut short rather than finished. */
const cutShort = new Set(['interrupted', 'not-run', 'not-finished']);
/** Less soak than this left is nothing to resume. */
const MIN_REMAINING_MS = 100;

export async function prepareResume(dir: string, version: string): Promise<ResumePlan> {
	const where = `--resume ${dir}`;
	const file = path.join(dir, 'report.json');
	let stored: Report | null = null;
	try {
		const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Report>;
		if (parsed.schema === REPORT_SCHEMA) stored = parsed as Report;
	} catch {
		// Missing or cut mid-write: the journal may still tell the story.
	}
	let recovered = false;
	let fromJournal: Report | null = null;
	// A checkpoint (killed with -9) or no report at all: rebuild it from the checkpoint and the journal.
	if (stored === null || stored.checkpoint) {
		try {
			fromJournal = (await recoverRun(dir, {version})).report;
			recovered = true;
		} catch (error) {
			if (stored === null)
				throw new UsageError(
					`${where}: no readable report.json or journal there (${error instanceof Error ? error.message : String(error)})`,
				);
		}
	}
	const report: Report = fromJournal ?? stored!;
	if (!report.interrupted)
		throw new UsageError(`${where}: that run finished (exit ${report.exit_code ?? '?'}) — there is nothing to resume`);
	if (!report.plan.phases.includes('soak')) throw new UsageError(`${where}: that run's plan has no soak to resume`);
	const soak = report.phases.find(p => p.id === 'soak');
	const soakElapsed = soak && soak.started_at !== null ? Math.max(0, soak.duration_ms ?? 0) : 0;
	// The soak stops its schedule cleanly on a signal (its checks may even pass): short of its duration is cut short.
	const soakCut =
		!soak ||
		soak.status === 'pending' ||
		soak.status === 'running' ||
		soak.checks.some(c => cutShort.has(c.id)) ||
		soakElapsed < report.plan.soak_duration_ms - MIN_REMAINING_MS;
	if (!soakCut)
		throw new UsageError(
			`${where}: its soak already finished (${soak?.status ?? 'unknown'}) — there is nothing to resume`,
		);
	const soakElapsedMs = soakElapsed;
	const remaining = report.plan.soak_duration_ms - soakElapsedMs;
	if (remaining < MIN_REMAINING_MS)
		throw new UsageError(
			`${where}: its soak had done ${Math.round(soakElapsedMs / 1000)} s of ${Math.round(report.plan.soak_duration_ms / 1000)} s — nothing left to run`,
		);

	const toRun = (p: Report['phases'][number]) =>
		p.id === 'soak' || p.status === 'pending' || p.status === 'running' || p.checks.some(c => cutShort.has(c.id));
	const runPhases = report.plan.phases.filter(id => {
		const phase = report.phases.find(p => p.id === id);
		return !phase || toRun(phase);
	});
	const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
	const soakHistogram = report.histograms?.soak ?? null;
	const soakOps = soakHistogram && safeCount(soakHistogram) > 0 ? report.total_operations : 0;
	// success_rate is of the operations judged: total_operations less those that failed under an injected
	// fault (failures_during_faults, which goes with total_operations: the soak's here). Absent in older reports.
	const soakFailedDuringFaults = soakOps === 0 ? 0 : Math.min(soakOps, report.metrics.failures_during_faults ?? 0);
	// A null rate with operations: every one failed under a fault.
	const soakSucceeded =
		soakOps === 0
			? 0
			: Math.round(
					((report.success_rate ?? (soakFailedDuringFaults > 0 ? 0 : 100)) / 100) * (soakOps - soakFailedDuringFaults),
				);
	const soakExpectedErrors = report.metrics.soak_expected_errors ?? 0;
	const overall = report.histograms?.operations ? safeDecode(report.histograms.operations) : null;
	const errors = (report.errors ?? []).map(g => ({
		kind: g.kind,
		message: g.message,
		phase: g.phase,
		count: g.count,
		firstSeen: g.firstSeen,
		lastSeen: g.lastSeen,
		critical: g.critical,
	}));
	const seed: ResumeSeed = {
		fromDir: path.resolve(dir),
		fromRunId: report.run_id,
		startedAt: Date.parse(report.start_time),
		soakElapsedMs,
		phases: report.phases
			.filter(p => isPhaseId(p.id) && !runPhases.includes(p.id))
			.map(p => ({
				id: p.id,
				title: p.title,
				status: p.status,
				checks: p.checks,
				startedAt: ms(p.started_at),
				endedAt: ms(p.ended_at),
				reason: p.reason,
			})),
		soak: {
			operations: soakOps,
			succeeded: soakSucceeded,
			failed: soakOps - soakSucceeded,
			errors: errors.filter(g => g.phase === 'soak').reduce((sum, g) => sum + g.count, 0),
			histogram: soakOps > 0 ? soakHistogram : null,
			avgMs: report.average_latency_ms,
			minMs: report.min_latency_ms,
			maxMs: report.peak_latency_ms,
			failedDuringFaults: soakFailedDuringFaults,
			expectedErrors: soakExpectedErrors,
		},
		overall:
			overall === null
				? {operations: 0, failed: 0, histogram: null, avgMs: null, minMs: null, maxMs: null, failedDuringFaults: 0}
				: {
						operations: overall.count,
						failed: soakOps - soakSucceeded,
						histogram: report.histograms.operations,
						avgMs: overall.meanMs,
						minMs: overall.percentileMs(0),
						maxMs: overall.percentileMs(100),
						failedDuringFaults: soakFailedDuringFaults,
					},
		orders: {
			placed: report.metrics.orders_placed,
			filled: report.metrics.orders_filled,
			canceled: report.metrics.orders_canceled,
			rejected: report.metrics.orders_rejected,
		},
		positions: {opened: report.metrics.positions_opened, closed: report.metrics.positions_closed},
		riskRejections: report.metrics.risk_rejections,
		expectedErrors: report.metrics.expected_errors ?? 0,
		errors,
		chaos: report.chaos ?? [],
		ordersCancelled: 0,
	};
	return {
		seed,
		plan: {name: report.plan.name, phases: report.plan.phases, soakDurationMs: report.plan.soak_duration_ms},
		runPhases,
		soakDurationMs: remaining,
		profileName: report.profile.name,
		recovered,
	};
}

function safeDecode(encoded: string): ReturnType<typeof decodeHistogram> | null {
	try {
		return decodeHistogram(encoded);
	} catch {
		return null;
	}
}

function safeCount(encoded: string): number {
	return safeDecode(encoded)?.count ?? 0;
}

/** drydock's clientOrderIds: `dd<5+ base36>-<tag>-<n>` (see OrderTracker). */
const drydockOrderId = /^dd[0-9a-z]{5,}-/;

/**
 * Before carrying on, orders the interrupted segment left open are cancelled (only ours, by their
 * clientOrderId prefix); resolves to how many.
 */
export async function cancelLeftoverOrders(
	exchange: ExchangeClient,
	symbols: readonly string[],
): Promise<{cancelled: number; failed: string[]}> {
	let cancelled = 0;
	const failed: string[] = [];
	for (const symbol of symbols) {
		let open;
		try {
			open = await exchange.fetchOpenOrders(symbol);
		} catch (error) {
			failed.push(`${symbol}: open orders unreadable (${error instanceof Error ? error.message : String(error)})`);
			continue;
		}
		for (const order of open) {
			if (order.clientOrderId === null || !drydockOrderId.test(order.clientOrderId)) continue;
			try {
				await exchange.cancelOrder(symbol, {clientOrderId: order.clientOrderId});
				cancelled++;
			} catch (error) {
				if ((error as {kind?: string}).kind !== 'order-not-found')
					failed.push(`${order.clientOrderId}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
	}
	return {cancelled, failed};
}

/**
 * Starts the resumed segment: leftover orders cancelled first, then the run carries on from the seed.
 * `say` gets the lines for the user (stdout headless, notices in the console).
 */
export async function startResumedRun<S, P>(
	engine: Engine<S, P>,
	exchange: ExchangeClient,
	symbols: readonly string[],
	resume: ResumePlan,
	say: (line: string) => void,
): Promise<RunOutcome> {
	// A shutdown requested before (or while leftover orders are cancelled) refuses the run: engine.start
	// resolves interrupted without running, so the soak never carries on after Ctrl-C.
	const leftovers = await cancelLeftoverOrders(exchange, symbols);
	if (engine.runsRefusedBy !== null) {
		say(`resume: not carried on (${engine.runsRefusedBy}); ${leftovers.cancelled} open order(s) of ours cancelled`);
		return engine.start(resume.plan, {
			resume: resume.seed,
			runPhases: resume.runPhases,
			soakDurationMs: resume.soakDurationMs,
		});
	}
	resume.seed.ordersCancelled = leftovers.cancelled;
	for (const problem of leftovers.failed) say(`resume: ${problem}`);
	say(
		`resuming ${resume.seed.fromRunId}${resume.recovered ? ' (recovered from its checkpoint and journal)' : ''}: ${Math.round(resume.seed.soakElapsedMs / 1000)} s of soak done, ${Math.round(resume.soakDurationMs / 1000)} s left; ${leftovers.cancelled} open order(s) of ours cancelled first`,
	);
	return engine.start(resume.plan, {
		resume: resume.seed,
		runPhases: resume.runPhases,
		soakDurationMs: resume.soakDurationMs,
	});
}
