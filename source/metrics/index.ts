/**
 * `--metrics-port N [--metrics-host H]`: Prometheus /metrics for a run or a load test, so a long run
 * can be watched in Grafana. One prom-client Registry per server (never the global one).
 */
import type {EngineHandle} from '../engine/commands.js';
import type {LoadStore} from '../load/snapshot.js';
import {createEngineRegistry, type EngineMetricsOptions} from './engine-metrics.js';
import {createLoadRegistry} from './load-metrics.js';
import {serveRegistry, type MetricsServer, type MetricsServerOptions} from './server.js';
import {createSutFeed, type SutFeed} from './sut-metrics.js';

export type {MetricsServer, MetricsServerOptions} from './server.js';
export type {EngineMetricsOptions} from './engine-metrics.js';
export {createEngineRegistry} from './engine-metrics.js';
export {createLoadRegistry} from './load-metrics.js';
export {HdrHistogramMetric, defaultLatencyBuckets} from './hdr-histogram-metric.js';
export {createSutFeed, sutMetrics, type SutFeed, type SutSample, type SutOrderEvent} from './sut-metrics.js';

/** A run's metrics server; `sut.setSutSample({...})` feeds the `drydock_sut_*` metrics. */
export interface EngineMetricsServer extends MetricsServer {
	sut: SutFeed;
}

/**
 * Serves the engine's snapshot at http://host:port/metrics; resolves once listening. The SUT metrics
 * are always declared (no samples until fed), over `options.sut` or a feed of the server's own.
 */
export async function startMetricsServer(
	engine: EngineHandle,
	options: MetricsServerOptions & EngineMetricsOptions,
): Promise<EngineMetricsServer> {
	const sut = options.sut ?? createSutFeed();
	const server = await serveRegistry(createEngineRegistry(engine, {...options, sut}), options);
	return {...server, sut};
}

/** The same for `drydock load`: users, requests, failures, rates and percentiles per name. */
export function startLoadMetricsServer(store: LoadStore, options: MetricsServerOptions): Promise<MetricsServer> {
	return serveRegistry(createLoadRegistry(store), options);
}
