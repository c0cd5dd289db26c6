/**
 * The system under test as Prometheus metrics (`drydock_sut_*`): its process (up, restarts, CPU, RSS)
 * and what the venue saw of it (requests, 429/418, orders, open orders). The SUT module feeds the
 * latest figures through `setSutSample`; they are read at scrape time. Until a sample arrives every
 * metric is declared (HELP/TYPE) with no sample, so a dashboard shows "no data", never a false 0.
 */
import type {Metric} from 'prom-client';

/** Order events the venue attributes to the SUT's key. */
export type SutOrderEvent = 'placed' | 'filled' | 'canceled' | 'rejected' | 'expired';

/**
 * What the SUT looked like at one moment. Every field is optional: a field given replaces the last
 * value, a field left out keeps it (the process side and the venue side can feed separately). Counts
 * are running totals since the run started; `null` means "not known now" and drops the sample.
 */
export interface SutSample {
	/** Whether its process is running. */
	up?: boolean;
	/** Process restarts so far (by drydock's supervisor). */
	restarts?: number;
	/** CPU of its process tree, % of one core. */
	cpuPercent?: number | null;
	/** Resident memory of its process tree. */
	rssBytes?: number | null;
	/** Requests the venue attributed to its key. */
	requests?: number;
	/** Responses 429 (rate limited) and 418 (IP banned) it received. */
	responses429?: number;
	responses418?: number;
	/** Orders by event, attributed to its key. */
	orders?: Partial<Record<SutOrderEvent, number>>;
	/** Its orders resting on the venue now. */
	openOrders?: number;
}

export interface SutFeed {
	/** Merges `sample` into the SUT's latest figures (see SutSample). */
	setSutSample(sample: SutSample): void;
	/** Forgets every figure (e.g. a new run without a SUT): the metrics go back to no samples. */
	clearSut(): void;
	/** The merged figures now. */
	current(): Readonly<SutSample>;
}

export function createSutFeed(): SutFeed {
	let latest: SutSample = {};
	return {
		setSutSample(sample) {
			// A NaN would reach Prometheus as a value; a feeding bug should say so where it happens.
			const bad = Object.entries({...sample, ...sample.orders}).find(
				([, v]) => typeof v === 'number' && !Number.isFinite(v),
			);
			if (bad) throw new RangeError(`setSutSample: ${bad[0]} is ${Number(bad[1])}, not a finite number`);
			const orders = sample.orders ? {...latest.orders, ...sample.orders} : latest.orders;
			latest = {...latest, ...definedOnly(sample), ...(orders ? {orders} : {})};
		},
		clearSut() {
			latest = {};
		},
		current: () => latest,
	};
}

function definedOnly(sample: SutSample): SutSample {
	return Object.fromEntries(Object.entries(sample).filter(([, v]) => v !== undefined));
}

interface Value {
	value: number;
	labels: Record<string, string>;
}

/** A metric whose values are computed from the feed at scrape time; no values means no samples. */
class FeedMetric {
	readonly aggregator = 'sum';
	constructor(
		readonly name: string,
		readonly help: string,
		readonly type: 'gauge' | 'counter',
		private readonly values: (s: Readonly<SutSample>) => Value[],
		private readonly feed: SutFeed,
	) {}

	get(): {name: string; help: string; type: string; aggregator: string; values: Value[]} {
		return {
			name: this.name,
			help: this.help,
			type: this.type,
			aggregator: this.aggregator,
			values: this.values(this.feed.current()),
		};
	}

	/** prom-client's Registry accepts any object with this shape; its typings want its own classes. */
	asMetric(): Metric {
		return this as unknown as Metric;
	}
}

const one = (v: number | null | undefined): Value[] => (v === null || v === undefined ? [] : [{value: v, labels: {}}]);

/** The `drydock_sut_*` metrics over `feed`, ready for Registry.registerMetric. */
export function sutMetrics(feed: SutFeed, prefix = 'drydock_'): Metric[] {
	const p = prefix + 'sut_';
	return [
		new FeedMetric(
			p + 'up',
			'System under test: 1 while its process runs, 0 when it is down',
			'gauge',
			s => one(s.up === undefined ? null : s.up ? 1 : 0),
			feed,
		),
		new FeedMetric(p + 'restarts_total', 'System under test: process restarts', 'counter', s => one(s.restarts), feed),
		new FeedMetric(
			p + 'cpu_percent',
			'System under test: CPU of its process tree (% of one core)',
			'gauge',
			s => one(s.cpuPercent),
			feed,
		),
		new FeedMetric(
			p + 'resident_memory_bytes',
			'System under test: RSS of its process tree',
			'gauge',
			s => one(s.rssBytes),
			feed,
		),
		new FeedMetric(
			p + 'requests_total',
			'System under test: requests the venue attributed to its key',
			'counter',
			s => one(s.requests),
			feed,
		),
		new FeedMetric(
			p + 'rate_limited_responses_total',
			'System under test: 429 (rate limited) and 418 (banned) responses it received',
			'counter',
			s => [
				...(s.responses429 !== undefined ? [{value: s.responses429, labels: {status: '429'}}] : []),
				...(s.responses418 !== undefined ? [{value: s.responses418, labels: {status: '418'}}] : []),
			],
			feed,
		),
		new FeedMetric(
			p + 'orders_total',
			'System under test: its orders by event',
			'counter',
			s => Object.entries(s.orders ?? {}).map(([event, value]) => ({value: value ?? 0, labels: {event}})),
			feed,
		),
		new FeedMetric(
			p + 'open_orders',
			'System under test: its orders resting on the venue now',
			'gauge',
			s => one(s.openOrders),
			feed,
		),
	].map(m => m.asMetric());
}
