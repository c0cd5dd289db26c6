import {mkdtempSync, rmSync, statSync, truncateSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {RecordingEvent} from '../../../source/recording/format/recording-events.js';
import {scanRecording} from '../../../source/mock/index.js';
import {recordMock, startMock, startReplayMock, steer, subscribe, untilEnded, unshift} from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-replay-'));
const path = join(dir, 'live.rec');
const SUFFIXES = ['trade', 'aggTrade', 'depth@100ms', 'bookTicker', 'kline_1m'];
const STREAMS = ['btcusdt', 'ethusdt'].flatMap(s => SUFFIXES.map(x => `${s}@${x}`));
let recorded: RecordingEvent[] = [];

beforeAll(async () => {
	const live = await startMock({market: {tradeRate: 40}});
	try {
		recorded = await recordMock(live, path, ['BTCUSDT', 'ETHUSDT'], SUFFIXES, 3000);
	} finally {
		await live.close();
	}
}, 20_000);
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function byStream(frames: Array<{stream: string; data: unknown}>): Map<string, unknown[]> {
	const out = new Map<string, unknown[]>();
	for (const f of frames) {
		const list = out.get(f.stream) ?? [];
		list.push(f.data);
		out.set(f.stream, list);
	}
	return out;
}

describe('replaying a recording of a live mock', () => {
	it('publishes every recorded frame of each stream, in order, with times shifted by one offset', async () => {
		const frames = recorded.filter(e => e.type === 'frame');
		expect(frames.length).toBeGreaterThan(100);
		const mock = await startReplayMock(path);
		try {
			const sub = await subscribe(mock, STREAMS);
			await steer(mock, {paused: false});
			const status = await untilEnded(mock);
			await new Promise(r => setTimeout(r, 200));
			sub.close();
			const shift = status.timeShiftMs as number;
			expect(Math.abs(Date.now() - (frames[0]!.t + shift))).toBeLessThan(120_000);
			const got = byStream(sub.seen.map(s => ({stream: s.stream, data: unshift(s.data, shift)})));
			const want = byStream(frames);
			expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
			for (const [stream, list] of want) expect(got.get(stream), stream).toEqual(list);
		} finally {
			await mock.close();
		}
	});

	it('keeps the recorded times with --keep-time', async () => {
		const mock = await startReplayMock(path, {keepTime: true});
		try {
			const sub = await subscribe(mock, ['btcusdt@trade', 'btcusdt@depth@100ms']);
			await steer(mock, {paused: false});
			await untilEnded(mock);
			await new Promise(r => setTimeout(r, 200));
			sub.close();
			const want = recorded.filter(
				e => e.type === 'frame' && e.stream.startsWith('btcusdt@') && /@(trade|depth@100ms)$/.test(e.stream),
			);
			expect(sub.seen.map(s => s.data)).toEqual(want.map(e => (e as {data: unknown}).data));
		} finally {
			await mock.close();
		}
	});

	it('answers REST depth from the replayed book', async () => {
		const mock = await startReplayMock(path);
		try {
			await steer(mock, {paused: false});
			await untilEnded(mock);
			const depth = (await (await fetch(`${mock.rest}/api/v3/depth?symbol=BTCUSDT&limit=5`)).json()) as {
				lastUpdateId: number;
				bids: string[][];
			};
			const lastDiff = recorded
				.filter(e => e.type === 'frame' && e.stream === 'btcusdt@depth@100ms')
				.map(e => (e as {data: {u: number}}).data.u)
				.pop();
			expect(depth.lastUpdateId).toBe(lastDiff);
			expect(depth.bids.length).toBe(5);
		} finally {
			await mock.close();
		}
	});

	it('replays a file cut mid-chunk (a killed recorder) up to its last whole chunk', async () => {
		const cut = join(dir, 'cut.rec');
		const {copyFileSync} = await import('node:fs');
		copyFileSync(path, cut);
		truncateSync(cut, statSync(cut).size - 100);
		const scan = scanRecording(cut);
		expect(scan.damage?.reason).toMatch(/cut/);
		expect(scan.frames).toBeGreaterThan(0);
		expect(scan.frames).toBeLessThan(recorded.filter(e => e.type === 'frame').length);
		const mock = await startReplayMock(cut);
		try {
			const sub = await subscribe(mock, STREAMS);
			await steer(mock, {paused: false});
			const status = await untilEnded(mock);
			await new Promise(r => setTimeout(r, 200));
			sub.close();
			expect(sub.seen.length).toBe(scan.frames);
			expect(String(status.damage)).toMatch(/cut/);
		} finally {
			await mock.close();
		}
	});

	it('replays only --from..--to, and loops with rising times and ids', async () => {
		const frames = recorded.filter(e => e.type === 'frame' && e.stream === 'btcusdt@trade');
		const from = frames[Math.floor(frames.length / 4)]!.t;
		const to = frames[Math.floor(frames.length / 2)]!.t;
		const mock = await startReplayMock(path, {from, to});
		try {
			const sub = await subscribe(mock, ['btcusdt@trade']);
			await steer(mock, {paused: false});
			await untilEnded(mock);
			await new Promise(r => setTimeout(r, 200));
			sub.close();
			const want = frames.filter(e => e.t >= from && e.t <= to).map(e => (e as {data: unknown}).data);
			expect(sub.seen.map(s => (s.data as {t: number}).t)).toEqual(want.map(d => (d as {t: number}).t));
		} finally {
			await mock.close();
		}
		const looping = await startReplayMock(path, {loop: true});
		try {
			const sub = await subscribe(looping, ['btcusdt@trade']);
			const eth = await subscribe(looping, ['ethusdt@aggTrade']);
			const depth = await subscribe(looping, ['btcusdt@depth@100ms']);
			await steer(looping, {paused: false});
			await new Promise(r => setTimeout(r, 1500));
			const status = (await steer(looping, {paused: true})) as {loops: number};
			for (const s of [sub, eth, depth]) s.close();
			expect(status.loops).toBeGreaterThan(1);
			const times = sub.seen.map(s => (s.data as {T: number}).T);
			const ids = sub.seen.map(s => (s.data as {t: number}).t);
			expect(sub.seen.length).toBeGreaterThan(frames.length);
			// Each symbol's series carries on by its own span: no hole a bot's sequence check would see,
			// for trade ids, another symbol's aggregate ids and depth update ids alike.
			for (let i = 1; i < times.length; i++) {
				expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
				expect(ids[i]).toBe(ids[i - 1]! + 1);
			}
			const agg = eth.seen.map(s => (s.data as {a: number}).a);
			for (let i = 1; i < agg.length; i++) expect(agg[i]).toBe(agg[i - 1]! + 1);
			const diffs = depth.seen.map(s => s.data as {U: number; u: number});
			expect(diffs.length).toBeGreaterThan(2);
			for (let i = 1; i < diffs.length; i++) expect(diffs[i]!.U).toBe(diffs[i - 1]!.u + 1);
		} finally {
			await looping.close();
		}
	});
});
