/**
 * Gathers the judge's facts from the live collectors (supervisor, process tree, log capture, venue
 * activity) at the end of a soak, after the SUT was stopped and its orders and account were read.
 * Kept apart from judge.ts so the verdicts stay pure and testable on plain data.
 */
import type {ConsistencyFacts, DropFacts, OrphanFacts, RateLimitFacts, SutFacts} from './judge.js';
import type {LogCapture} from './log-capture.js';
import type {ProcessTreeMonitor} from './process-tree.js';
import type {SutSpec} from './spec.js';
import type {SutSupervisor, StartFailure} from './supervisor.js';
import type {ActivityFollower} from './venue-activity.js';

export interface GatherInput {
	spec: SutSpec;
	supervisor: SutSupervisor | null;
	/** The start failure, when start() did not succeed. */
	startFailure?: StartFailure | null;
	tree: ProcessTreeMonitor | null;
	/** Soak start plus the warm-up, epoch ms: the leak slope is taken after it. */
	warmupUntil: number;
	capture: LogCapture | null;
	follower: ActivityFollower | null;
	/** Recovery budget of each drop, by dropId (from the chaos timeline); `defaultBudgetMs` otherwise. */
	dropBudgetMs?: (dropId: string, at: number) => number;
	defaultBudgetMs: number;
	/** 429s outside injected fault windows; default: the follower's count (give it `duringFault`). */
	status429OutsideFaults?: number;
	orphans: OrphanFacts | null;
	/** Balances reconciled against fills (judge.reconcileBalances), or why not. */
	balances: ConsistencyFacts['balances'] | null;
	durationMs: number;
	now: number;
}

export function gatherSutFacts(input: GatherInput): SutFacts {
	const sup = input.supervisor;
	const treeStats = input.tree?.stats() ?? null;
	const latest = input.follower?.latest ?? null;
	const drops: DropFacts[] = (input.follower?.drops() ?? []).map(d => ({
		dropId: d.dropId,
		at: d.at,
		resubscribedAfterMs: d.resubscribedAfterMs,
		budgetMs: input.dropBudgetMs?.(d.dropId, d.at) ?? input.defaultBudgetMs,
	}));
	const rateLimit: RateLimitFacts | null = latest
		? {
				status418: latest.rest.status418,
				status429: latest.rest.status429,
				requestsInsideRetryAfter: latest.rest.requestsInsideRetryAfter,
				status429OutsideFaults: input.status429OutsideFaults ?? input.follower!.rateLimitedOutsideFaults,
			}
		: null;
	const errors = input.capture?.errors() ?? {total: 0, expected: 0};
	return {
		durationMs: input.durationMs,
		endedAt: input.now,
		process: sup
			? {
					startFailure: input.startFailure?.message ?? null,
					unexpectedExits: sup.unexpectedExits,
					restarts: sup.restarts,
					lastUnexpectedExit: sup.lastUnexpectedExit,
				}
			: null,
		orphans: input.orphans,
		drops,
		rateLimit,
		resources: treeStats
			? {
					samples: treeStats.samples,
					avgCpuPercent: treeStats.avgCpuPercent,
					peakRssMb: treeStats.peakRssMb,
					leak: input.tree!.leak({
						warmupUntil: input.warmupUntil,
						limitMbPerHour: input.spec.limits.sutRssSlopeMbPerHour,
					}),
				}
			: null,
		errors: {total: errors.total, expected: errors.expected},
		consistency:
			latest || input.balances
				? {
						duplicateClientOrderIds: latest?.orders.duplicateClientOrderIds ?? null,
						balances: input.balances ?? {unavailable: "the SUT's account could not be read"},
					}
				: null,
		limits: input.spec.limits,
	};
}
