/** The view model of `drydock record --console`: rows from the recorder's stats and last frames. */
import {describe, expect, it} from 'vitest';
import type {RecorderStats} from '../../source/recording/live-recorder.js';
import {depthLine, frameText, recordView, RecordWatch} from '../../source/recording/record-view.js';

function stats(overrides: Partial<RecorderStats> = {}): RecorderStats {
	return {
		frames: 0,
		snapshots: 2,
		snapshotErrors: 0,
		gaps: 0,
		events: 0,
		bytesWritten: 1000,
		rawBytes: 8000,
		startedAt: 1_000_000,
		connected: true,
		lastSnapshotError: undefined,
		perStream: new Map([
			['btcusdt@trade', 0],
			['btcusdt@depth@100ms', 0],
		]),
		recentGaps: [],
		...overrides,
	};
}

describe('depthLine / frameText', () => {
	it('puts a depth frame on one readable line: a book with its best levels, a diff with what changed and its top, without trailing zeros', () => {
		const update = {
			e: 'depthUpdate',
			U: 10,
			u: 12,
			// A diff's levels come in no order, and size 0 removes one: its top is the best level it sets.
			b: [
				['87544.00000000', '1.00000000'],
				['87544.90000000', '0.00000000'],
				['87544.56000000', '0.50000000'],
			],
			a: [['87545.10000000', '2.00000000']],
		};
		expect(depthLine(update)).toBe(
			'bids 3 changed, 1 removed (top 87544.56×0.5) · asks 1 changed (top 87545.1×2) · u 12',
		);
		expect(depthLine({u: 3, b: [['1.0', '0']], a: []})).toBe('bids 1 changed, 1 removed · asks 0 · u 3');
		expect(depthLine({lastUpdateId: 7, bids: [], asks: [['1.0', '3']]})).toBe('bids 0 · asks 1 (best 1×3) · u 7');
		expect(depthLine({e: 'trade', p: '1'})).toBeNull();
	});

	it('writes other frames as compact JSON, cut to the width with an ellipsis, without control characters', () => {
		expect(frameText({e: 'trade', p: '1.5'}, 80)).toBe('{"e":"trade","p":"1.5"}');
		const cut = frameText({e: 'trade', p: '1.5', q: '2'}, 10);
		expect(cut).toBe('{"e":"tra…');
		expect(cut.length).toBe(10);
		expect(frameText('a\u001b[2Jb', 20)).not.toContain('\u001b');
		expect(frameText({e: 'x'}, 0)).toBe('');
	});
});

describe('recordView', () => {
	it('gives the progress figures and one row per stream, silent streams included', () => {
		const view = recordView({
			stats: stats({
				events: 40,
				gaps: 1,
				perStream: new Map([
					['btcusdt@trade', 30],
					['btcusdt@depth@100ms', 0],
				]),
				recentGaps: [
					{from: 1_001_000, to: 1_003_500, reason: 'socket closed; reconnected and resubscribed'},
					{from: 1_010_000, to: 1_010_400, reason: 'silence; reconnected and resubscribed'},
				],
			}),
			now: 1_065_000,
			ratePerSecond: 12,
			streamRates: new Map([['btcusdt@trade', 3]]),
			lastFrames: new Map([['btcusdt@trade', {t: 1_064_000, data: {e: 'trade', p: '1'}}]]),
			durationMs: 120_000,
			textWidth: 40,
		});
		expect(view).toMatchObject({
			events: 40,
			ratePerSecond: 12,
			bytes: '1000 B',
			ratio: 8,
			gaps: 1,
			snapshots: 2,
			connected: true,
			elapsed: '1:05',
			remaining: '0:55',
		});
		expect(view.streams).toEqual([
			{stream: 'btcusdt@trade', frames: 30, ratePerSecond: 3, ageMs: 1000, text: '{"e":"trade","p":"1"}'},
			{stream: 'btcusdt@depth@100ms', frames: 0, ratePerSecond: 0, ageMs: null, text: ''},
		]);
		// Newest gap first, with its length.
		expect(view.gapList.map(g => [g.lengthMs, g.reason.split(';')[0]])).toEqual([
			[400, 'silence'],
			[2500, 'socket closed'],
		]);
	});
});

describe('RecordWatch', () => {
	it('keeps each stream’s last frame and samples rates from the frame counts', () => {
		let now = 1_000_000;
		const s = stats();
		const watch = new RecordWatch(() => s, {now: () => now});
		const first = watch.view(60);
		expect(first.streams.every(r => r.ageMs === null && r.ratePerSecond === 0)).toBe(true);
		// Two seconds: 10 trades, 20 depth frames.
		s.perStream.set('btcusdt@trade', 10);
		s.perStream.set('btcusdt@depth@100ms', 20);
		s.events = 30;
		watch.onFrame('btcusdt@trade', {e: 'trade', p: '2'}, now + 1500);
		watch.onFrame('btcusdt@depth@100ms', {e: 'depthUpdate', u: 5, b: [['1.0', '1.0']], a: []}, now + 1900);
		now += 2000;
		const second = watch.view(60);
		expect(second.ratePerSecond).toBe(15);
		expect(second.streams).toEqual([
			{stream: 'btcusdt@trade', frames: 10, ratePerSecond: 5, ageMs: 500, text: '{"e":"trade","p":"2"}'},
			{
				stream: 'btcusdt@depth@100ms',
				frames: 20,
				ratePerSecond: 10,
				ageMs: 100,
				text: 'bids 1 changed (top 1×1) · asks 0 · u 5',
			},
		]);
		// Read again within the sampling interval: the rates hold instead of dropping to 0.
		now += 100;
		expect(watch.view(60).streams[0]!.ratePerSecond).toBe(5);
	});
});
