/**
 * What `drydock record --console` shows, as plain data: the progress figures, one row per stream
 * (frames, rate, age of the last frame, the last frame as one compact line) and the gaps. A pure
 * function of the recorder's stats and the last frames, so the screen (source/ui/record/) only draws.
 */
import type {RecordedGap, RecorderStats} from './live-recorder.js';
import {formatBytes, formatElapsed} from './record-progress.js';

export interface StreamRow {
	stream: string;
	frames: number;
	/** Frames per second over the last sampling interval. */
	ratePerSecond: number;
	/** Milliseconds since the last frame; null before the first. */
	ageMs: number | null;
	/** The last frame on one line (depth as a compact book line), cut to the width asked for. */
	text: string;
}

export interface RecordView {
	events: number;
	ratePerSecond: number;
	bytes: string;
	/** Raw bytes over written bytes, e.g. 8.4. */
	ratio: number;
	gaps: number;
	snapshots: number;
	snapshotErrors: number;
	lastSnapshotError: string | undefined;
	connected: boolean;
	elapsed: string;
	/** `3:10` left, when a duration was given. */
	remaining: string | undefined;
	streams: StreamRow[];
	/** Newest first. */
	gapList: Array<{from: number; to: number; lengthMs: number; reason: string}>;
}

export interface LastFrame {
	t: number;
	data: unknown;
}

type Level = [unknown, unknown];

function levels(value: unknown): Level[] | null {
	if (!Array.isArray(value)) return null;
	return value.filter((level): level is Level => Array.isArray(level) && level.length >= 2);
}

/** A price or quantity as written, without trailing zeros (`87544.56000000` → `87544.56`). */
function str(value: unknown): string {
	if (typeof value === 'number') return String(value);
	if (typeof value !== 'string') return '?';
	return /^-?\d+\.\d+$/.test(value) ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

/**
 * A depth frame on one line. A partial book (`bids`/`asks`, best first) as `bids 3 (best 61000.1×0.5) · asks 2
 * (best 61000.2×1.2) · u 812`; a diff (`b`/`a`: changed levels in no order, size 0 = removed) as `bids 3
 * changed, 1 removed (top 61000.1×0.5) · …`, its top being the best level it sets. Null for other frames.
 */
export function depthLine(data: unknown): string | null {
	if (!data || typeof data !== 'object') return null;
	const body = data as Record<string, unknown>;
	const diff = body.b !== undefined || body.a !== undefined;
	const bids = levels(body.b ?? body.bids);
	const asks = levels(body.a ?? body.asks);
	if (!bids || !asks) return null;
	const side = (name: string, list: Level[], better: (x: number, y: number) => boolean) => {
		if (list.length === 0) return `${name} 0`;
		if (!diff) return `${name} ${list.length} (best ${str(list[0]![0])}×${str(list[0]![1])})`;
		const set = list.filter(level => Number(level[1]) > 0);
		const removed = list.length - set.length;
		const top = set.reduce<Level | null>((a, b) => (a === null || better(Number(b[0]), Number(a[0])) ? b : a), null);
		return `${name} ${list.length} changed${removed > 0 ? `, ${removed} removed` : ''}${top ? ` (top ${str(top[0])}×${str(top[1])})` : ''}`;
	};
	const id = body.u ?? body.lastUpdateId;
	return [
		side('bids', bids, (x, y) => x > y),
		side('asks', asks, (x, y) => x < y),
		...(id !== undefined ? [`u ${str(id)}`] : []),
	].join(' · ');
}

/** Control characters out (a frame is venue text, drawn on a terminal). */
function clean(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

/** The last frame on one line, at most `width` characters (… when cut). */
export function frameText(data: unknown, width: number): string {
	let text: string;
	const depth = depthLine(data);
	if (depth !== null) text = depth;
	else {
		try {
			text = JSON.stringify(data) ?? String(data);
		} catch {
			text = String(data);
		}
	}
	text = clean(text);
	if (width <= 0) return '';
	return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

export interface RecordViewInput {
	stats: RecorderStats;
	now: number;
	ratePerSecond: number;
	streamRates: ReadonlyMap<string, number>;
	lastFrames: ReadonlyMap<string, LastFrame>;
	durationMs?: number;
	/** Width of the last-frame text. */
	textWidth: number;
}

export function recordView(input: RecordViewInput): RecordView {
	const {stats, now} = input;
	const elapsedMs = now - stats.startedAt;
	const streams: StreamRow[] = [...stats.perStream].map(([stream, frames]) => {
		const last = input.lastFrames.get(stream);
		return {
			stream,
			frames,
			ratePerSecond: input.streamRates.get(stream) ?? 0,
			ageMs: last === undefined ? null : Math.max(0, now - last.t),
			text: last === undefined ? '' : frameText(last.data, input.textWidth),
		};
	});
	return {
		events: stats.events,
		ratePerSecond: input.ratePerSecond,
		bytes: formatBytes(stats.bytesWritten),
		ratio: stats.bytesWritten > 0 ? stats.rawBytes / stats.bytesWritten : 0,
		gaps: stats.gaps,
		snapshots: stats.snapshots,
		snapshotErrors: stats.snapshotErrors,
		lastSnapshotError: stats.lastSnapshotError,
		connected: stats.connected,
		elapsed: formatElapsed(elapsedMs),
		remaining: input.durationMs === undefined ? undefined : formatElapsed(input.durationMs - elapsedMs),
		streams,
		gapList: [...stats.recentGaps].reverse().map((gap: RecordedGap) => ({...gap, lengthMs: gap.to - gap.from})),
	};
}

/**
 * Follows a recorder for the live view: keeps each stream's last frame (from `onFrameWritten`) and
 * samples the frame counts to give rates. `view()` is cheap; call it a few times a second.
 */
export class RecordWatch {
	private readonly lastFrames = new Map<string, LastFrame>();
	private streamRates = new Map<string, number>();
	private lastCounts = new Map<string, number>();
	private lastEvents = 0;
	private lastSampleAt: number;
	private rate = 0;

	constructor(
		private readonly stats: () => RecorderStats,
		private readonly options: {durationMs?: number; now: () => number; minSampleMs?: number},
	) {
		this.lastSampleAt = options.now();
	}

	/** The listener for `LiveRecorder.onFrameWritten`. */
	readonly onFrame = (stream: string, data: unknown, t: number): void => {
		this.lastFrames.set(stream, {t, data});
	};

	view(textWidth: number): RecordView {
		const now = this.options.now();
		const stats = this.stats();
		const seconds = (now - this.lastSampleAt) / 1000;
		if (seconds * 1000 >= (this.options.minSampleMs ?? 1000)) {
			this.rate = (stats.events - this.lastEvents) / seconds;
			const rates = new Map<string, number>();
			for (const [stream, count] of stats.perStream)
				rates.set(stream, (count - (this.lastCounts.get(stream) ?? 0)) / seconds);
			this.streamRates = rates;
			this.lastCounts = new Map(stats.perStream);
			this.lastEvents = stats.events;
			this.lastSampleAt = now;
		}
		return recordView({
			stats,
			now,
			ratePerSecond: this.rate,
			streamRates: this.streamRates,
			lastFrames: this.lastFrames,
			textWidth,
			...(this.options.durationMs !== undefined ? {durationMs: this.options.durationMs} : {}),
		});
	}
}
