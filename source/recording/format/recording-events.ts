/**
 * What a recording holds, one JSON object per line: the header first, then frames as they arrived,
 * depth snapshots to resynchronise from, gaps where the feed was cut, and an end mark on a clean stop.
 * Times are the recorder's receive time in Unix milliseconds.
 */

export const RECORDING_VERSION = 1;

export type RecordingHeader = {
	type: 'header';
	version: number;
	/** Where the frames came from: a WebSocket base URL, or `import:trades` etc. for a public data dump. */
	source: string;
	symbols: string[];
	/** Stream suffixes as subscribed (`trade`, `aggTrade`, `depth@100ms`, `bookTicker`, `kline_1m`). */
	streams: string[];
	startedAt: number;
	/** drydock's version that wrote the file. */
	tool: string;
};

/** One market-stream frame: the combined stream name and its `data` object, exactly as received. */
export type FrameRecord = {type: 'frame'; t: number; stream: string; data: unknown};

/** A REST depth snapshot (GET /api/v3/depth), for resynchronising a replayed book. */
export type SnapshotRecord = {
	type: 'snapshot';
	t: number;
	symbol: string;
	lastUpdateId: number;
	bids: Array<[string, string]>;
	asks: Array<[string, string]>;
};

/** The feed was cut from `from` to `to` (a reconnect, a missed chunk of an import): never papered over. */
export type GapRecord = {type: 'gap'; t: number; from: number; to: number; reason: string};

/** A clean stop; its absence means the recorder was killed (the file is still readable up to its last chunk). */
export type EndRecord = {type: 'end'; t: number};

export type RecordingEvent = FrameRecord | SnapshotRecord | GapRecord | EndRecord;
export type RecordingLine = RecordingHeader | RecordingEvent;
