/** A load run (LoadStore snapshots) as Prometheus metrics, read at scrape time. */
import {Counter, Gauge, Registry} from 'prom-client';
import type {LoadSnapshot, LoadStatus, LoadStore} from '../load/snapshot.js';

const statuses: LoadStatus[] = ['starting', 'running', 'stopping', 'finished'];

export function createLoadRegistry(store: LoadStore, prefix = 'drydock_load_'): Registry {
	const registry = new Registry();
	const snap = () => store.getSnapshot();
	const gauge = <L extends string>(
		name: string,
		help: string,
		labelNames: readonly L[],
		fill: (this: Gauge<L>, s: LoadSnapshot) => void,
	) =>
		new Gauge<L>({
			name: prefix + name,
			help,
			labelNames,
			registers: [registry],
			collect() {
				this.reset();
				fill.call(this, snap());
			},
		});
	const counter = <L extends string>(
		name: string,
		help: string,
		labelNames: readonly L[],
		fill: (this: Counter<L>, s: LoadSnapshot) => void,
	) =>
		new Counter<L>({
			name: prefix + name,
			help,
			labelNames,
			registers: [registry],
			collect() {
				this.reset();
				fill.call(this, snap());
			},
		});
	const rows = (s: LoadSnapshot) => [
		...s.entries.map(e => ({e, method: e.method, name: e.name})),
		{e: s.total, method: '', name: 'Aggregated'},
	];

	gauge('status', 'Load run status: 1 for the current one', ['status'], function (s) {
		for (const st of statuses) this.set({status: st}, s.status === st ? 1 : 0);
	});
	gauge('elapsed_seconds', 'Time since the load run started', [], function (s) {
		this.set(s.elapsedMs / 1000);
	});
	gauge('users', 'Virtual users: current, target, busy', ['kind'], function (s) {
		this.set({kind: 'current'}, s.users.current);
		this.set({kind: 'target'}, s.users.target);
		this.set({kind: 'busy'}, s.users.busy);
	});
	counter(
		'requests_total',
		'Requests per method and name (name="Aggregated" is the total)',
		['method', 'name'],
		function (s) {
			for (const {e, method, name} of rows(s)) this.inc({method, name}, e.requests);
		},
	);
	counter('failures_total', 'Failed requests per method and name', ['method', 'name'], function (s) {
		for (const {e, method, name} of rows(s)) this.inc({method, name}, e.failures);
	});
	gauge('current_rps', 'Requests per second over the last 10 s', ['method', 'name'], function (s) {
		for (const {e, method, name} of rows(s)) this.set({method, name}, e.currentRps);
	});
	gauge(
		'latency_milliseconds',
		'Response time percentiles over the run (HDR histogram)',
		['method', 'name', 'quantile'],
		function (s) {
			for (const {e, method, name} of rows(s)) {
				if (e.requests === 0) continue;
				for (const [label, value] of Object.entries(e.correctedPercentiles ?? e.percentiles))
					this.set({method, name, quantile: label}, value);
			}
		},
	);
	counter('task_errors_total', 'Exceptions in task code outside any request', [], function (s) {
		this.inc(s.taskErrors);
	});
	counter('dropped_iterations_total', 'Arrival-rate iterations dropped (backlog full)', [], function (s) {
		if (s.arrival) this.inc(s.arrival.dropped);
	});
	return registry;
}
