/**
 * Reads a recording's chunks as raw lines, keeping each frame's `data` as the JSON text it was written
 * as: a replay publishes that text (time-shifted by splicing) instead of parsing and re-serializing every
 * frame, which is what bounds `--speed max`. The file's framing is recording/format's; the header and a
 * bad file are checked by its RecordingReader, so both readers agree on what a recording is.
 */
import {isAscii} from 'node:buffer';
import {closeSync, fstatSync, openSync, readSync} from 'node:fs';
import {gunzip, gunzipSync} from 'node:zlib';
import {
	MAX_CHUNK_BYTES,
	RECORDING_MAGIC,
	RecordingReader,
	type RecordingDamage,
} from '../../recording/format/recording-file.js';
import type {GapRecord, RecordingHeader, SnapshotRecord} from '../../recording/format/recording-events.js';

/** A frame with its data still as text. */
export type RawFrame = {type: 'frame'; t: number; stream: string; json: string};
export type RawEvent = RawFrame | SnapshotRecord | GapRecord | {type: 'end'; t: number};

const LENGTH_BYTES = 4;
const FRAME_HEAD = '{"type":"frame","t":';
const STREAM_KEY = ',"stream":';
const DATA_KEY = ',"data":';

/** Opens a recording; throws RecordingFormatError (a clear one-line message) when it is not one. */
export function readHeader(path: string): RecordingHeader {
	const reader = new RecordingReader(path);
	reader.close();
	return reader.header;
}

/** One line of a chunk; frames written by RecordingWriter are cut by position, anything else parsed. */
export function parseLine(row: string): RawEvent | 'header' | undefined {
	if (row.startsWith(FRAME_HEAD)) {
		const streamAt = row.indexOf(STREAM_KEY, FRAME_HEAD.length);
		const dataAt = streamAt < 0 ? -1 : row.indexOf(DATA_KEY, streamAt + STREAM_KEY.length);
		if (dataAt > 0 && row.charCodeAt(streamAt + STREAM_KEY.length) === 34 && row.charCodeAt(dataAt - 1) === 34) {
			const t = Number(row.slice(FRAME_HEAD.length, streamAt));
			const stream = row.slice(streamAt + STREAM_KEY.length + 1, dataAt - 1);
			// Stream names never hold escapes; if one does, the generic path below reads it.
			if (Number.isFinite(t) && !stream.includes('\\'))
				return {type: 'frame', t, stream, json: row.slice(dataAt + DATA_KEY.length, -1)};
		}
	}
	let value: unknown;
	try {
		value = JSON.parse(row);
	} catch {
		return undefined;
	}
	if (typeof value !== 'object' || value === null) return undefined;
	const line = value as {type?: unknown; t?: unknown; stream?: unknown; data?: unknown};
	if (line.type === 'header') return 'header';
	if (line.type === 'frame' && typeof line.t === 'number' && typeof line.stream === 'string')
		return {type: 'frame', t: line.t, stream: line.stream, json: JSON.stringify(line.data)};
	if (line.type === 'snapshot' || line.type === 'gap' || line.type === 'end') return value as RawEvent;
	return undefined;
}

/** Chunk-by-chunk raw reading from the start of a recording's events. */
export class RawRecording {
	private readonly fd: number;
	private readonly size: number;
	private offset = RECORDING_MAGIC.length;
	private chunkIndex = 0;
	damage: RecordingDamage | undefined;

	constructor(readonly path: string) {
		this.fd = openSync(path, 'r');
		this.size = fstatSync(this.fd).size;
	}

	/** The next chunk's events (the header skipped), or null at the end or at a damaged chunk. */
	nextChunk(): RawEvent[] | null {
		const chunk = this.nextBody();
		if (!chunk) return null;
		let text: string;
		try {
			text = decode(gunzipSync(chunk.body));
		} catch {
			return this.stop(chunk.at, 'the chunk does not decompress', chunk.index);
		}
		return this.parse(text, chunk.at, chunk.index);
	}

	/** The same, decompressed on the thread pool while the caller replays the chunk before it. */
	nextChunkAsync(): Promise<RawEvent[] | null> {
		const chunk = this.nextBody();
		if (!chunk) return Promise.resolve(null);
		return new Promise(resolve => {
			gunzip(chunk.body, (error, text) => {
				resolve(
					error
						? this.stop(chunk.at, 'the chunk does not decompress', chunk.index)
						: this.parse(decode(text), chunk.at, chunk.index),
				);
			});
		});
	}

	/** The next chunk's compressed bytes; the offset moves past it (so reads stay in file order). */
	private nextBody(): {body: Buffer; at: number; index: number} | null {
		if (this.damage || this.offset >= this.size) return null;
		const at = this.offset;
		const lengthBytes = Buffer.alloc(LENGTH_BYTES);
		if (readSync(this.fd, lengthBytes, 0, LENGTH_BYTES, at) < LENGTH_BYTES)
			return this.stop(at, 'the last chunk was cut in its length field');
		const length = lengthBytes.readUInt32BE(0);
		if (length > MAX_CHUNK_BYTES) return this.stop(at, `a chunk claims ${length} bytes (at most ${MAX_CHUNK_BYTES})`);
		if (length === 0 || at + LENGTH_BYTES + length > this.size)
			return this.stop(at, `the last chunk was cut (${this.size - at - LENGTH_BYTES} of ${length} bytes)`);
		const body = Buffer.allocUnsafe(length);
		readSync(this.fd, body, 0, length, at + LENGTH_BYTES);
		this.offset = at + LENGTH_BYTES + length;
		const index = this.chunkIndex++;
		return {body, at, index};
	}

	private parse(text: string, at: number, index: number): RawEvent[] | null {
		const events: RawEvent[] = [];
		let start = 0;
		while (start < text.length) {
			let end = text.indexOf('\n', start);
			if (end < 0) end = text.length;
			if (end > start) {
				const event = parseLine(text.slice(start, end));
				if (event === undefined) return this.stop(at, 'a line in the chunk is not a recording line', index);
				if (event !== 'header') events.push(event);
			}
			start = end + 1;
		}
		return events;
	}

	close(): void {
		closeSync(this.fd);
	}

	private stop(offset: number, reason: string, chunk = this.chunkIndex): null {
		this.damage = {chunk, offset, reason};
		return null;
	}
}

/** Market frames are ASCII: decoding them as latin1 is exact then, and cheaper than UTF-8. */
function decode(bytes: Buffer): string {
	return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}
