/**
 * The headless line reporter: phase start/finish lines with verdicts, the soak progress block every
 * profile.soak.progressEveryMs, notices worth a line. Reads the same engine as the console; ASCII only,
 * so CI logs stay readable.
 */
import {passCount} from '../engine/checks.js';
import type {Engine} from '../engine/engine.js';
import type {EngineEvent} from '../engine/events.js';
import {formatDuration} from '../util/duration.js';
import {formatSoakBlock, statusLabel} from './summary.js';
import {createSutHeadlessLines} from './headless-sut.js';

export interface HeadlessOptions {
	write?: (text: string) => void;
	progressEveryMs: number;
}

export function attachHeadlessReporter<S, P>(engine: Engine<S, P>, options: HeadlessOptions): () => void {
	const write = options.write ?? (text => void process.stdout.write(text));
	const view = engine.store.view;
	const stamp = (at: number) => {
		const started = view.run?.startedAt ?? at;
		return `[${formatDuration(Math.max(0, at - started)).padStart(8)}]`;
	};
	let progress: NodeJS.Timeout | null = null;
	const printProgress = () => {
		const soak = view.soakView(Date.now());
		if (!soak) return;
		write(
			formatSoakBlock(`soak progress ${formatDuration(soak.elapsedMs)}`, {
				duration: `${formatDuration(soak.elapsedMs)} of ${formatDuration(soak.durationMs)}`,
				operations: soak.operations,
				successRate: soak.successRate === null ? null : soak.successRate * 100,
				avgMs: soak.avgLatencyMs,
				peakMs: soak.peakLatencyMs,
				errors: soak.errors,
				expectedErrors: soak.expectedErrors ?? null,
				failuresDuringFaults: soak.failuresDuringFaults ?? null,
				status: soak.statusLine,
			}) + '\n',
		);
	};
	const chaosJudged = new Map<number, string>();
	const sutLines = createSutHeadlessLines();
	const onEvent = (event: EngineEvent) => {
		for (const line of sutLines.lines(event)) write(`${stamp(event.at)} ${line}\n`);
		switch (event.type) {
			case 'run-started':
				write(
					`drydock run ${event.runId}: plan ${event.plan.name} — ${event.plan.phases.join(', ')}${event.plan.phases.includes('soak') ? ` (soak ${formatDuration(event.plan.soakDurationMs)})` : ''}\n`,
				);
				if (event.reportDir) write(`  report folder: ${event.reportDir}\n`);
				break;
			case 'phase-started':
				write(`${stamp(event.at)} >> ${event.phase}: ${view.phaseState(event.phase).title}\n`);
				if (event.phase === 'soak' && !progress) {
					progress = setInterval(printProgress, options.progressEveryMs);
					progress.unref();
				}
				break;
			case 'phase-finished': {
				const phase = view.phaseState(event.phase);
				const {passed, total} = passCount(phase.checks);
				const took = phase.startedAt === null ? '' : ` in ${formatDuration(event.at - phase.startedAt)}`;
				write(
					`${stamp(event.at)} ${statusLabel[event.status].padEnd(7)} ${event.phase}: ${passed}/${total} checks${took}\n`,
				);
				for (const check of phase.checks) {
					if (check.verdict === 'pass') continue;
					const measured =
						check.measured === null ? '' : ` measured ${String(check.measured)}${check.unit ? ` ${check.unit}` : ''}`;
					const threshold = check.threshold ? ` (threshold ${check.threshold})` : '';
					const reason = check.reason
						? ` — ${check.reason.length > 300 ? `${check.reason.slice(0, 299)}…` : check.reason}`
						: '';
					write(`           ${check.verdict.toUpperCase().padEnd(7)} ${check.id}:${measured}${threshold}${reason}\n`);
				}
				if (event.phase === 'soak' && progress) {
					clearInterval(progress);
					progress = null;
				}
				break;
			}
			case 'fault':
				write(`${stamp(event.at)} FAULT   ${event.mark.kind}: ${event.mark.detail}\n`);
				break;
			case 'chaos': {
				// One line when a chaos fault is judged (not on every intermediate update).
				const r = event.record;
				if (r.verdict === 'pass' || r.verdict === 'fail' || r.verdict === 'no-data' || r.verdict === 'skipped') {
					if (chaosJudged.get(r.index) === r.verdict) break;
					chaosJudged.set(r.index, r.verdict);
					const figures = [
						r.detected_after_ms !== null ? `detected ${r.detected_after_ms} ms` : null,
						r.resubscribed_after_ms !== null ? `resubscribed ${r.resubscribed_after_ms} ms` : null,
						r.recovery_ms !== null
							? `recovered ${r.recovery_ms} ms after it ended (budget ${r.recovery_budget_ms} ms)`
							: null,
					]
						.filter(Boolean)
						.join(', ');
					write(
						`${stamp(event.at)} CHAOS   ${r.verdict.toUpperCase()} #${r.index} ${r.label}${figures ? `: ${figures}` : ''}${r.reason ? ` — ${r.reason}` : ''}\n`,
					);
				}
				break;
			}
			case 'anomaly':
				write(`${stamp(event.at)} ANOMALY ${event.detail}\n`);
				break;
			case 'notice':
				if (event.level !== 'info') write(`${stamp(event.at)} ${event.level.toUpperCase()} ${event.text}\n`);
				break;
			default:
				break;
		}
	};
	const detach = engine.onEvent(onEvent);
	return () => {
		detach();
		if (progress) clearInterval(progress);
	};
}
