/**
 * The SUT's operations as the venue saw them, for a SUT that reports nothing over StatsD: an operation is
 * an order placement, a rejected placement is a failed one, its latency is the ack as served. A cancel
 * (even one that finds its order already filled, -2011) is not an operation, so never a failure. A
 * failed placement while drydock had a fault injected is counted but not graded, as for drydock's own.
 */
import {LatencyRecorder} from '../engine/latency.js';
import type {LatencySummary} from '../engine/snapshot.js';
import type {VenueEvent, VenueOrderEvent} from './venue-view.js';

/** An injected fault's span, epoch ms (inclusive); `to` of a fault still active is Infinity. */
export interface FaultWindow {
	from: number;
	to: number;
}

export interface VenueOperations {
	operations: number;
	succeeded: number;
	failed: number;
	/** Of `failed`, those inside an injected fault window. */
	failuresDuringFaults: number;
	/** succeeded / (operations − failuresDuringFaults); null with nothing to judge. */
	successRate: number | null;
	latency: LatencySummary;
	/** Rejections by Binance code, as text keys (`-2010`). */
	failuresByCode: Record<string, number>;
}

/** Binance codes answered to a cancel or a query of an order that is gone (filled meanwhile): not placements. */
const cancelOrQueryCodes = new Set([-2011, -2013]);

/** Whether an order event is a placement (the thing counted as an operation). */
export function isPlacement(event: VenueOrderEvent): boolean {
	const action = event.action?.toLowerCase();
	if (action === 'cancel' || action === 'cancel-replace-cancel' || action === 'query') return false;
	if (action === 'place' || action === 'new') return true;
	if (event.status.toUpperCase() === 'CANCELED') return false;
	if (event.code !== null && cancelOrQueryCodes.has(event.code)) return false;
	return true;
}

export function isFailedPlacement(event: VenueOrderEvent): boolean {
	return event.status.toUpperCase() === 'REJECTED' || (event.code !== null && event.code < 0);
}

export function inWindows(at: number, windows: readonly FaultWindow[]): boolean {
	return windows.some(w => at >= w.from && at <= w.to);
}

/** Folds order events as they arrive (bounded memory over any run length). */
export class VenueOperationsTally {
	private readonly latency = new LatencyRecorder();
	private operations = 0;
	private failed = 0;
	private faultFailures = 0;
	private readonly byCode = new Map<string, number>();

	/** `duringFault(at)`: true when an injected fault was active at `at`. */
	constructor(private readonly duringFault: (at: number) => boolean = () => false) {}

	add(event: VenueEvent): void {
		if (event.type !== 'order' || !isPlacement(event)) return;
		this.operations++;
		if (event.latencyMs !== null) this.latency.record(event.latencyMs);
		if (!isFailedPlacement(event)) return;
		this.failed++;
		const code = event.code === null ? 'rejected' : String(event.code);
		this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
		if (this.duringFault(event.at)) this.faultFailures++;
	}

	snapshot(): VenueOperations {
		const judged = this.operations - this.faultFailures;
		const succeeded = this.operations - this.failed;
		return {
			operations: this.operations,
			succeeded,
			failed: this.failed,
			failuresDuringFaults: this.faultFailures,
			successRate: judged > 0 ? succeeded / judged : null,
			latency: this.latency.summary(),
			failuresByCode: Object.fromEntries(this.byCode),
		};
	}
}

/** Pure: the venue-side operations of a list of events, given the injected fault windows. */
export function deriveVenueOperations(
	events: readonly VenueEvent[],
	windows: readonly FaultWindow[] = [],
): VenueOperations {
	const tally = new VenueOperationsTally(at => inWindows(at, windows));
	for (const event of events) tally.add(event);
	return tally.snapshot();
}
