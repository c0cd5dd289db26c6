/**
 * `--metrics-port N [--metrics-host H]`: Prometheus /metrics for a run or a load test, so a long run
 * can be watched in Grafana. One prom-client Registry per server (never the global one).
 */
import type {EngineHandle} from '../engine/commands.js';
import type {LoadStore} from '../load/snapshot.js';
import {createEngineRegistry, type EngineMetricsOptions} from './engine-metrics.js';
import {createLoadRegistry} from './load-metrics.js';
import {serveRegistry, type MetricsServer, type MetricsServerOptions} from './server.js';

export type {MetricsServer, MetricsServerOptions} from './server.js';
export type {EngineMetricsOptions} from './engine-metrics.js';
export {createEngineRegistry} from './engine-metrics.js';
export {createLoadRegistry} from './load-metrics.js';
export {HdrHistogramMetric, defaultLatencyBuckets} from './hdr-histogram-metric.js';

/** Serves the engine's snapshot at http://host:port/metrics; resolves once listening. */
export function startMetricsServer(engine: EngineHandle, options: MetricsServerOptions & EngineMetricsOptions): Promise<MetricsServer> {
	return serveRegistry(createEngineRegistry(engine, options), options);
}

/** The same for `drydock load`: users, requests, failures, rates and percentiles per name. */
export function startLoadMetricsServer(store: LoadStore, options: MetricsServerOptions): Promise<MetricsServer> {
	return serveRegistry(createLoadRegistry(store), options);
}
