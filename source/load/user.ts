/**
 * A virtual user: the object a scenario's tasks receive. It sends requests through the shared
 * transport, records each one (latency, size, success against `expect`) and lets the task carry on
 * whatever happens: a failed request is counted, never fatal to the run.
 */
import {performance} from 'node:perf_hooks';
import type {HttpTransport, RawResponse} from './http-transport.js';
import type {StatsEntry, StatsRegistry} from './stats.js';
import type {Expectation, LoadResponse, LoadUser, RequestOptions} from './scenario-api.js';

/** Shared by every user of a run. */
export interface UserContext {
	transport: HttpTransport;
	stats: StatsRegistry;
	/** `http://host:port` of the target. */
	origin: string;
	/** Path prefix of the target URL ('' or '/base'). */
	basePath: string;
	/** performance.now() at the start of the run; request seconds are counted from it. */
	startMs: number;
	/** Whether latencies from the intended send time are recorded too (arrival-rate mode). */
	correctForOmission: boolean;
	/** Set when the run's stop grace period is over: no request leaves or is recorded from here on. */
	stopped: boolean;
}

/** Thrown by a request attempted after the run ended; not counted anywhere. */
export class StopError extends Error {
	override readonly name = 'StopError';
}

/** A request error already counted as a failure; task code sees it thrown, the runner ignores it. */
export class RecordedRequestError extends Error {
	override readonly name = 'RecordedRequestError';
	readonly recorded = true;
}

const JSON_HEADERS = {'content-type': 'application/json'};

class Response implements LoadResponse {
	constructor(
		readonly status: number,
		private readonly raw: RawResponse,
		readonly ok: boolean,
	) {}

	get headers(): Record<string, string> {
		return this.raw.headers();
	}

	text(): string {
		return this.raw.body.toString('utf8');
	}

	json<T = unknown>(): T {
		return JSON.parse(this.raw.body.toString('utf8')) as T;
	}
}

function expected(expect: Expectation | undefined, status: number): boolean {
	if (expect === undefined) return status >= 200 && status < 300;
	if (typeof expect === 'number') return status === expect;
	if (typeof expect === 'function') return expect(status);
	return expect.includes(status);
}

function errorReason(error: Error): string {
	const code = (error as {code?: unknown}).code;
	const message = error.message || error.name;
	return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

export class VirtualUser implements LoadUser {
	state: Record<string, unknown> = {};
	/** Set when the runner wants this user gone; checked between tasks. */
	stopping = false;
	/** How late (ms) the current iteration started against its schedule (arrival-rate mode). */
	lagMs = 0;
	/** Requests sent during the current task (0 means the task did no I/O). */
	requestsInTask = 0;
	/** onStart has completed (arrival-rate users start lazily). */
	started = false;
	/** The latest request of the current task and whether it already counts as failed. */
	private lastEntry: StatsEntry | null = null;
	private lastFailed = false;
	/** The stats entry of the previous request. */
	private cachedEntry: StatsEntry | null = null;

	constructor(
		readonly id: number,
		private readonly ctx: UserContext,
	) {}

	get(path: string, options?: RequestOptions): Promise<LoadResponse> {
		return this.request('GET', path, options);
	}

	post(path: string, options?: RequestOptions): Promise<LoadResponse> {
		return this.request('POST', path, options);
	}

	put(path: string, options?: RequestOptions): Promise<LoadResponse> {
		return this.request('PUT', path, options);
	}

	patch(path: string, options?: RequestOptions): Promise<LoadResponse> {
		return this.request('PATCH', path, options);
	}

	delete(path: string, options?: RequestOptions): Promise<LoadResponse> {
		return this.request('DELETE', path, options);
	}

	/** Marks the latest request failed (once); with none, counts a task-level failure. */
	fail(reason: string): void {
		this.failLast(reason, 'TASK', 'user.fail');
	}

	/** Called by the runner when a task throws: the failure goes to the request it was handling. */
	failLast(reason: string, fallbackMethod: string, fallbackName: string): void {
		const ctx = this.ctx;
		const last = this.lastEntry;
		if (last !== null && !this.lastFailed) {
			this.lastFailed = true;
			const second = this.second();
			last.recordFailure(second);
			ctx.stats.total.recordFailure(second);
			ctx.stats.addFailure(last.method, last.name, reason);
			return;
		}
		ctx.stats.taskErrors++;
		ctx.stats.addFailure(fallbackMethod, fallbackName, reason);
	}

	/** Forgets the previous task's last request so a later failure cannot be pinned on it. */
	beginTask(): void {
		this.lastEntry = null;
		this.requestsInTask = 0;
	}

	private second(): number {
		return Math.floor((performance.now() - this.ctx.startMs) / 1000);
	}

	request(method: string, path: string, options?: RequestOptions): Promise<LoadResponse> {
		const ctx = this.ctx;
		if (ctx.stopped) return Promise.reject(new StopError('the run has ended'));
		let origin = ctx.origin;
		let target = path;
		if (path.startsWith('http://') || path.startsWith('https://')) {
			const url = new URL(path);
			origin = url.origin;
			target = url.pathname + url.search;
		} else {
			if (path.charCodeAt(0) !== 47 /* "/" */) target = '/' + path;
			if (ctx.basePath !== '') target = ctx.basePath + target;
		}
		let headers = options?.headers ?? null;
		let body: string | Uint8Array | null = null;
		if (options !== undefined) {
			if (options.json !== undefined) {
				body = JSON.stringify(options.json);
				headers = headers === null ? JSON_HEADERS : {...JSON_HEADERS, ...headers};
			} else if (options.body !== undefined) body = options.body;
		}
		const name = options?.name ?? path;
		// A task usually sends the same request each time: the entry found last time is checked first.
		let entry = this.cachedEntry;
		if (entry === null || entry.method !== method || entry.name !== name)
			entry = this.cachedEntry = ctx.stats.entry(method, name);
		const expect = options?.expect;
		this.requestsInTask++;
		return new Promise((resolve, reject) => {
			const t0 = performance.now();
			ctx.transport.send(origin, method, target, headers, body, (error, raw) => {
				// Past the stop grace period: the run's figures are final.
				if (ctx.stopped) return reject(new StopError('the run has ended'));
				const t1 = performance.now();
				const us = Math.round((t1 - t0) * 1000);
				const correctedUs = ctx.correctForOmission ? us + Math.round(this.lagMs * 1000) : -1;
				const second = Math.floor((t1 - ctx.startMs) / 1000);
				const stats = ctx.stats;
				const bytes = raw === null ? 0 : raw.bytes;
				entry.record(us, correctedUs, bytes, second);
				stats.total.record(us, correctedUs, bytes, second);
				if (raw === null) {
					const reason = errorReason(error ?? new Error('no response'));
					entry.recordFailure(second);
					stats.total.recordFailure(second);
					stats.addFailure(method, entry.name, reason);
					this.lastEntry = entry;
					this.lastFailed = true;
					reject(new RecordedRequestError(reason));
					return;
				}
				const ok = expected(expect, raw.status);
				if (!ok) {
					entry.recordFailure(second);
					stats.total.recordFailure(second);
					stats.addFailure(method, entry.name, `unexpected status ${raw.status}`);
				}
				this.lastEntry = entry;
				this.lastFailed = !ok;
				resolve(new Response(raw.status, raw, ok));
			});
		});
	}
}
