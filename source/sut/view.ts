/**
 * What the console's SUT panel shows, as one immutable plain object built from the live collectors:
 * process state, pid, uptime, restarts, CPU/RSS gauges with short histories, the venue's request and
 * order counters, the StatsD figures and the last log lines. The UI reads this, never the collectors.
 */
import type {LogCapture} from './log-capture.js';
import type {ProcessTreeMonitor} from './process-tree.js';
import type {StatsdIntake} from './statsd.js';
import type {SutSupervisor} from './supervisor.js';
import type {SutView} from '../engine/sut-view.js';
export type {SutView, SutVenueCounters} from '../engine/sut-view.js';
import type {ActivityFollower} from './venue-activity.js';

export interface SutViewSources {
	command: string;
	supervisor: SutSupervisor;
	tree?: ProcessTreeMonitor | null;
	follower?: ActivityFollower | null;
	intake?: StatsdIntake | null;
	capture?: LogCapture | null;
	/** Lines shown (default 20) and history points (default 60). */
	lines?: number;
	historyPoints?: number;
}

export function buildSutView(sources: SutViewSources, now: number): SutView {
	const {supervisor} = sources;
	const stats = sources.tree?.stats() ?? null;
	const points = sources.historyPoints ?? 60;
	const latest = sources.follower?.latest ?? null;
	const drops = sources.follower?.drops() ?? [];
	const statsd = sources.intake?.reporting ? sources.intake.snapshot() : null;
	const running = supervisor.pid !== null;
	return {
		command: sources.command,
		state: supervisor.state,
		pid: supervisor.pid,
		uptimeMs: running && supervisor.startedAt !== null ? now - supervisor.startedAt : null,
		restarts: supervisor.restarts,
		unexpectedExits: supervisor.unexpectedExits,
		cpuPercent: running ? (stats?.last?.cpuPercent ?? null) : null,
		rssMb: running ? (stats?.last?.rssMb ?? null) : null,
		processes: running ? (stats?.last?.pids.length ?? 0) : 0,
		cpuHistory: (sources.tree?.cpuHistory() ?? []).slice(-points).map(p => p.value),
		rssHistory: (sources.tree?.rssHistory() ?? []).slice(-points).map(p => p.value),
		venue: latest
			? {
					requestsPerMinute: latest.rest.requestsPerMinute,
					weightUsed: latest.rest.weightUsed,
					weightLimit: latest.rest.weightLimit,
					status429: latest.rest.status429,
					status418: latest.rest.status418,
					bannedUntil: latest.rest.bannedUntil,
					ordersPlaced: latest.orders.placed,
					ordersFilled: latest.orders.filled,
					ordersRejected: latest.orders.rejected,
					ordersOpen: latest.orders.open,
					connectionsOpen: latest.streams.connectionsOpen,
					subscriptions: latest.streams.subscriptions.length,
					drops: drops.length,
					dropsPending: drops.filter(d => d.resubscribedAfterMs === null).length,
				}
			: null,
		venueError: sources.follower?.error?.message ?? null,
		statsd: statsd
			? {
					operations: statsd.operations,
					failed: statsd.failed,
					successRate: statsd.successRate,
					avgLatencyMs: statsd.latency.avgMs,
					malformed: statsd.malformed,
				}
			: null,
		errors: sources.capture
			? {total: sources.capture.errors().total, expected: sources.capture.errors().expected}
			: {total: 0, expected: 0},
		lastLines: (sources.capture?.recent() ?? []).slice(-(sources.lines ?? 20)),
	};
}
