import type {Duplex} from 'node:stream';
import WebSocket from 'ws';

/** A client that lets this much pile up unsent is too slow to follow the streams; Binance disconnects those too. */
export const SLOW_CONSUMER_BYTES = 16 * 1024 * 1024;

/** Pending bytes at which a batch is written at once instead of at the end of the tick. */
const FLUSH_BYTES = 1024 * 1024;
/** Arena sizes: twice the last batch, within these bounds (or one frame's worth, for a larger frame). */
const MIN_ARENA = 16 * 1024;
const MAX_ARENA = FLUSH_BYTES + 64 * 1024;
/** The longest header of an unmasked frame: 0x81, 127, then a 64-bit length. */
const MAX_HEADER = 10;

/** What ws keeps behind its public API: the socket, and its sender's queue (compression, Blob reads). */
interface WsInternals {
	_socket?: Duplex | null;
	_sender?: {_bufferedBytes?: number} | null;
}

/** Batches with frames waiting, written together when the tick's synchronous work is done. */
const scheduled = new Set<FrameBatch>();
const flushScheduled = (): void => {
	// Taken out first: a batch queued while these flush gets its own tick instead of being cleared unwritten.
	const due = [...scheduled];
	scheduled.clear();
	for (const batch of due) batch.flush();
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
	/** Where this batch's frames are encoded as they come (header and payload); a new one after each write. */
	private arena: Buffer | undefined;
	/** The batch is arena[start, used): bytes before start were handed to the socket (and are never reused). */
	private start = 0;
	private used = 0;
	private frames = 0;
	/** Size of the last batch written, to size the next arena. */
	private lastBatch = 0;

	constructor(
		private readonly ws: WebSocket,
		/** Told how many messages left with each write (the layer's `messagesSent`). */
		private readonly sent: (messages: number) => void,
	) {}

	/** Queues a prepared frame (the same Buffer may go to many connections: it is copied, never kept). */
	buffer(payload: Buffer): void {
		if (!this.open()) return;
		const arena = this.reserve(MAX_HEADER + payload.length);
		const head = this.used;
		const at = head + headerBytes(payload.length);
		payload.copy(arena, at);
		this.framed(arena, head, at, at + payload.length);
	}

	/** Queues a text frame given as `head + body + tail` (a combined wrapper around an event), without concatenating. */
	text(body: string, head?: string, tail?: string): void {
		if (!this.open()) return;
		const chars = body.length + (head?.length ?? 0) + (tail?.length ?? 0);
		// UTF-8 takes at most 3 bytes per UTF-16 unit; market text is ASCII, one byte per character.
		const arena = this.reserve(MAX_HEADER + chars * 3);
		const frameAt = this.used;
		const payloadAt = frameAt + headerBytes(chars);
		let end = payloadAt;
		if (head !== undefined) end += arena.write(head, end, 'utf8');
		end += arena.write(body, end, 'utf8');
		if (tail !== undefined) end += arena.write(tail, end, 'utf8');
		this.framed(arena, frameAt, payloadAt, end);
	}

	/** Bytes waiting in this batch (not yet handed to the socket). */
	get pending(): number {
		return this.used - this.start;
	}

	/** Writes what is waiting. */
	flush(): void {
		const frames = this.frames;
		if (frames === 0) return;
		const arena = this.arena!;
		const batch = arena.subarray(this.start, this.used);
		this.lastBatch = batch.length;
		this.start = this.used;
		this.frames = 0;
		// The rest of a small arena is kept for the next batch; a large one is let go with its write.
		if (arena.length - this.used < MIN_ARENA) this.arena = undefined;
		const ws = this.ws;
		if (ws.readyState !== WebSocket.OPEN) return;
		if (ws.bufferedAmount > SLOW_CONSUMER_BYTES) {
			ws.terminate();
			return;
		}
		const internals = ws as unknown as WsInternals;
		const socket = internals._socket;
		if (socket && ws.extensions === '' && (internals._sender?._bufferedBytes ?? 1) === 0) {
			socket.write(batch);
		} else {
			// Compression or a queued send: ws frames (and compresses) each message itself, in order.
			for (const payload of payloadsOf(batch)) ws.send(payload, {binary: false});
		}
		this.sent(frames);
	}

	/** Drops what is waiting (the connection closed). */
	clear(): void {
		this.arena = undefined;
		this.start = this.used = this.frames = 0;
		scheduled.delete(this);
	}

	private open(): boolean {
		return this.ws.readyState === WebSocket.OPEN;
	}

	/** An arena with `bytes` free after `used`: the current one, or a larger one the batch so far is copied into. */
	private reserve(bytes: number): Buffer {
		const arena = this.arena;
		if (arena && this.used + bytes <= arena.length) return arena;
		const pending = this.used - this.start;
		const size = Math.max(
			pending + bytes,
			Math.min(MAX_ARENA, Math.max(MIN_ARENA, this.lastBatch * 2, (arena?.length ?? 0) * 2)),
		);
		const next = Buffer.allocUnsafe(size);
		if (arena && pending > 0) arena.copy(next, 0, this.start, this.used);
		this.arena = next;
		this.start = 0;
		this.used = pending;
		return next;
	}

	/**
	 * Writes the header of the frame whose payload is arena[payloadAt, end), its header guessed from the
	 * text's length at frameAt: non-ASCII text can need a longer length field, and the payload moves up.
	 */
	private framed(arena: Buffer, frameAt: number, payloadAt: number, end: number): void {
		const size = end - payloadAt;
		const header = headerBytes(size);
		if (frameAt + header !== payloadAt) {
			arena.copyWithin(frameAt + header, payloadAt, end);
			end = frameAt + header + size;
		}
		writeHeader(arena, frameAt, size);
		this.used = end;
		this.frames++;
		if (this.used - this.start >= FLUSH_BYTES) {
			this.flush();
			scheduled.delete(this);
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

/** Writes a FIN text frame's unmasked header (server to client) for a payload of `size` bytes; returns its length. */
function writeHeader(out: Buffer, offset: number, size: number): number {
	out[offset] = 0x81;
	if (size < 126) {
		out[offset + 1] = size;
		return 2;
	}
	if (size < 65_536) {
		out[offset + 1] = 126;
		out.writeUInt16BE(size, offset + 2);
		return 4;
	}
	out[offset + 1] = 127;
	out.writeUInt32BE(Math.floor(size / 0x1_0000_0000), offset + 2);
	out.writeUInt32BE(size >>> 0, offset + 6);
	return 10;
}

/** The payloads of the unmasked frames in `frames` (as this module writes them). */
export function payloadsOf(frames: Buffer): Buffer[] {
	const out: Buffer[] = [];
	let at = 0;
	while (at < frames.length) {
		const short = frames[at + 1]! & 0x7f;
		let size = short;
		let header = 2;
		if (short === 126) {
			size = frames.readUInt16BE(at + 2);
			header = 4;
		} else if (short === 127) {
			size = frames.readUInt32BE(at + 2) * 0x1_0000_0000 + frames.readUInt32BE(at + 6);
			header = 10;
		}
		out.push(frames.subarray(at + header, at + header + size));
		at += header + size;
	}
	return out;
}

/** One buffer holding each payload as a FIN text frame, unmasked (server to client). */
export function encodeFrames(payloads: readonly Buffer[]): Buffer {
	let total = 0;
	for (const payload of payloads) total += headerBytes(payload.length) + payload.length;
	const out = Buffer.allocUnsafe(total);
	let offset = 0;
	for (const payload of payloads) {
		offset += writeHeader(out, offset, payload.length);
		offset += payload.copy(out, offset);
	}
	return out;
}
