/**
 * Just enough of ZIP to read Binance's public data dumps (one CSV per archive, deflated) without a
 * dependency: the central directory (Zip64 too: monthly dumps pass 4 GB), and each entry's bytes as a
 * stream, inflated with node:zlib's inflateRaw, so a multi-gigabyte CSV never sits in memory.
 */
import {createReadStream} from 'node:fs';
import {open} from 'node:fs/promises';
import {Readable} from 'node:stream';
import {createInflateRaw} from 'node:zlib';

export interface ZipEntry {
	name: string;
	/** 0 stored, 8 deflated. */
	method: number;
	compressedSize: number;
	size: number;
	localHeaderOffset: number;
}

export class ZipFormatError extends Error {
	override readonly name = 'ZipFormatError';
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

async function readAt(handle: Awaited<ReturnType<typeof open>>, position: number, length: number): Promise<Buffer> {
	const buffer = Buffer.alloc(length);
	const {bytesRead} = await handle.read(buffer, 0, length, position);
	return buffer.subarray(0, bytesRead);
}

/** The entries of the archive at `path`; throws ZipFormatError when it is not a ZIP. */
export async function listZipEntries(path: string): Promise<ZipEntry[]> {
	const handle = await open(path, 'r');
	try {
		const size = (await handle.stat()).size;
		const tailLength = Math.min(size, 22 + MAX_COMMENT);
		const tail = await readAt(handle, size - tailLength, tailLength);
		let at = -1;
		for (let i = tail.length - 22; i >= 0; i--) {
			if (tail.readUInt32LE(i) === EOCD) {
				at = i;
				break;
			}
		}
		if (at < 0) throw new ZipFormatError(`${path} is not a ZIP archive (no end-of-directory record)`);
		let count = tail.readUInt16LE(at + 10);
		let dirSize = tail.readUInt32LE(at + 12);
		let dirOffset = tail.readUInt32LE(at + 16);
		const locatorAt = at - 20;
		if (locatorAt >= 0 && tail.readUInt32LE(locatorAt) === EOCD64_LOCATOR) {
			const eocd64At = Number(tail.readBigUInt64LE(locatorAt + 8));
			const eocd64 = await readAt(handle, eocd64At, 56);
			if (eocd64.length < 56 || eocd64.readUInt32LE(0) !== EOCD64)
				throw new ZipFormatError(`${path}: broken Zip64 end-of-directory record`);
			count = Number(eocd64.readBigUInt64LE(32));
			dirSize = Number(eocd64.readBigUInt64LE(40));
			dirOffset = Number(eocd64.readBigUInt64LE(48));
		}
		if (dirOffset + dirSize > size) throw new ZipFormatError(`${path}: the archive is truncated`);
		const dir = await readAt(handle, dirOffset, dirSize);
		const entries: ZipEntry[] = [];
		let p = 0;
		for (let i = 0; i < count; i++) {
			if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL)
				throw new ZipFormatError(`${path}: broken central directory (entry ${i})`);
			const method = dir.readUInt16LE(p + 10);
			let compressedSize = dir.readUInt32LE(p + 20);
			let entrySize = dir.readUInt32LE(p + 24);
			const nameLength = dir.readUInt16LE(p + 28);
			const extraLength = dir.readUInt16LE(p + 30);
			const commentLength = dir.readUInt16LE(p + 32);
			let localHeaderOffset = dir.readUInt32LE(p + 42);
			const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
			// Zip64: the 0xFFFFFFFF fields are in the 0x0001 extra field, in this order.
			let x = p + 46 + nameLength;
			const extraEnd = x + extraLength;
			while (x + 4 <= extraEnd) {
				const id = dir.readUInt16LE(x);
				const length = dir.readUInt16LE(x + 2);
				if (id === 0x0001) {
					let q = x + 4;
					if (entrySize === 0xffffffff) {
						entrySize = Number(dir.readBigUInt64LE(q));
						q += 8;
					}
					if (compressedSize === 0xffffffff) {
						compressedSize = Number(dir.readBigUInt64LE(q));
						q += 8;
					}
					if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(dir.readBigUInt64LE(q));
				}
				x += 4 + length;
			}
			entries.push({name, method, compressedSize, size: entrySize, localHeaderOffset});
			p = extraEnd + commentLength;
		}
		return entries;
	} finally {
		await handle.close();
	}
}

/** The entry's uncompressed bytes as a stream (stored or deflated; anything else is refused). */
export async function openZipEntry(path: string, entry: ZipEntry): Promise<Readable> {
	if (entry.method !== 0 && entry.method !== 8)
		throw new ZipFormatError(
			`${path}: ${entry.name} uses compression method ${entry.method} (only stored and deflate)`,
		);
	const handle = await open(path, 'r');
	let local: Buffer;
	try {
		local = await readAt(handle, entry.localHeaderOffset, 30);
	} finally {
		await handle.close();
	}
	if (local.length < 30 || local.readUInt32LE(0) !== LOCAL)
		throw new ZipFormatError(`${path}: ${entry.name} has no local header where the directory says`);
	const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
	if (entry.compressedSize === 0) return Readable.from([]);
	const raw = createReadStream(path, {start: dataStart, end: dataStart + entry.compressedSize - 1});
	if (entry.method === 0) return raw;
	const inflate = createInflateRaw();
	raw.on('error', error => inflate.destroy(error));
	return raw.pipe(inflate);
}

/** The entry's text, line by line (CRLF or LF), without loading it whole. */
export async function* zipEntryLines(path: string, entry: ZipEntry): AsyncGenerator<string> {
	const stream = await openZipEntry(path, entry);
	let rest = '';
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		const text = rest + chunk.toString('latin1');
		const lines = text.split('\n');
		rest = lines.pop() ?? '';
		for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
	}
	if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
