import type {RawData} from 'ws';

/** The UTF-8 text of a ws message, whichever of its three shapes (Buffer, fragments, ArrayBuffer) it arrived in. */
export function rawText(data: RawData): string {
	if (Buffer.isBuffer(data)) return data.toString('utf8');
	if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
	return Buffer.from(data).toString('utf8');
}
