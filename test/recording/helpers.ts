import {writeFileSync} from 'node:fs';
import {deflateRawSync} from 'node:zlib';
import {RecordingReader} from '../../source/recording/format/recording-file.js';
import type {RecordingEvent, RecordingHeader} from '../../source/recording/format/recording-events.js';

export {drydock, startMock} from '../commands/helpers.js';

/** CRC-32 (IEEE), as ZIP stores it; the reader does not check it, but a real unzip would. */
function crc32(data: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of data) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

/** A minimal ZIP writer (no Zip64): each entry stored or deflated, as `unzip -l` would accept. */
export function writeZip(path: string, entries: Array<{name: string; text: string; deflate?: boolean}>): void {
	const locals: Buffer[] = [];
	const centrals: Buffer[] = [];
	let offset = 0;
	for (const entry of entries) {
		const data = Buffer.from(entry.text);
		const body = entry.deflate === false ? data : deflateRawSync(data);
		const method = entry.deflate === false ? 0 : 8;
		const name = Buffer.from(entry.name);
		const crc = crc32(data);
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4);
		local.writeUInt16LE(method, 8);
		local.writeUInt32LE(crc, 14);
		local.writeUInt32LE(body.length, 18);
		local.writeUInt32LE(data.length, 22);
		local.writeUInt16LE(name.length, 26);
		const central = Buffer.alloc(46);
		central.writeUInt32LE(0x02014b50, 0);
		central.writeUInt16LE(20, 4);
		central.writeUInt16LE(20, 6);
		central.writeUInt16LE(method, 10);
		central.writeUInt32LE(crc, 16);
		central.writeUInt32LE(body.length, 20);
		central.writeUInt32LE(data.length, 24);
		central.writeUInt16LE(name.length, 28);
		central.writeUInt32LE(offset, 42);
		locals.push(local, name, body);
		centrals.push(central, name);
		offset += local.length + name.length + body.length;
	}
	const dir = Buffer.concat(centrals);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(dir.length, 12);
	end.writeUInt32LE(offset, 16);
	writeFileSync(path, Buffer.concat([...locals, dir, end]));
}

export interface ReadBack {
	header: RecordingHeader;
	events: RecordingEvent[];
	damage: string | undefined;
}

export function readRecording(path: string): ReadBack {
	const reader = new RecordingReader(path);
	try {
		const events = [...reader.events()];
		return {header: reader.header, events, damage: reader.damage?.reason};
	} finally {
		reader.close();
	}
}

/** Frames per stream name. */
export function framesByStream(events: RecordingEvent[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const e of events) if (e.type === 'frame') counts.set(e.stream, (counts.get(e.stream) ?? 0) + 1);
	return counts;
}
