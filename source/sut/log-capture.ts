/**
 * The SUT's output: written to `sut.log` in the run folder (bounded: rotated at `maxBytes`, `files` kept),
 * the last lines kept for the console, and lines matching the error patterns counted with their times,
 * so errors inside an injected fault window can be left out later. The SUT's own secrets are its
 * business; the API secret drydock gave it is masked everywhere this module puts a line.
 */
import {closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {RingBuffer} from '../engine/ring.js';
import type {OutputStream} from './supervisor.js';

export interface CapturedLine {
	at: number;
	stream: OutputStream;
	line: string;
	error: boolean;
}

export interface LogCaptureOptions {
	/** The run folder; `sut.log` goes here. */
	dir: string;
	fileName?: string;
	/** Rotate when the current file reaches this size (default 10 MB). */
	maxBytes?: number;
	/** Files kept including the current one (default 3: sut.log, sut.log.1, sut.log.2). */
	files?: number;
	/** Lines kept for the console (default 200). */
	recentLines?: number;
	/** Error times kept for later exclusion (default 100 000; counts stay exact beyond it). */
	maxErrorTimes?: number;
	errorPatterns: readonly RegExp[];
	/** Strings never written (the API secret drydock handed the SUT). */
	secrets?: readonly string[];
	/** True while drydock has a fault injected: an error line then counts as expected. */
	expected?: (at: number) => boolean;
	now?: () => number;
	/** Buffered output is written at least this often (default 250 ms). */
	flushEveryMs?: number;
}

export interface ErrorCounts {
	/** Every line that matched an error pattern. */
	total: number;
	/** Of those, lines while `expected(at)` held. */
	expected: number;
	/** Times of the error lines (oldest first), up to maxErrorTimes; `truncated` when more came. */
	times: readonly number[];
	truncated: boolean;
}

const MASK = '***';

export class LogCapture {
	readonly path: string;
	private fd: number | null = null;
	private bytes = 0;
	private buffer: string[] = [];
	private bufferedBytes = 0;
	private timer: NodeJS.Timeout | null = null;
	private readonly recentRing: RingBuffer<CapturedLine>;
	private readonly recentErrors = new RingBuffer<CapturedLine>(50);
	private readonly secrets: string[];
	private readonly now: () => number;
	private readonly maxBytes: number;
	private readonly files: number;
	private readonly maxErrorTimes: number;
	private errorTotal = 0;
	private errorExpected = 0;
	private errorTimes: number[] = [];
	private linesTotal = 0;
	private closed = false;
	/** Set when the file could not be written: capture goes on in memory. */
	writeError: string | null = null;

	constructor(private readonly options: LogCaptureOptions) {
		this.path = join(options.dir, options.fileName ?? 'sut.log');
		this.now = options.now ?? Date.now;
		this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
		this.files = Math.max(1, options.files ?? 3);
		this.maxErrorTimes = options.maxErrorTimes ?? 100_000;
		this.recentRing = new RingBuffer(options.recentLines ?? 200);
		// Longest first, so a secret containing another is masked whole.
		this.secrets = [...new Set(options.secrets ?? [])].filter(s => s.length > 0).sort((a, b) => b.length - a.length);
		try {
			mkdirSync(options.dir, {recursive: true});
			this.fd = openSync(this.path, 'a');
			this.bytes = statSync(this.path).size;
		} catch (error) {
			this.writeError = (error as Error).message;
		}
	}

	/** Takes one output line (from the supervisor's `log` event). */
	line(stream: OutputStream, text: string, at = this.now()): CapturedLine {
		if (this.closed) return {at, stream, line: this.mask(text), error: false};
		const line = this.mask(text);
		const error = this.options.errorPatterns.some(p => p.test(text));
		const captured: CapturedLine = {at, stream, line, error};
		this.linesTotal++;
		this.recentRing.push(captured);
		if (error) {
			this.errorTotal++;
			if (this.options.expected?.(at)) this.errorExpected++;
			if (this.errorTimes.length < this.maxErrorTimes) this.errorTimes.push(at);
			this.recentErrors.push(captured);
		}
		const record = `${new Date(at).toISOString()} ${stream === 'stderr' ? 'err' : 'out'} ${line}\n`;
		this.buffer.push(record);
		this.bufferedBytes += record.length;
		if (this.bufferedBytes >= 64 * 1024) this.flush();
		else this.timer ??= setTimeout(() => this.flush(), this.options.flushEveryMs ?? 250).unref();
		return captured;
	}

	/** The last lines, oldest first (masked). */
	recent(): CapturedLine[] {
		return this.recentRing.toArray();
	}

	/** The last error lines, oldest first (masked). */
	lastErrors(): CapturedLine[] {
		return this.recentErrors.toArray();
	}

	get lines(): number {
		return this.linesTotal;
	}

	errors(): ErrorCounts {
		return {
			total: this.errorTotal,
			expected: this.errorExpected,
			times: this.errorTimes,
			truncated: this.errorTotal > this.errorTimes.length,
		};
	}

	/** Error lines at or after `from` (epoch ms) outside every window: for judging against windows known only afterwards. */
	errorsOutside(windows: readonly {from: number; to: number}[], from = -Infinity): number {
		let n = 0;
		for (const at of this.errorTimes) if (at >= from && !windows.some(w => at >= w.from && at <= w.to)) n++;
		return n;
	}

	/** Writes what is buffered, rotating first if the file would pass maxBytes. */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		if (this.buffer.length === 0) return;
		const text = this.buffer.join('');
		this.buffer = [];
		this.bufferedBytes = 0;
		if (this.fd === null) return;
		try {
			const size = Buffer.byteLength(text);
			if (this.bytes > 0 && this.bytes + size > this.maxBytes) this.rotate();
			writeSync(this.fd, text);
			this.bytes += size;
		} catch (error) {
			this.writeError = (error as Error).message;
		}
	}

	close(): void {
		if (this.closed) return;
		this.flush();
		this.closed = true;
		if (this.fd !== null) closeSync(this.fd);
		this.fd = null;
	}

	private rotate(): void {
		if (this.fd !== null) closeSync(this.fd);
		this.fd = null;
		if (this.files === 1) rmSync(this.path, {force: true});
		else {
			for (let i = this.files - 1; i >= 1; i--) {
				const from = i === 1 ? this.path : `${this.path}.${i - 1}`;
				if (existsSync(from)) renameSync(from, `${this.path}.${i}`);
			}
		}
		this.fd = openSync(this.path, 'a');
		this.bytes = 0;
	}

	private mask(text: string): string {
		let out = text;
		for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
		return out;
	}
}
