/**
 * One direction of a proxied connection: chunks from a readable go to a writable in order, each no
 * earlier than its release time (added latency), and not at all while the connection is held (a stall
 * or a blackhole). Memory is bounded: past `highWaterBytes` queued the source is paused, so TCP
 * backpressure holds the rest in the kernel and at the sender; it resumes below half of that.
 */
import type {Readable, Writable} from 'node:stream';

export interface PipeHooks {
	/** Called per chunk before it is queued; false drops the chunk (the connection is being torn down). */
	accept(chunk: Buffer): boolean;
	/** Extra delay for a chunk arriving now, in ms (0: none). */
	delayMs(): number;
	/** True while nothing may be forwarded. */
	held(): boolean;
	/** The source ended and everything queued was written. */
	ended(): void;
	/** Queued bytes after a change (for the proxy's peak figure). */
	queued(bytes: number): void;
}

interface Item {
	at: number;
	chunk: Buffer | null;
	/** Runs in order with the chunks (e.g. writing a response head). */
	run?: () => void;
}

export class Pipe {
	private queue: Item[] = [];
	private head = 0;
	private queuedBytes = 0;
	private lastAt = 0;
	private waitingDrain = false;
	private paused = false;
	private sourceEnded = false;
	private finished = false;
	private timer: NodeJS.Timeout | null = null;
	private closed = false;

	constructor(
		private readonly source: Readable,
		private readonly sink: Writable,
		private readonly hooks: PipeHooks,
		private readonly highWaterBytes: number,
	) {
		source.on('data', (chunk: Buffer | string) => this.onData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
		if (source.readableEnded) {
			// The source ended before the pipe existed (a client that closed its side while the proxy was
			// still dialing): its 'end' is gone, so pass the end on once the caller has fed what it holds.
			this.sourceEnded = true;
			queueMicrotask(() => this.flush());
		} else {
			source.once('end', () => {
				this.sourceEnded = true;
				this.flush();
			});
		}
	}

	/** Queues a step that runs in order with the data, after the current delay (e.g. a response head). */
	schedule(run: () => void): void {
		this.push({at: this.releaseTime(), chunk: null, run});
	}

	/** Feeds data that arrived before the pipe existed (the bytes after a CONNECT or upgrade head). */
	feed(chunk: Buffer): void {
		if (chunk.length > 0) this.onData(chunk);
	}

	get bytesQueued(): number {
		return this.queuedBytes;
	}

	/** Re-checks the queue (a hold was lifted). */
	kick(): void {
		this.flush();
	}

	close(): void {
		this.closed = true;
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.queue = [];
		this.head = 0;
		this.queuedBytes = 0;
	}

	private releaseTime(): number {
		const now = Date.now();
		const at = Math.max(now + this.hooks.delayMs(), this.lastAt);
		this.lastAt = at;
		return at;
	}

	private onData(chunk: Buffer): void {
		if (this.closed) return;
		if (!this.hooks.accept(chunk) || this.closed) return;
		this.push({at: this.releaseTime(), chunk});
	}

	private push(item: Item): void {
		if (this.closed) return;
		this.queue.push(item);
		if (item.chunk) {
			this.queuedBytes += item.chunk.length;
			this.hooks.queued(this.queuedBytes);
			if (this.queuedBytes >= this.highWaterBytes && !this.paused) {
				this.paused = true;
				this.source.pause();
			}
		}
		this.flush();
	}

	private flush(): void {
		if (this.closed) return;
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = null;
		}
		while (this.head < this.queue.length) {
			if (this.waitingDrain || this.hooks.held()) return;
			const item = this.queue[this.head]!;
			const wait = item.at - Date.now();
			if (wait > 0) {
				this.timer = setTimeout(() => this.flush(), wait);
				return;
			}
			this.head++;
			if (this.head > 64 && this.head * 2 > this.queue.length) {
				this.queue = this.queue.slice(this.head);
				this.head = 0;
			}
			if (item.run) item.run();
			if (this.closed) return;
			if (item.chunk) {
				this.queuedBytes -= item.chunk.length;
				this.hooks.queued(this.queuedBytes);
				if (this.sink.destroyed || this.sink.writableEnded) continue;
				if (!this.sink.write(item.chunk)) {
					this.waitingDrain = true;
					this.sink.once('drain', () => {
						this.waitingDrain = false;
						this.flush();
					});
				}
			}
			if (this.paused && this.queuedBytes < this.highWaterBytes / 2 && !this.waitingDrain) {
				this.paused = false;
				this.source.resume();
			}
		}
		if (this.head >= this.queue.length) {
			this.queue = [];
			this.head = 0;
		}
		if (this.paused && !this.waitingDrain) {
			this.paused = false;
			this.source.resume();
		}
		// The end travels like data: not past a hold (a blackholed request must not reach the venue).
		if (this.sourceEnded && !this.finished && this.queue.length === 0 && !this.waitingDrain && !this.hooks.held()) {
			this.finished = true;
			this.hooks.ended();
		}
	}
}
