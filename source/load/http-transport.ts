/**
 * The transport users send through. Plain http goes to the lean keep-alive client in fast-http.ts
 * (the per-request hot path); https goes to one undici Pool per origin, driven through `dispatch`
 * with a minimal callback handler (no body stream, headers parsed only when asked for).
 */
import type {Dispatcher, Pool} from 'undici';
import {FastHttpClient} from './fast-http.js';

export interface RawResponse {
	status: number;
	/** Lower-cased header names, parsed on first call. */
	headers(): Record<string, string>;
	body: Buffer;
	bytes: number;
}

export type ResponseCallback = (error: Error | null, response: RawResponse | null) => void;

const EMPTY = Buffer.alloc(0);

/** Legacy-style handler: undici calls it directly, without its adapter layer. */
class CollectingHandler {
	private status = 0;
	private rawHeaders: Buffer[] = [];
	private chunks: Buffer[] | null = null;
	private first: Buffer = EMPTY;
	private bytes = 0;
	private done = false;

	constructor(private readonly callback: ResponseCallback) {}

	onConnect(): void {
		// Nothing to arm: timeouts are undici's (headersTimeout/bodyTimeout).
	}

	onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
		if (statusCode < 200) return true; // 1xx informational: wait for the real answer
		this.status = statusCode;
		this.rawHeaders = rawHeaders;
		return true;
	}

	onData(chunk: Buffer): boolean {
		this.bytes += chunk.length;
		if (this.first === EMPTY) this.first = chunk;
		else (this.chunks ??= [this.first]).push(chunk);
		return true;
	}

	onComplete(): void {
		if (this.done) return;
		this.done = true;
		const body = this.chunks === null ? this.first : Buffer.concat(this.chunks, this.bytes);
		const raw = this.rawHeaders;
		let parsed: Record<string, string> | undefined;
		this.callback(null, {
			status: this.status,
			headers: () => (parsed ??= headersFromRaw(raw)),
			body,
			bytes: this.bytes,
		});
	}

	onError(error: Error): void {
		if (this.done) return;
		this.done = true;
		this.callback(error, null);
	}

	onUpgrade(): void {
		this.onError(new Error('unexpected protocol upgrade'));
	}

	onBodySent(): void {}
}

export interface TransportOptions {
	/** ms to wait for a connection / for headers / between body chunks. */
	connectTimeoutMs?: number;
	requestTimeoutMs?: number;
}

export class HttpTransport {
	private readonly pools = new Map<string, Pool>();
	private readonly fast: FastHttpClient;

	constructor(private readonly options: TransportOptions = {}) {
		this.fast = new FastHttpClient(options.requestTimeoutMs ?? 60_000);
	}

	/** undici is loaded on the first https request only: plain-http runs never pay for it. */
	private undici: typeof import('undici') | undefined;
	private loading: Promise<void> | undefined;

	private pool(origin: string): Pool {
		const {Pool} = this.undici!;
		let pool = this.pools.get(origin);
		if (pool === undefined) {
			const timeout = this.options.requestTimeoutMs ?? 60_000;
			pool = new Pool(origin, {
				// No cap: a user has one request in flight at a time, so the pool grows to ≈ the
				// number of users (whatever a shape does later) and reuses idle keep-alive sockets first.
				connections: null,
				pipelining: 1,
				keepAliveTimeout: 30_000,
				connectTimeout: this.options.connectTimeoutMs ?? 10_000,
				headersTimeout: timeout,
				bodyTimeout: timeout,
			});
			// A pool-level error must not crash the run; each request reports its own.
			pool.on('connectionError', () => {});
			this.pools.set(origin, pool);
		}
		return pool;
	}

	send(
		origin: string,
		method: string,
		path: string,
		headers: Record<string, string> | null,
		body: string | Uint8Array | null,
		callback: ResponseCallback,
	): void {
		if (origin.charCodeAt(4) === 58 /* "http:" */) {
			this.fast.send(origin, method, path, headers, body, callback);
			return;
		}
		if (this.undici === undefined) {
			this.loading ??= import('undici').then(module => {
				this.undici = module;
			});
			this.loading.then(
				() => this.send(origin, method, path, headers, body, callback),
				(error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
			);
			return;
		}
		const options: Dispatcher.DispatchOptions = {
			origin,
			method,
			path,
			headers: headers ?? undefined,
			body: body ?? undefined,
		};
		try {
			// The handler implements undici's legacy callback interface (onConnect, onHeaders, onData, onComplete).
			this.pool(origin).dispatch(options, new CollectingHandler(callback));
		} catch (error) {
			callback(error instanceof Error ? error : new Error(String(error)), null);
		}
	}

	async close(): Promise<void> {
		this.fast.close();
		const pools = [...this.pools.values()];
		this.pools.clear();
		await Promise.all(pools.map(async pool => pool.destroy().catch(() => {})));
	}
}

/** Lower-cased header object from undici's raw list (last value wins, like fetch for most). */
export function headersFromRaw(raw: Buffer[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (let i = 0; i + 1 < raw.length; i += 2) {
		const name = raw[i]!.toString('latin1').toLowerCase();
		const value = raw[i + 1]!.toString('latin1');
		out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
	}
	return out;
}
