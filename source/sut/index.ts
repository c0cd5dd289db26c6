/**
 * The system under test: the user's own bot, supervised as a child process and judged from three
 * sides — the process (exit, restarts, its tree's CPU/RSS, its log lines), the venue (what its key did,
 * through the mock's admin side) and what it reports itself (StatsD). No React, no ccxt, no mock import:
 * the mock is reached over HTTP only.
 */
export * from './spec.js';
export * from './environment.js';
export * from './supervisor.js';
export * from './log-capture.js';
export * from './proc.js';
export * from './process-tree.js';
export * from './statsd.js';
export * from './venue-view.js';
export * from './venue-activity.js';
export * from './venue-operations.js';
export * from './judge.js';
export * from './facts.js';
export * from './view.js';
export * from './soak-host.js';
