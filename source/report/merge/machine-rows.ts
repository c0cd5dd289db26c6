/** One machine's row in a merged report: who ran what, kept beside the merged totals. */
import type {ReportResourceSeries} from '../model.js';

export interface MachineRow {
	/** The report's `hostname` field when it has one. */
	hostname: string | null;
	/** `run_id` (drydock.report/1) or `id` (drydock.load-report/1). */
	run_id: string;
	/** Where the report came from (a file path), when the caller said. */
	source: string | null;
	start_time: string;
	end_time: string | null;
	/** Operations (run reports) or requests (load reports). */
	operations: number;
	/** Every failed operation (or request), those under injected faults included. */
	failures: number;
	/** drydock.report/1 only: of `failures`, those while drydock had a fault injected (not in success_rate). */
	failures_during_faults?: number;
	/** Percent 0–100; for run reports of the operations judged (operations − failures_during_faults). */
	success_rate: number | null;
	average_latency_ms: number | null;
	p99_latency_ms: number | null;
	grade: string | null;
	success: boolean;
	interrupted: boolean;
	exit_code: number | null;
	/** drydock.report/1 only: the machine's own resource samples. */
	resources?: ReportResourceSeries;
}
