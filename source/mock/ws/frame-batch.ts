import type {Duplex} from 'node:stream';
import WebSocket from 'ws';

/** A client that lets this much pile up unsent is too slow to follow the streams; Binance disconnects those too. */
export const SLOW_CONSUMER_BYTES = 16 * 1024 * 1024;

/** Pending bytes at which a batch is written at once instead of at the end of the tick. */
const FLUSH_BYTES = 1024 * 1024;

/** What ws keeps behind its public API: the socket, and its sender's queue (compression, Blob reads). */
interface WsInternals {
	_socket?: Duplex | null;
	_sender?: {_bufferedBytes?: number} | null;
}

/** Batches with frames waiting, written together when the tick's synchronous work is done. */
const scheduled = new Set<FrameBatch>();
const flushScheduled = (): void => {
	for (const batch of scheduled) batch.flush();
	scheduled.clear();
};

/**
 * The text frames one connection is sent in a tick, written to its socket as ONE buffer of WebSocket
 * frames instead of one `ws.send` (and one Buffer, and one write) per frame: what bounds a replay at
 * `--speed max`. A server's frames are unmasked (RFC 6455 §5.1), so a frame is 0x81, the payload length
 * (7 bits, or 126 + u16, or 127 + u64) and the payload. This bypasses ws's sender only when it is safe:
 * no extension negotiated (the mock's server has permessage-deflate off) and nothing queued in ws's own
 * sender; otherwise every frame goes through `ws.send`, in order. Frames of a batch keep their order,
 * and `flushFirst` is called before anything else is sent on the connection so replies keep theirs.
 */
export class FrameBatch {
	/** Payload pieces, in order: a frame is `counts[i]` consecutive pieces of `sizes[i]` bytes in all. */
	private pieces: Array<string | Buffer> = [];
	private sizes: number[] = [];
	private counts: number[] = [];
	private bytes = 0;

	constructor(
		private readonly ws: WebSocket,
		/** Told how many messages left with each write (the layer's `messagesSent`). */
		private readonly sent: (messages: number) => void,
	) {}

	/** Queues a prepared frame (the same Buffer may go to many connections: it is copied, never kept past the flush). */
	buffer(payload: Buffer): void {
		if (!this.open()) return;
		this.pieces.push(payload);
		this.queued(payload.length, 1);
	}

	/** Queues a text frame given as `head + body + tail` (a combined wrapper around an event), without concatenating. */
	text(body: string, head?: string, tail?: string): void {
		if (!this.open()) return;
		let size = Buffer.byteLength(body, 'utf8');
		let count = 1;
		if (head !== undefined) {
			this.pieces.push(head);
			size += Buffer.byteLength(head, 'utf8');
			count++;
		}
		this.pieces.push(body);
		if (tail !== undefined) {
			this.pieces.push(tail);
			size += Buffer.byteLength(tail, 'utf8');
			count++;
		}
		this.queued(size, count);
	}

	/** Bytes waiting in this batch (not yet handed to the socket). */
	get pending(): number {
		return this.bytes;
	}

	/** Writes what is waiting. */
	flush(): void {
		const frames = this.sizes.length;
		if (frames === 0) return;
		const {pieces, sizes, counts, bytes} = this;
		this.pieces = [];
		this.sizes = [];
		this.counts = [];
		this.bytes = 0;
		const ws = this.ws;
		if (ws.readyState !== WebSocket.OPEN) return;
		if (ws.bufferedAmount > SLOW_CONSUMER_BYTES) {
			ws.terminate();
			return;
		}
		const internals = ws as unknown as WsInternals;
		const socket = internals._socket;
		if (socket && ws.extensions === '' && (internals._sender?._bufferedBytes ?? 1) === 0) {
			socket.write(encodeFrames(pieces, sizes, counts, bytes));
		} else {
			// Compression or a queued send: ws frames (and compresses) each message itself, in order.
			let at = 0;
			for (let i = 0; i < frames; i++) {
				const count = counts[i]!;
				const payload =
					count === 1 && Buffer.isBuffer(pieces[at])
						? (pieces[at] as Buffer)
						: Buffer.concat(pieces.slice(at, at + count).map(p => (Buffer.isBuffer(p) ? p : Buffer.from(p, 'utf8'))));
				ws.send(payload, {binary: false});
				at += count;
			}
		}
		this.sent(frames);
	}

	/** Drops what is waiting (the connection closed). */
	clear(): void {
		this.pieces = [];
		this.sizes = [];
		this.counts = [];
		this.bytes = 0;
		scheduled.delete(this);
	}

	private open(): boolean {
		return this.ws.readyState === WebSocket.OPEN;
	}

	private queued(size: number, count: number): void {
		this.sizes.push(size);
		this.counts.push(count);
		this.bytes += size;
		if (this.bytes >= FLUSH_BYTES) {
			this.flush();
			return;
		}
		if (scheduled.size === 0) process.nextTick(flushScheduled);
		scheduled.add(this);
	}
}

/** Header bytes of an unmasked frame with a payload of `size` bytes. */
function headerBytes(size: number): number {
	return size < 126 ? 2 : size < 65_536 ? 4 : 10;
}

/** One buffer holding each payload as a FIN text frame, unmasked (server to client). */
export function encodeFrames(
	pieces: ReadonlyArray<string | Buffer>,
	sizes: readonly number[],
	counts: readonly number[],
	payloadBytes: number,
): Buffer {
	let total = payloadBytes;
	for (const size of sizes) total += headerBytes(size);
	const out = Buffer.allocUnsafe(total);
	let offset = 0;
	let at = 0;
	for (let i = 0; i < sizes.length; i++) {
		const size = sizes[i]!;
		out[offset++] = 0x81;
		if (size < 126) {
			out[offset++] = size;
		} else if (size < 65_536) {
			out[offset++] = 126;
			out.writeUInt16BE(size, offset);
			offset += 2;
		} else {
			out[offset++] = 127;
			out.writeUInt32BE(Math.floor(size / 0x1_0000_0000), offset);
			out.writeUInt32BE(size >>> 0, offset + 4);
			offset += 8;
		}
		const end = offset + size;
		for (let n = counts[i]!; n > 0; n--) {
			const piece = pieces[at++]!;
			offset += typeof piece === 'string' ? out.write(piece, offset, 'utf8') : piece.copy(out, offset);
		}
		if (offset !== end) throw new Error(`frame payload was ${offset - end + size} bytes, expected ${size}`);
	}
	return out;
}
