/**
 * The recording file: a text magic line, then chunks, each `[u32 big-endian length][gzip of NDJSON lines]`.
 * A chunk is written with one write() when it is full or a flush interval passed, so a `kill -9` loses at
 * most the chunk being filled; a reader stops cleanly at a truncated or corrupt last chunk and says so.
 * Reading goes chunk by chunk (never the whole file in memory), so multi-gigabyte recordings replay.
 */
import {closeSync, fsyncSync, openSync, readSync, writeSync, fstatSync} from 'node:fs';
import {gunzipSync, gzipSync} from 'node:zlib';
import {RECORDING_VERSION, type RecordingEvent, type RecordingHeader, type RecordingLine} from './recording-events.js';

export const RECORDING_MAGIC = 'DRYDOCK-RECORDING 1\n';
const LENGTH_BYTES = 4;
/** A chunk larger than this is corruption, not data (a real chunk is at most a few MB). */
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;

export type RecordingWriterOptions = {
	/** Flush a chunk at least this often (ms); 1 s bounds what a kill -9 loses. */
	chunkMs?: number;
	/** …or as soon as this many bytes of lines are buffered. */
	chunkBytes?: number;
	/** fsync after each chunk (default true: a power cut loses no more than a kill does). */
	fsync?: boolean;
};

export type RecordingWriterStats = {events: number; chunks: number; bytesWritten: number; rawBytes: number};

/** Appends events to a new recording; `close()` writes the end mark and the last chunk. */
export class RecordingWriter {
	private readonly fd: number;
	private lines: string[] = [];
	private buffered = 0;
	private timer: NodeJS.Timeout | undefined;
	private closed = false;
	readonly stats: RecordingWriterStats = {events: 0, chunks: 0, bytesWritten: 0, rawBytes: 0};
	private readonly chunkBytes: number;
	private readonly fsync: boolean;

	/** Creates (or truncates) `path` and writes the header; throws the fs error if it cannot. */
	constructor(
		readonly path: string,
		header: Omit<RecordingHeader, 'type' | 'version'>,
		options: RecordingWriterOptions = {},
	) {
		this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
		this.fsync = options.fsync ?? true;
		this.fd = openSync(path, 'w');
		const magic = Buffer.from(RECORDING_MAGIC);
		writeSync(this.fd, magic);
		this.stats.bytesWritten += magic.length;
		this.push({type: 'header', version: RECORDING_VERSION, ...header});
		this.flush();
		const chunkMs = options.chunkMs ?? 1000;
		this.timer = setInterval(() => this.flush(), chunkMs);
		this.timer.unref();
	}

	write(event: RecordingEvent): void {
		if (this.closed) throw new Error(`recording ${this.path} is closed`);
		this.push(event);
		this.stats.events++;
		if (this.buffered >= this.chunkBytes) this.flush();
	}

	/** Writes what is buffered as one chunk (nothing if empty). */
	flush(): void {
		if (this.lines.length === 0) return;
		const text = this.lines.join('');
		this.lines = [];
		this.buffered = 0;
		const body = gzipSync(text, {level: 6});
		const chunk = Buffer.allocUnsafe(LENGTH_BYTES + body.length);
		chunk.writeUInt32BE(body.length, 0);
		body.copy(chunk, LENGTH_BYTES);
		writeSync(this.fd, chunk);
		if (this.fsync) fsyncSync(this.fd);
		this.stats.chunks++;
		this.stats.bytesWritten += chunk.length;
	}

	/** Writes the end mark (unless `clean` is false: a cut recording), flushes and closes. */
	close(clean = true, now = Date.now()): void {
		if (this.closed) return;
		if (clean) this.push({type: 'end', t: now});
		this.flush();
		clearInterval(this.timer);
		this.closed = true;
		closeSync(this.fd);
	}

	private push(line: RecordingLine): void {
		const text = JSON.stringify(line) + '\n';
		this.lines.push(text);
		this.buffered += text.length;
		this.stats.rawBytes += text.length;
	}
}

/** Why reading stopped before the end of the file, if it did. */
export type RecordingDamage = {chunk: number; offset: number; reason: string};

export class RecordingFormatError extends Error {
	constructor(
		readonly path: string,
		message: string,
	) {
		super(`${path}: ${message}`);
		this.name = 'RecordingFormatError';
	}
}

/** Reads a recording chunk by chunk. Throws RecordingFormatError when the file is not a recording at all. */
export class RecordingReader {
	private readonly fd: number;
	private readonly size: number;
	private offset: number;
	private chunkIndex = 0;
	readonly header: RecordingHeader;
	/** Set when reading stopped at a truncated or corrupt chunk (a killed recorder): what was lost and where. */
	damage: RecordingDamage | undefined;
	private pending: RecordingLine[] = [];

	constructor(readonly path: string) {
		this.fd = openSync(path, 'r');
		try {
			this.size = fstatSync(this.fd).size;
			const magic = Buffer.alloc(RECORDING_MAGIC.length);
			const got = readSync(this.fd, magic, 0, magic.length, 0);
			if (got < magic.length || magic.toString('latin1') !== RECORDING_MAGIC)
				throw new RecordingFormatError(path, 'not a drydock recording (it does not start with DRYDOCK-RECORDING 1)');
			this.offset = magic.length;
			const first = this.readChunk();
			const header = first?.[0];
			if (!header || header.type !== 'header')
				throw new RecordingFormatError(path, 'the recording has no header (it was cut before its first chunk)');
			if (header.version !== RECORDING_VERSION)
				throw new RecordingFormatError(
					path,
					`recording version ${header.version} is not one this drydock reads (${RECORDING_VERSION})`,
				);
			this.header = header;
			this.pending = first.slice(1);
		} catch (error) {
			closeSync(this.fd);
			throw error;
		}
	}

	/** Every event after the header, in file order; stops at the end or at the first damaged chunk. */
	*events(): Generator<RecordingEvent> {
		for (;;) {
			while (this.pending.length > 0) {
				const line = this.pending.shift()!;
				if (line.type !== 'header') yield line;
			}
			const next = this.readChunk();
			if (!next) return;
			this.pending = next;
		}
	}

	/** The next chunk's lines (for callers that batch), or null at the end / damage. */
	nextChunk(): RecordingEvent[] | null {
		if (this.pending.length > 0) {
			const lines = this.pending.filter((l): l is RecordingEvent => l.type !== 'header');
			this.pending = [];
			return lines;
		}
		const next = this.readChunk();
		return next ? next.filter((l): l is RecordingEvent => l.type !== 'header') : null;
	}

	close(): void {
		closeSync(this.fd);
	}

	private readChunk(): RecordingLine[] | null {
		if (this.damage || this.offset >= this.size) return null;
		const index = this.chunkIndex;
		const at = this.offset;
		const lengthBytes = Buffer.alloc(LENGTH_BYTES);
		if (readSync(this.fd, lengthBytes, 0, LENGTH_BYTES, at) < LENGTH_BYTES)
			return this.stop(index, at, 'the last chunk was cut in its length field');
		const length = lengthBytes.readUInt32BE(0);
		if (length === 0 || length > MAX_CHUNK_BYTES)
			return this.stop(index, at, `chunk length ${length} is not plausible`);
		if (at + LENGTH_BYTES + length > this.size)
			return this.stop(index, at, `the last chunk was cut (${this.size - at - LENGTH_BYTES} of ${length} bytes)`);
		const body = Buffer.allocUnsafe(length);
		readSync(this.fd, body, 0, length, at + LENGTH_BYTES);
		let text: string;
		try {
			text = gunzipSync(body).toString('utf8');
		} catch {
			return this.stop(index, at, 'the chunk does not decompress');
		}
		const lines: RecordingLine[] = [];
		for (const row of text.split('\n')) {
			if (row === '') continue;
			try {
				lines.push(JSON.parse(row) as RecordingLine);
			} catch {
				return this.stop(index, at, 'a line in the chunk is not JSON');
			}
		}
		this.offset = at + LENGTH_BYTES + length;
		this.chunkIndex++;
		return lines;
	}

	private stop(chunk: number, offset: number, reason: string): null {
		this.damage = {chunk, offset, reason};
		return null;
	}
}

/** A short description of a recording, for `drydock mock --replay` start lines and errors. */
export type RecordingSummary = {
	header: RecordingHeader;
	events: number;
	frames: number;
	snapshots: number;
	gaps: number;
	firstT: number | null;
	lastT: number | null;
	ended: boolean;
	damage: RecordingDamage | undefined;
};

/** Reads the whole file once (chunk by chunk) to summarise it. */
export function summarizeRecording(path: string): RecordingSummary {
	const reader = new RecordingReader(path);
	const summary: RecordingSummary = {
		header: reader.header,
		events: 0,
		frames: 0,
		snapshots: 0,
		gaps: 0,
		firstT: null,
		lastT: null,
		ended: false,
		damage: undefined,
	};
	try {
		for (const event of reader.events()) {
			summary.events++;
			if (event.type === 'frame') summary.frames++;
			else if (event.type === 'snapshot') summary.snapshots++;
			else if (event.type === 'gap') summary.gaps++;
			else summary.ended = true;
			summary.firstT ??= event.t;
			summary.lastT = event.t;
		}
		summary.damage = reader.damage;
	} finally {
		reader.close();
	}
	return summary;
}
