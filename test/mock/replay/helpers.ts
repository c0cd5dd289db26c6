import WebSocket from 'ws';
import {RecordingWriter} from '../../../source/recording/format/recording-file.js';
import type {RecordingEvent} from '../../../source/recording/format/recording-events.js';
import {scanRecording, type MockExchange, type ReplaySettings} from '../../../source/mock/index.js';
import {startMock, waitFor} from '../helpers.js';
import {rawText} from '../../../source/mock/ws/raw-text.js';

export {startMock, waitFor};

/** A frame as a subscriber saw it: its stream and parsed data. */
export interface Seen {
	stream: string;
	data: Record<string, unknown>;
}

/**
 * Records a live mock as the recorder does: subscribes to its combined streams, takes a REST depth
 * snapshot per symbol once subscribed, and writes every frame with its receive time.
 */
export async function recordMock(
	mock: MockExchange,
	path: string,
	symbols: string[],
	suffixes: string[],
	durationMs: number,
): Promise<RecordingEvent[]> {
	const streams = symbols.flatMap(s => suffixes.map(x => `${s.toLowerCase()}@${x}`));
	const writer = new RecordingWriter(
		path,
		{source: mock.ws, symbols, streams: suffixes, startedAt: Date.now(), tool: 'test'},
		{chunkBytes: 16 * 1024, fsync: false},
	);
	const written: RecordingEvent[] = [];
	const write = (event: RecordingEvent) => {
		writer.write(event);
		written.push(event);
	};
	const ws = new WebSocket(`${mock.ws}/stream?streams=${streams.join('/')}`);
	ws.on('message', raw => {
		const message = JSON.parse(rawText(raw)) as {stream: string; data: unknown};
		write({type: 'frame', t: Date.now(), stream: message.stream, data: message.data});
	});
	await new Promise(resolve => ws.once('open', resolve));
	for (const symbol of symbols) {
		const depth = (await (await fetch(`${mock.rest}/api/v3/depth?symbol=${symbol}&limit=1000`)).json()) as {
			lastUpdateId: number;
			bids: Array<[string, string]>;
			asks: Array<[string, string]>;
		};
		write({type: 'snapshot', t: Date.now(), symbol, ...depth});
	}
	await new Promise(resolve => setTimeout(resolve, durationMs));
	ws.close();
	writer.close();
	return written;
}

/** Starts a mock replaying `path`, paused so subscribers connect before the first frame. */
export async function startReplayMock(
	path: string,
	settings: Partial<ReplaySettings> = {},
	port = 0,
): Promise<MockExchange> {
	return startMock({
		port,
		replay: {scan: scanRecording(path), speed: 'max', loop: false, keepTime: false, paused: true, ...settings},
	});
}

/** Subscribes to streams on a mock and collects what arrives. */
export async function subscribe(mock: MockExchange, streams: string[]): Promise<{seen: Seen[]; close(): void}> {
	const seen: Seen[] = [];
	const ws = new WebSocket(`${mock.ws}/stream?streams=${streams.join('/')}`);
	ws.on('message', raw => seen.push(JSON.parse(rawText(raw)) as Seen));
	await new Promise(resolve => ws.once('open', resolve));
	return {seen, close: () => ws.close()};
}

export async function replayStatus(mock: MockExchange): Promise<Record<string, unknown>> {
	return (await (await fetch(`${mock.admin}/replay`)).json()) as Record<string, unknown>;
}

export async function steer(mock: MockExchange, body: unknown): Promise<Record<string, unknown>> {
	const r = await fetch(`${mock.admin}/replay`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify(body),
	});
	return (await r.json()) as Record<string, unknown>;
}

export async function untilEnded(mock: MockExchange, timeoutMs = 10_000): Promise<Record<string, unknown>> {
	return waitFor(
		'replay end',
		async () => {
			const status = await replayStatus(mock);
			return status.ended === true ? status : undefined;
		},
		timeoutMs,
	);
}

/** Undoes the replay's time shift on a frame's data, for comparing with what was recorded. */
export function unshift(data: Record<string, unknown>, by: number): Record<string, unknown> {
	const out: Record<string, unknown> = {...data};
	for (const key of ['E', 'T', 'O', 'C']) if (typeof out[key] === 'number' && out[key] > 1e12) out[key] = out[key] - by;
	if (typeof out.k === 'object' && out.k !== null) {
		const k = {...(out.k as Record<string, unknown>)};
		for (const key of ['t', 'T']) if (typeof k[key] === 'number') k[key] = k[key] - by;
		out.k = k;
	}
	return out;
}
