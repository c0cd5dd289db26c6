/**
 * Records a run beside the engine that runs it (as k6's outputs beside its executors): it listens to
 * the engine's events and writes the journal (events.ndjson), the periodic checkpoint of report.json,
 * the final report.json and junit.xml when the run finishes, and on the forced path the emergency report.
 * Every report is built from the read-only RunView.
 */
import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import type {EngineEvent} from './events.js';
import type {RunView} from './run-view.js';
import type {LatencyRecorder} from './latency.js';
import {errorMessage} from './phase-context.js';
import {buildReport} from '../report/build.js';
import type {Report} from '../report/model.js';
import {toJUnit} from '../report/junit.js';
import {Journal} from '../report/journal.js';
import {JournalSampler} from '../report/journal-sampler.js';
import {toJson, writeFileAtomic, writeFileAtomicSync} from '../report/json.js';

export interface RecorderDeps {
	view: RunView;
	now: () => number;
	notice: (level: 'info' | 'warn' | 'error', text: string) => void;
	mask: (text: string) => string;
	/** Base folder for reports/<run-id>/; null writes nothing. */
	reportDir: string | null;
	checkpointEveryMs: number;
	version: string;
	callLatency: LatencyRecorder;
	/** What the report needs that the events don't carry: who interrupted the run, orders cancelled on exit, the RSS slope. */
	extras: () => {
		interruptedBy: string | null;
		ordersCancelledOnExit: number | null;
		rssSlopeMbPerHour: number | null;
		profilePath?: string | null;
	};
}

export class RunRecorder {
	private dir: string | null = null;
	private journal: Journal | null = null;
	private sampler: JournalSampler | null = null;
	private lastCheckpoint = 0;
	private recording = false;
	private final: Promise<Report | null> | null = null;

	constructor(private readonly deps: RecorderDeps) {}

	/** Creates the run's folder (reports/<run-id>/) before the run starts; null when reports are off. */
	async prepare(runId: string): Promise<string | null> {
		if (this.deps.reportDir === null) return null;
		const dir = path.resolve(this.deps.reportDir, runId);
		await mkdir(dir, {recursive: true});
		return dir;
	}

	/** The engine's event listener. */
	readonly listener = (event: EngineEvent): void => {
		if (event.type === 'run-started') {
			this.dir = event.reportDir;
			const journal =
				event.reportDir === null ? null : new Journal(path.join(event.reportDir, 'events.ndjson'), this.deps.mask);
			this.journal = journal;
			// Bounded on long, fast soaks: operations above a per-second sample and order counters are summed (exactly).
			this.sampler = journal ? new JournalSampler(e => journal.append(e)) : null;
			this.lastCheckpoint = this.deps.now();
			this.recording = true;
			this.final = null;
		}
		// Stream messages and resource samples are too many for the journal; the checkpoint carries their figures.
		if (
			this.sampler &&
			event.type !== 'stream' &&
			event.type !== 'resource' &&
			event.type !== 'sut-sample' &&
			event.type !== 'replay-sample'
		) {
			this.sampler.append(event);
			// The last event of the run leaves nothing held back.
			if (event.type === 'run-finished') this.sampler.flush();
		}
		if (event.type === 'run-finished' && this.recording) {
			this.recording = false;
			this.final = this.writeFinal(event.exitCode);
		}
	};

	/** Called once a second: writes the checkpoint when one is due. */
	tick(): void {
		if (!this.recording) return;
		// What the journal holds back (the second's batch and counters) is on disk within a second: a crash loses at most that.
		this.sampler?.flush();
		if (this.deps.now() - this.lastCheckpoint >= this.deps.checkpointEveryMs) {
			this.lastCheckpoint = this.deps.now();
			void this.checkpoint();
		}
	}

	/** Writes report.json marked as a checkpoint (atomic). */
	async checkpoint(): Promise<void> {
		if (!this.recording || !this.dir || !this.deps.view.run) return;
		try {
			await writeFileAtomic(path.join(this.dir, 'report.json'), toJson(this.report(true, null)));
		} catch (error) {
			this.deps.notice('warn', `checkpoint not written: ${errorMessage(error)}`);
		}
	}

	private async writeFinal(exitCode: number): Promise<Report | null> {
		let report: Report | null = null;
		try {
			report = this.report(false, exitCode);
			if (this.dir) {
				await writeFileAtomic(path.join(this.dir, 'report.json'), toJson(report));
				await writeFileAtomic(path.join(this.dir, 'junit.xml'), toJUnit(report, this.deps.mask));
			}
		} catch (error) {
			this.deps.notice('error', `report not written: ${errorMessage(error)}`);
		}
		return report;
	}

	/** Resolves with the final report once it is written and the journal closed (null when the run had no run-finished). */
	async finished(): Promise<Report | null> {
		const report = this.final ? await this.final : null;
		this.sampler?.flush();
		this.sampler = null;
		await this.journal?.close().catch(() => {});
		this.journal = null;
		this.dir = null;
		this.final = null;
		return report;
	}

	/** The forced path (second Ctrl-C): writes what it can synchronously. */
	writeEmergencyReport(interruptedBy: string, exitCode: number): string | null {
		if (!this.dir || !this.deps.view.run) return null;
		try {
			const file = path.join(this.dir, 'report.json');
			const report = this.report(false, exitCode, interruptedBy);
			writeFileAtomicSync(file, toJson({...report, interrupted: true, interrupted_by: interruptedBy, success: false}));
			return file;
		} catch {
			return null;
		}
	}

	private report(checkpoint: boolean, exitCode: number | null, interruptedBy?: string): Report {
		const extras = this.deps.extras();
		return buildReport(this.deps.view, {
			version: this.deps.version,
			interruptedBy: interruptedBy ?? extras.interruptedBy,
			checkpoint,
			exitCode,
			callLatency: this.deps.callLatency,
			ordersCancelledOnExit: extras.ordersCancelledOnExit,
			rssSlopeMbPerHour: extras.rssSlopeMbPerHour,
			profilePath: extras.profilePath ?? null,
			mask: this.deps.mask,
		});
	}
}
