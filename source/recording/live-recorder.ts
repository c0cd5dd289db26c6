/**
 * A live recording: the combined-stream feed's frames written with their receive time, a REST depth
 * snapshot per symbol at the start, every `snapshotEveryMs` and after each reconnect, and every drop
 * written as a gap (from the last frame before it to the moment the feed was subscribed again).
 */
import {unlinkSync} from 'node:fs';
import {RecordingWriter, type RecordingWriterOptions} from './format/recording-file.js';
import {combinedStreamNames, combinedStreamUrl} from './stream-names.js';
import {StreamFeed} from './stream-feed.js';
import {fetchDepthSnapshot} from './venue-rest.js';

export interface LiveRecorderOptions {
	path: string;
	/** Market-stream base (`wss://stream.binance.com:9443`, or a mock's `ws://127.0.0.1:PORT`). */
	wsBase: string;
	/** REST base for depth snapshots (`https://api.binance.com`). */
	rest: string;
	symbols: string[];
	streams: string[];
	/** Depth snapshot period; 0 takes them only at the start and after reconnects. */
	snapshotEveryMs: number;
	depthLimit?: number;
	silenceMs?: number;
	backoffMinMs?: number;
	/** drydock's version, for the header. */
	tool: string;
	writer?: RecordingWriterOptions;
}

export interface RecorderStats {
	frames: number;
	snapshots: number;
	snapshotErrors: number;
	gaps: number;
	events: number;
	bytesWritten: number;
	rawBytes: number;
	startedAt: number;
	connected: boolean;
	lastSnapshotError: string | undefined;
	/** Frames per combined stream name. */
	perStream: Map<string, number>;
	/** The last gaps written (at most 50, oldest first), for the live view. */
	recentGaps: RecordedGap[];
}

export interface RecordedGap {
	from: number;
	to: number;
	reason: string;
}

const RECENT_GAPS = 50;

/** Receive times come from a monotonic clock anchored on the wall clock: a clock step never reorders a file. */
export function monotonicNow(): number {
	return Math.floor(performance.timeOrigin + performance.now());
}

export class LiveRecorder {
	private readonly writer: RecordingWriter;
	private readonly feed: StreamFeed;
	private snapshotTimer: NodeJS.Timeout | undefined;
	private lastFrameT: number | undefined;
	private down: {from: number; reason: string} | undefined;
	private stopped = false;
	private readonly frameListeners = new Set<(stream: string, data: unknown, t: number) => void>();
	readonly stats: RecorderStats;
	readonly url: string;

	private constructor(private readonly options: LiveRecorderOptions) {
		const names = combinedStreamNames(options.symbols, options.streams);
		this.url = combinedStreamUrl(options.wsBase, names);
		const startedAt = monotonicNow();
		this.stats = {
			frames: 0,
			snapshots: 0,
			snapshotErrors: 0,
			gaps: 0,
			events: 0,
			bytesWritten: 0,
			rawBytes: 0,
			startedAt,
			connected: false,
			lastSnapshotError: undefined,
			perStream: new Map(names.map(name => [name, 0])),
			recentGaps: [],
		};
		this.writer = new RecordingWriter(
			options.path,
			{source: options.wsBase, symbols: options.symbols, streams: options.streams, startedAt, tool: options.tool},
			options.writer,
		);
		this.feed = new StreamFeed(
			{
				url: this.url,
				...(options.silenceMs !== undefined ? {silenceMs: options.silenceMs} : {}),
				...(options.backoffMinMs !== undefined ? {backoffMinMs: options.backoffMinMs} : {}),
			},
			{
				frame: (stream, data) => this.onFrame(stream, data),
				dropped: reason => this.onDropped(reason),
				reconnected: () => this.onReconnected(),
			},
		);
	}

	/**
	 * Creates the file, connects and takes the first snapshots. When the first connection fails the
	 * file is removed again (it would hold a header and nothing) and the error is rethrown.
	 */
	static async start(options: LiveRecorderOptions): Promise<LiveRecorder> {
		const recorder = new LiveRecorder(options);
		try {
			await recorder.feed.start();
		} catch (error) {
			recorder.writer.close(false);
			try {
				unlinkSync(options.path);
			} catch {
				// already gone: nothing to tidy
			}
			throw error;
		}
		recorder.stats.connected = true;
		await recorder.takeSnapshots();
		if (options.snapshotEveryMs > 0) {
			recorder.snapshotTimer = setInterval(() => void recorder.takeSnapshots(), options.snapshotEveryMs);
			recorder.snapshotTimer.unref();
		}
		return recorder;
	}

	/** Called with every frame as written (the console's stream inspector). */
	onFrameWritten(listener: (stream: string, data: unknown, t: number) => void): () => void {
		this.frameListeners.add(listener);
		return () => this.frameListeners.delete(listener);
	}

	/** Stops the feed, marks an open gap, writes the end record and closes the file. */
	stop(): RecorderStats {
		if (this.stopped) return this.refresh();
		this.stopped = true;
		clearInterval(this.snapshotTimer);
		this.feed.close();
		const now = monotonicNow();
		if (this.down) this.writeGap(now, `${this.down.reason}; not reconnected before the recording stopped`);
		this.writer.close(true, now);
		this.stats.connected = false;
		return this.refresh();
	}

	/** The stats with the writer's byte counts brought up to date. */
	refresh(): RecorderStats {
		this.stats.events = this.writer.stats.events;
		this.stats.bytesWritten = this.writer.stats.bytesWritten;
		this.stats.rawBytes = this.writer.stats.rawBytes;
		return this.stats;
	}

	private onFrame(stream: string, data: unknown): void {
		if (this.stopped) return;
		const t = monotonicNow();
		this.lastFrameT = t;
		this.writer.write({type: 'frame', t, stream, data});
		this.stats.frames++;
		this.stats.perStream.set(stream, (this.stats.perStream.get(stream) ?? 0) + 1);
		for (const listener of this.frameListeners) listener(stream, data, t);
	}

	private onDropped(reason: string): void {
		if (this.stopped) return;
		this.stats.connected = false;
		this.down = {from: this.lastFrameT ?? monotonicNow(), reason};
	}

	private onReconnected(): void {
		if (this.stopped) return;
		this.stats.connected = true;
		if (this.down) this.writeGap(monotonicNow(), `${this.down.reason}; reconnected and resubscribed`);
		// The book a replay holds is stale after a gap: a fresh snapshot resynchronises it.
		void this.takeSnapshots();
	}

	private writeGap(now: number, reason: string): void {
		const from = this.down?.from ?? now;
		this.down = undefined;
		this.writer.write({type: 'gap', t: now, from, to: now, reason});
		this.stats.gaps++;
		this.stats.recentGaps.push({from, to: now, reason});
		if (this.stats.recentGaps.length > RECENT_GAPS) this.stats.recentGaps.shift();
	}

	private async takeSnapshots(): Promise<void> {
		await Promise.all(
			this.options.symbols.map(async symbol => {
				try {
					const snapshot = await fetchDepthSnapshot(this.options.rest, symbol, this.options.depthLimit ?? 1000);
					if (this.stopped) return;
					this.writer.write({...snapshot, t: monotonicNow()});
					this.stats.snapshots++;
				} catch (error) {
					// A missed snapshot is not a gap in the feed: the next one (or the diff stream) still holds.
					this.stats.snapshotErrors++;
					this.stats.lastSnapshotError = error instanceof Error ? error.message : String(error);
				}
			}),
		);
	}
}
