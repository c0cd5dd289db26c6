/**
 * A lean HTTP/1.1 client for plain-http load: one keep-alive socket per in-flight request (≈ one per
 * user), requests written as one string, responses parsed in place (status line, content-length or
 * chunked, connection: close) with the header block kept raw until someone asks for it. This is the
 * per-request fast path; https goes through undici (see http-transport.ts).
 */
import {connect, type Socket} from 'node:net';

export interface FastResponse {
	status: number;
	/** Lower-cased header names, parsed on first call. */
	headers(): Record<string, string>;
	body: Buffer;
	bytes: number;
}

export type FastCallback = (error: Error | null, response: FastResponse | null) => void;

const CRLFCRLF = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[ \t]*[^\r]*chunked/i;
const CLOSE = /\r\nconnection:[ \t]*close/i;
// Control characters are what these refuse: a path or header must not smuggle a second request.
// eslint-disable-next-line no-control-regex
const UNSAFE_PATH = /[\s\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_HEADER = /[\r\n\u0000]/;

class HttpError extends Error {
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
	}
}

function parseHeaderBlock(block: string): Record<string, string> {
	const out: Record<string, string> = {};
	let at = block.indexOf('\r\n') + 2; // skip the status line
	while (at > 1 && at < block.length) {
		let end = block.indexOf('\r\n', at);
		if (end < 0) end = block.length;
		const colon = block.indexOf(':', at);
		if (colon > at && colon < end) {
			const name = block.slice(at, colon).trim().toLowerCase();
			const value = block.slice(colon + 1, end).trim();
			out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
		}
		at = end + 2;
	}
	return out;
}

const enum State {
	Idle,
	Head,
	Body,
	Chunked,
	UntilClose,
}

interface Pending {
	method: string;
	head: string;
	body: string | Uint8Array | null;
	callback: FastCallback;
	startedAt: number;
	/** A reused keep-alive socket may have been closed by the server just before we wrote: retry once. */
	retried: boolean;
}

class Connection {
	readonly socket: Socket;
	private state = State.Idle;
	private pending: Pending | null = null;
	private buffer: Buffer = EMPTY;
	private status = 0;
	private headerBlock = '';
	private remaining = 0;
	private chunks: Buffer[] = [];
	private bytes = 0;
	private closeAfter = false;
	private receivedAny = false;
	closed = false;

	constructor(
		private readonly pool: OriginPool,
		port: number,
		host: string,
	) {
		this.socket = connect({port, host, noDelay: true, keepAlive: true});
		this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
		this.socket.on('error', error => this.onClose(error));
		this.socket.on('close', () => this.onClose(null));
	}

	get busy(): boolean {
		return this.pending !== null;
	}

	get startedAt(): number {
		return this.pending?.startedAt ?? 0;
	}

	send(pending: Pending): void {
		this.pending = pending;
		this.state = State.Head;
		this.receivedAny = false;
		this.status = 0;
		this.bytes = 0;
		this.chunks = [];
		this.closeAfter = false;
		const body = pending.body;
		if (body === null) this.socket.write(pending.head, 'latin1');
		else if (typeof body === 'string') this.socket.write(pending.head + body);
		else {
			this.socket.cork();
			this.socket.write(pending.head, 'latin1');
			this.socket.write(body);
			this.socket.uncork();
		}
	}

	/** Aborts the request in flight (timeout) and drops the socket. */
	abort(error: Error): void {
		const pending = this.pending;
		this.pending = null;
		this.closed = true;
		this.socket.destroy();
		if (pending) pending.callback(error, null);
	}

	private onClose(error: Error | null): void {
		const wasClosed = this.closed;
		this.closed = true;
		this.pool.forget(this);
		const pending = this.pending;
		if (pending === null) return;
		this.pending = null;
		if (this.state === State.UntilClose) {
			this.complete(pending);
			return;
		}
		if (wasClosed) return;
		// A kept-alive socket closed under a request that got no byte back: the server dropped an idle
		// connection as we reused it. Safe to send again once, on a fresh socket.
		if (!this.receivedAny && this.reused && !pending.retried) {
			pending.retried = true;
			this.pool.dispatch(pending);
			return;
		}
		const reason =
			error ??
			new HttpError(
				this.receivedAny ? 'connection closed mid-response' : 'connection closed before a response',
				this.receivedAny ? 'UND_ERR_SOCKET' : 'ECONNRESET',
			);
		pending.callback(reason, null);
	}

	/** Set by the pool when the socket is handed a second request. */
	reused = false;

	private onData(chunk: Buffer): void {
		if (this.pending === null) {
			// Bytes nobody asked for (or after an abort): the stream is out of step; drop it.
			this.socket.destroy();
			return;
		}
		this.receivedAny = true;
		let data = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
		this.buffer = EMPTY;
		while (data.length > 0 && this.pending !== null) {
			if (this.state === State.Head) {
				const end = data.indexOf(CRLFCRLF);
				if (end < 0) {
					if (data.length > 64 * 1024)
						return this.fail(new HttpError('response header block over 64 KiB', 'UND_ERR_HEADERS_OVERFLOW'));
					this.buffer = data;
					return;
				}
				const block = data.toString('latin1', 0, end);
				data = data.subarray(end + 4);
				const status = Number(block.slice(9, 12));
				if (!block.startsWith('HTTP/1.') || !(status >= 100 && status < 600))
					return this.fail(new HttpError(`malformed status line "${block.slice(0, 40)}"`, 'HPE_INVALID_CONSTANT'));
				if (status < 200) continue; // 100 Continue and friends: the real head follows
				this.status = status;
				this.headerBlock = block;
				this.closeAfter = CLOSE.test(block) || block.startsWith('HTTP/1.0');
				if (this.pending.method === 'HEAD' || status === 204 || status === 304) {
					this.finish();
					continue;
				}
				const length = CONTENT_LENGTH.exec(block);
				if (length) {
					this.remaining = Number(length[1]);
					this.state = State.Body;
					if (this.remaining === 0) this.finish();
				} else if (CHUNKED.test(block)) {
					this.state = State.Chunked;
					this.remaining = -1;
				} else {
					this.state = State.UntilClose;
					this.closeAfter = true;
				}
			} else if (this.state === State.Body) {
				const take = Math.min(this.remaining, data.length);
				this.chunks.push(take === data.length ? data : data.subarray(0, take));
				this.bytes += take;
				this.remaining -= take;
				data = data.subarray(take);
				if (this.remaining === 0) this.finish();
			} else if (this.state === State.Chunked) {
				data = this.chunked(data);
			} else if (this.state === State.UntilClose) {
				this.chunks.push(data);
				this.bytes += data.length;
				data = EMPTY;
			} else {
				return this.fail(new HttpError('unexpected bytes after the response', 'UND_ERR_SOCKET'));
			}
		}
	}

	/**
	 * Chunked body: `remaining` is -1 while reading a size line, > 0 inside chunk data, -2 while
	 * expecting the CRLF after a chunk, -3 in the trailer section. Returns the unconsumed bytes.
	 */
	private chunked(data: Buffer): Buffer {
		while (data.length > 0) {
			if (this.remaining === -1 || this.remaining === -3) {
				const eol = data.indexOf('\r\n');
				if (eol < 0) {
					this.buffer = data;
					return EMPTY;
				}
				const line = data.toString('latin1', 0, eol);
				data = data.subarray(eol + 2);
				if (this.remaining === -3) {
					if (line === '') {
						this.finish();
						return data;
					}
					continue; // a trailer header: ignored
				}
				const size = Number.parseInt(line, 16);
				if (!Number.isFinite(size) || size < 0) {
					this.fail(new HttpError(`bad chunk size "${line.slice(0, 20)}"`, 'HPE_INVALID_CHUNK_SIZE'));
					return EMPTY;
				}
				this.remaining = size === 0 ? -3 : size;
			} else if (this.remaining === -2) {
				if (data.length < 2) {
					this.buffer = data;
					return EMPTY;
				}
				data = data.subarray(2);
				this.remaining = -1;
			} else {
				const take = Math.min(this.remaining, data.length);
				this.chunks.push(data.subarray(0, take));
				this.bytes += take;
				this.remaining -= take;
				data = data.subarray(take);
				if (this.remaining === 0) this.remaining = -2;
			}
		}
		return EMPTY;
	}

	private fail(error: Error): void {
		const pending = this.pending;
		this.pending = null;
		this.closed = true;
		this.socket.destroy();
		this.pool.forget(this);
		if (pending) pending.callback(error, null);
	}

	private complete(pending: Pending): void {
		const chunks = this.chunks;
		const body = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.bytes);
		const block = this.headerBlock;
		let parsed: Record<string, string> | undefined;
		pending.callback(null, {
			status: this.status,
			headers: () => (parsed ??= parseHeaderBlock(block)),
			body,
			bytes: this.bytes,
		});
	}

	private finish(): void {
		const pending = this.pending!;
		this.pending = null;
		this.state = State.Idle;
		if (this.closeAfter) {
			this.closed = true;
			this.socket.destroy();
			this.pool.forget(this);
		} else this.pool.release(this);
		this.complete(pending);
	}
}

/** The sockets of one origin: idle ones are reused first, a new one opens when all are busy. */
class OriginPool {
	private readonly idle: Connection[] = [];
	readonly all = new Set<Connection>();

	constructor(
		private readonly host: string,
		private readonly port: number,
	) {}

	dispatch(pending: Pending): void {
		let connection = this.idle.pop();
		while (connection !== undefined && connection.closed) connection = this.idle.pop();
		if (connection === undefined) {
			connection = new Connection(this, this.port, this.host);
			this.all.add(connection);
		} else connection.reused = true;
		connection.send(pending);
	}

	release(connection: Connection): void {
		this.idle.push(connection);
	}

	forget(connection: Connection): void {
		this.all.delete(connection);
	}

	close(): void {
		for (const connection of this.all) connection.socket.destroy();
		this.all.clear();
		this.idle.length = 0;
	}
}

export class FastHttpClient {
	private readonly pools = new Map<string, OriginPool>();
	private readonly hostHeaders = new Map<string, string>();
	private readonly sweeper: ReturnType<typeof setInterval>;

	constructor(private readonly timeoutMs = 60_000) {
		// One sweep a second instead of a timer per request.
		this.sweeper = setInterval(() => this.sweep(), 1000);
		this.sweeper.unref();
	}

	private sweep(): void {
		const now = performance.now();
		for (const pool of this.pools.values())
			for (const connection of pool.all)
				if (connection.busy && now - connection.startedAt > this.timeoutMs)
					connection.abort(
						new HttpError(`no complete response within ${this.timeoutMs / 1000} s`, 'UND_ERR_HEADERS_TIMEOUT'),
					);
	}

	/** `origin` is `http://host:port`. */
	send(
		origin: string,
		method: string,
		path: string,
		headers: Record<string, string> | null,
		body: string | Uint8Array | null,
		callback: FastCallback,
	): void {
		let pool = this.pools.get(origin);
		let host = this.hostHeaders.get(origin);
		if (pool === undefined || host === undefined) {
			const url = new URL(origin);
			pool = new OriginPool(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80));
			host = url.host;
			this.pools.set(origin, pool);
			this.hostHeaders.set(origin, host);
		}
		// A space or line break in the path or a header would corrupt the request (or smuggle another).
		if (UNSAFE_PATH.test(path))
			return callback(new HttpError(`invalid request path ${JSON.stringify(path)}`, 'ERR_INVALID_PATH'), null);
		let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
		if (headers !== null)
			for (const name in headers) {
				const value = headers[name];
				if (UNSAFE_HEADER.test(name) || UNSAFE_HEADER.test(value!))
					return callback(new HttpError(`invalid header ${JSON.stringify(name)}`, 'ERR_INVALID_HEADER'), null);
				head += `${name}: ${value}\r\n`;
			}
		if (body !== null)
			head += `content-length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength}\r\n`;
		head += '\r\n';
		pool.dispatch({method, head, body, callback, startedAt: performance.now(), retried: false});
	}

	close(): void {
		clearInterval(this.sweeper);
		for (const pool of this.pools.values()) pool.close();
		this.pools.clear();
	}
}
