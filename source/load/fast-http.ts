/**
 * A lean HTTP/1.1 client for plain-http load: one keep-alive socket per in-flight request (≈ one per
 * user). Per request it writes one cached Buffer (the head of a bodiless request is serialised once per
 * method and path) and parses the answer straight from the socket's read buffer (`onread`: no stream,
 * no Buffer per read): status line, content-length or chunked and connection: close are read from the
 * bytes, and the header block is kept raw until someone asks for it. This is the per-request fast
 * path; https goes through undici (see http-transport.ts).
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

const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
// Control characters are what these refuse: a path or header must not smuggle a second request.
// eslint-disable-next-line no-control-regex
const UNSAFE_PATH = /[\s\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_HEADER = /[\r\n\u0000]/;
const MAX_HEAD = 64 * 1024;
/** A body of known length up to this size is assembled in one buffer sized from content-length. */
const PREALLOCATE_BODY = 8 * 1024 * 1024;
/** Distinct (method, path) heads kept per origin; requests named after raw ids must not grow it without end. */
const MAX_CACHED_HEADS = 1024;

/**
 * Every socket reads into this one buffer: its callback consumes the bytes before the next read can
 * overwrite them, and whatever outlives the callback (a response's bytes, a partial head) is copied.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

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

/** Whether `buf[at..]` starts with `lower` (lower-case ASCII), ignoring case. */
function startsWithLower(buf: Buffer, at: number, end: number, lower: string): boolean {
	if (at + lower.length > end) return false;
	for (let i = 0; i < lower.length; i++) if ((buf[at + i]! | 0x20) !== lower.charCodeAt(i)) return false;
	return true;
}

function skipBlanks(buf: Buffer, at: number, end: number): number {
	while (at < end && (buf[at] === 32 || buf[at] === 9)) at++;
	return at;
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
	head: Buffer | string;
	body: string | Uint8Array | null;
	callback: FastCallback;
	/** A reused keep-alive socket may have been closed by the server just before we wrote: retry once. */
	retried: boolean;
}

/** A response: its bytes are one copy out of the read buffer; headers and body are cut from it on demand. */
class Answer implements FastResponse {
	private parsed: Record<string, string> | undefined;

	constructor(
		readonly status: number,
		readonly bytes: number,
		/** The header block (status line included) and, when `bodyAt` ≥ 0, the body after it. */
		private readonly raw: Buffer,
		private readonly headLength: number,
		private readonly bodyAt: number,
		private cut: Buffer | undefined,
	) {}

	get body(): Buffer {
		return (this.cut ??= this.bytes === 0 ? EMPTY : this.raw.subarray(this.bodyAt, this.bodyAt + this.bytes));
	}

	headers(): Record<string, string> {
		return (this.parsed ??= parseHeaderBlock(this.raw.toString('latin1', 0, this.headLength)));
	}
}

class Connection {
	readonly socket: Socket;
	private state = State.Idle;
	private pending: Pending | null = null;
	/** Unconsumed bytes of an incomplete head or chunk-size line, copied out of the read buffer. */
	private carry: Buffer = EMPTY;
	private status = 0;
	/** Copy of the header block, when the body does not arrive in the same read as the head. */
	private head: Buffer = EMPTY;
	private remaining = 0;
	/** Body of known length: filled in place. */
	private into: Buffer | null = null;
	private chunks: Buffer[] | null = null;
	private bytes = 0;
	private closeAfter = false;
	private receivedAny = false;
	/** The client's sweep count when the request in flight was sent (timeouts are checked per sweep). */
	sentAt = 0;
	closed = false;
	/** Set by the pool when the socket is handed a second request. */
	reused = false;

	constructor(
		private readonly pool: OriginPool,
		port: number,
		host: string,
	) {
		this.socket = connect({
			port,
			host,
			noDelay: true,
			keepAlive: true,
			onread: {
				buffer: READ_BUFFER,
				callback: (length: number, buffer: Uint8Array) => {
					this.onData(buffer as Buffer, length);
					return true;
				},
			},
		});
		this.socket.on('error', error => this.onClose(error));
		this.socket.on('close', () => this.onClose(null));
	}

	get busy(): boolean {
		return this.pending !== null;
	}

	send(pending: Pending, sweep: number): void {
		this.pending = pending;
		this.sentAt = sweep;
		this.state = State.Head;
		this.receivedAny = false;
		this.status = 0;
		this.bytes = 0;
		this.chunks = null;
		this.into = null;
		this.closeAfter = false;
		const body = pending.body;
		if (body === null) this.socket.write(pending.head, 'latin1');
		else if (typeof body === 'string') this.socket.write((pending.head as string) + body);
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
			this.complete(pending, this.head, this.head.length, -1);
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

	/** `read[0, length)` is valid until this returns. */
	private onData(read: Buffer, length: number): void {
		if (this.pending === null) {
			// Bytes nobody asked for (or after an abort): the stream is out of step; drop it.
			this.socket.destroy();
			return;
		}
		this.receivedAny = true;
		let data = read;
		let at = 0;
		let end = length;
		if (this.carry.length > 0) {
			data = Buffer.concat([this.carry, read.subarray(0, length)]);
			end = data.length;
			this.carry = EMPTY;
		}
		while (at < end && this.pending !== null) {
			if (this.state === State.Head) at = this.parseHead(data, at, end);
			else if (this.state === State.Body) {
				const take = Math.min(this.remaining, end - at);
				this.keep(data, at, at + take);
				this.remaining -= take;
				at += take;
				if (this.remaining === 0) this.finish(this.head, this.head.length, -1);
			} else if (this.state === State.Chunked) at = this.chunked(data, at, end);
			else if (this.state === State.UntilClose) {
				this.keep(data, at, end);
				at = end;
			} else {
				this.fail(new HttpError('unexpected bytes after the response', 'UND_ERR_SOCKET'));
				return;
			}
		}
	}

	/** Parses a head starting at `at`; returns where the body starts (or `end` when the head is incomplete). */
	private parseHead(data: Buffer, at: number, end: number): number {
		const found = data.indexOf(CRLFCRLF, at);
		// `data` may be the shared read buffer: a match past `end` is a stale byte of an older read.
		const headEnd = found >= 0 && found + 4 <= end ? found : -1;
		if (headEnd < 0) {
			if (end - at > MAX_HEAD) {
				this.fail(new HttpError('response header block over 64 KiB', 'UND_ERR_HEADERS_OVERFLOW'));
				return end;
			}
			this.carry = Buffer.from(data.subarray(at, end));
			return end;
		}
		const bodyAt = headEnd + 4;
		const d0 = data[at + 9]! - 48;
		const d1 = data[at + 10]! - 48;
		const d2 = data[at + 11]! - 48;
		const status = d0 * 100 + d1 * 10 + d2;
		if (
			headEnd - at < 12 ||
			!startsWithLower(data, at, end, 'http/1.') ||
			!(d0 >= 1 && d0 <= 5 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)
		) {
			this.fail(
				new HttpError(
					`malformed status line "${data.toString('latin1', at, Math.min(headEnd, at + 40))}"`,
					'HPE_INVALID_CONSTANT',
				),
			);
			return end;
		}
		if (status < 200) return bodyAt; // 100 Continue and friends: the real head follows
		this.status = status;
		this.closeAfter = data[at + 7] === 48; // HTTP/1.0
		// The header lines: content-length, transfer-encoding and connection are all this needs.
		let contentLength = -1;
		let chunked = false;
		let line = data.indexOf(10, at) + 1;
		while (line > 0 && line < headEnd) {
			const c = data[line]! | 0x20;
			if (c === 99 /* c */) {
				if (contentLength < 0 && startsWithLower(data, line, headEnd, 'content-length:')) {
					let i = skipBlanks(data, line + 15, headEnd);
					let n = 0;
					let digits = 0;
					for (; i < headEnd && data[i]! >= 48 && data[i]! <= 57; i++, digits++) n = n * 10 + data[i]! - 48;
					if (digits > 0) contentLength = n;
				} else if (startsWithLower(data, line, headEnd, 'connection:')) {
					if (startsWithLower(data, skipBlanks(data, line + 11, headEnd), headEnd, 'close')) this.closeAfter = true;
				}
			} else if (c === 116 /* t */ && startsWithLower(data, line, headEnd, 'transfer-encoding:')) {
				const eol = data.indexOf(13, line);
				if (
					data
						.toString('latin1', line + 18, eol < 0 || eol > headEnd ? headEnd : eol)
						.toLowerCase()
						.includes('chunked')
				)
					chunked = true;
			}
			line = data.indexOf(10, line) + 1;
		}
		const bodiless = this.pending!.method === 'HEAD' || status === 204 || status === 304;
		if (!bodiless && contentLength > 0 && end - bodyAt >= contentLength) {
			// The whole answer is in this read (the usual case): one copy of head and body together.
			const raw = Buffer.allocUnsafe(bodyAt - at + contentLength);
			data.copy(raw, 0, at, bodyAt + contentLength);
			this.bytes = contentLength;
			this.finish(raw, headEnd - at, bodyAt - at);
			return bodyAt + contentLength;
		}
		const head = Buffer.allocUnsafe(headEnd - at);
		data.copy(head, 0, at, headEnd);
		if (bodiless || contentLength === 0) {
			this.finish(head, head.length, -1);
			return bodyAt;
		}
		this.head = head;
		if (contentLength > 0) {
			this.remaining = contentLength;
			this.state = State.Body;
			if (contentLength <= PREALLOCATE_BODY) this.into = Buffer.allocUnsafe(contentLength);
		} else if (chunked) {
			this.state = State.Chunked;
			this.remaining = -1;
		} else {
			this.state = State.UntilClose;
			this.closeAfter = true;
		}
		return bodyAt;
	}

	/** Keeps `data[from, to)` of the body (copied: `data` may be the shared read buffer). */
	private keep(data: Buffer, from: number, to: number): void {
		if (to <= from) return;
		if (this.into !== null) data.copy(this.into, this.bytes, from, to);
		else (this.chunks ??= []).push(Buffer.from(data.subarray(from, to)));
		this.bytes += to - from;
	}

	/**
	 * Chunked body: `remaining` is -1 while reading a size line, > 0 inside chunk data, -2 while
	 * expecting the CRLF after a chunk, -3 in the trailer section. Returns where it stopped.
	 */
	private chunked(data: Buffer, at: number, end: number): number {
		while (at < end) {
			if (this.remaining === -1 || this.remaining === -3) {
				const found = data.indexOf(CRLF, at);
				if (found < 0 || found + 2 > end) {
					this.carry = Buffer.from(data.subarray(at, end));
					return end;
				}
				const line = data.toString('latin1', at, found);
				at = found + 2;
				if (this.remaining === -3) {
					if (line === '') {
						this.finish(this.head, this.head.length, -1);
						return at;
					}
					continue; // a trailer header: ignored
				}
				const size = Number.parseInt(line, 16);
				if (!Number.isFinite(size) || size < 0) {
					this.fail(new HttpError(`bad chunk size "${line.slice(0, 20)}"`, 'HPE_INVALID_CHUNK_SIZE'));
					return end;
				}
				this.remaining = size === 0 ? -3 : size;
			} else if (this.remaining === -2) {
				if (end - at < 2) {
					this.carry = Buffer.from(data.subarray(at, end));
					return end;
				}
				at += 2;
				this.remaining = -1;
			} else {
				const take = Math.min(this.remaining, end - at);
				this.keep(data, at, at + take);
				this.remaining -= take;
				at += take;
				if (this.remaining === 0) this.remaining = -2;
			}
		}
		return at;
	}

	private fail(error: Error): void {
		const pending = this.pending;
		this.pending = null;
		this.closed = true;
		this.socket.destroy();
		this.pool.forget(this);
		if (pending) pending.callback(error, null);
	}

	/** `bodyAt` ≥ 0: the body is `raw[bodyAt, bodyAt + bytes)`; otherwise it was kept by `keep`. */
	private complete(pending: Pending, raw: Buffer, headLength: number, bodyAt: number): void {
		let body: Buffer | undefined;
		if (bodyAt < 0) {
			const chunks = this.chunks;
			body =
				this.into !== null
					? this.into
					: chunks === null
						? EMPTY
						: chunks.length === 1
							? chunks[0]!
							: Buffer.concat(chunks, this.bytes);
		}
		this.head = EMPTY;
		this.into = null;
		this.chunks = null;
		pending.callback(null, new Answer(this.status, this.bytes, raw, headLength, bodyAt, body));
	}

	private finish(raw: Buffer, headLength: number, bodyAt: number): void {
		const pending = this.pending!;
		this.pending = null;
		this.state = State.Idle;
		if (this.closeAfter) {
			this.closed = true;
			this.socket.destroy();
			this.pool.forget(this);
		} else this.pool.release(this);
		this.complete(pending, raw, headLength, bodyAt);
	}
}

/** The sockets of one origin: idle ones are reused first, a new one opens when all are busy. */
class OriginPool {
	private readonly idle: Connection[] = [];
	readonly all = new Set<Connection>();
	/** Serialised heads of bodiless requests, by method then path. */
	private readonly heads = new Map<string, Map<string, Buffer>>();
	private cachedHeads = 0;
	/** Incremented by the client's sweeper; a request records it when sent. */
	sweeps = 0;

	constructor(
		private readonly host: string,
		private readonly port: number,
		/** The `host` header's value. */
		readonly authority: string,
	) {}

	/** The head of a request without headers or body, serialised once; undefined when `path` is unsafe. */
	cachedHead(method: string, path: string): Buffer | undefined {
		let byPath = this.heads.get(method);
		if (byPath === undefined) this.heads.set(method, (byPath = new Map<string, Buffer>()));
		let head = byPath.get(path);
		if (head === undefined) {
			if (UNSAFE_PATH.test(path)) return undefined;
			head = Buffer.from(`${method} ${path} HTTP/1.1\r\nhost: ${this.authority}\r\n\r\n`, 'latin1');
			if (this.cachedHeads < MAX_CACHED_HEADS) {
				byPath.set(path, head);
				this.cachedHeads++;
			}
		}
		return head;
	}

	dispatch(pending: Pending): void {
		let connection = this.idle.pop();
		while (connection !== undefined && connection.closed) connection = this.idle.pop();
		if (connection === undefined) {
			connection = new Connection(this, this.port, this.host);
			this.all.add(connection);
		} else connection.reused = true;
		connection.send(pending, this.sweeps);
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
	/** The last origin asked for and its pool: a run sends nearly everything to one origin. */
	private lastOrigin = '';
	private lastPool: OriginPool | undefined;
	private readonly sweeper: ReturnType<typeof setInterval>;
	private readonly sweepMs: number;

	constructor(private readonly timeoutMs = 60_000) {
		// A periodic sweep instead of a timer (or a clock read) per request: a request times out
		// between `timeoutMs` and `timeoutMs` + one sweep period after it was sent.
		this.sweepMs = Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4)));
		this.sweeper = setInterval(() => this.sweep(), this.sweepMs);
		this.sweeper.unref();
	}

	private sweep(): void {
		const limit = Math.ceil(this.timeoutMs / this.sweepMs);
		for (const pool of this.pools.values()) {
			pool.sweeps++;
			for (const connection of pool.all)
				if (connection.busy && pool.sweeps - connection.sentAt > limit)
					connection.abort(
						new HttpError(`no complete response within ${this.timeoutMs / 1000} s`, 'UND_ERR_HEADERS_TIMEOUT'),
					);
		}
	}

	private pool(origin: string): OriginPool {
		if (origin === this.lastOrigin) return this.lastPool!;
		let pool = this.pools.get(origin);
		if (pool === undefined) {
			const url = new URL(origin);
			pool = new OriginPool(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80), url.host);
			this.pools.set(origin, pool);
		}
		this.lastOrigin = origin;
		this.lastPool = pool;
		return pool;
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
		const pool = this.pool(origin);
		// A space or line break in the path or a header would corrupt the request (or smuggle another).
		let head: Buffer | string | undefined;
		if (headers === null && body === null) head = pool.cachedHead(method, path);
		else if (!UNSAFE_PATH.test(path)) {
			let text = `${method} ${path} HTTP/1.1\r\nhost: ${pool.authority}\r\n`;
			if (headers !== null)
				for (const name in headers) {
					const value = headers[name];
					if (UNSAFE_HEADER.test(name) || UNSAFE_HEADER.test(value!))
						return callback(new HttpError(`invalid header ${JSON.stringify(name)}`, 'ERR_INVALID_HEADER'), null);
					text += `${name}: ${value}\r\n`;
				}
			if (body !== null)
				text += `content-length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength}\r\n`;
			head = text + '\r\n';
		}
		if (head === undefined)
			return callback(new HttpError(`invalid request path ${JSON.stringify(path)}`, 'ERR_INVALID_PATH'), null);
		pool.dispatch({method, head, body, callback, retried: false});
	}

	close(): void {
		clearInterval(this.sweeper);
		for (const pool of this.pools.values()) pool.close();
		this.pools.clear();
		this.lastOrigin = '';
		this.lastPool = undefined;
	}
}
