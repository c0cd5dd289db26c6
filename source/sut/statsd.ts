/**
 * StatsD intake: a UDP listener on loopback where the SUT reports its own operations in the plain StatsD
 * or DogStatsD line format (`name:value|type|@rate|#tag:v,…`, several lines per packet). The profile's
 * names map them: the operation timer gives operations and latency (HDR histogram, as the engine keeps
 * its own), success/failure counters or a `status`-like tag give outcomes. Malformed lines are
 * counted, never thrown.
 */
import {createSocket, type Socket} from 'node:dgram';
import {LatencyRecorder} from '../engine/latency.js';
import type {LatencySummary} from '../engine/snapshot.js';
import type {SutMetricNames} from './spec.js';

export type StatsdType = 'c' | 'g' | 'ms' | 'h' | 'd' | 's';

export interface StatsdMetric {
	name: string;
	/** One value per sample (DogStatsD may pack several: `name:1:2:3|d`). Gauges keep a leading sign as text in `delta`. */
	values: number[];
	type: StatsdType;
	/** 0 < rate ≤ 1 (default 1). */
	rate: number;
	tags: Record<string, string>;
	/** A gauge written `+n` / `-n` is a change, not a value. */
	delta: boolean;
}

const types = new Set<string>(['c', 'g', 'ms', 'h', 'd', 's']);

/** Parses one line; null when it is not a metric line (malformed). DogStatsD events and service checks are not metrics either. */
export function parseStatsdLine(line: string): StatsdMetric | null {
	const text = line.trim();
	if (text === '' || text.startsWith('_e{') || text.startsWith('_sc|')) return null;
	const sections = text.split('|');
	const head = sections[0]!;
	const colon = head.indexOf(':');
	if (colon <= 0) return null;
	const name = head.slice(0, colon);
	const type = sections[1];
	if (type === undefined || !types.has(type)) return null;
	const rawValues = head.slice(colon + 1).split(':');
	const delta = type === 'g' && /^[+-]/.test(rawValues[0] ?? '');
	const values: number[] = [];
	for (const raw of rawValues) {
		if (type === 's') {
			values.push(1);
			continue;
		}
		if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return null;
		values.push(Number(raw));
	}
	let rate = 1;
	const tags: Record<string, string> = {};
	for (const section of sections.slice(2)) {
		if (section.startsWith('@')) {
			rate = Number(section.slice(1));
			if (!Number.isFinite(rate) || rate <= 0 || rate > 1) return null;
		} else if (section.startsWith('#')) {
			for (const tag of section.slice(1).split(',')) {
				if (tag === '') continue;
				const at = tag.indexOf(':');
				if (at === -1) tags[tag] = '';
				else tags[tag.slice(0, at)] = tag.slice(at + 1);
			}
		}
		// Other extensions (`c:` container id, `T` timestamp) carry nothing drydock uses.
	}
	return {name, values, type: type as StatsdType, rate, tags, delta};
}

/** Every line of a packet (newline-separated); malformed lines counted. */
export function parseStatsdPacket(packet: string): {metrics: StatsdMetric[]; malformed: number} {
	const metrics: StatsdMetric[] = [];
	let malformed = 0;
	for (const line of packet.split('\n')) {
		if (line.trim() === '') continue;
		const metric = parseStatsdLine(line);
		if (metric) metrics.push(metric);
		else malformed++;
	}
	return {metrics, malformed};
}

/** Tag values that mark an operation as failed (`#status:error`, `#outcome:failure`, `#success:false`). */
const failedValues = new Set(['error', 'err', 'fail', 'failed', 'failure', 'false', 'ko', 'rejected']);
const outcomeTags = ['status', 'outcome', 'result', 'success', 'ok'];

export function taggedFailure(tags: Readonly<Record<string, string>>): boolean {
	return outcomeTags.some(tag => tag in tags && failedValues.has(tags[tag]!.toLowerCase()));
}

export interface StatsdSnapshot {
	/** Operations: timer samples, or success+failure counts when those are larger (a SUT may send counters only). */
	operations: number;
	succeeded: number;
	failed: number;
	/** Of `failed`, those reported while drydock had a fault injected. */
	failuresDuringFaults: number;
	/** 0..1 over the operations, failures during faults left out (as the engine grades); null before the first. */
	successRate: number | null;
	latency: LatencySummary;
	packets: number;
	lines: number;
	malformed: number;
	/** Lines whose name is not mapped (a typo in the profile shows here). */
	unmapped: number;
	/** Names seen and how often (bounded to the first 200 names). */
	names: Record<string, number>;
	lastAt: number | null;
}

export interface StatsdIntakeOptions {
	metrics: SutMetricNames;
	/** True while drydock has a fault injected: a failure then is expected. */
	duringFault?: (at: number) => boolean;
	now?: () => number;
	maxNames?: number;
	/** Each operation as it arrives (a timer value; a mapped counter's count with no latency), e.g. to feed the soak. */
	onOperation?: (operation: {at: number; ok: boolean; latencyMs: number | null; count: number}) => void;
}

export class StatsdIntake {
	private socket: Socket | null = null;
	private readonly now: () => number;
	private readonly latency = new LatencyRecorder();
	private timerOps = 0;
	private timerFailed = 0;
	private successCount = 0;
	private failureCount = 0;
	private faultFailures = 0;
	private packets = 0;
	private lines = 0;
	private malformed = 0;
	private unmapped = 0;
	private lastAt: number | null = null;
	private readonly names = new Map<string, number>();

	constructor(private readonly options: StatsdIntakeOptions) {
		this.now = options.now ?? Date.now;
	}

	/** Binds the UDP socket (port 0: the system picks); resolves with the address to hand the SUT. */
	listen(port = 0, host = '127.0.0.1'): Promise<{host: string; port: number; address: string}> {
		return new Promise((resolve, reject) => {
			const socket = createSocket('udp4');
			socket.once('error', reject);
			socket.on('message', message => this.ingest(message.toString('utf8')));
			socket.bind(port, host, () => {
				socket.off('error', reject);
				// A socket error after binding (rare on loopback) must not crash drydock.
				socket.on('error', () => undefined);
				this.socket = socket;
				const bound = socket.address();
				resolve({host: bound.address, port: bound.port, address: `${bound.address}:${bound.port}`});
			});
		});
	}

	close(): Promise<void> {
		const socket = this.socket;
		this.socket = null;
		if (!socket) return Promise.resolve();
		return new Promise(resolve => socket.close(() => resolve()));
	}

	/** One packet's text (also used by tests and by a TCP/unix intake, should one come). */
	ingest(packet: string, at = this.now()): void {
		this.packets++;
		this.lastAt = at;
		const {metrics, malformed} = parseStatsdPacket(packet);
		this.malformed += malformed;
		this.lines += malformed;
		for (const metric of metrics) {
			this.lines++;
			this.count(metric.name);
			this.apply(metric, at);
		}
	}

	private count(name: string): void {
		const seen = this.names.get(name);
		if (seen !== undefined) this.names.set(name, seen + 1);
		else if (this.names.size < (this.options.maxNames ?? 200)) this.names.set(name, 1);
	}

	private apply(metric: StatsdMetric, at: number): void {
		const {operation, success, failure} = this.options.metrics;
		const weight = 1 / metric.rate;
		if (metric.name === operation && (metric.type === 'ms' || metric.type === 'h' || metric.type === 'd')) {
			const failed = taggedFailure(metric.tags);
			for (const value of metric.values) {
				this.latency.record(value);
				this.timerOps += weight;
				if (failed) this.timerFailed += weight;
				this.options.onOperation?.({at, ok: !failed, latencyMs: value, count: weight});
			}
			if (failed && this.options.duringFault?.(at)) this.faultFailures += weight * metric.values.length;
			return;
		}
		if (metric.type === 'c' && (metric.name === success || metric.name === failure)) {
			const total = metric.values.reduce((sum, v) => sum + v, 0) * weight;
			if (metric.name === success) this.successCount += total;
			else {
				this.failureCount += total;
				if (this.options.duringFault?.(at)) this.faultFailures += total;
			}
			// With a timer mapped, the timer is the operation and these only tell its outcome.
			if (!operation) this.options.onOperation?.({at, ok: metric.name === success, latencyMs: null, count: total});
			return;
		}
		// A counter named as the operation: one operation per count, outcome from its tags.
		if (metric.type === 'c' && metric.name === operation) {
			const total = metric.values.reduce((sum, v) => sum + v, 0) * weight;
			this.timerOps += total;
			this.options.onOperation?.({at, ok: !taggedFailure(metric.tags), latencyMs: null, count: total});
			if (taggedFailure(metric.tags)) {
				this.timerFailed += total;
				if (this.options.duringFault?.(at)) this.faultFailures += total;
			}
			return;
		}
		this.unmapped++;
	}

	/** True once anything mapped arrived: then the soak's operations are the SUT's own. */
	get reporting(): boolean {
		return this.timerOps > 0 || this.successCount > 0 || this.failureCount > 0;
	}

	snapshot(): StatsdSnapshot {
		const failed = Math.round(this.timerFailed + this.failureCount);
		const operations = Math.max(Math.round(this.timerOps), Math.round(this.successCount + this.failureCount), failed);
		const succeeded = Math.max(0, operations - failed);
		const faultFailures = Math.min(failed, Math.round(this.faultFailures));
		const judged = operations - faultFailures;
		return {
			operations,
			succeeded,
			failed,
			failuresDuringFaults: faultFailures,
			successRate: judged > 0 ? succeeded / judged : null,
			latency: this.latency.summary(),
			packets: this.packets,
			lines: this.lines,
			malformed: this.malformed,
			unmapped: this.unmapped,
			names: Object.fromEntries(this.names),
			lastAt: this.lastAt,
		};
	}

	/** The latency histogram, encoded as the engine's (for exact merges in reports). */
	encodedLatency(): string | null {
		return this.latency.count === 0 ? null : this.latency.encode();
	}
}
