/**
 * The replay clock: reads the recording chunk by chunk and hands each event to the applier when its
 * recorded time comes — at 1×, N×, or (`max`) as fast as the slowest subscriber drains — between --from
 * and --to, looping if asked, pausable. Times go out shifted so the first event reads as "now" (a whole
 * number of minutes when candles are recorded, so they stay on the minute), unless --keep-time.
 */
import type {RecordingScan} from './recording-scan.js';
import {RawRecording, type RawEvent} from './raw-recording.js';
import type {ReplayApplier} from './replay-applier.js';
import type {FrameShift} from './frame-rewrite.js';

export type ReplaySpeed = number | 'max';

export interface ReplaySettings {
	speed: ReplaySpeed;
	/** Recorded times (Unix ms) to start and stop at; default the file's first and last event. */
	from?: number;
	to?: number;
	loop: boolean;
	keepTime: boolean;
	paused: boolean;
}

export interface ReplayStatus {
	file: string;
	speed: ReplaySpeed;
	paused: boolean;
	ended: boolean;
	loop: boolean;
	loops: number;
	/** Recorded time of the last event replayed. */
	position: number;
	/** That time as the subscribers see it (shifted). */
	clock: number;
	from: number;
	to: number;
	/** 0..1 through [from, to]. */
	progress: number;
	events: number;
	published: number;
	timeShiftMs: number;
	symbols: string[];
	damage?: string;
}

const WAIT = Symbol('wait');

/** Events handed over per turn of the event loop at `max` before checking the sockets' backlog. */
const MAX_BATCH = 8192;
/** Backlog (bytes) above which `max` waits: well under the 16 MiB at which a slow consumer is cut. */
const HIGH_WATER = 6 * 1024 * 1024;
/** Longest sleep between checks at 1×/N× (so pause, speed changes and halts are noticed). */
const MAX_SLEEP_MS = 50;

export class ReplayDriver {
	private reader: RawRecording | undefined;
	private chunk: RawEvent[] = [];
	private index = 0;
	/** The next chunk, decompressing on the thread pool while this one replays (undefined: none asked). */
	private ahead: {ready: boolean; events: RawEvent[] | null} | undefined;
	/** Fast-forwarding to --from reads synchronously; replaying reads ahead. */
	private readAhead = false;
	private timer: NodeJS.Timeout | undefined;
	private immediate: NodeJS.Immediate | undefined;
	private stopped = false;
	private ended = false;
	private loops = 0;
	private position: number;
	private events = 0;
	private readonly from: number;
	private readonly to: number;
	private readonly shiftUnit: number;
	private shift: FrameShift = {timeMs: 0, ids: new Map()};
	/** Wall time and recorded time that the 1×/N× clock runs from (reset on resume and speed change). */
	private anchorWall = 0;
	private anchorRecorded = 0;
	private settings: ReplaySettings;
	/** Consecutive turns `max` found the subscribers' backlog over the high-water mark. */
	private backlogWaits = 0;

	constructor(
		private readonly scan: RecordingScan,
		private readonly applier: ReplayApplier,
		settings: ReplaySettings,
		private readonly wall: () => number = Date.now,
		/** True while the market is held (the pause-market fault): nothing is replayed. */
		private readonly held: () => boolean = () => false,
	) {
		this.settings = {...settings};
		this.from = Math.max(scan.firstT, settings.from ?? scan.firstT);
		this.to = Math.min(scan.lastT, settings.to ?? scan.lastT);
		this.position = this.from;
		const candles = [...scan.streams].some(name => name.includes('@kline_'));
		this.shiftUnit = candles ? 60_000 : 1;
	}

	start(): void {
		this.beginPass(this.wall());
		this.schedule(0);
	}

	stop(): void {
		this.stopped = true;
		this.clearTimers();
		this.reader?.close();
		this.reader = undefined;
	}

	pause(): void {
		this.settings.paused = true;
	}

	resume(): void {
		if (!this.settings.paused) return;
		this.settings.paused = false;
		this.reanchor();
		this.schedule(0);
	}

	setSpeed(speed: ReplaySpeed): void {
		this.settings.speed = speed;
		this.reanchor();
		this.schedule(0);
	}

	status(): ReplayStatus {
		const span = Math.max(1, this.to - this.from);
		return {
			file: this.scan.path,
			speed: this.settings.speed,
			paused: this.settings.paused,
			ended: this.ended,
			loop: this.settings.loop,
			loops: this.loops,
			position: this.position,
			clock: this.position + this.shift.timeMs,
			from: this.from,
			to: this.to,
			progress: Math.min(1, Math.max(0, (this.position - this.from) / span)),
			events: this.events,
			published: this.applier.stats.published,
			timeShiftMs: this.shift.timeMs,
			symbols: [...this.scan.symbols],
			...(this.scan.damage ? {damage: `stopped at chunk ${this.scan.damage.chunk}: ${this.scan.damage.reason}`} : {}),
		};
	}

	/** Opens the file again, fast-forwards to --from (book only), and sets this pass's time and id shifts. */
	private beginPass(now: number): void {
		this.reader?.close();
		this.reader = new RawRecording(this.scan.path);
		this.chunk = [];
		this.index = 0;
		this.ahead = undefined;
		this.readAhead = false;
		if (this.loops > 0) this.applier.restart();
		for (let event = this.peek(); event && event !== WAIT && event.t < this.from; event = this.peek()) {
			this.index++;
			this.applier.apply(event, false, this.shift);
		}
		this.readAhead = true;
		// Each loop continues the ids where the last pass ended, so a bot's sequence checks see no hole.
		// Per symbol and series: trade, aggregate and update ids each have their own span.
		const ids = new Map<string, number>();
		if (this.loops > 0)
			for (const [key, range] of this.applier.stats.idRanges) {
				// A symbol's snapshot and bookTicker ids count only when it has no diffs (replay-applier's noteId).
				const base = key.endsWith('~') ? key.slice(0, -1) : key;
				if (base !== key && this.applier.stats.idRanges.has(base)) continue;
				ids.set(base, this.loops * (range.max - range.min + 1));
			}
		this.shift = {timeMs: this.settings.keepTime ? 0 : roundTo(now - this.from, this.shiftUnit), ids};
		this.position = this.from;
		this.anchorWall = now;
		this.anchorRecorded = this.from;
	}

	private reanchor(): void {
		this.anchorWall = this.wall();
		this.anchorRecorded = this.position;
	}

	/** The next event, undefined at the end, or WAIT while the next chunk is still decompressing. */
	private peek(): RawEvent | undefined | typeof WAIT {
		while (this.index >= this.chunk.length) {
			const reader = this.reader;
			if (!reader) return undefined;
			if (!this.readAhead) {
				const next = reader.nextChunk();
				if (!next) return undefined;
				this.chunk = next;
				this.index = 0;
				continue;
			}
			if (!this.ahead) this.prefetch(reader);
			const ahead = this.ahead!;
			if (!ahead.ready) return WAIT;
			if (!ahead.events) return undefined;
			this.chunk = ahead.events;
			this.index = 0;
			this.prefetch(reader);
		}
		return this.chunk[this.index];
	}

	private prefetch(reader: RawRecording): void {
		const ahead: {ready: boolean; events: RawEvent[] | null} = {ready: false, events: null};
		this.ahead = ahead;
		void reader.nextChunkAsync().then(events => {
			ahead.ready = true;
			ahead.events = events;
			// The replay was waiting for this chunk: carry on.
			if (this.ahead === ahead && this.reader === reader && this.index >= this.chunk.length) this.schedule(0);
		});
	}

	private schedule(delayMs: number): void {
		if (this.stopped || this.ended) return;
		this.clearTimers();
		if (delayMs <= 0) this.immediate = setImmediate(() => this.run());
		else this.timer = setTimeout(() => this.run(), delayMs);
	}

	private clearTimers(): void {
		if (this.timer) clearTimeout(this.timer);
		if (this.immediate) clearImmediate(this.immediate);
		this.timer = undefined;
		this.immediate = undefined;
	}

	private run(): void {
		this.timer = undefined;
		this.immediate = undefined;
		if (this.stopped || this.ended || this.settings.paused) return;
		if (this.held()) {
			this.reanchor();
			this.schedule(MAX_SLEEP_MS);
			return;
		}
		const max = this.settings.speed === 'max';
		if (max && this.applier.market.backlog() > HIGH_WATER) {
			// setImmediate runs after the poll phase, where the sockets' writes complete: no 1 ms timer floor;
			// a consumer that stays behind gets 1 ms sleeps instead, so a slow reader does not make us spin.
			this.schedule(++this.backlogWaits > 64 ? 1 : 0);
			return;
		}
		this.backlogWaits = 0;
		const target = max
			? Infinity
			: this.anchorRecorded + (this.wall() - this.anchorWall) * (this.settings.speed as number);
		let budget = max ? MAX_BATCH : 50_000;
		for (;;) {
			const event = this.peek();
			if (event === WAIT) return;
			if (!event || event.t > this.to) {
				this.endPass();
				return;
			}
			if (event.t > target) {
				const wait = (event.t - target) / (this.settings.speed as number);
				this.schedule(Math.min(MAX_SLEEP_MS, Math.max(1, wait)));
				return;
			}
			this.index++;
			this.position = event.t;
			this.events++;
			this.applier.apply(event, true, this.shift);
			if (--budget === 0) break;
		}
		this.schedule(0);
	}

	private endPass(): void {
		if (!this.settings.loop) {
			this.ended = true;
			this.reader?.close();
			this.reader = undefined;
			return;
		}
		this.loops++;
		const previousShift = this.shift.timeMs;
		const span = this.to - this.from;
		this.beginPass(this.wall());
		// Times keep rising across loops, even at `max` or with --keep-time: a loop is a later session.
		const minimum = previousShift + roundUp(span + 1, this.shiftUnit);
		if (this.shift.timeMs < minimum) this.shift.timeMs = minimum;
		this.schedule(0);
	}
}

function roundTo(value: number, unit: number): number {
	return Math.round(value / unit) * unit;
}

function roundUp(value: number, unit: number): number {
	return Math.ceil(value / unit) * unit;
}
