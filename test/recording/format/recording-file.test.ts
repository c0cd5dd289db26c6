import {mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {
	RecordingFormatError,
	RecordingReader,
	RecordingWriter,
	summarizeRecording,
} from '../../../source/recording/format/recording-file.js';
import type {RecordingEvent} from '../../../source/recording/format/recording-events.js';

const dir = mkdtempSync(join(tmpdir(), 'drydock-rec-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

const header = {source: 'ws://127.0.0.1:1', symbols: ['BTCUSDT'], streams: ['trade'], startedAt: 1, tool: 'test'};
const frame = (i: number): RecordingEvent => ({
	type: 'frame',
	t: 1000 + i,
	stream: 'btcusdt@trade',
	data: {e: 'trade', t: i, p: '100.00', q: '0.1'},
});

describe('recording file', () => {
	it('round-trips the header and every event in order, across many chunks, with an end mark', () => {
		const path = join(dir, 'a.rec');
		const writer = new RecordingWriter(path, header, {chunkBytes: 2000, fsync: false});
		for (let i = 0; i < 500; i++) writer.write(frame(i));
		writer.write({type: 'gap', t: 2000, from: 1900, to: 2000, reason: 'reconnect'});
		writer.close(true, 3000);
		expect(writer.stats.chunks).toBeGreaterThan(5);
		const reader = new RecordingReader(path);
		expect(reader.header).toMatchObject({type: 'header', version: 1, ...header});
		const events = [...reader.events()];
		reader.close();
		expect(events).toHaveLength(502);
		expect(events.slice(0, 500)).toEqual(Array.from({length: 500}, (_, i) => frame(i)));
		expect(events[500]).toMatchObject({type: 'gap', reason: 'reconnect'});
		expect(events[501]).toEqual({type: 'end', t: 3000});
		expect(reader.damage).toBeUndefined();
		const summary = summarizeRecording(path);
		expect(summary).toMatchObject({events: 502, frames: 500, gaps: 1, ended: true, firstT: 1000, lastT: 3000});
	});

	it('a file cut in its last chunk (a killed recorder) reads up to the chunk before and says what was lost', () => {
		const path = join(dir, 'cut.rec');
		const writer = new RecordingWriter(path, header, {chunkBytes: 1_000_000, fsync: false});
		for (let i = 0; i < 100; i++) writer.write(frame(i));
		writer.flush();
		const whole = statSync(path).size;
		for (let i = 100; i < 200; i++) writer.write(frame(i));
		writer.close(false);
		truncateSync(path, statSync(path).size - 10);
		const reader = new RecordingReader(path);
		const events = [...reader.events()];
		reader.close();
		expect(events).toHaveLength(100);
		expect(reader.damage?.offset).toBe(whole);
		expect(reader.damage?.reason).toMatch(/cut/);
		expect(summarizeRecording(path).ended).toBe(false);
	});

	it('refuses a file that is not a recording, naming it', () => {
		const path = join(dir, 'not.rec');
		writeFileSync(path, 'hello');
		expect(() => new RecordingReader(path)).toThrow(RecordingFormatError);
		expect(() => new RecordingReader(path)).toThrow(/not\.rec: not a drydock recording/);
	});

	it('a corrupt chunk in the middle stops reading there', () => {
		const path = join(dir, 'corrupt.rec');
		const writer = new RecordingWriter(path, header, {chunkBytes: 1500, fsync: false});
		for (let i = 0; i < 300; i++) writer.write(frame(i));
		writer.close();
		const bytes = readFileSync(path);
		const middle = Math.floor(bytes.length / 2);
		bytes[middle] = bytes[middle]! ^ 0xff;
		writeFileSync(path, bytes);
		const reader = new RecordingReader(path);
		const events = [...reader.events()];
		reader.close();
		expect(events.length).toBeLessThan(300);
		expect(reader.damage).toBeDefined();
	});
});
