/**
 * `drydock record import`: Binance dump archives → one recording, rows of all files merged in time
 * order (each file is already sorted, so a k-way merge streams them). A hole in a stream's ids (a
 * missing day, a truncated file) becomes a gap record; rows a previous file already gave are skipped.
 */
import {unlinkSync} from 'node:fs';
import {RecordingWriter} from '../format/recording-file.js';
import {DumpFormatError, DumpRowParser, isHeaderRow, type DumpKind, type DumpRow} from './dump-rows.js';
import {listZipEntries, zipEntryLines} from './zip-reader.js';

export interface DumpFile {
	path: string;
	symbol: string;
	/** Klines only. */
	interval?: string;
}

export interface DumpImportOptions {
	kind: DumpKind;
	files: DumpFile[];
	output: string;
	tool: string;
}

export interface DumpImportResult {
	rows: number;
	frames: number;
	gaps: number;
	duplicates: number;
	bytesWritten: number;
	rawBytes: number;
	firstT: number | null;
	lastT: number | null;
	symbols: string[];
	streams: string[];
}

async function* fileRows(file: DumpFile, kind: DumpKind): AsyncGenerator<DumpRow> {
	const entries = (await listZipEntries(file.path)).filter(e => !e.name.endsWith('/'));
	const csv = entries.filter(e => /\.csv$/i.test(e.name));
	const chosen = csv.length > 0 ? csv : entries;
	if (chosen.length === 0) throw new DumpFormatError(`${file.path}: the archive holds no file`);
	for (const entry of chosen) {
		const parser = new DumpRowParser(kind, file.symbol, file.interval, `${file.path}:${entry.name}`);
		let lineNumber = 0;
		for await (const line of zipEntryLines(file.path, entry)) {
			lineNumber++;
			if (line.trim() === '') continue;
			if (lineNumber === 1 && isHeaderRow(line)) continue;
			yield parser.parse(line, lineNumber);
		}
	}
}

/** Writes the recording; on any error the half-written file is removed and the error rethrown. */
export async function importDumps(options: DumpImportOptions): Promise<DumpImportResult> {
	const sources = options.files.map(file => fileRows(file, options.kind)[Symbol.asyncIterator]());
	const pull = async (source: AsyncIterator<DumpRow>): Promise<DumpRow | undefined> => {
		const next = await source.next();
		return next.done ? undefined : next.value;
	};
	const heads: Array<DumpRow | undefined> = [];
	for (const source of sources) heads.push(await pull(source));
	const symbols = [...new Set(options.files.map(f => f.symbol))];
	const streams = [
		...new Set(
			options.files.map(f =>
				options.kind === 'trades' ? 'trade' : options.kind === 'aggTrades' ? 'aggTrade' : `kline_${f.interval}`,
			),
		),
	];
	const firstT = Math.min(...heads.map(h => h?.t ?? Infinity));
	// Speed over fsync: an import that dies is rerun, not salvaged (the file is removed below).
	const writer = new RecordingWriter(
		options.output,
		{
			source: `import:${options.kind}`,
			symbols,
			streams,
			startedAt: Number.isFinite(firstT) ? firstT : Date.now(),
			tool: options.tool,
		},
		{fsync: false, chunkMs: 60_000},
	);
	const result: DumpImportResult = {
		rows: 0,
		frames: 0,
		gaps: 0,
		duplicates: 0,
		bytesWritten: 0,
		rawBytes: 0,
		firstT: null,
		lastT: null,
		symbols,
		streams,
	};
	const expected = new Map<string, {next: number; t: number}>();
	try {
		for (;;) {
			let pick = -1;
			for (let i = 0; i < heads.length; i++) {
				const head = heads[i];
				if (head && (pick < 0 || head.t < heads[pick]!.t)) pick = i;
			}
			if (pick < 0) break;
			const row = heads[pick]!;
			heads[pick] = await pull(sources[pick]!);
			result.rows++;
			const before = expected.get(row.stream);
			if (before && row.seq < before.next) {
				result.duplicates++;
				continue;
			}
			if (before && row.seq > before.next) {
				writer.write({
					type: 'gap',
					t: row.t,
					from: before.t,
					to: row.t,
					reason: `${row.stream}: ${options.kind === 'klines' ? 'candles' : 'ids'} ${before.next}–${row.seq - 1} missing from the dumps`,
				});
				result.gaps++;
			}
			expected.set(row.stream, {next: row.nextSeq, t: row.t});
			writer.write({type: 'frame', t: row.t, stream: row.stream, data: row.data});
			result.frames++;
			result.firstT ??= row.t;
			result.lastT = row.t;
		}
		writer.close(true, result.lastT ?? Date.now());
	} catch (error) {
		writer.close(false);
		try {
			unlinkSync(options.output);
		} catch {
			// already gone
		}
		throw error;
	}
	result.bytesWritten = writer.stats.bytesWritten;
	result.rawBytes = writer.stats.rawBytes;
	return result;
}
