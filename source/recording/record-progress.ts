/**
 * The recorder's progress on stderr: one line rewritten in place on a terminal, a plain line every
 * `lineEveryMs` otherwise (logs and CI keep a readable history instead of carriage returns).
 */
import {monotonicNow, type RecorderStats} from './live-recorder.js';

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

export function formatElapsed(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const pad = (n: number) => String(n).padStart(2, '0');
	return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** One progress line: events, rate, bytes, compression, gaps, elapsed / remaining. */
export function progressLine(stats: RecorderStats, now: number, ratePerSecond: number, durationMs?: number): string {
	const elapsed = now - stats.startedAt;
	const ratio = stats.bytesWritten > 0 ? stats.rawBytes / stats.bytesWritten : 0;
	const parts = [
		`${stats.events} events`,
		`${ratePerSecond.toFixed(0)}/s`,
		formatBytes(stats.bytesWritten),
		`${ratio.toFixed(1)}× compressed`,
		`${stats.gaps} gap${stats.gaps === 1 ? '' : 's'}`,
		`${stats.snapshots} snapshot${stats.snapshots === 1 ? '' : 's'}`,
		durationMs === undefined
			? `${formatElapsed(elapsed)} elapsed`
			: `${formatElapsed(elapsed)} / ${formatElapsed(durationMs)} (${formatElapsed(durationMs - elapsed)} left)`,
	];
	if (!stats.connected) parts.push('RECONNECTING');
	if (stats.snapshotErrors > 0) parts.push(`${stats.snapshotErrors} snapshot error(s)`);
	return `recording: ${parts.join(' · ')}`;
}

export interface ProgressOutput {
	isTTY?: boolean;
	columns?: number;
	write(text: string): unknown;
}

/** Ticks once a second; on a TTY rewrites one line, otherwise writes a line every `lineEveryMs`. */
export class RecordProgress {
	private timer: NodeJS.Timeout | undefined;
	private lastEvents = 0;
	private lastAt: number;
	private lastLineAt: number;
	private rate = 0;

	constructor(
		private readonly stats: () => RecorderStats,
		private readonly out: ProgressOutput,
		private readonly options: {durationMs?: number; lineEveryMs?: number; now?: () => number} = {},
	) {
		this.lastAt = this.now();
		this.lastLineAt = this.lastAt;
	}

	start(): void {
		this.timer = setInterval(() => this.tick(), 1000);
		this.timer.unref();
	}

	/** Stops ticking and ends the in-place line (the caller writes its summary after). */
	stop(): void {
		clearInterval(this.timer);
		if (this.out.isTTY) this.out.write('\r\x1b[2K');
	}

	tick(): void {
		const now = this.now();
		const stats = this.stats();
		const seconds = (now - this.lastAt) / 1000;
		if (seconds > 0) this.rate = (stats.events - this.lastEvents) / seconds;
		this.lastEvents = stats.events;
		this.lastAt = now;
		const line = progressLine(stats, now, this.rate, this.options.durationMs);
		if (this.out.isTTY) {
			const width = this.out.columns ?? 120;
			this.out.write(`\r\x1b[2K${line.length > width - 1 ? line.slice(0, width - 2) + '…' : line}`);
		} else if (now - this.lastLineAt >= (this.options.lineEveryMs ?? 10_000)) {
			this.lastLineAt = now;
			this.out.write(line + '\n');
		}
	}

	private now(): number {
		return (this.options.now ?? monotonicNow)();
	}
}
