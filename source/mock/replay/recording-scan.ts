/**
 * One pass over a recording before it is replayed: its time range, symbols, streams, each symbol's first
 * price (so the mock's candle history ends near it) and whether depth snapshots exist to sync from.
 */
import type {RecordingDamage} from '../../recording/format/recording-file.js';
import type {RecordingHeader} from '../../recording/format/recording-events.js';
import {RawRecording, readHeader} from './raw-recording.js';
import {recordedStream, type RecordedKind} from './stream-kind.js';

export interface RecordingScan {
	path: string;
	header: RecordingHeader;
	symbols: string[];
	/** Stream names that carry frames (published from the recording, never synthesized). */
	streams: Set<string>;
	/** Kinds recorded per symbol. */
	kinds: Map<string, Set<RecordedKind>>;
	/** Symbols with at least one REST depth snapshot. */
	snapshotSymbols: Set<string>;
	firstPrice: Record<string, number>;
	frames: number;
	events: number;
	gaps: number;
	firstT: number;
	lastT: number;
	ended: boolean;
	damage: RecordingDamage | undefined;
}

export class ReplayFileError extends Error {}

export function scanRecording(path: string): RecordingScan {
	const header = readHeader(path);
	const scan: RecordingScan = {
		path,
		header,
		symbols: [...header.symbols],
		streams: new Set(),
		kinds: new Map(),
		snapshotSymbols: new Set(),
		firstPrice: {},
		frames: 0,
		events: 0,
		gaps: 0,
		firstT: Number.NaN,
		lastT: Number.NaN,
		ended: false,
		damage: undefined,
	};
	const raw = new RawRecording(path);
	try {
		for (let chunk = raw.nextChunk(); chunk; chunk = raw.nextChunk()) {
			for (const event of chunk) {
				scan.events++;
				if (Number.isNaN(scan.firstT)) scan.firstT = event.t;
				scan.lastT = event.t;
				if (event.type === 'frame') {
					scan.frames++;
					const info = recordedStream(event.stream);
					if (!info) continue;
					scan.streams.add(event.stream);
					let kinds = scan.kinds.get(info.symbol);
					if (!kinds) scan.kinds.set(info.symbol, (kinds = new Set()));
					kinds.add(info.kind);
					if (!(info.symbol in scan.firstPrice) && (info.kind === 'trade' || info.kind === 'aggTrade')) {
						const price = Number(/"p":"([0-9.]+)"/.exec(event.json)?.[1]);
						if (price > 0) scan.firstPrice[info.symbol] = price;
					}
				} else if (event.type === 'snapshot') {
					scan.snapshotSymbols.add(event.symbol);
					const bid = Number(event.bids[0]?.[0]);
					const ask = Number(event.asks[0]?.[0]);
					if (!(event.symbol in scan.firstPrice) && bid > 0 && ask > 0) scan.firstPrice[event.symbol] = (bid + ask) / 2;
				} else if (event.type === 'gap') scan.gaps++;
				else scan.ended = true;
			}
		}
		scan.damage = raw.damage;
	} finally {
		raw.close();
	}
	for (const symbol of scan.kinds.keys()) if (!scan.symbols.includes(symbol)) scan.symbols.push(symbol);
	if (scan.frames === 0) throw new ReplayFileError(`${path}: the recording holds no market frames to replay`);
	if (scan.symbols.length === 0) throw new ReplayFileError(`${path}: the recording names no symbols`);
	return scan;
}
