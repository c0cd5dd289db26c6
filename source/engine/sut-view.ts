/**
 * The system under test as the snapshot carries it (the console's SUT panel, the report's live view):
 * plain data built by source/sut/view.ts. Declared here so the engine and the UI need not import sut/.
 */
export type SutState = 'idle' | 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'exited' | 'failed';

export interface SutVenueCounters {
	requestsPerMinute: number;
	weightUsed: number;
	weightLimit: number;
	status429: number;
	status418: number;
	bannedUntil: number | null;
	ordersPlaced: number;
	ordersFilled: number;
	ordersRejected: number;
	ordersOpen: number;
	connectionsOpen: number;
	subscriptions: number;
	drops: number;
	dropsPending: number;
}

export interface SutView {
	command: string;
	state: SutState;
	pid: number | null;
	uptimeMs: number | null;
	restarts: number;
	unexpectedExits: number;
	cpuPercent: number | null;
	rssMb: number | null;
	processes: number;
	/** Recent values, oldest first (bounded). */
	cpuHistory: readonly number[];
	rssHistory: readonly number[];
	venue: SutVenueCounters | null;
	/** Why the venue's view is stale (the admin API did not answer). */
	venueError: string | null;
	statsd: {
		operations: number;
		failed: number;
		successRate: number | null;
		avgLatencyMs: number | null;
		malformed: number;
	} | null;
	errors: {total: number; expected: number};
	lastLines: readonly {at: number; stream: 'stdout' | 'stderr'; line: string; error: boolean}[];
	/** The profile's limits.sutRssMb / limits.sutCpuPercent the gauges are drawn against (defaults 500 / 50 when absent). */
	limits?: {rssMb: number; cpuPercent: number};
}
