/** The recorder's small parts: the stream vocabulary, the -o checks and the progress line (TTY and not). */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {
	combinedStreamNames,
	combinedStreamUrl,
	parseStreamList,
	parseSymbolList,
} from '../../source/recording/stream-names.js';
import {outputProblem} from '../../source/recording/recording-output.js';
import {RecordProgress, progressLine} from '../../source/recording/record-progress.js';
import type {RecorderStats} from '../../source/recording/live-recorder.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-record-parts-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const stats = (events: number): RecorderStats => ({
	frames: events,
	snapshots: 2,
	snapshotErrors: 0,
	gaps: 1,
	events,
	bytesWritten: 2048,
	rawBytes: 16_384,
	startedAt: 0,
	connected: true,
	lastSnapshotError: undefined,
	perStream: new Map(),
	recentGaps: [],
});

describe('stream names', () => {
	it('takes Binance per-symbol suffixes and names the first unknown one', () => {
		expect(parseStreamList('trade,depth@100ms,depth20@100ms,kline_1M,trade')).toEqual({
			ok: true,
			values: ['trade', 'depth@100ms', 'depth20@100ms', 'kline_1M'],
		});
		expect(parseStreamList('trade,kline_2m')).toMatchObject({
			ok: false,
			message: expect.stringMatching(/^"kline_2m" is not/) as string,
		});
		expect(parseSymbolList('btcusdt, ETH/USDT')).toEqual({ok: true, values: ['BTCUSDT', 'ETHUSDT']});
		expect(parseSymbolList('BTC-USDT').ok).toBe(false);
		const names = combinedStreamNames(['BTCUSDT'], ['trade', 'bookTicker']);
		expect(combinedStreamUrl('wss://stream.binance.com:9443/', names)).toBe(
			'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@bookTicker',
		);
	});
});

describe('-o checks', () => {
	it('refuses a directory, an existing file without --force, and a missing directory', () => {
		expect(outputProblem(dir, false)).toMatch(/is a directory/);
		const existing = join(dir, 'x.rec');
		writeFileSync(existing, '');
		expect(outputProblem(existing, false)).toMatch(/exists \(add --force/);
		expect(outputProblem(existing, true)).toBeUndefined();
		expect(outputProblem(join(dir, 'nope', 'x.rec'), false)).toMatch(/does not exist/);
		expect(outputProblem(join(dir, 'new.rec'), false)).toBeUndefined();
	});
});

describe('progress', () => {
	it('says events, rate, bytes, compression, gaps and elapsed / remaining', () => {
		expect(progressLine(stats(1200), 65_000, 18.4, 3_600_000)).toBe(
			'recording: 1200 events · 18/s · 2.0 KB · 8.0× compressed · 1 gap · 2 snapshots · 1:05 / 1:00:00 (58:55 left)',
		);
	});

	it('rewrites one line on a TTY and writes periodic lines otherwise', () => {
		let now = 0;
		let events = 0;
		const tty: string[] = [];
		const pipe: string[] = [];
		const ttyProgress = new RecordProgress(
			() => stats(events),
			{isTTY: true, columns: 200, write: s => tty.push(s)},
			{now: () => now},
		);
		const pipeProgress = new RecordProgress(
			() => stats(events),
			{isTTY: false, write: s => pipe.push(s)},
			{now: () => now, lineEveryMs: 5000},
		);
		for (let i = 1; i <= 10; i++) {
			now = i * 1000;
			events = i * 100;
			ttyProgress.tick();
			pipeProgress.tick();
		}
		expect(tty).toHaveLength(10);
		expect(tty.every(s => s.startsWith('\r\x1b[2K') && !s.includes('\n'))).toBe(true);
		expect(tty.at(-1)).toMatch(/1000 events · 100\/s/);
		expect(pipe).toHaveLength(2);
		expect(pipe.every(s => s.endsWith('\n'))).toBe(true);
	});
});
